"""Reading a citytwin HDF5 trace (output/SCHEMA.md): KPI tables as DataFrames, /timeseries as an
xarray Dataset, /messages lazily or in chunks. Schema versions 1 to 3 are read."""
from __future__ import annotations

import json
import os
import shutil
import warnings as _warnings
import weakref
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import h5py
import numpy as np
import pandas as pd

from ._columns import _attr, _attrs, _column, _column_attrs, _columns_to_links, _empty, _table
from ._scenario_files import absolute_files_in_text, absolute_files_in_value

SCHEMA_VERSIONS = (1, 2, 3)
#: the columns of /kpi/failures and /kpi/alerts (output/SCHEMA.md), for a run without failures or alerts
_FAILURE_COLUMNS = {"target": "object", "start_s": "float64", "end_s": "float64", "uplinks_delayed": "int64",
                    "uplinks_lost": "int64", "copies_delayed": "int64", "copies_lost": "int64",
                    "stream_outage_s": "float64"}
_ALERT_COLUMNS = {"alert": "object", "t_event_s": "float64", "t_alert_s": "float64", "latency_s": "float64"}

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
                text = absolute_files_in_text(text, folder)
            edits: List[Tuple[str, Any]] = []
            lines: List[str] = []
            for line in str(meta.get("overrides", "") or "").split("\n"):
                if not line:
                    continue
                key, _, raw = line.partition("=")
                value = load_yaml12(raw) if raw.strip() else None
                if folder is not None:
                    resolved = absolute_files_in_value(value, split_path(key), folder)
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
        the latencies for the percentiles are kept for at most _device_kpis._KPI_LATENCY_ROWS delivered rows at a time
        (a trace with more is read again, once per group of devices whose rows fit). At trace_level "sample"
        the rows are the sampled devices only (id % trace_every == 0): the others have no KPIs to give. At
        "summary" there are no /messages rows and this raises ValueError saying so."""
        from ._device_kpis import device_kpis

        return self._cached("device_kpis", lambda: device_kpis(self))

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
        from ._geojson import write_geojson

        return write_geojson(self, path, origin=origin, local_metres=local_metres)

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
