"""Reading a trace back: the Result describes the run that was made, not today's files. The districts come
from the scenario text kept in the trace (its data files from the original scenario's folder), r.scenario
runs again from any directory, citytwin.read() gives a Result whose every method works without the file,
device_kpis() keeps memory per device, not per row, the outage windows are those the run lived through,
and a run without failures or alerts still has their typed columns."""
import json
import os
import shutil
import threading
import tracemalloc
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import citytwin  # noqa: E402
import citytwin._device_kpis as device_kpis_module  # noqa: E402
import citytwin.plot as ctp  # noqa: E402
from support import QUICKSTART, SOURCE  # noqa: E402

SCENARIOS = SOURCE / "scenarios"


def run(scenario, **kwargs):
    """citytwin.run without a progress bar and without the scenarios' own warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", citytwin.ScenarioWarning)
        return citytwin.run(scenario, **{"progress": False, **kwargs})


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def flood(tmp_path_factory):
    """flood_outage.yaml over 6 h: a power cut from 5 h to 11 h and a PON failure from 8 h to 9 h, so one
    window ends after the run and one starts after it."""
    out = tmp_path_factory.mktemp("flood") / "fo.h5"
    run(SCENARIOS / "flood_outage.yaml", out=out, overrides={"run.duration": "6 h"})
    return out


# --- the scenario that was run --------------------------------------------------------------------------

def test_districts_are_those_of_the_run_not_of_the_file_as_it_is_now(tmp_path):
    scenario = tmp_path / "myq.yaml"
    shutil.copy(QUICKSTART, scenario)
    out = tmp_path / "myq.h5"
    r = run(scenario, out=out, overrides={"run.duration": "10 min"})
    before = r.districts
    assert list(before["name"]) == ["old_town", "riverbank", "market", "harbour"]
    # The scenario file is edited after the run: a district renamed and resized.
    scenario.write_text(scenario.read_text().replace("old_town", "altstadt")
                        .replace("size: [1.5 km, 1 km]", "size: [1.2 km, 1 km]", 1))
    with citytwin.open(out) as o:
        pd.testing.assert_frame_equal(o.districts, before)
        assert list(o.districts["name"]) == list(o.by_district.index)  # the map and the KPIs agree
        assert o.scenario["city.districts.0.name"] == "old_town"
    # ... or broken: the trace still knows its districts.
    scenario.write_text("city: [broken")
    with citytwin.open(out) as o:
        pd.testing.assert_frame_equal(o.districts, before)


def test_a_scenario_with_a_data_file_runs_again_from_any_directory(tmp_path, monkeypatch):
    # The scenario and its districts GeoJSON in their own folder, run by a relative path from tmp_path.
    folder = tmp_path / "city"
    folder.mkdir()
    shutil.copy(SCENARIOS / "lindenau_map.yaml", folder)
    shutil.copy(SCENARIOS / "lindenau_districts.geojson", folder)
    (tmp_path / "out").mkdir()
    monkeypatch.chdir(tmp_path)
    r = run("city/lindenau_map.yaml", out="out/lin.h5", overrides={"run.duration": "10 min"})
    assert r.scenario.source == "city/lindenau_map.yaml"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # where neither the scenario nor its GeoJSON is
    with citytwin.open(tmp_path / "out" / "lin.h5") as o:
        assert list(o.districts["name"]) == ["altstadt", "hafen", "nordufer"]
        assert o.origin == (50.0, 8.27)
        sc = o.scenario
        assert os.path.isabs(sc["city.districts_geojson.file"])
        assert sc.overrides == ["run.duration=10 min"]
        again = run(sc)
        assert again.kpi == o.kpi
        pd.testing.assert_frame_equal(again.districts, o.districts)


def test_a_missing_data_file_is_said_clearly(tmp_path):
    folder = tmp_path / "city"
    folder.mkdir()
    shutil.copy(SCENARIOS / "lindenau_map.yaml", folder)
    shutil.copy(SCENARIOS / "lindenau_districts.geojson", folder)
    out = tmp_path / "lin.h5"
    run(folder / "lindenau_map.yaml", out=out, overrides={"run.duration": "10 min"})
    (folder / "lindenau_districts.geojson").unlink()
    with citytwin.open(out) as o:
        with pytest.raises(ValueError, match=f"scenario kept in the trace.*looked for in {folder}"):
            o.districts


# --- citytwin.read --------------------------------------------------------------------------------------

def test_read_gives_a_result_whose_every_method_works_without_the_file(flood, tmp_path):
    r = citytwin.read(flood)
    assert r._file is None  # read() closed the file: what follows comes from memory
    with citytwin.open(flood) as o:
        assert r.meta == o.meta and r.kpi == o.kpi and r.warnings == o.warnings
        assert r.message_count == o.message_count > 0
        pd.testing.assert_frame_equal(r.read_messages(["device", "t_tx_s"], slice(10, 20)),
                                      o.read_messages(["device", "t_tx_s"], slice(10, 20)))
        chunks = list(r.iter_messages(50_000, columns=["device"]))
        assert sum(len(c) for c in chunks) == o.message_count and chunks[1].index[0] == 50_000
        frame = r.messages_frame()
        assert len(frame) == o.message_count
        pd.testing.assert_frame_equal(frame.tail(500), o.messages_frame().tail(500))
        for table in ("messages", "devices", "gateways", "kpi/by_district", "/kpi/failures", "timeseries"):
            pd.testing.assert_frame_equal(r.columns(table), o.columns(table))
        pd.testing.assert_frame_equal(r.device_kpis(), o.device_kpis())
        for name in ("by_district", "by_type", "failures", "alerts", "outages", "devices", "gateways",
                     "districts"):
            pd.testing.assert_frame_equal(getattr(r, name), getattr(o, name), obj=name)
        assert r.by_access_point is None or r.by_access_point.equals(o.by_access_point)
        assert r.timeseries.equals(o.timeseries)
        assert (r.drivers is None and o.drivers is None) or r.drivers.equals(o.drivers)
        assert r.origin == o.origin and r.scenario == o.scenario and r.simulated_s == o.simulated_s
    with pytest.raises(KeyError, match="no table"):
        r.columns("kpi/nothing")
    assert r.plot_map().get_xlabel() == "x (m)"
    assert "uplinks" in ctp.outcomes(r).get_ylabel()
    assert ctp.district_bars(r).get_xlabel() == "district"
    assert "utilisation" in ctp.timeseries(r).get_ylabel()
    path = r.to_geojson(tmp_path / "fo.geojson", origin=(50.0, 8.27))
    assert len(json.loads(open(path).read())["features"]) > len(r.devices)
    assert "INCOMPLETE" not in repr(r)


# --- device_kpis ----------------------------------------------------------------------------------------

def whole_table_device_kpis(r):
    """device_kpis as it was computed before: every row of /messages in one DataFrame, grouped."""
    m = r.read_messages(["device", "delivered", "t_tx_s", "t_delivered_s", "battery_mah_left"])
    m["latency_s"] = np.where(m["delivered"] > 0, m["t_delivered_s"] - m["t_tx_s"], np.nan)
    g = m.groupby("device")
    out = pd.DataFrame({"uplinks": g.size(), "delivered": g["delivered"].sum()})
    out["delivery_ratio"] = out["delivered"] / out["uplinks"]
    out["latency_p50_s"] = g["latency_s"].median()
    out["latency_p95_s"] = g["latency_s"].quantile(0.95)
    out["battery_mah_left"] = g["battery_mah_left"].last()
    out = out.reindex(r.devices["id"].to_numpy())
    out.index.name = "id"
    out[["uplinks", "delivered"]] = out[["uplinks", "delivered"]].fillna(0).astype("int64")
    return out


@pytest.fixture(scope="module")
def busy(tmp_path_factory):
    """quickstart over a day with 1,000 parking sensors: about 300,000 /messages rows."""
    out = tmp_path_factory.mktemp("busy") / "busy.h5"
    run(QUICKSTART, out=out, overrides={"devices.1.count": 1000})
    return out


def test_device_kpis_equal_the_whole_table_computation(flood):
    with citytwin.open(flood) as r:
        pd.testing.assert_frame_equal(r.device_kpis(), whole_table_device_kpis(r), check_exact=True)


def test_device_kpis_keep_memory_per_device_not_per_row(busy, monkeypatch):
    # Chunks of 40,000 rows and at most 60,000 latencies at a time: the percentiles are read in several
    # passes over groups of devices, and come out the same.
    monkeypatch.setattr(device_kpis_module, "_KPI_CHUNK_ROWS", 40_000)
    monkeypatch.setattr(device_kpis_module, "_KPI_LATENCY_ROWS", 60_000)
    with citytwin.open(busy) as r:
        rows = r.message_count
        assert rows > 200_000
        r.devices
        tracemalloc.start()
        try:
            got = r.device_kpis()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        # The five columns read are 33 bytes a row, all of which the whole-table computation held (with
        # its copies, about 100 a row): what is kept here is the per-device sums, one chunk and the
        # latencies of one group of devices, less than the columns themselves (about 15 a row here).
        assert peak < 33 * rows, (peak, rows)
        pd.testing.assert_frame_equal(got, whole_table_device_kpis(r), check_exact=True)


# --- the windows the run lived through ------------------------------------------------------------------

def test_outages_are_clipped_to_the_run(flood):
    with citytwin.open(flood) as r:
        assert r.simulated_s == 21600.0
        # The scenario's PON failure at 8 h began after the run's 6 h: it did nothing and is not a row of
        # /kpi/failures (which keeps the failures of the run, the rows /messages/failure refers to).
        assert r.failures.empty and list(r.failures.columns[:3]) == ["target", "start_s", "end_s"]
        windows = r.outages
        assert list(windows["kind"]) == ["power_cut"]  # the PON failure at 8 h is after the run's 6 h
        assert list(windows["start_s"]) == [18000.0] and list(windows["end_s"]) == [21600.0]
        assert list(windows["duration_s"]) == [3600.0]


def test_a_run_stopped_early_knows_where_it_stopped(tmp_path):
    stop = threading.Event()

    def progress(p):
        if p.sim_s >= 3600.0:
            stop.set()

    r = run(QUICKSTART, out=tmp_path / "stopped.h5", stop=stop, progress=progress,
            overrides={"devices.1.count": 4000})
    assert not r.complete and r.meta["duration_s"] == 86400.0
    last = float(r.read_messages(["t_tx_s"])["t_tx_s"].max())
    assert 3600.0 <= r.simulated_s < 86400.0
    # A report due before the end starts its frame after its device's wake-up (well under a second).
    assert r.simulated_s + 1.0 >= last and r.simulated_s >= float(r.timeseries["t_s"].max())
    assert (r.outages["end_s"] <= r.simulated_s).all()
    assert citytwin.read(r.path).simulated_s == r.simulated_s


# --- empty tables ---------------------------------------------------------------------------------------

def test_empty_failures_and_alerts_have_the_typed_columns(tmp_path):
    quiet = run(QUICKSTART, overrides={"run.duration": "10 min"})
    assert "failures" not in quiet.kpi_tables and "alerts" not in quiet.kpi_tables
    run(SCENARIOS / "flood_outage.yaml", out=tmp_path / "full.h5", overrides={"run.duration": "10 h"})
    with citytwin.open(tmp_path / "full.h5") as full:
        assert len(full.failures) and len(full.alerts)
        for name in ("failures", "alerts"):
            empty, typed = getattr(quiet, name), getattr(full, name)
            assert len(empty) == 0, name
            pd.testing.assert_series_equal(empty.dtypes, typed.dtypes[:len(empty.columns)], obj=name)
            assert list(empty.columns) == list(typed.columns)[:len(empty.columns)], name
        assert list(quiet.failures.columns) == list(full.failures.columns)
    assert len(quiet.outages) == 0 and quiet.outages["duration_s"].dtype == np.float64


# --- reduced trace levels -------------------------------------------------------------------------------

def test_a_summary_trace_exports_what_it_has_and_says_what_is_missing(tmp_path):
    r = run(QUICKSTART, overrides={"run.duration": "10 min", "run.trace": "summary"})
    with pytest.raises(ValueError, match="run.trace: summary") as error:
        r.device_kpis()
    assert not str(error.value).startswith("None")  # a temporary trace is named as such
    with pytest.warns(UserWarning, match="run.trace: summary"):
        path = r.to_geojson(tmp_path / "summary.geojson", local_metres=True)
    collection = json.loads(open(path).read())
    layers = pd.Series([f["properties"]["layer"] for f in collection["features"]]).value_counts()
    assert layers["device"] == len(r.devices) and layers["gateway"] == len(r.gateways)
    assert layers["district"] == len(r.districts)
    assert "summary" in collection["trace_note"]
    district = next(f for f in collection["features"] if f["properties"]["layer"] == "district")
    assert district["properties"]["uplinks_sent"] > 0  # by_district is complete at every level


def test_a_sampled_trace_has_device_kpis_for_the_sampled_devices_only(tmp_path):
    r = run(QUICKSTART, out=tmp_path / "sample.h5",
            overrides={"run.duration": "1 h", "run.trace": "sample", "run.trace_every": 4})
    k = r.device_kpis()
    ids = r.devices["id"].to_numpy()
    assert list(k.index) == list(ids[ids % 4 == 0])
    assert (k["uplinks"] > 0).all()  # every sampled device sent: none looks silent
    with pytest.warns(UserWarning, match="run.trace: sample"):
        path = r.to_geojson(tmp_path / "sample.geojson", local_metres=True)
    devices = [f["properties"] for f in json.loads(open(path).read())["features"]
               if f["properties"]["layer"] == "device"]
    assert len(devices) == len(ids)
    assert all((d["uplinks"] is None) == (d["id"] % 4 != 0) for d in devices)
