"""Reading a citytwin HDF5 trace (output/SCHEMA.md): KPI tables as DataFrames, /timeseries as an
xarray Dataset, /messages lazily or in chunks. Schema versions 1 and 2 are read."""
from __future__ import annotations

import builtins
import json
import os
import shutil
import warnings as _warnings
import weakref
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

import h5py
import numpy as np
import pandas as pd
import yaml

from ._codes import FAIL_REASONS, RADIOS

SCHEMA_VERSIONS = (1, 2, 3)
#: columns of /messages and /kpi tables that hold codes (enumerations from schema version 2)
_CODED = {"fail_reason": FAIL_REASONS, "radio": RADIOS}


def _attr(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.generic):
        return value.item()
    return value


def _attrs(ds: "h5py.Dataset") -> Dict[str, Any]:
    """A dataset's units and description attributes."""
    return {k: _attr(ds.attrs[k]) for k in ("units", "description") if k in ds.attrs}


def _columns_to_links(ds: Any) -> Any:
    """A schema 1 or 2 /timeseries (one column per wired link beside network_server) in schema 3's shape:
    the links' columns as one utilisation over (t_s, link)."""
    import xarray as xr

    links = [name for name in ds.data_vars if name != "network_server"]
    utilisation = np.stack([ds[name].to_numpy() for name in links], axis=1) if links else \
        np.zeros((ds.sizes["t_s"], 0))
    first = ds[links[0]].attrs if links else {}
    out = xr.Dataset(
        {"utilisation": (("t_s", "link"), utilisation,
                         {"units": first.get("units", ""), "description": first.get(
                             "description", "bytes carried in the interval / (capacity x interval)")})},
        coords={"t_s": ds["t_s"], "link": ("link", np.array(links, dtype=object), {"units": "",
                                                                                  "description": "wired link"})},
        attrs=ds.attrs)
    if "network_server" in ds:
        out["network_server"] = ds["network_server"]
    return out


def _codes(ds: "h5py.Dataset") -> Optional[Mapping[int, str]]:
    """value -> name of a coded column: from its HDF5 enumeration, or (schema 1) from the known codes."""
    mapping = h5py.check_enum_dtype(ds.dtype)
    if mapping is not None:
        return {int(v): k for k, v in mapping.items()}
    return _CODED.get(ds.name.rsplit("/", 1)[-1]) if ds.dtype.kind in "iu" else None


def _column(ds: "h5py.Dataset", rows: Union[slice, np.ndarray, None] = None) -> Any:
    """A column as numpy (strings decoded) or, for a coded column, a pandas Categorical of its names."""
    values = ds[()] if rows is None else ds[rows]
    if values.dtype.kind == "S":
        return np.char.decode(values, "utf-8")
    codes = _codes(ds)
    if codes is None:
        return values
    order = sorted(codes)
    positions = np.searchsorted(order, values)
    positions = np.where((positions < len(order)) & (np.take(order, np.minimum(positions, len(order) - 1)) == values),
                         positions, -1)
    return pd.Categorical.from_codes(positions, categories=[codes[v] for v in order])


def _table(group: "h5py.Group") -> pd.DataFrame:
    return pd.DataFrame({name: _column(ds) for name, ds in group.items() if isinstance(ds, h5py.Dataset)})


def _column_attrs(group: "h5py.Group") -> pd.DataFrame:
    rows = [{"column": name, "units": _attr(ds.attrs.get("units", "")),
             "description": _attr(ds.attrs.get("description", ""))}
            for name, ds in group.items() if isinstance(ds, h5py.Dataset)]
    return pd.DataFrame(rows, columns=["column", "units", "description"]).set_index("column")


def _empty(columns: Mapping[str, str]) -> pd.DataFrame:
    """A 0-row DataFrame with the given columns and dtypes."""
    return pd.DataFrame({name: pd.Series([], dtype=dtype) for name, dtype in columns.items()})


#: the columns of /kpi/failures and /kpi/alerts (output/SCHEMA.md), for a run without failures or alerts
_FAILURE_COLUMNS = {"target": "object", "start_s": "float64", "end_s": "float64", "uplinks_delayed": "int64",
                    "uplinks_lost": "int64", "copies_delayed": "int64", "copies_lost": "int64",
                    "stream_outage_s": "float64"}
_ALERT_COLUMNS = {"alert": "object", "t_event_s": "float64", "t_alert_s": "float64", "latency_s": "float64"}

# --- the data files of a scenario -----------------------------------------------------------------------
# The engine reads a relative data file name relative to the scenario file, and relative to the working
# directory for a scenario given as text (sim/scenario/scenario_reader.cpp, data_file_path). A trace keeps
# the scenario as text, so its relative names are made absolute against the original file's folder before
# the text is described or run again. The keys below are every scenario key that names a data file
# (docs/SCENARIO.md): keys that are file names wherever they appear, and keys that are file names only
# under a given parent key.
_FILE_KEYS = frozenset({"csv", "elevation_csv", "power_outages_csv", "failures_csv", "districts_geojson"})
_FILE_KEYS_UNDER = {"districts_geojson": frozenset({"file"}),
                    "sumo": frozenset({"network", "edge_data", "loops", "loop_detectors"})}


def _is_file_key(path: Sequence[str]) -> bool:
    """Whether the scenario key at path (segments, list indices as digits) names a data file."""
    if not path:
        return False
    key, parent = path[-1], (path[-2] if len(path) > 1 else "")
    return key in _FILE_KEYS or key in _FILE_KEYS_UNDER.get(parent, frozenset())


def _absolute_file(name: str, folder: str) -> str:
    """name resolved against folder ('~' and absolute names as they are)."""
    if os.path.isabs(name) or name.startswith("~"):
        return name
    return os.path.normpath(os.path.join(folder, name))


def _absolute_files_in_text(text: str, folder: str) -> str:
    """The scenario text with each relative data file name replaced, in place, by its absolute path against
    folder (a double-quoted YAML string): the rest of the text, its comments and line numbers, is kept."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return text  # the engine reports what is wrong with it
    spans: Dict[int, Tuple[int, int, str]] = {}

    def walk(node: Any, path: List[str]) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    walk(value, path + [str(key.value)])
        elif isinstance(node, yaml.SequenceNode):
            for i, value in enumerate(node.value):
                walk(value, path + [str(i)])
        elif (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str" and _is_file_key(path)
              and node.value and not os.path.isabs(node.value) and not node.value.startswith("~")):
            spans[node.start_mark.index] = (node.start_mark.index, node.end_mark.index,
                                            json.dumps(_absolute_file(node.value, folder), ensure_ascii=False))

    if root is not None:
        walk(root, [])
    for start, end, replacement in sorted(spans.values(), reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _absolute_files_in_value(value: Any, path: List[str], folder: str) -> Any:
    """An override's value (at key path) with its relative data file names made absolute against folder."""
    if isinstance(value, dict):
        return {k: _absolute_files_in_value(v, path + [str(k)], folder) for k, v in value.items()}
    if isinstance(value, list):
        return [_absolute_files_in_value(v, path + [str(i)], folder) for i, v in enumerate(value)]
    if isinstance(value, str) and value and _is_file_key(path):
        return _absolute_file(value, folder)
    return value


#: rows of /messages device_kpis reads at a time, and delivered rows whose latencies it keeps at a time
_KPI_CHUNK_ROWS = 1 << 18
_KPI_LATENCY_ROWS = 1 << 21


def _percentiles(dev: np.ndarray, lat: np.ndarray, p50: np.ndarray, p95: np.ndarray) -> None:
    """Sets p50[d] and p95[d] to the median and 95th percentile of the latencies lat of each device d in dev
    (no NaN among them; both arrays are sorted in place), computed as pandas' groupby median and
    quantile(0.95) do: the median the middle value or the mean of the two middle ones, the quantile
    interpolated linearly between the order statistics around it."""
    if not len(dev):
        return
    order = np.lexsort((lat, dev))
    dev[:] = dev[order]  # sorted in place: the caller's arrays are not needed after, and not copied whole
    lat[:] = lat[order]
    del order
    devices, start, count = np.unique(dev, return_index=True, return_counts=True)
    upper = start + count // 2
    p50[devices] = np.where(count % 2 == 1, lat[upper], (lat[upper] + lat[np.maximum(upper - 1, start)]) / 2)
    position = 0.95 * (count - 1).astype(float)
    below = np.floor(position).astype(np.int64)
    frac = position % 1
    low = lat[start + below]
    high = lat[np.minimum(start + below + 1, start + count - 1)]
    p95[devices] = np.where(frac == 0.0, low, low + (high - low) * frac)


def _device_groups(rows: np.ndarray, budget: int) -> List[Tuple[int, int]]:
    """Consecutive device id ranges [lo, hi) whose rows (rows[d] for device d) add up to at most budget,
    each at least one device (one device with more rows is a group of its own)."""
    cumulative = np.cumsum(rows)
    groups = []
    lo = 0
    while lo < len(rows):
        before = int(cumulative[lo - 1]) if lo else 0
        hi = max(lo + 1, int(np.searchsorted(cumulative, before + budget, side="right")))
        groups.append((lo, hi))
        lo = hi
    return groups


class Result:
    """A citytwin trace: one run's KPIs, tables, time series and messages.

    Returned by citytwin.run() and citytwin.open(). Tables are read from the file when first used
    (and kept); /messages can also be read by column and row range (read_messages) or in chunks
    (iter_messages) without loading it whole. A context manager: `with citytwin.open(p) as r: ...`.
    After load() (what citytwin.read() does) everything is in memory and every method works once the file
    is closed.
    """

    def __init__(self, path: str, *, temporary_dir: Optional[str] = None) -> None:
        """Opens the trace at path (use citytwin.open). temporary_dir is removed when the Result is."""
        self._file_path = str(path)
        self._temporary = temporary_dir is not None
        self._file: Optional[h5py.File] = h5py.File(self._file_path, "r")
        self._cache: Dict[str, Any] = {}
        self._in_memory = False  # set by load(): read from the cache, never from the (maybe closed) file
        self.stop_requested: Optional[bool] = None  # set by run(): whether its stop was set (run's docstring)
        if temporary_dir is not None:
            weakref.finalize(self, _remove_temporary, self._file, temporary_dir)
        version = int(_attr(self._f["meta"].attrs.get("schema_version", 1)))
        if version not in SCHEMA_VERSIONS:
            raise ValueError(f"{path}: trace schema version {version}; this citytwin reads {SCHEMA_VERSIONS}")

    # --- file -------------------------------------------------------------------------------------
    @property
    def _f(self) -> h5py.File:
        if self._file is None:
            raise ValueError(f"the trace {self._file_path!r} is closed")
        return self._file

    @property
    def path(self) -> Optional[str]:
        """The trace's path; None when it is a temporary file removed with this Result."""
        return None if self._temporary else self._file_path

    def close(self) -> None:
        """Closes the file; tables already read stay available (after load(), everything)."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> "Result":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _cached(self, key: str, read: Any) -> Any:
        if key not in self._cache:
            self._cache[key] = read()
        return self._cache[key]

    # --- /meta and /kpi -------------------------------------------------------------------------------
    @property
    def meta(self) -> Dict[str, Any]:
        """The /meta attributes (schema_version, seed, complete, scenario text, overrides, ...)."""
        return self._cached("meta", lambda: {k: _attr(v) for k, v in self._f["meta"].attrs.items()})

    @property
    def warnings(self) -> List[str]:
        """The scenario's warnings (/meta/warnings): what the run silently did not do, one per item,
        "file:line:col: key.path: warning: message"; [] for traces written before warnings were kept. The
        Result of citytwin.run names them as its ScenarioWarnings did (an edit `sc["key.path"] = value`, a
        dict scenario's <dict> without line and column); the file keeps the engine's text ("--set ...",
        the lines of the YAML kept in /meta@scenario)."""

        def read() -> List[str]:
            ds = self._f["meta"].get("warnings")
            if ds is None:
                return []
            return [(v.decode("utf-8") if isinstance(v, bytes) else str(v)).rstrip("\0") for v in ds[()]]

        return self._cached("warnings", read)

    @property
    def schema_version(self) -> int:
        """The trace's schema version (1 or 2)."""
        return int(self.meta.get("schema_version", 1))

    @property
    def complete(self) -> bool:
        """True when the run reached its end (False: stopped early; the file holds what was written)."""
        return bool(self.meta.get("complete", 0))

    @property
    def stopped(self) -> bool:
        """True when the run was stopped before its end (a stop, Ctrl-C, SIGTERM) and finished its trace
        there: /meta@complete 0 with /meta@simulated_s, where it stopped (Result.simulated_s). False for a
        complete run and for a run that was killed or failed (a .partial trace, which never stopped)."""
        return not self.complete and "simulated_s" in self.meta

    @property
    def trace_level(self) -> str:
        """How much of /messages the file keeps (run.trace): "full" (every uplink), "sample" (the
        uplinks of every trace_every-th device) or "summary" (none: KPIs, tables and time series only).
        Traces written before the level existed are "full"."""
        return str(self.meta.get("trace", "full"))

    @property
    def trace_every(self) -> int:
        """At trace_level "sample", the step over device ids of the devices kept (device % k == 0); 1 otherwise."""
        return int(self.meta.get("trace_every", 1))

    @property
    def _name(self) -> str:
        """The trace as messages name it: its path, or what it is when it is a temporary file."""
        return self.path or "the trace of this run (a temporary file)"

    def _require_messages(self) -> None:
        if self.trace_level == "summary":
            raise ValueError(
                f"{self._name}: this trace was written with run.trace: summary and has no /messages rows "
                "(its KPIs, /kpi tables and /timeseries are complete); run again with run.trace: full "
                "(or sample) for per-uplink rows")

    @property
    def seed(self) -> int:
        """The master seed of the run."""
        return int(self.meta["seed"])

    def _scenario_folder(self) -> Optional[str]:
        """The folder of the scenario file that was run (/meta@scenario_source), against which its relative
        data files were read; None for a scenario given as text (they were read from the working directory).
        A relative scenario_source is the path as it was given to the run, relative to a working directory
        the trace does not record: it is taken from the first of the current directory, the trace's folder
        and that folder's parents where a file of that path exists, else from the current directory."""
        source = str(self.meta.get("scenario_source", "") or "")
        if not source or source.startswith("<"):
            return None
        if not os.path.isabs(source):
            here = os.path.dirname(os.path.abspath(self._file_path))
            candidates = [os.getcwd(), here]
            while os.path.dirname(here) != here:
                here = os.path.dirname(here)
                candidates.append(here)
            source = next((os.path.join(c, source) for c in candidates if os.path.isfile(os.path.join(c, source))),
                          os.path.abspath(source))
        return os.path.dirname(os.path.normpath(source))

    def _scenario_inputs(self) -> Tuple[str, List[Tuple[str, Any]], List[str]]:
        """The scenario that was run, from the trace alone: (its text as kept in /meta@scenario, the
        overrides as (key.path, value), the overrides as key.path=value lines), each relative data file name
        made absolute against the original scenario file's folder, so that the text describes or runs the
        same city from any directory."""
        from ._scenario import load_yaml12, split_path, value_text

        def read() -> Tuple[str, List[Tuple[str, Any]], List[str]]:
            meta = self.meta
            folder = self._scenario_folder()
            text = str(meta.get("scenario", "") or "")
            if folder is not None:
                text = _absolute_files_in_text(text, folder)
            edits: List[Tuple[str, Any]] = []
            lines: List[str] = []
            for line in str(meta.get("overrides", "") or "").split("\n"):
                if not line:
                    continue
                key, _, raw = line.partition("=")
                value = load_yaml12(raw) if raw.strip() else None
                if folder is not None:
                    resolved = _absolute_files_in_value(value, split_path(key), folder)
                    if resolved != value:
                        value, line = resolved, f"{key}={value_text(resolved)}"
                edits.append((key, value))
                lines.append(line)
            return text, edits, lines

        return self._cached("scenario_inputs", read)

    @property
    def scenario(self) -> "Any":
        """The scenario that was run (with its overrides), as a citytwin.Scenario: the text kept in the
        trace (/meta@scenario), not the file as it is now. Its relative data files (a districts GeoJSON, a
        CSV) are made absolute against the original file's folder, so citytwin.run(r.scenario) runs the
        same city from any directory; source is the original file's path."""
        from ._scenario import Scenario

        text, edits, _ = self._scenario_inputs()
        sc = Scenario.from_yaml(text, source=self.meta.get("scenario_source", "<text>"))
        for key, value in edits:
            sc[key] = value
        return sc

    @property
    def kpi(self) -> Dict[str, Union[int, float]]:
        """The scalar KPIs, in the order of the run (counts as int from schema version 2)."""
        def read() -> Dict[str, Union[int, float]]:
            if "kpi" not in self._f:
                return {}
            return {k: (int(v) if np.issubdtype(np.asarray(v).dtype, np.integer) else float(v))
                    for k, v in self._f["kpi"].attrs.items()}
        return self._cached("kpi", read)

    @property
    def kpi_tables(self) -> Dict[str, pd.DataFrame]:
        """Every /kpi/<name> table as a DataFrame (key column first; coded columns as categoricals)."""
        def read() -> Dict[str, pd.DataFrame]:
            if "kpi" not in self._f:
                return {}
            return {name: _table(g) for name, g in self._f["kpi"].items() if isinstance(g, h5py.Group)}
        return self._cached("kpi_tables", read)

    def columns(self, table: str) -> pd.DataFrame:
        """Units and description of each column of a table ("messages", "devices", "kpi/by_type", ...)."""
        name = table.strip("/")
        if self._in_memory:
            known = self._cache["columns"]
            if name not in known:
                raise KeyError(f"{self._name} has no table {table!r} (tables: {', '.join(known)})")
            return known[name].copy()
        return _column_attrs(self._f[name])

    def _keyed(self, name: str, key: str) -> Optional[pd.DataFrame]:
        table = self.kpi_tables.get(name)
        return None if table is None else table.set_index(key)

    @property
    def by_district(self) -> pd.DataFrame:
        """/kpi/by_district indexed by district."""
        return self._keyed("by_district", "district")

    @property
    def by_type(self) -> Optional[pd.DataFrame]:
        """/kpi/by_type indexed by device type (radio as a categorical)."""
        return self._keyed("by_type", "type")

    @property
    def by_access_point(self) -> Optional[pd.DataFrame]:
        """/kpi/by_access_point indexed by access point; None without Wi-Fi access points."""
        return self._keyed("by_access_point", "access_point")

    @property
    def failures(self) -> pd.DataFrame:
        """/kpi/failures: one row per failure interval, as the scenario set it (a row's index is what
        /messages/failure refers to, so windows past the run's end are kept here; Result.outages clips them).
        Empty when the run had none, with the same columns and dtypes."""
        t = self.kpi_tables.get("failures")
        return t if t is not None else _empty(_FAILURE_COLUMNS)

    @property
    def alerts(self) -> pd.DataFrame:
        """/kpi/alerts: one row per alert (empty without alert rules or alerts, with the columns alert,
        t_event_s, t_alert_s, latency_s and their dtypes)."""
        t = self.kpi_tables.get("alerts")
        return t if t is not None else _empty(_ALERT_COLUMNS)

    @property
    def outages(self) -> pd.DataFrame:
        """The failure and outage windows of the run as one table: kind, target, start_s, end_s, duration_s
        (kind "failure": wired failures and network-server crashes from /kpi/failures, the target a link or
        network_server; kind "power_cut": /kpi/power_outages, the target a district). The windows are those
        the run lived through: clipped to [0, simulated_s], and a window entirely outside it left out."""
        f = self.failures
        rows = pd.DataFrame({"kind": "failure", "target": f["target"], "start_s": f["start_s"], "end_s": f["end_s"]})
        cuts = self.kpi_tables.get("power_outages")
        if cuts is not None and len(cuts):
            rows = pd.concat([rows, pd.DataFrame({"kind": "power_cut", "target": cuts["district"],
                                                  "start_s": cuts["start_s"], "end_s": cuts["end_s"]})],
                             ignore_index=True)
        rows["start_s"] = rows["start_s"].astype(float)
        rows["end_s"] = rows["end_s"].astype(float).fillna(np.inf)  # no end: it lasted to the end of the run
        end = self.simulated_s
        rows = rows[(rows["start_s"] < end) & (rows["end_s"] > 0.0)].copy()
        rows["start_s"] = rows["start_s"].clip(lower=0.0)
        rows["end_s"] = rows["end_s"].clip(upper=end)
        rows["duration_s"] = rows["end_s"] - rows["start_s"]
        return rows.sort_values(["start_s", "target"], kind="stable").reset_index(drop=True)

    @property
    def simulated_s(self) -> float:
        """Where the simulated time ended, s: /meta@duration_s for a complete run; for a run stopped early
        (complete False), /meta@simulated_s when the trace has it, else the latest time the trace holds
        data for (the last /messages row's t_tx_s, the last /timeseries or /drivers row), at most
        duration_s; 0 when it holds none."""
        def read() -> float:
            meta = self.meta
            if "simulated_s" in meta:
                return float(meta["simulated_s"])
            duration = float(meta.get("duration_s", 0.0) or 0.0)
            if self.complete and duration > 0:
                return duration
            ends = [0.0]
            for over_time in (self.timeseries, self.drivers):
                if over_time is not None and over_time.sizes.get("t_s", 0):
                    ends.append(float(over_time["t_s"].max()))
            if self.trace_level != "summary" and self.message_count:
                n = self.message_count  # rows are in order of t_tx_s: the last one is the latest
                ends.append(float(self.read_messages(["t_tx_s"], slice(n - 1, n))["t_tx_s"].iloc[0]))
            end = max(ends)
            return min(end, duration) if duration > 0 else end
        return self._cached("simulated_s", read)

    # --- static tables --------------------------------------------------------------------------------
    @property
    def devices(self) -> pd.DataFrame:
        """/devices: one row per device."""
        return self._cached("devices", lambda: _table(self._f["devices"]))

    @property
    def gateways(self) -> pd.DataFrame:
        """/gateways: one row per gateway."""
        return self._cached("gateways", lambda: _table(self._f["gateways"]))

    def devices_frame(self) -> pd.DataFrame:
        """Same as devices (kept for older code)."""
        return self.devices

    def gateways_frame(self) -> pd.DataFrame:
        """Same as gateways (kept for older code)."""
        return self.gateways

    # --- time series --------------------------------------------------------------------------------
    def _over_time(self, group: str, label: str) -> Any:
        """A group of datasets over t_s and, for some, over `label` (a 1-D dataset of names: /drivers'
        district, /timeseries' link) as an xarray.Dataset, each dataset's dimensions read from the scales
        attached to it (what xarray.open_dataset(..., engine="h5netcdf") gives)."""
        import xarray as xr

        g = self._f[group]
        coords: Dict[str, Any] = {"t_s": ("t_s", g["t_s"][()], _attrs(g["t_s"]))}
        if label in g:
            names = np.array([_attr(v) for v in g[label][()]], dtype=object)
            coords[label] = (label, names, _attrs(g[label]))
        data_vars = {}
        for name, ds in g.items():
            if name in coords or not isinstance(ds, h5py.Dataset):
                continue
            dims = tuple(label if label in coords and label in ds.dims[k].keys() else "t_s"
                         for k in range(ds.ndim))
            data_vars[name] = (dims, ds[()], _attrs(ds))
        return xr.Dataset(data_vars, coords=coords, attrs={"description": _attr(g.attrs.get("description", ""))})

    @property
    def timeseries(self) -> Any:
        """/timeseries as an xarray.Dataset: `utilisation` over (t_s, link) (bytes carried in the interval /
        (capacity x interval)), `network_server` over t_s (the share of the interval its CPU was busy),
        `capacity_bytes_per_s` over link; t_s in s since the run start. One link's series:
        r.timeseries.utilisation.sel(link="fibre:gw-1"). Traces of schema 1 and 2 (one column per link)
        read to the same Dataset, without the capacities they did not keep. None without /timeseries."""

        def read() -> Any:
            if "timeseries" not in self._f:
                return None
            if self.schema_version >= 3:
                return self._over_time("timeseries", "link")
            return _columns_to_links(self._over_time("timeseries", "link"))

        return self._cached("timeseries", read)

    @property
    def drivers(self) -> Any:
        """/drivers (when the trace has it) as an xarray.Dataset: each quantity the run's drivers produced,
        over t_s (s since the run start) and, when it differs by district, over district; units in attrs.
        The same as xarray.open_dataset(path, group="drivers", engine="h5netcdf"). None without drivers."""

        def read() -> Any:
            if "drivers" not in self._f or "t_s" not in self._f["drivers"]:
                return None
            return self._over_time("drivers", "district")

        return self._cached("drivers", read)

    # --- messages -----------------------------------------------------------------------------------
    @property
    def message_count(self) -> int:
        """Rows of /messages that are reliable (its rows_written attribute)."""
        if self._in_memory:
            return self._cache["message_count"]
        if "messages" not in self._f:
            return 0
        g = self._f["messages"]
        n = min((ds.shape[0] for ds in g.values()), default=0)
        return int(min(n, g.attrs.get("rows_written", n)))

    def read_messages(self, columns: Optional[Sequence[str]] = None, rows: slice = slice(None)) -> pd.DataFrame:
        """Part of /messages: the given columns (default all) and rows (a slice), read from the file.
        fail_reason and radio are categoricals of their names. At trace_level "sample" only the sampled
        devices' rows exist; at "summary" there are none and this raises ValueError saying so."""
        self._require_messages()
        if self._in_memory:  # load() read /messages whole: the rows come from it
            whole = self._cache["messages"]
            available = list(whole.columns)
        else:
            if "messages" not in self._f:
                return pd.DataFrame()
            g = self._f["messages"]
            available = list(g.keys())
        names = available if columns is None else list(columns)
        unknown = [c for c in names if c not in available]
        if unknown:
            raise KeyError(f"/messages has no column {unknown[0]!r} (columns: {', '.join(available)})")
        start, stop, step = rows.indices(self.message_count)
        if step != 1:
            raise ValueError("rows must be a slice with step 1")
        sel = slice(start, max(start, stop))
        if self._in_memory:
            return whole[names].iloc[sel].reset_index(drop=True)
        return pd.DataFrame({c: _column(g[c], sel) for c in names})

    def iter_messages(self, chunk_rows: int = 1 << 20, columns: Optional[Sequence[str]] = None) -> Iterator[pd.DataFrame]:
        """/messages in DataFrames of at most chunk_rows rows (the index continues across chunks)."""
        self._require_messages()
        n = self.message_count
        for start in range(0, n, chunk_rows):
            chunk = self.read_messages(columns, slice(start, min(n, start + chunk_rows)))
            chunk.index = pd.RangeIndex(start, start + len(chunk))
            yield chunk

    @property
    def messages(self) -> pd.DataFrame:
        """/messages as a DataFrame (read whole once; see read_messages/iter_messages for large traces)."""
        return self._cached("messages", self.read_messages)

    def messages_frame(self) -> pd.DataFrame:
        """/messages joined with each device's population, type and district."""
        devs = self.devices.set_index("id")[["population", "type", "district"]]
        return self.messages.join(devs, on="device")

    # --- geography ------------------------------------------------------------------------------------
    def _described(self) -> Dict[str, Any]:
        """`citytwin describe --json` of the scenario that was run, from the text kept in /meta (not the
        scenario file as it is now, which may have been edited since), its relative data files (a GeoJSON of
        districts) read from the original file's folder. Only a trace without that text (none written by
        this citytwin) is described from the file on disk, with a warning."""
        def read() -> Dict[str, Any]:
            from . import _core

            meta = self.meta
            source = str(meta.get("scenario_source", "") or "")
            text, _, overrides = self._scenario_inputs()
            if not text.strip():
                if source and not source.startswith("<") and os.path.isfile(source):
                    _warnings.warn(f"{self._name} does not keep the text of its scenario (/meta@scenario): its "
                                   f"districts are read from {source} as the file is now, which may differ "
                                   "from the run", UserWarning, stacklevel=4)
                    return json.loads(_core.describe(source, False, overrides))
                raise ValueError(f"{self._name}: the trace does not keep the text of its scenario "
                                 f"(/meta@scenario) and its scenario file {source or '(none)'} is not found: "
                                 "the districts cannot be rebuilt")
            # A dict's scenario is named as run() names it: <dict> and the key path, no line of generated YAML.
            named = {"source_name": source} if source == "<dict>" else {}
            try:
                return json.loads(_core.describe(text, True, overrides, **named))
            except ValueError as e:  # citytwin.ScenarioError: a data file no longer where the run read it
                from ._scenario import unplaced

                folder = self._scenario_folder()
                where = (f"its data files were looked for in {folder}, the folder of /meta@scenario_source "
                         f"{source!r}" if folder is not None else
                         "it was run from text, whose data files are read from the current directory")
                raise ValueError(f"{self._name}: the districts cannot be rebuilt from the scenario kept in the "
                                 f"trace (/meta@scenario; {where}): {unplaced(str(e))}") from e
        return self._cached("described", read)

    @property
    def districts(self) -> pd.DataFrame:
        """The districts of the scenario that was run (the text kept in the trace, not today's file): name,
        extent (x/y min/max in m), area (km2) and, for the polygon districts of city.districts_geojson,
        polygons (in m: polygons > rings, outer first > [x, y]; None for a rectangle)."""
        return pd.DataFrame(self._described()["districts"])

    @property
    def origin(self) -> Optional[Tuple[float, float]]:
        """(latitude, longitude) in degrees of the scenario's (0 m, 0 m) (city.origin), or None."""
        o = self._described().get("origin")
        return None if o is None else (float(o["lat"]), float(o["lon"]))

    def device_kpis(self) -> pd.DataFrame:
        """Per device (indexed by id): uplinks, delivered, delivery_ratio, latency_p50_s, latency_p95_s
        (over its delivered uplinks; linear interpolation, as pandas' quantile), battery_mah_left (at its
        last uplink that reported one; NaN for a mains-powered device).

        Read from /messages in chunks into per-device sums, so memory grows with the devices, not the rows;
        the latencies for the percentiles are kept for at most _KPI_LATENCY_ROWS delivered rows at a time
        (a trace with more is read again, once per group of devices whose rows fit). At trace_level "sample"
        the rows are the sampled devices only (id % trace_every == 0): the others have no KPIs to give. At
        "summary" there are no /messages rows and this raises ValueError saying so."""
        def read() -> pd.DataFrame:
            self._require_messages()
            index = self.devices["id"].to_numpy()
            if self.trace_level == "sample":
                index = index[index % self.trace_every == 0]
            ids = index.astype(np.int64)
            size = int(ids.max()) + 1 if len(ids) else 0
            uplinks = np.zeros(size, np.int64)
            delivered = np.zeros(size, np.int64)
            latencies = np.zeros(size, np.int64)  # delivered rows with a latency, per device
            battery = np.full(size, np.nan)
            # (device, latency) of the delivered rows while they fit _KPI_LATENCY_ROWS; None once they do not
            kept: Optional[List[Tuple[np.ndarray, np.ndarray]]] = []
            kept_rows = 0
            for dev, ok, lat, bat in self._kpi_chunks(size, battery=True):
                uplinks += np.bincount(dev, minlength=size)
                delivered += np.bincount(dev[ok], minlength=size)
                has = ~np.isnan(lat)
                latencies += np.bincount(dev[has], minlength=size)
                reported = ~np.isnan(bat)
                if reported.any():  # the last row of each device in the chunk that reported a charge
                    backwards = dev[reported][::-1]
                    devs, first = np.unique(backwards, return_index=True)
                    battery[devs] = bat[reported][::-1][first]
                if kept is not None and has.any():
                    kept_rows += int(has.sum())
                    if kept_rows <= _KPI_LATENCY_ROWS:
                        kept.append((dev[has].astype(np.uint32), lat[has]))
                    else:
                        kept = None  # too many: the percentiles are read device group by device group
            p50 = np.full(size, np.nan)
            p95 = np.full(size, np.nan)
            if kept is not None:
                if kept:
                    dev_kept = np.concatenate([d for d, _ in kept])
                    lat_kept = np.concatenate([v for _, v in kept])
                    kept = None  # the chunks' arrays go before the sort makes its copies
                    _percentiles(dev_kept, lat_kept, p50, p95)
                    del dev_kept, lat_kept
            else:
                for lo, hi in _device_groups(latencies, _KPI_LATENCY_ROWS):
                    part = []
                    for dev, _, lat, _ in self._kpi_chunks(size, battery=False):
                        pick = (dev >= lo) & (dev < hi) & ~np.isnan(lat)
                        part.append((dev[pick].astype(np.uint32), lat[pick]))
                    _percentiles(np.concatenate([d for d, _ in part]), np.concatenate([v for _, v in part]),
                                 p50, p95)
            ratio = np.where(uplinks > 0, delivered / np.maximum(uplinks, 1), np.nan)
            out = pd.DataFrame({"uplinks": uplinks[ids], "delivered": delivered[ids], "delivery_ratio": ratio[ids],
                                "latency_p50_s": p50[ids], "latency_p95_s": p95[ids],
                                "battery_mah_left": battery[ids]}, index=pd.Index(index, name="id"))
            return out
        return self._cached("device_kpis", read)

    def _kpi_chunks(self, size: int, battery: bool) -> Iterator[Tuple[np.ndarray, ...]]:
        """/messages in chunks of _KPI_CHUNK_ROWS rows, as arrays over the rows of the devices below size
        (the others are not in device_kpis): device, delivered (bool), latency (t_delivered_s - t_tx_s of a
        delivered row, else NaN) and, with battery, battery_mah_left (else an empty array). The columns are
        read as plain arrays, without a DataFrame's copies."""
        self._require_messages()
        columns = ["device", "delivered", "t_tx_s", "t_delivered_s"] + (["battery_mah_left"] if battery else [])
        n = self.message_count
        for start in range(0, n, _KPI_CHUNK_ROWS):
            rows = slice(start, min(n, start + _KPI_CHUNK_ROWS))
            if self._in_memory:
                whole = self._cache["messages"]
                c = {name: whole[name].to_numpy()[rows] for name in columns}
            else:
                g = self._f["messages"]
                c = {name: g[name][rows] for name in columns}
            dev = c["device"].astype(np.int64)
            inside = dev < size
            if not inside.all():
                dev, c = dev[inside], {name: values[inside] for name, values in c.items()}
            ok = c["delivered"] > 0
            lat = c["t_delivered_s"].astype(float)
            lat -= c["t_tx_s"]
            lat[~ok] = np.nan
            bat = c["battery_mah_left"].astype(float) if battery else np.empty(0)
            yield dev, ok, lat, bat

    def plot_map(self, color_by: Any = "delivery_ratio", **kwargs: Any) -> Any:
        """citytwin.plot.map of this run: districts, gateways, devices coloured by a per-device KPI."""
        from . import plot

        return plot.map(self, color_by, **kwargs)

    def to_geojson(self, path: Union[str, "os.PathLike[str]"], *, origin: Optional[Sequence[float]] = None,
                   local_metres: bool = False) -> str:
        """Writes devices (with device_kpis), gateways and districts (with /kpi/by_district; polygon
        districts as their Polygon or MultiPolygon with holes) as a GeoJSON FeatureCollection for GIS tools
        (QGIS, kepler.gl); returns the path.

        At run.trace: summary (no /messages) the devices are written without their per-device KPIs, and at
        run.trace: sample only the sampled devices have them (the others' are null); either way a
        UserWarning says so, and the collection's "trace_note" member too.

        origin: (latitude, longitude) in degrees (WGS84) of the scenario's (0 m, 0 m), x pointing east and y
        north; by default the scenario's city.origin. Positions are turned into longitude/latitude by the
        engine's projection (citytwin.geo: within 0.3 m of the geodesic over a 30 km city). Without an
        origin it raises ValueError, saying how to give one: GeoJSON (RFC 7946) coordinates are WGS 84
        longitude/latitude, and metres written in their place land near 0 N 0 E in a GIS tool.
        local_metres=True (only without an origin) writes the scenario's metres (x east, y north) instead,
        for a city with no place on the Earth: not RFC 7946, and said so in the collection's "crs_note"
        member; a GIS tool then needs the layer's CRS set by hand (a local engineering CRS in metres).
        """
        import math

        from . import geo

        if origin is None:
            origin = self.origin
        if origin is not None and local_metres:
            raise ValueError(f"to_geojson: local_metres=True writes the scenario's metres, but an origin is given "
                             f"({'origin=' if self.origin is None else 'city.origin: '}{tuple(origin)}): "
                             "leave local_metres out for longitude/latitude")
        if origin is None and not local_metres:
            raise ValueError(
                f"to_geojson: {self._name} has no city.origin, and GeoJSON (RFC 7946) coordinates are WGS 84 "
                "longitude/latitude: place the scenario's (0 m, 0 m) on the Earth, in the scenario "
                "(city: {origin: {lat: 50.0, lon: 8.27}}) or here (to_geojson(path, origin=(lat, lon))); "
                "or write the local metres with local_metres=True (not RFC 7946: a GIS tool then needs the "
                "layer's CRS set by hand)")
        if origin is not None:
            lat0, lon0 = float(origin[0]), float(origin[1])
            if not (-90 < lat0 < 90 and -180 <= lon0 <= 180):
                raise ValueError(f"origin: expected (latitude, longitude) in degrees, got {tuple(origin)}")

            def point(x: float, y: float) -> List[float]:
                lat, lon = geo.to_lat_lon((lat0, lon0), x, y)
                return [round(float(lon), 7), round(float(lat), 7)]
        else:
            def point(x: float, y: float) -> List[float]:
                return [round(float(x), 3), round(float(y), 3)]

        def clean(row: Mapping[str, Any]) -> Dict[str, Any]:
            out = {}
            for k, v in row.items():
                v = _attr(v)
                out[k] = None if isinstance(v, float) and not math.isfinite(v) else v
            return out

        features = []
        kpis = self.by_district  # indexed by district name
        for d in self.districts.to_dict("records"):
            polygons = d.get("polygons")
            if not isinstance(polygons, list):  # a rectangle
                polygons = [[[[d["x_min_m"], d["y_min_m"]], [d["x_max_m"], d["y_min_m"]], [d["x_max_m"], d["y_max_m"]],
                              [d["x_min_m"], d["y_max_m"]], [d["x_min_m"], d["y_min_m"]]]]]
            coordinates = [[[point(x, y) for x, y in ring] for ring in polygon] for polygon in polygons]
            geometry = ({"type": "Polygon", "coordinates": coordinates[0]} if len(coordinates) == 1
                        else {"type": "MultiPolygon", "coordinates": coordinates})
            props = {"layer": "district", "name": d["name"], "area_km2": d["area_km2"]}
            if d["name"] in kpis.index:
                props.update(clean(kpis.loc[[d["name"]]].to_dict("records")[0]))
            features.append({"type": "Feature", "geometry": geometry, "properties": props})
        for g in self.gateways.to_dict("records"):
            features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": point(g["x_m"], g["y_m"])},
                             "properties": {"layer": "gateway", **clean(g)}})
        note = None
        if self.trace_level == "summary":
            devices = self.devices
            note = ("written with run.trace: summary, which keeps no /messages rows: the devices have no "
                    "per-device KPIs (districts, gateways and by_district are complete)")
        else:
            devices = self.devices.join(self.device_kpis(), on="id")
            if self.trace_level == "sample":
                k = self.trace_every
                note = (f"written with run.trace: sample, which keeps the uplinks of 1 device in {k} only "
                        f"(id % {k} == 0): the other devices' KPIs are null")
        if note is not None:
            _warnings.warn(f"to_geojson: {self._name} was {note}", UserWarning, stacklevel=2)
        for dev in devices.to_dict("records"):
            features.append({"type": "Feature",
                             "geometry": {"type": "Point", "coordinates": point(dev["x_m"], dev["y_m"])},
                             "properties": {"layer": "device", **clean(dev)}})
        collection: Dict[str, Any] = {"type": "FeatureCollection", "features": features}
        if local_metres:
            collection["crs_note"] = ("not RFC 7946: coordinates are x/y in metres (east, north) of the scenario's "
                                      "local frame, written with local_metres=True (the scenario has no city.origin)")
        if note is not None:
            collection["trace_note"] = f"the trace was {note}"
        with builtins_open(str(path), "w", encoding="utf-8") as f:
            json.dump(collection, f)
        return str(path)

    def load(self) -> "Result":
        """Reads every table into memory, with the columns' units and descriptions; then the file may be
        closed and every method still works (citytwin.read does both)."""
        if self._in_memory:
            return self
        for name in ("meta", "warnings", "kpi", "kpi_tables", "devices", "gateways", "timeseries", "drivers"):
            getattr(self, name)
        self._cache["message_count"] = self.message_count
        if self.trace_level != "summary":  # at summary, reading /messages keeps raising and saying why
            self.messages
        columns: Dict[str, pd.DataFrame] = {}

        def visit(name: str, item: Any) -> None:
            if isinstance(item, h5py.Group) and any(isinstance(v, h5py.Dataset) for v in item.values()):
                columns[name] = _column_attrs(item)

        self._f.visititems(visit)
        self._cache["columns"] = columns
        self.simulated_s
        self._in_memory = True
        return self

    def __repr__(self) -> str:
        # A run without out= wrote a temporary file, removed with the Result: its path says nothing.
        where = "(temporary trace)" if self._temporary else repr(self._file_path)
        if self._file is None and "kpi" not in self._cache:
            return f"<citytwin.Result {where} (closed)>"
        k = self.kpi
        return (f"<citytwin.Result {where} seed={self.meta.get('seed')} "
                f"uplinks={int(k.get('uplinks_sent', 0))} delivery_ratio={k.get('delivery_ratio', float('nan')):.4f}"
                f"{'' if self.complete else ' INCOMPLETE'}>")


builtins_open = builtins.open


def _remove_temporary(file: h5py.File, directory: str) -> None:
    try:
        file.close()
    except Exception:  # already closed
        pass
    shutil.rmtree(directory, ignore_errors=True)


def open(path: Union[str, "os.PathLike[str]"]) -> Result:  # noqa: A001 (citytwin.open, like h5py.File)
    """Opens an existing trace lazily: tables are read when first used. Use as a context manager."""
    import os

    return Result(os.fspath(path))


def read(path: Union[str, "os.PathLike[str]"]) -> Result:
    """Opens a trace and reads all of it into memory (Result.load), then closes the file: every method of
    the Result works without it."""
    r = open(path)
    r.load()
    r.close()
    return r
