"""Geography: districts from GeoJSON polygons (scenarios/lindenau_map.yaml: a concave L, a district with a
hole, a MultiPolygon with an island), devices placed inside them, the map, and lat/lon in -> metres inside
-> lat/lon out. The point-in-polygon checks here use matplotlib's Path, not the engine's Boost.Geometry."""
import json
import os
import subprocess
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from matplotlib.path import Path as MplPath  # noqa: E402

import citytwin  # noqa: E402
from citytwin import geo  # noqa: E402
from support import SOURCE

SCENARIO = SOURCE / "scenarios" / "lindenau_map.yaml"
GEOJSON = SOURCE / "scenarios" / "lindenau_districts.geojson"
ORIGIN = (50.0, 8.27)


def distance_to_edges(polygons, x, y):
    """Distance (m) from (x, y) to the nearest edge of any ring."""
    best = np.inf
    for polygon in polygons:
        for ring in polygon:
            r = np.asarray(ring, dtype=float)
            a, b = r[:-1], r[1:]
            ab = b - a
            t = np.clip(((x - a[:, 0]) * ab[:, 0] + (y - a[:, 1]) * ab[:, 1]) / (ab ** 2).sum(axis=1), 0, 1)
            best = min(best, np.hypot(a[:, 0] + t * ab[:, 0] - x, a[:, 1] + t * ab[:, 1] - y).min())
    return best


def contains(polygons, xy):
    """Even-odd over every ring of a district (outer rings and holes): inside an odd number of them."""
    inside = np.zeros(len(xy), dtype=int)
    for polygon in polygons:
        for ring in polygon:
            inside += MplPath(np.asarray(ring, dtype=float)).contains_points(xy)
    return inside % 2 == 1


@pytest.fixture(scope="module")
def result():
    return citytwin.run(citytwin.Scenario.from_file(SCENARIO))


@pytest.fixture(scope="module")
def features():
    return {f["properties"]["name"]: f for f in json.loads(GEOJSON.read_text())["features"]}


def test_districts_are_the_polygons_with_their_areas(result):
    d = result.districts.set_index("name")
    assert list(d.index) == ["altstadt", "hafen", "nordufer"]
    # drawn in metres (then written in lon/lat to 7 decimals): the L is 3 x 3 km less 1.5 x 1.5 km, the
    # harbour 3 x 3 km less the same notch and a 1 km2 park, the north bank its outline plus the island
    assert d.loc["altstadt", "area_km2"] == pytest.approx(6.75, rel=1e-5)
    assert d.loc["hafen", "area_km2"] == pytest.approx(9.0 + 2.25 - 1.0, rel=1e-5)  # + the L's notch - the park
    def shoelace(points):
        p = np.asarray(points, dtype=float)
        return 0.5 * abs(np.dot(p[:, 0], np.roll(p[:, 1], -1)) - np.dot(p[:, 1], np.roll(p[:, 0], -1)))
    north = shoelace([(0, 3000), (6000, 3000), (6000, 4200), (4500, 4600), (3000, 4300), (1500, 4700), (0, 4400)])
    island = shoelace([(2000, 5200), (3000, 5000), (3500, 5600), (2500, 6000)])
    assert d.loc["nordufer", "area_km2"] == pytest.approx((north + island) / 1e6, rel=1e-5)
    assert len(d.loc["nordufer", "polygons"]) == 2 and len(d.loc["hafen", "polygons"][0]) == 2  # island; hole
    assert result.origin == ORIGIN


def test_devices_lie_inside_their_concave_district_and_outside_holes(result):
    d = result.districts.set_index("name")
    devices = result.devices
    assert len(devices) == 740
    for name, group in devices.groupby("district", observed=True):
        xy = group[["x_m", "y_m"]].to_numpy()
        assert contains(d.loc[name, "polygons"], xy).all(), name
    alt = devices[devices.district == "altstadt"]
    in_notch = (alt.x_m > 1500) & (alt.y_m > 1500)  # the L's missing quarter, inside its bounding box
    assert not in_notch.any() and len(alt) == 300
    park = (devices.x_m > 4000) & (devices.x_m < 5000) & (devices.y_m > 1000) & (devices.y_m < 2000)
    assert not park.any()
    # uniform: the L's two arms (4.5 and 2.25 km2) hold the parking sensors 2:1
    lower = (alt.y_m < 1500).sum()
    assert lower / len(alt) == pytest.approx(2 / 3, abs=0.08)


def test_gateways_of_the_hex_rule_lie_in_the_polygons(result):
    d = result.districts.set_index("name")
    gw = result.gateways
    for name in d.index:
        mine = gw[gw.name.str.startswith(f"gw-{name}-")]
        assert len(mine) >= 1
        assert contains(d.loc[name, "polygons"], mine[["x_m", "y_m"]].to_numpy()).all(), name


def test_lat_lon_in_metres_inside_lat_lon_out(result, features, tmp_path):
    # in: the file's vertices (lon/lat) -> the engine's metres, as citytwin.geo computes them
    d = result.districts.set_index("name")
    ring_in = np.asarray(features["altstadt"]["geometry"]["coordinates"][0])
    x, y = geo.to_local_m(ORIGIN, ring_in[:, 1], ring_in[:, 0])
    engine = np.asarray(d.loc["altstadt", "polygons"][0][0])
    # the engine orients rings counter-clockwise (the file's already are) and keeps the vertices
    assert np.allclose(np.c_[x, y], engine, atol=1e-3)
    assert engine[2] == pytest.approx([3000.0, 1500.0], abs=0.02)  # drawn at (3 km, 1.5 km)
    # out: to_geojson writes the city.origin's lon/lat by default; the polygons come back as they went in
    path = result.to_geojson(tmp_path / "lindenau.geojson")
    out = json.loads(Path(path).read_text())
    layers = {}
    for f in out["features"]:
        layers.setdefault(f["properties"]["layer"], []).append(f)
    districts = {f["properties"]["name"]: f for f in layers["district"]}
    assert districts["nordufer"]["geometry"]["type"] == "MultiPolygon"
    assert len(districts["hafen"]["geometry"]["coordinates"]) == 2  # outer ring and the park
    assert np.allclose(districts["altstadt"]["geometry"]["coordinates"][0], ring_in, atol=2e-7)
    assert districts["hafen"]["properties"]["uplinks_sent"] == result.by_district.loc["hafen", "uplinks_sent"]
    # every device, in lon/lat, lies in its district's polygon of the input file (an edge straight in
    # degrees bows by centimetres against the same edge straight in metres: a device within 10 cm of an
    # edge may fall either side)
    for f in layers["device"]:
        name = f["properties"]["district"]
        geometry = features[name]["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        inside = contains(polygons, np.array([f["geometry"]["coordinates"]]))[0]
        near_edge = distance_to_edges(d.loc[name, "polygons"], f["properties"]["x_m"], f["properties"]["y_m"]) < 0.1
        assert inside or near_edge, f["properties"]["id"]
        lat, lon = f["geometry"]["coordinates"][1], f["geometry"]["coordinates"][0]
        back = geo.to_local_m(ORIGIN, lat, lon)
        assert back[0] == pytest.approx(f["properties"]["x_m"], abs=0.02)
        assert back[1] == pytest.approx(f["properties"]["y_m"], abs=0.02)


def test_python_projection_is_the_engines_and_matches_a_published_geodesic():
    # Geoscience Australia's Vincenty example: Flinders Peak - Buninyong, 54 972.271 m
    def dms(d, m, s):
        return np.copysign(abs(d) + m / 60 + s / 3600, d)
    a = (dms(-37, 57, 3.72030), dms(144, 25, 29.52440))
    b = (dms(-37, 39, 10.15610), dms(143, 55, 35.38390))
    origin = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
    xa, ya = geo.to_local_m(origin, *a)
    xb, yb = geo.to_local_m(origin, *b)
    assert np.hypot(xb - xa, yb - ya) == pytest.approx(54972.271, abs=0.2)
    lat, lon = geo.to_lat_lon(origin, [xa, xb], [ya, yb])
    assert np.allclose(lat, [a[0], b[0]], atol=1e-10) and np.allclose(lon, [a[1], b[1]], atol=1e-10)


def test_plot_map_draws_the_polygon_outlines(result):
    ax = result.plot_map()
    outlines = [p for p in ax.patches if type(p).__name__ == "PathPatch"]
    assert len(outlines) == 3
    hafen = outlines[1].get_path()
    assert (hafen.codes == MplPath.MOVETO).sum() == 2  # the outer ring and the park's hole
    assert ax.get_xlabel() == "x (m)"


def test_scenario_handles_the_keys(tmp_path):
    sc = citytwin.Scenario.from_file(SCENARIO)
    assert sc["city.districts_geojson.name_property"] == "name"
    assert sc["city.origin.lat"] == 50.0
    # a scenario given as a dict: the GeoJSON path is then relative to the working directory, or absolute
    data = sc.to_dict()
    data["city"]["districts_geojson"]["file"] = str(GEOJSON)
    data["run"]["duration"] = "10 min"
    d = citytwin.Scenario.from_dict(data)
    d["city.origin.lon"] = 8.5  # the same polygons, 16 km further west of the origin
    d.validate()
    r = d.run()
    assert r.origin == (50.0, 8.5)
    assert r.devices.x_m.min() < -15000


@pytest.mark.parametrize("geometry, message", [
    ('{"type": "LineString", "coordinates": [[8.27, 50.0], [8.28, 50.01]]}',
     "features[0] ('road'): geometry type 'LineString': expected Polygon or MultiPolygon"),
    ('{"type": "Polygon", "coordinates": [[[8.27, 50.0], [8.28, 50.0], [8.28, 95.0], [8.27, 50.0]]]}',
     "features[0] ('road'): coordinate [8.28,95.0] out of range"),
])
def test_bad_geojson_exits_2_naming_file_and_feature(tmp_path, geometry, message):
    (tmp_path / "d.geojson").write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "road"}, '
        f'"geometry": {geometry}}}]}}')
    text = SCENARIO.read_text().replace("lindenau_districts.geojson", "d.geojson")
    (tmp_path / "city.yaml").write_text(text)
    cli = os.environ.get("CITYTWIN_CLI", str(SOURCE / "build" / "bin" / "citytwin"))
    p = subprocess.run([cli, "validate", str(tmp_path / "city.yaml")], capture_output=True, text=True)
    assert p.returncode == 2
    assert f"city.districts_geojson.file: {tmp_path / 'd.geojson'}: {message}" in p.stderr
    with pytest.raises(citytwin.ScenarioError, match="features"):
        citytwin.validate(citytwin.Scenario.from_file(tmp_path / "city.yaml"))
