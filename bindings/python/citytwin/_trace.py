"""Reading a citytwin HDF5 trace (output/SCHEMA.md): KPI tables as DataFrames, /timeseries as an
xarray Dataset, /messages lazily or in chunks. Schema versions 1 and 2 are read."""
from __future__ import annotations

import builtins
import os
import shutil
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


class Result:
    """A citytwin trace: one run's KPIs, tables, time series and messages.

    Returned by citytwin.run() and citytwin.open(). Tables are read from the file when first used
    (and kept); /messages can also be read by column and row range (read_messages) or in chunks
    (iter_messages) without loading it whole. A context manager: `with citytwin.open(p) as r: ...`.
    """

    def __init__(self, path: str, *, temporary_dir: Optional[str] = None) -> None:
        """Opens the trace at path (use citytwin.open). temporary_dir is removed when the Result is."""
        self._file_path = str(path)
        self._temporary = temporary_dir is not None
        self._file: Optional[h5py.File] = h5py.File(self._file_path, "r")
        self._cache: Dict[str, Any] = {}
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
        """Closes the file; tables already read stay available."""
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
        "file:line:col: key.path: warning: message"; [] for traces written before warnings were kept."""

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
    def trace_level(self) -> str:
        """How much of /messages the file keeps (run.trace): "full" (every uplink), "sample" (the
        uplinks of every trace_every-th device) or "summary" (none: KPIs, tables and time series only).
        Traces written before the level existed are "full"."""
        return str(self.meta.get("trace", "full"))

    @property
    def trace_every(self) -> int:
        """At trace_level "sample", the step over device ids of the devices kept (device % k == 0); 1 otherwise."""
        return int(self.meta.get("trace_every", 1))

    def _require_messages(self) -> None:
        if self.trace_level == "summary":
            raise ValueError(
                f"{self.path}: this trace was written with run.trace: summary and has no /messages rows "
                "(its KPIs, /kpi tables and /timeseries are complete); run again with run.trace: full "
                "(or sample) for per-uplink rows")

    @property
    def seed(self) -> int:
        """The master seed of the run."""
        return int(self.meta["seed"])

    @property
    def scenario(self) -> "Any":
        """The scenario that was run (with its overrides), as a citytwin.Scenario."""
        from ._scenario import Scenario

        meta = self.meta
        overrides = [line for line in meta.get("overrides", "").split("\n") if line]
        sc = Scenario.from_yaml(meta.get("scenario", ""), source=meta.get("scenario_source", "<text>"))
        for line in overrides:
            key, _, value = line.partition("=")
            sc[key] = yaml.safe_load(value) if value.strip() else None
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
        return _column_attrs(self._f[table])

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
        """/kpi/failures: one row per failure interval (empty when the run had none)."""
        t = self.kpi_tables.get("failures")
        return t if t is not None else pd.DataFrame(columns=["target", "start_s", "end_s"])

    @property
    def alerts(self) -> pd.DataFrame:
        """/kpi/alerts: one row per alert (empty without alert rules or alerts)."""
        t = self.kpi_tables.get("alerts")
        return t if t is not None else pd.DataFrame(columns=["alert", "t_event_s", "t_alert_s", "latency_s"])

    @property
    def outages(self) -> pd.DataFrame:
        """The failure and outage windows of the run as one table: kind, target, start_s, end_s, duration_s
        (kind "failure": wired failures and network-server crashes from /kpi/failures, the target a link or
        network_server; kind "power_cut": /kpi/power_outages, the target a district)."""
        f = self.failures
        rows = pd.DataFrame({"kind": "failure", "target": f["target"], "start_s": f["start_s"], "end_s": f["end_s"]})
        cuts = self.kpi_tables.get("power_outages")
        if cuts is not None and len(cuts):
            rows = pd.concat([rows, pd.DataFrame({"kind": "power_cut", "target": cuts["district"],
                                                  "start_s": cuts["start_s"], "end_s": cuts["end_s"]})],
                             ignore_index=True)
        rows["duration_s"] = rows["end_s"] - rows["start_s"]
        return rows.sort_values(["start_s", "target"], kind="stable").reset_index(drop=True)

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
        if "messages" not in self._f:
            return pd.DataFrame()
        g = self._f["messages"]
        names = list(g.keys()) if columns is None else list(columns)
        unknown = [c for c in names if c not in g]
        if unknown:
            raise KeyError(f"/messages has no column {unknown[0]!r} (columns: {', '.join(g.keys())})")
        start, stop, step = rows.indices(self.message_count)
        if step != 1:
            raise ValueError("rows must be a slice with step 1")
        sel = slice(start, max(start, stop))
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
        """`citytwin describe --json` of the scenario that was run: from its file when it still exists (a
        GeoJSON of districts is found relative to it), else from the text kept in /meta."""
        def read() -> Dict[str, Any]:
            import json

            from . import _core

            meta = self.meta
            overrides = [line for line in meta.get("overrides", "").split("\n") if line]
            source = meta.get("scenario_source", "")
            if source and not source.startswith("<") and os.path.isfile(source):
                return json.loads(_core.describe(source, False, overrides))
            return json.loads(_core.describe(meta.get("scenario", ""), True, overrides))
        return self._cached("described", read)

    @property
    def districts(self) -> pd.DataFrame:
        """The districts of the scenario that was run: name, extent (x/y min/max in m), area (km2) and, for
        the polygon districts of city.districts_geojson, polygons (in m: polygons > rings, outer first >
        [x, y]; None for a rectangle)."""
        return pd.DataFrame(self._described()["districts"])

    @property
    def origin(self) -> Optional[Tuple[float, float]]:
        """(latitude, longitude) in degrees of the scenario's (0 m, 0 m) (city.origin), or None."""
        o = self._described().get("origin")
        return None if o is None else (float(o["lat"]), float(o["lon"]))

    def device_kpis(self) -> pd.DataFrame:
        """Per device (indexed by id): uplinks, delivered, delivery_ratio, latency_p50_s, latency_p95_s,
        battery_mah_left (at its last uplink; NaN for a mains-powered device). Read from /messages in chunks."""
        def read() -> pd.DataFrame:
            parts = []
            for chunk in self.iter_messages(columns=["device", "delivered", "t_tx_s", "t_delivered_s",
                                                     "battery_mah_left"]):
                chunk["latency_s"] = np.where(chunk["delivered"] > 0, chunk["t_delivered_s"] - chunk["t_tx_s"],
                                              np.nan)
                parts.append(chunk)
            m = pd.concat(parts) if parts else pd.DataFrame(columns=["device", "delivered", "latency_s",
                                                                     "battery_mah_left"])
            g = m.groupby("device")
            out = pd.DataFrame({"uplinks": g.size(), "delivered": g["delivered"].sum()})
            out["delivery_ratio"] = out["delivered"] / out["uplinks"]
            out["latency_p50_s"] = g["latency_s"].median()
            out["latency_p95_s"] = g["latency_s"].quantile(0.95)
            out["battery_mah_left"] = g["battery_mah_left"].last()
            ids = self.devices["id"].to_numpy()
            out = out.reindex(ids)
            out.index.name = "id"
            out[["uplinks", "delivered"]] = out[["uplinks", "delivered"]].fillna(0).astype("int64")
            return out
        return self._cached("device_kpis", read)

    def plot_map(self, color_by: Any = "delivery_ratio", **kwargs: Any) -> Any:
        """citytwin.plot.map of this run: districts, gateways, devices coloured by a per-device KPI."""
        from . import plot

        return plot.map(self, color_by, **kwargs)

    def to_geojson(self, path: Union[str, "os.PathLike[str]"], *, origin: Optional[Sequence[float]] = None) -> str:
        """Writes devices (with device_kpis), gateways and districts (with /kpi/by_district; polygon
        districts as their Polygon or MultiPolygon with holes) as a GeoJSON FeatureCollection for GIS tools
        (QGIS, kepler.gl); returns the path.

        origin: (latitude, longitude) in degrees (WGS84) of the scenario's (0 m, 0 m), x pointing east and y
        north; by default the scenario's city.origin. Positions are turned into longitude/latitude by the
        engine's projection (citytwin.geo: within 0.3 m of the geodesic over a 30 km city). Without an
        origin the coordinates stay in the scenario's metres, which RFC 7946 does not define: GIS tools then
        need the layer's CRS set by hand.
        """
        import json
        import math

        from . import geo

        if origin is None:
            origin = self.origin
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
        devices = self.devices.join(self.device_kpis(), on="id")
        for dev in devices.to_dict("records"):
            features.append({"type": "Feature",
                             "geometry": {"type": "Point", "coordinates": point(dev["x_m"], dev["y_m"])},
                             "properties": {"layer": "device", **clean(dev)}})
        collection: Dict[str, Any] = {"type": "FeatureCollection", "features": features}
        if origin is None:
            collection["crs_note"] = "x_m/y_m in metres of the scenario's local frame (no origin given)"
        with builtins_open(str(path), "w", encoding="utf-8") as f:
            json.dump(collection, f)
        return str(path)

    def load(self) -> "Result":
        """Reads every table into memory (then the file may be closed)."""
        for name in ("meta", "kpi", "kpi_tables", "devices", "gateways", "timeseries", "drivers", "messages"):
            if name == "messages" and self.trace_level == "summary":
                continue
            getattr(self, name)
        return self

    def __repr__(self) -> str:
        if self._file is None and "kpi" not in self._cache:
            return f"<citytwin.Result {self._file_path!r} (closed)>"
        k = self.kpi
        return (f"<citytwin.Result {self.path!r} seed={self.meta.get('seed')} "
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
    """Opens a trace and reads all of it into memory, then closes the file."""
    r = open(path)
    r.load()
    r.close()
    return r
