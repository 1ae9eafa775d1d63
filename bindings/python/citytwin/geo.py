"""The city's local frame on the Earth, as the engine has it (sim/scenario/geo_frame.hpp).

``city.origin: {lat, lon}`` is the WGS84 point of the scenario's (0 m, 0 m), x east and y north. Positions
map between longitude/latitude and local metres by an oblique stereographic projection about the origin
on the sphere of the ellipsoid's mean radius there, its axes rescaled to the WGS84 meridian and
prime-vertical radii of curvature at the origin: distances within a 30 km city are within 0.3 m (2e-5) of
the geodesic ones.

    x, y = citytwin.geo.to_local_m((lat0, lon0), lat, lon)
    lat, lon = citytwin.geo.to_lat_lon((lat0, lon0), x, y)
"""
from __future__ import annotations

from typing import Sequence, Tuple

import numpy as np

__all__ = ["to_local_m", "to_lat_lon"]

_A = 6378137.0  # WGS84 semi-major axis, m (NIMA TR8350.2, table 3.1)
_F = 1.0 / 298.257223563  # WGS84 flattening


def _frame(origin: Sequence[float]) -> Tuple[float, float, float, float, float, float, float]:
    lat0, lon0 = float(origin[0]), float(origin[1])
    if not (-90 < lat0 < 90 and -180 <= lon0 <= 180):
        raise ValueError(f"origin: expected (latitude, longitude) in degrees, got {tuple(origin)}")
    e2 = _F * (2.0 - _F)
    s = np.sin(np.radians(lat0))
    w = np.sqrt(1.0 - e2 * s * s)
    m, n = _A * (1.0 - e2) / w**3, _A / w
    return lat0, lon0, float(s), float(np.cos(np.radians(lat0))), float(np.sqrt(m * n)), float(np.sqrt(n / m)), \
        float(np.sqrt(m / n))


def to_local_m(origin: Sequence[float], lat: "np.typing.ArrayLike", lon: "np.typing.ArrayLike") -> Tuple[np.ndarray, np.ndarray]:
    """(x, y) in metres of the local frame about origin = (lat0, lon0) for points at lat, lon (degrees)."""
    _, lon0, sin0, cos0, radius, xs, ys = _frame(origin)
    phi = np.radians(np.asarray(lat, dtype=float))
    dlon = np.radians(np.asarray(lon, dtype=float) - lon0)
    k = 2.0 * radius / (1.0 + sin0 * np.sin(phi) + cos0 * np.cos(phi) * np.cos(dlon))
    x = k * np.cos(phi) * np.sin(dlon)
    y = k * (cos0 * np.sin(phi) - sin0 * np.cos(phi) * np.cos(dlon))
    return x * xs, y * ys


def to_lat_lon(origin: Sequence[float], x_m: "np.typing.ArrayLike", y_m: "np.typing.ArrayLike") -> Tuple[np.ndarray, np.ndarray]:
    """(lat, lon) in degrees of points at (x, y) metres of the local frame about origin = (lat0, lon0)."""
    lat0, lon0, sin0, cos0, radius, xs, ys = _frame(origin)
    x = np.asarray(x_m, dtype=float) / xs
    y = np.asarray(y_m, dtype=float) / ys
    rho = np.hypot(x, y)
    c = 2.0 * np.arctan(rho / (2.0 * radius))
    with np.errstate(invalid="ignore", divide="ignore"):
        lat = np.arcsin(np.cos(c) * sin0 + np.where(rho > 0, y * np.sin(c) * cos0 / rho, 0.0))
    dlon = np.arctan2(x * np.sin(c), rho * cos0 * np.cos(c) - y * sin0 * np.sin(c))
    lat_deg = np.where(rho > 0, np.degrees(lat), lat0)
    return lat_deg, lon0 + np.degrees(dlon)
