"""Maps and figures: the districts a run used, per-device KPIs, the citytwin.plot figures (units on every
axis) and the GeoJSON export (lat/lon out and back, districts holding their devices, KPIs attached)."""
import json
import math
import os
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import citytwin  # noqa: E402
import citytwin.plot as ctp  # noqa: E402

SMALL = """\
city:
  districts:
    - {name: a, origin: [0 m, 0 m], size: [1 km, 1 km]}
    - {name: b, origin: [1 km, 0 m], size: [2 km, 1 km]}
devices:
  - {name: meters, type: water_meter, count: 60, districts: [a, b], interval: 5 min}
gateways:
  - {name: gw, position: [1 km, 500 m]}
run: {duration: 1 h, seed: 4}
"""
R_EARTH = 6371008.8


@pytest.fixture(scope="module")
def result():
    return citytwin.run(citytwin.Scenario.from_yaml(SMALL))


def test_districts_are_the_scenarios(result):
    d = result.districts.set_index("name")
    assert list(d.index) == ["a", "b"]
    assert d.loc["b", "x_min_m"] == 1000.0 and d.loc["b", "x_max_m"] == 3000.0
    assert d.loc["b", "area_km2"] == pytest.approx(2.0)


def test_device_kpis_add_up_to_the_run_kpis(result):
    k = result.device_kpis()
    assert len(k) == 60
    assert k["uplinks"].sum() == result.kpi["uplinks_sent"]
    assert k["delivered"].sum() == result.kpi["uplinks_delivered"]
    assert ((k["delivery_ratio"] >= 0) & (k["delivery_ratio"] <= 1)).all()


def test_every_figure_labels_its_axes_with_units(result):
    ax = result.plot_map()
    assert ax.get_xlabel() == "x (m)" and ax.get_ylabel() == "y (m)"
    assert len(ax.patches) == 2  # one outline per district
    ax = ctp.outcomes(result, bin_s=600)
    assert ax.get_xlabel() == "simulated time (h)" and "uplinks" in ax.get_ylabel()
    assert ax.get_xlim() == pytest.approx((0.0, 1.0))  # the run, not more
    ax = ctp.district_bars(result, "delivery_ratio")
    assert ax.get_ylim()[0] == 0.0  # an honest baseline
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b"]
    ax = ctp.timeseries(result)
    assert "utilisation" in ax.get_ylabel()
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[0] == "network_server" and len(labels) == 1 + min(5, result.timeseries.sizes["link"])
    busiest = result.timeseries["utilisation"].max("t_s")
    assert float(busiest.sel(link=labels[1])) == float(busiest.max())
    with pytest.raises(ValueError, match="neither network_server nor a wired link"):
        ctp.timeseries(result, ["fibre:nowhere"])


def test_geojson_round_trips_positions_and_keeps_devices_in_their_districts(result, tmp_path):
    lat0, lon0 = 37.5665, 126.9780  # Seoul City Hall
    path = result.to_geojson(tmp_path / "city.geojson", origin=(lat0, lon0))
    collection = json.loads(Path(path).read_text())
    assert collection["type"] == "FeatureCollection"
    layers = {}
    for f in collection["features"]:
        layers.setdefault(f["properties"]["layer"], []).append(f)
    assert len(layers["district"]) == 2 and len(layers["gateway"]) == 1 and len(layers["device"]) == 60
    # back to metres by the engine's projection (citytwin.geo): within a centimetre (7 decimals of a degree
    # are ~1 cm), and as far from the origin as the haversine distance on a 6371 km sphere says (to 0.5 %)
    for f in layers["device"]:
        lon, lat = f["geometry"]["coordinates"]
        x, y = citytwin.geo.to_local_m((lat0, lon0), lat, lon)
        haversine = 2 * R_EARTH * math.asin(math.sqrt(
            math.sin(math.radians(lat - lat0) / 2) ** 2 +
            math.cos(math.radians(lat0)) * math.cos(math.radians(lat)) * math.sin(math.radians(lon - lon0) / 2) ** 2))
        assert math.hypot(x, y) == pytest.approx(haversine, rel=5e-3, abs=0.05)
        assert x == pytest.approx(f["properties"]["x_m"], abs=0.02)
        assert y == pytest.approx(f["properties"]["y_m"], abs=0.02)
    rings = {f["properties"]["name"]: np.array(f["geometry"]["coordinates"][0]) for f in layers["district"]}
    for f in layers["device"]:
        ring = rings[f["properties"]["district"]]
        lon, lat = f["geometry"]["coordinates"]
        assert ring[:, 0].min() <= lon <= ring[:, 0].max() and ring[:, 1].min() <= lat <= ring[:, 1].max()
    by_district = result.by_district
    for f in layers["district"]:
        assert f["properties"]["uplinks_sent"] == by_district.loc[f["properties"]["name"], "uplinks_sent"]
    with pytest.raises(ValueError, match="latitude"):
        result.to_geojson(tmp_path / "bad.geojson", origin=(126.9, 37.5))  # swapped


def test_geojson_without_an_origin_is_refused_and_says_how_to_give_one(result, tmp_path):
    """RFC 7946 coordinates are WGS 84 longitude/latitude: metres written in their place are not GeoJSON."""
    assert result.origin is None
    with pytest.raises(ValueError) as refused:
        result.to_geojson(tmp_path / "city.geojson")
    for how in ("RFC 7946", "city: {origin: {lat:", "origin=(lat, lon)", "local_metres=True"):
        assert how in str(refused.value)
    assert not (tmp_path / "city.geojson").exists()
    with pytest.raises(ValueError, match="an origin is given"):
        result.to_geojson(tmp_path / "city.geojson", origin=(50.0, 8.27), local_metres=True)


def test_geojson_in_local_metres_is_an_explicit_choice_and_says_it_is_not_rfc_7946(result, tmp_path):
    collection = json.loads(Path(result.to_geojson(tmp_path / "local.geojson", local_metres=True)).read_text())
    assert collection["crs_note"].startswith("not RFC 7946")
    devices = [f for f in collection["features"] if f["properties"]["layer"] == "device"]
    assert len(devices) == 60
    for f in devices:
        assert f["geometry"]["coordinates"] == [round(f["properties"]["x_m"], 3), round(f["properties"]["y_m"], 3)]
