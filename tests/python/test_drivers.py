"""Drivers seen from Python: /drivers as result.drivers (xarray, the same as xarray.open_dataset with
h5netcdf), a rain gauge reporting on drivers.rainfall, and the bathtub flood cutting the low district's
gateway after its backup while the high district keeps power."""
import numpy as np
import pytest
import xarray as xr

import citytwin

SCENARIO = """
city:
  districts:
    - {name: low, origin: [0 m, 0 m], size: [1 km, 1 km]}
    - {name: high, origin: [1 km, 0 m], size: [1 km, 1 km]}
devices:
  - {name: meters, count: 20, districts: [low, high], interval: 5 min, radio: {sf: 7, duty_cycle: false}}
  - {name: rain, type: rain_gauge, count: 4, districts: [low, high], radio: {sf: 7, duty_cycle: false},
     confirmed: false}
gateways:
  - {name: gw-low, position: [500 m, 500 m], backup: 30 min}
  - {name: gw-high, position: [1500 m, 500 m]}
drivers:
  river_level: {points: [[0 h, 5 m], [10 h, 15 m], [20 h, 5 m]], interpolation: linear}
  rainfall:
    points: [[0 h, 0 mm/h], [2 h, 0 mm/h], [3 h, 20 mm/h], [4 h, 0 mm/h]]
    interpolation: linear
  flood: {elevation: {low: 10 m, high: 30 m}}
run: {duration: 20 h, seed: 4}
"""


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    out = tmp_path_factory.mktemp("drivers") / "flood.h5"
    return citytwin.run(SCENARIO, out=out, progress=False), out


def test_drivers_are_an_xarray_dataset_with_units(result):
    r, out = result
    d = r.drivers
    assert list(d.district.values) == ["low", "high"]
    assert d.river_level.dims == ("t_s",) and d.river_level.units == "m"
    assert d.rainfall.units == "mm/h"
    assert d.inundation_depth.dims == ("t_s", "district") and d.inundation_depth.units == "m"
    assert float(d.t_s[0]) == 0.0 and float(d.t_s[-1]) == 20 * 3600
    # The curves as the run used them: the hydrograph's points, the depth above 10 m in low only.
    at = lambda t: d.sel(t_s=t)  # noqa: E731
    assert float(at(5 * 3600).river_level) == pytest.approx(10.0)
    assert float(at(10 * 3600).inundation_depth.sel(district="low")) == pytest.approx(5.0)
    assert float(d.inundation_depth.sel(district="high").max()) == 0.0
    # The same as netCDF readers see it, without citytwin.
    with xr.open_dataset(out, group="drivers", engine="h5netcdf") as nc:
        np.testing.assert_array_equal(nc.t_s.values, d.t_s.values)
        np.testing.assert_array_equal(nc.inundation_depth.values, d.inundation_depth.values)
        assert nc.inundation_depth.attrs["units"] == "m"


def test_the_low_gateway_goes_off_after_its_backup_and_the_high_one_stays_on(result):
    r, _ = result
    m = r.messages_frame()
    down = m[m.fail_reason.astype(str) == "gateway_down"]
    assert len(down) > 0
    # Flooded at 5 h, 30 min of backup: off from 5.5 h until the water leaves at 15 h.
    assert down.t_tx_s.min() >= 5.5 * 3600
    assert down.t_tx_s.max() < 15 * 3600
    assert set(down.district) == {"low"}
    high = m[m.district == "high"]
    assert (high.fail_reason.astype(str) != "gateway_down").all()


def test_rain_gauges_report_on_the_rain(result):
    r, _ = result
    m = r.messages_frame()
    rain = m[m.population == "rain"].sort_values("t_tx_s")
    # Every 10 min below 7.6 mm/h, every minute above it (the rain passes 7.6 mm/h from 2.38 h to 3.62 h).
    above = rain[(rain.t_tx_s > 2.5 * 3600) & (rain.t_tx_s < 3.5 * 3600)]
    below = rain[(rain.t_tx_s > 6 * 3600) & (rain.t_tx_s < 7 * 3600)]
    assert len(above) > 4 * 50  # four gauges, ~60 reports an hour each
    assert len(below) <= 4 * 7


def test_a_depth_given_directly_cuts_power_and_drowns_devices_as_the_bathtub_does():
    # The bathtub's depth in low (the gauge above 10 m), given as a hydraulic model's output would be.
    base = SCENARIO.replace("interval: 5 min,", "interval: 5 min, mounting: ground,")
    # The river goes with the flood: with the depth given nothing here reads it (kept, that is said).
    river = "  river_level: {points: [[0 h, 5 m], [10 h, 15 m], [20 h, 5 m]], interpolation: linear}\n"
    given = base.replace("  flood: {elevation: {low: 10 m, high: 30 m}}\n",
                         "  inundation_depth:\n"
                         "    points: [[0 h, 0 m], [5 h, 0 m], [10 h, 5 m], [15 h, 0 m]]\n"
                         "    districts: [low]\n")
    assert given != base and river in given
    with pytest.warns(citytwin.ScenarioWarning, match=r"drivers\.river_level: warning: ignored: nothing in the run "
                      r"reads river_level"):
        citytwin.validate(given)
    given = given.replace(river, "")
    bathtub = citytwin.run(base, progress=False)
    direct = citytwin.run(given, progress=False)
    assert direct.warnings == bathtub.warnings == []
    # The low meters drown (past 0.3 m at 5.3 h), the gateway goes off after its backup, as in the bathtub.
    assert direct.kpi["devices_dead"] == bathtub.kpi["devices_dead"] > 0
    a, b = bathtub.messages_frame(), direct.messages_frame()
    for column in ("device", "t_tx_s", "gateways_heard", "delivered"):
        np.testing.assert_array_equal(a[column].values, b[column].values)
    np.testing.assert_array_equal(a.fail_reason.astype(str).values, b.fail_reason.astype(str).values)
    # gw-low is off from 5.5 h (30 min of backup) until the water leaves at 15 h: only gw-high hears low.
    low = b[b.district == "low"]
    off = low[(low.t_tx_s >= 5.5 * 3600) & (low.t_tx_s < 15 * 3600)]
    assert len(off) > 0 and (off.gateways_heard <= 1).all()
    assert (low[low.t_tx_s < 5 * 3600].gateways_heard == 2).any()
    cuts_a, cuts_b = bathtub.kpi_tables["power_outages"], direct.kpi_tables["power_outages"]
    assert cuts_a.equals(cuts_b) and cuts_b["from_flood"].tolist() == [1]
