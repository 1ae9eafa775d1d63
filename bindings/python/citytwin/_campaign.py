"""Campaigns: a grid of overrides x seeds run on the process pool of `citytwin sweep`, results as an
xarray.Dataset (one dimension per grid axis plus seed) or a tidy DataFrame, cached by run id."""
from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

import yaml

from . import _core
from ._scenario import Scenario, ScenarioLike, value_text

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
    if isinstance(seeds, int):
        if seeds < 1:
            raise ValueError(f"seeds: expected a count >= 1 or a list of seeds, got {seeds}")
        return list(range(1, seeds + 1))
    out = [int(s) for s in seeds]
    if not out:
        raise ValueError("seeds: the list is empty")
    return out


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        tmp = path.with_suffix(path.suffix + ".partial")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)


def sweep(scenario: ScenarioLike, seeds: Union[int, Iterable[int]] = 1, *,
          grid: Optional[Mapping[str, Sequence[Any]]] = None, jobs: Optional[int] = None,
          out: Optional[PathLike] = None, overrides: Optional[Mapping[str, Any]] = None, threads: int = 1,
          tidy: bool = False, progress: bool = False, stop: Any = None) -> Any:
    """Runs a campaign: every combination of the grid's values (key path -> list of values, the paths
    Scenario and --set take, "gateways[+]" and slices "gateways[0:6].backup" included) times every seed,
    on `jobs` child processes (default: the cores available), as `citytwin sweep` does.

    seeds: a count n (seeds 1..n) or a list. overrides: set in every run. out: the campaign folder
    (traces in out/runs/<run id>.h5, summary.h5/.csv, by_district.csv, and campaign.yaml, which
    `citytwin sweep` reruns); by default a folder of the cache (CITYTWIN_CACHE, else
    ~/.cache/citytwin/sweeps) named after the campaign. Runs already made (a complete trace with the
    same run id) are not made again, so calling sweep twice costs only reading the summary.

    Returns an xarray.Dataset with one dimension per grid axis (named by its key path, coordinates the
    values given) plus "seed": one variable per scalar KPI, and status, error, run_id, trace. tidy=True
    returns a pandas DataFrame instead, one row per run, indexed by the axes and seed.
    attrs: "failures" (SweepFailure list; each also printed on stderr), "interrupted" (Ctrl-C or `stop`
    ended it early: finished runs are kept, the rest are NaN), "made", "reused", "out".
    """
    sc = Scenario.load(scenario)
    text_or_path, is_text, fixed = sc.source_args(overrides)
    seed_list = _seed_list(seeds)
    grid = dict(grid or {})
    for key, values in grid.items():
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or len(values) == 0:
            raise ValueError(f"grid[{key!r}]: expected a non-empty list of values")
    scenario_text = text_or_path if is_text else Path(text_or_path).read_text(encoding="utf-8")
    # The campaign file, with the scenario as an absolute path (a text scenario is written next to it).
    campaign: Dict[str, Any] = {"scenario": None, "seeds": seed_list}
    if fixed:
        campaign["set"] = list(fixed)
    if grid:
        campaign["grid"] = {key: [value_text(v) for v in values] for key, values in grid.items()}
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

    should_stop = None if stop is None else stop.is_set
    info = _core.sweep_file(str(campaign_path), int(jobs or 0), bool(progress), should_stop)
    result = open_campaign(folder, tidy=tidy, _grid=grid)
    result.attrs["made"] = int(info["made"])
    result.attrs["reused"] = int(info["reused"])
    result.attrs["interrupted"] = bool(info["interrupted"] or info["stopped"])
    for f in result.attrs["failures"]:
        where = ", ".join(f"{k}={v}" for k, v in f.point.items())
        print(f"citytwin.sweep: run {f.run_id} ({where + ', ' if where else ''}seed {f.seed}) failed: {f.error}",
              file=sys.stderr)
    return result


def _coordinate(values: Sequence[str]) -> List[Any]:
    """Axis values read back as text: numbers when they all are, else the text."""
    out: List[Any] = []
    for v in values:
        try:
            out.append(int(v))
        except ValueError:
            try:
                out.append(float(v))
            except ValueError:
                return list(values)
    return out


def open_campaign(folder: PathLike, *, tidy: bool = False, by_district: bool = False,
                  _grid: Optional[Mapping[str, Sequence[Any]]] = None) -> Any:
    """Reads a campaign's merged results (folder/summary.h5, written by `citytwin sweep` or sweep()) as
    sweep() returns them: an xarray.Dataset (dims: the grid axes, then seed), or with tidy=True a
    DataFrame, one row per run, indexed by the axes and seed. by_district=True returns the tidy long
    table of per-district KPIs instead (run_id, the axes, seed, district, kpi, value)."""
    import h5py
    import numpy as np
    import pandas as pd

    path = Path(folder) / "summary.h5"
    with h5py.File(path, "r") as f:
        axes = [a for a in f["meta"].attrs["axes"].split("\n") if a]
        campaign = yaml.safe_load(f["meta"].attrs["campaign"]) or {}
        runs = f["runs"]
        columns: Dict[str, Any] = {}
        for name in runs:
            data = runs[name][()]
            if data.dtype.kind == "S":
                data = np.array([x.decode("utf-8") for x in data], dtype=object)
            columns[name] = data
        by = f["by_district"]
        by_columns = {name: by[name][()] for name in by}
    table = pd.DataFrame(columns)
    # Coordinates in the order the campaign gives them, as the caller gave them when known.
    coords: Dict[str, List[Any]] = {}
    grid_file = campaign.get("grid") or {}
    for axis in axes:
        texts = [value_text(v) for v in grid_file.get(axis, sorted(set(table[axis])))]
        given = list(_grid[axis]) if _grid and axis in _grid else _coordinate(texts)
        mapping = dict(zip(texts, given))
        table[axis] = [mapping.get(t, t) for t in table[axis]]
        coords[axis] = given
    table["seed"] = table["seed"].astype("int64")
    failures = []
    for _, row in table[table["status"] == "failed"].iterrows():
        kind = _core.ScenarioError if row.get("error_kind") == "scenario" else _core.RunError
        failures.append(SweepFailure(int(row["seed"]), kind(row["error"]), {a: row[a] for a in axes}, row["run_id"]))
    stopped = bool(table["status"].isin(["stopped", "not_run"]).any())
    if by_district:
        return pd.DataFrame({k: (np.array([x.decode("utf-8") for x in v], dtype=object) if v.dtype.kind == "S"
                                 else v) for k, v in by_columns.items()})
    for name in ("error", "error_kind"):
        table[name] = table[name].where(table[name] != "", None)
    index = axes + ["seed"]
    if tidy:
        result = table.set_index(index)
    else:
        seeds = list(dict.fromkeys(table["seed"]))
        if axes:
            full = pd.MultiIndex.from_product([coords[a] for a in axes] + [seeds], names=index)
            result = table.set_index(index).reindex(full).to_xarray()
            # to_xarray sorts the coordinates: back to the order given
            result = result.reindex({**{a: coords[a] for a in axes}, "seed": seeds})
        else:
            result = table.set_index("seed").reindex(seeds).to_xarray()
    result.attrs["failures"] = failures
    result.attrs["interrupted"] = stopped
    result.attrs["out"] = str(Path(folder))
    return result
