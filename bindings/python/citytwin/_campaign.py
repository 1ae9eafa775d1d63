"""Campaigns: a grid of overrides x seeds run on the process pool of `citytwin sweep`, results as an
xarray.Dataset (one dimension per grid axis plus seed) or a tidy DataFrame, cached by run id."""
from __future__ import annotations

import hashlib
import json
import operator
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import yaml

from . import _core
from ._key_path import replaced_by
from ._scenario import (Scenario, ScenarioLike, absolute_files, check_key_paths, edit_value, load_yaml12, split_path,
                        value_text)

PathLike = Union[str, "os.PathLike[str]"]


@dataclass
class SweepFailure:
    """A campaign run that failed: its seed, its grid point ({key: value}), run id and the error
    (citytwin.ScenarioError when its scenario was refused, citytwin.RunError otherwise)."""

    seed: int
    error: BaseException
    point: Dict[str, Any] = field(default_factory=dict)
    run_id: str = ""


def _cache_root() -> Path:
    root = os.environ.get("CITYTWIN_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "citytwin")
    return Path(root) / "sweeps"


def _seed_list(seeds: Union[int, Iterable[int]]) -> List[int]:
    """A count n (1..n) or a list of seeds, numpy integers and arrays included, as a list of int."""
    if isinstance(seeds, bool):
        raise TypeError("seeds: expected a count or a list of seeds, not a bool")
    try:
        count: Optional[int] = operator.index(seeds)  # int, numpy integer
    except TypeError:
        count = None
    if count is not None:
        if count < 1:
            raise ValueError(f"seeds: expected a count >= 1 or a list of seeds, got {count}")
        return list(range(1, count + 1))
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Iterable):
        raise TypeError(f"seeds: expected a count or a list of seeds, not {type(seeds).__name__}")
    out = []
    for i, s in enumerate(seeds):
        if isinstance(s, bool):
            raise TypeError(f"seeds[{i}]: expected an integer, got {s!r}")
        try:
            out.append(operator.index(s))
        except TypeError:
            raise TypeError(f"seeds[{i}]: expected an integer, got {s!r}") from None
    if not out:
        raise ValueError("seeds: the list is empty")
    return out


def _grid_values(key: str, values: Any) -> List[Any]:
    """A grid axis's values (a list, tuple, numpy array, range, ...) as a list of plain values."""
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
        raise ValueError(f"grid[{key!r}]: expected a non-empty list of values")
    out = [edit_value(v, f"grid[{key!r}][{i}]") for i, v in enumerate(values)]
    if not out:
        raise ValueError(f"grid[{key!r}]: expected a non-empty list of values")
    return out


def _axis_replaces(axis: str, key: str) -> bool:
    """Whether a grid axis over `axis` replaces, in every run, what an override of `key` wrote: the same key
    ("devices[1].interval" and "devices.1.interval" are one), one above it ("devices[1]"), or entries within
    its slice ("gateways[0:2].x" replaces "gateways[1].x"). An axis that appends ("gateways[+]") adds an
    entry of its own. The campaign file refuses the same (docs/CAMPAIGNS.md)."""
    return replaced_by(key, axis)


def _overlap_message(key: str, axis: str) -> str:
    """Why overrides[key] is refused beside the grid axis `axis` that replaces it, as the campaign file says."""
    k, a = ".".join(split_path(key)), ".".join(split_path(axis))
    if k == a:
        return (f"overrides[{key!r}] is also the grid axis {axis!r}, whose values would replace it in every run: "
                "give it in one place (overrides for one value, grid for several)")
    if (k + ".").startswith(a + "."):
        return (f"overrides[{key!r}] is inside the grid axis {axis!r}, whose values would replace it in every "
                "run: write it into the axis's values instead")
    return (f"overrides[{key!r}] is within the slice of the grid axis {axis!r}, whose values would replace it "
            "in every run: narrow the axis's slice, or leave it out of overrides")


class _RunsBar:
    """A tqdm bar over a campaign's runs (as citytwin.run's bar, in a notebook too), counting the traces
    in its runs folder while the pool runs; the exact count of runs done is set at the end."""

    def __init__(self, runs: Path, total: int) -> None:
        from ._runner import _tqdm

        self._runs = runs
        self._total = total
        self._bar = _tqdm()(total=total, desc="citytwin sweep", unit="run")
        self._next_look = 0.0

    def poll(self) -> None:
        now = time.monotonic()
        if now < self._next_look:
            return
        self._next_look = now + 0.25
        done = min(self._total, sum(1 for _ in self._runs.glob("*.h5")))
        if done != self._bar.n:
            self._bar.n = done
            self._bar.refresh()

    def close(self, done: Optional[int] = None) -> None:
        if done is not None:
            self._bar.n = done
            self._bar.refresh()
        self._bar.close()


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        tmp = path.with_suffix(path.suffix + ".partial")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)


def sweep(scenario: ScenarioLike, seeds: Union[int, Iterable[int]] = 1, *,
          grid: Optional[Mapping[str, Sequence[Any]]] = None, jobs: Optional[int] = None,
          out: Optional[PathLike] = None, overrides: Optional[Mapping[str, Any]] = None, threads: int = 1,
          tidy: bool = False, progress: Optional[bool] = None, stop: Any = None) -> Any:
    """Runs a campaign: every combination of the grid's values (key path -> list of values, the paths
    Scenario and --set take, "gateways[+]" and slices "gateways[0:6].backup" included) times every seed,
    on `jobs` child processes (default: the cores available), as `citytwin sweep` does.

    seeds: a count n (seeds 1..n) or a list. Grid values, seeds and overrides may be numpy numbers
    and arrays. overrides: set in every run; a key a grid axis gives too (or one inside an axis's key) is
    refused with ValueError, as the grid's values would replace it. (A Scenario's own edits are its base
    values: an axis may vary them.) out: the campaign folder
    (traces in out/runs/<run id>.h5, summary.h5/.csv, by_district.csv, and campaign.yaml, which
    `citytwin sweep` reruns); by default a folder of the cache (CITYTWIN_CACHE, else
    ~/.cache/citytwin/sweeps) named after the campaign. Runs already made (a complete trace with the
    same run id) are not made again, so calling sweep twice costs only reading the summary.
    Relative data files (a districts GeoJSON, a driver's CSV, ...) are found as run() finds them: next
    to the scenario file, or for a scenario given as text or a dict in its Scenario.data_folder (the
    current directory unless from_yaml was given a source name with a folder; campaign.yaml then sets
    them by absolute path).
    progress: None (a tqdm bar over the runs in Jupyter, nothing elsewhere, as run()), True (the bar),
    False (nothing). stop: an Event (anything with is_set()); once set, the runs stop.

    Returns an xarray.Dataset with one dimension per grid axis (named by its key path) plus "seed": one
    variable per scalar KPI (attrs "units" and "description" from summary.h5), and status, error,
    run_id, trace. An axis's coordinates are the values given, or, when they include lists or maps
    ("gateways[+]": [{...}, {...}]), each value's override text (one line of YAML, as campaign.yaml
    and summary.h5 have it). tidy=True returns a pandas DataFrame instead, one row per run, indexed
    by the axes and seed (units in attrs["units"]).
    The KPIs of a run whose status is not "ok" are NaN: a failed run, one stopped partway (its
    trace is incomplete) and one not run. attrs: "failures" (SweepFailure list; each also printed on
    stderr), "interrupted" (Ctrl-C or `stop` ended it early: finished runs are kept, the rest are
    NaN), "made" (runs this call finished, failed ones included), "reused" (runs an earlier call
    finished), "out".
    """
    sc = Scenario.load(scenario)
    seed_list = _seed_list(seeds)
    check_key_paths(grid or {}, "grid")
    check_key_paths(overrides or {}, "overrides")
    grid = {key: _grid_values(key, values) for key, values in (grid or {}).items()}
    for key in overrides or {}:
        for axis in grid:
            if _axis_replaces(axis, key):
                raise ValueError(_overlap_message(key, axis))
    text_or_path, is_text, fixed = sc.copied_source_args(overrides)
    # The Scenario's own edits (and the absolute names of its relative files) are its base values, which an
    # axis may vary: the axis replaces them, so set: does not give them too (campaign.yaml refuses that).
    fixed = [o for o in fixed if not any(_axis_replaces(axis, o.partition("=")[0]) for axis in grid)]
    # Each axis as (override text, value given); a relative file in a grid value of a text scenario is
    # found where run() finds it, in the scenario's data_folder, so its text names it by absolute path.
    def written(key: str, value: Any) -> str:
        return value_text(absolute_files(value, ".".join(split_path(key)), sc.data_folder) if is_text else value, key)

    axes = {key: [(written(key, v), v) for v in values] for key, values in grid.items()}
    scenario_text = text_or_path if is_text else Path(text_or_path).read_text(encoding="utf-8")
    # The campaign file, with the scenario as an absolute path (a text scenario is written next to it).
    campaign: Dict[str, Any] = {"scenario": None, "seeds": seed_list}
    if fixed:
        campaign["set"] = list(fixed)
    if axes:
        campaign["grid"] = {key: [text for text, _ in pairs] for key, pairs in axes.items()}
    if threads != 1:
        campaign["threads"] = int(threads)
    key = hashlib.sha256(yaml.safe_dump(campaign, sort_keys=False).encode() + b"\0" + scenario_text.encode())
    folder = Path(out) if out is not None else _cache_root() / key.hexdigest()[:16]
    folder.mkdir(parents=True, exist_ok=True)
    folder = folder.resolve()
    if is_text:
        scenario_path = folder / "scenario.yaml"
        _write_if_changed(scenario_path, scenario_text)
    else:
        scenario_path = Path(text_or_path).resolve()
    campaign["scenario"] = str(scenario_path)
    campaign["out"] = str(folder)
    campaign_path = folder / "campaign.yaml"
    _write_if_changed(campaign_path, yaml.safe_dump(campaign, sort_keys=False, allow_unicode=True))

    if progress is None:
        from ._runner import _in_notebook

        progress = _in_notebook()
    total = len(seed_list)
    for values in grid.values():
        total *= len(values)
    bar = _RunsBar(folder / "runs", total) if progress else None

    def should_stop() -> bool:
        if bar is not None:
            bar.poll()
        return stop is not None and bool(stop.is_set())

    named = _campaign_namer(sc, overrides, axes, campaign_path, scenario_path if is_text else None)
    info = None
    try:
        info = _core.sweep_file(str(campaign_path), int(jobs or 0), False,
                                should_stop if bar is not None or stop is not None else None)
    except _core.ScenarioError as e:
        raise _core.ScenarioError(named(str(e))) from None
    finally:
        if bar is not None:
            bar.close(None if info is None else int(info["made"]) + int(info["reused"]))
    result = open_campaign(folder, tidy=tidy, _axes=axes, _named=named)
    result.attrs["made"] = int(info["made"])
    result.attrs["reused"] = int(info["reused"])
    result.attrs["interrupted"] = bool(info["interrupted"] or info["stopped"])
    for f in result.attrs["failures"]:
        where = ", ".join(f"{k}={value_text(v)}" for k, v in f.point.items())
        print(f"citytwin.sweep: run {f.run_id} ({where + ', ' if where else ''}seed {f.seed}) failed: {f.error}",
              file=sys.stderr)
    return result


def _campaign_namer(sc: Scenario, overrides: Optional[Mapping[str, Any]],
                    axes: Mapping[str, Sequence[Tuple[str, Any]]], campaign_path: Path,
                    copy: Optional[Path]) -> Callable[[str], str]:
    """The campaign's errors as run() names the scenario's (Scenario.message_namer): the Scenario's edits, the
    entries of overrides and the grid's values (`grid["key.path"][1] = value`) as the user wrote them, the
    text scenario by its own source rather than the copy at `copy`. An error the campaign file (written by
    sweep) reports at its set: or grid: ("the scenario refuses key.path=value: ...") is named as that
    override; its "scenario: '...' does not load" without the campaign file's line."""
    labels = {f"{key}={text}": f"grid[{json.dumps(key, ensure_ascii=False)}][{j}] = {value!r}"
              for key, pairs in axes.items() for j, (text, value) in enumerate(pairs)}
    scenario_named = sc.message_namer(overrides, copied_to=None if copy is None else str(copy), labels=labels)
    at_campaign = re.compile(re.escape(str(campaign_path)) + r":\d+:\d+: ")

    def line(text: str) -> str:
        place = at_campaign.match(text)
        if place is not None:
            rest = text[place.end():]
            _, refuses, override = rest.partition(": the scenario refuses ")
            if refuses:  # "set[0]: the scenario refuses key=value: key: message"
                return "--set " + override
            if rest.startswith("scenario: "):
                return rest[len("scenario: "):]
        return text

    return lambda text: scenario_named("\n".join(line(t) for t in text.split("\n")))


# The /runs columns that are not KPIs (output/campaign_tables.hpp, kCampaignRunColumns), besides the axes.
_RUN_COLUMNS = ("run_id", "seed", "status", "error", "error_kind", "trace", "reused", "wall_s")


def _labels(texts: Sequence[str], given: Optional[Sequence[Any]]) -> List[Any]:
    """An axis's coordinates for its override texts: the values given when they are all scalars (text,
    numbers, true/false); read from the texts when not given (numbers when they all are, text when
    it all is); else the texts themselves, which lists and maps (unhashable) need."""
    if given is not None:
        if all(v is None or isinstance(v, (str, int, float, bool)) for v in given):
            return list(given)
        return list(texts)
    values = []
    for text in texts:
        try:
            values.append(load_yaml12(text))
        except yaml.YAMLError:
            return list(texts)
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return values
    if all(isinstance(v, str) for v in values):
        return values
    return list(texts)


def _text(value: Any) -> Any:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def open_campaign(folder: PathLike, *, tidy: bool = False, by_district: bool = False,
                  _axes: Optional[Mapping[str, Sequence[Tuple[str, Any]]]] = None,
                  _named: Optional[Callable[[str], str]] = None) -> Any:
    """Reads a campaign's merged results (folder/summary.h5, written by `citytwin sweep` or sweep()) as
    sweep() returns them: an xarray.Dataset (dims: the grid axes, then seed; coordinates and NaN KPIs
    of unfinished runs as sweep() describes), or with tidy=True a DataFrame, one row per run, indexed
    by the axes and seed. by_district=True returns the tidy long table of per-district KPIs instead
    (run_id, the axes, seed, district, kpi, value; value NaN for a run whose status is not "ok").
    attrs "made" and "reused": the runs the invocation that wrote the summary made and reused.
    _axes (sweep's): per axis, (override text, value given) pairs, for coordinates as given. _named (sweep's):
    rewrites the runs' errors as the user wrote the scenario (_campaign_namer)."""
    import h5py
    import numpy as np
    import pandas as pd

    path = Path(folder) / "summary.h5"
    with h5py.File(path, "r") as f:
        axes = [a for a in f["meta"].attrs["axes"].split("\n") if a]
        runs = f["runs"]
        columns: Dict[str, Any] = {}
        column_attrs: Dict[str, Dict[str, str]] = {}
        for name in runs:
            data = runs[name][()]
            if data.dtype.kind == "S":
                data = np.array([x.decode("utf-8") for x in data], dtype=object)
            columns[name] = data
            column_attrs[name] = {k: str(_text(runs[name].attrs[k])) for k in ("units", "description")
                                  if k in runs[name].attrs}
        by = f["by_district"]
        by_columns = {name: by[name][()] for name in by}
    table = pd.DataFrame(columns)
    if _named is not None:
        table["error"] = table["error"].map(_named)
    finished = table["status"] == "ok"
    kpis = [c for c in table.columns if c not in axes and c not in _RUN_COLUMNS]
    # A stopped run's trace holds partial KPIs: only finished runs count.
    table.loc[~finished, kpis] = np.nan
    if by_district:
        frame = pd.DataFrame({k: (np.array([x.decode("utf-8") for x in v], dtype=object) if v.dtype.kind == "S"
                                  else v) for k, v in by_columns.items()})
        frame.loc[~frame["run_id"].isin(set(table.loc[finished, "run_id"])), "value"] = np.nan
        return frame
    # Each axis's override texts in the campaign's order (the runs go through the grid in order).
    coords: Dict[str, List[Any]] = {}
    values_of: Dict[str, Dict[Any, Any]] = {}  # label -> the value given, for the failures' points
    for axis in axes:
        texts = list(dict.fromkeys(table[axis]))
        given = None
        if _axes and axis in _axes:
            by_text = dict(_axes[axis])
            given = [by_text.get(t, t) for t in texts]
        labels = _labels(texts, given)
        table[axis] = table[axis].map(dict(zip(texts, labels)))
        coords[axis] = labels
        values_of[axis] = dict(zip(labels, given if given is not None else labels))
    table["seed"] = table["seed"].astype("int64")
    failures = []
    for _, row in table[table["status"] == "failed"].iterrows():
        kind = _core.ScenarioError if row.get("error_kind") == "scenario" else _core.RunError
        point = {a: values_of[a].get(row[a], row[a]) for a in axes}
        failures.append(SweepFailure(int(row["seed"]), kind(row["error"]), point, row["run_id"]))
    stopped = bool(table["status"].isin(["stopped", "not_run"]).any())
    made = int((table["status"].isin(["ok", "failed"]) & (table["reused"] == 0)).sum())
    reused = int((table["reused"] != 0).sum())
    for name in ("error", "error_kind"):
        table[name] = table[name].where(table[name] != "", None)
    index = axes + ["seed"]
    if tidy:
        result = table.set_index(index)
        result.attrs["units"] = {name: a["units"] for name, a in column_attrs.items()
                                 if "units" in a and name in result.columns}
    else:
        seeds = list(dict.fromkeys(table["seed"]))
        if axes:
            full = pd.MultiIndex.from_product([coords[a] for a in axes] + [seeds], names=index)
            result = table.set_index(index).reindex(full).to_xarray()
            # to_xarray sorts the coordinates: back to the order given
            result = result.reindex({**{a: coords[a] for a in axes}, "seed": seeds})
        else:
            result = table.set_index("seed").reindex(seeds).to_xarray()
        for name in result.variables:
            result[name].attrs.update(column_attrs.get(str(name), {}))
    result.attrs["failures"] = failures
    result.attrs["interrupted"] = stopped
    result.attrs["made"] = made
    result.attrs["reused"] = reused
    result.attrs["out"] = str(Path(folder))
    return result
