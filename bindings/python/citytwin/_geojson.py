"""Result.to_geojson: a run's districts, gateways and devices as a GeoJSON FeatureCollection (RFC 7946)."""
from __future__ import annotations

import json
import math
import os
import warnings as _warnings
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Union

from . import geo
from ._columns import _attr

if TYPE_CHECKING:
    from ._trace import Result


def write_geojson(result: "Result", path: Union[str, "os.PathLike[str]"], *, origin: Optional[Sequence[float]],
                  local_metres: bool) -> str:
    """Result.to_geojson (its docstring says what is written and why an origin is needed)."""
    if origin is None:
        origin = result.origin
    if origin is not None and local_metres:
        raise ValueError(f"to_geojson: local_metres=True writes the scenario's metres, but an origin is given "
                         f"({'origin=' if result.origin is None else 'city.origin: '}{tuple(origin)}): "
                         "leave local_metres out for longitude/latitude")
    if origin is None and not local_metres:
        raise ValueError(
            f"to_geojson: {result._name} has no city.origin, and GeoJSON (RFC 7946) coordinates are WGS 84 "
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
    kpis = result.by_district  # indexed by district name
    for d in result.districts.to_dict("records"):
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
    for g in result.gateways.to_dict("records"):
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": point(g["x_m"], g["y_m"])},
                         "properties": {"layer": "gateway", **clean(g)}})
    note = None
    if result.trace_level == "summary":
        devices = result.devices
        note = ("written with run.trace: summary, which keeps no /messages rows: the devices have no "
                "per-device KPIs (districts, gateways and by_district are complete)")
    else:
        devices = result.devices.join(result.device_kpis(), on="id")
        if result.trace_level == "sample":
            k = result.trace_every
            note = (f"written with run.trace: sample, which keeps the uplinks of 1 device in {k} only "
                    f"(id % {k} == 0): the other devices' KPIs are null")
    if note is not None:
        _warnings.warn(f"to_geojson: {result._name} was {note}", UserWarning, stacklevel=3)
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
    with open(str(path), "w", encoding="utf-8") as f:
        json.dump(collection, f)
    return str(path)
