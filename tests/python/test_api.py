"""The notebook API: Scenario (file, YAML, dict; key paths; append), Result and citytwin.open (tables as
DataFrames, timeseries as xarray, messages by chunk), the self-describing trace (enumerations, integer
counts, units, a netCDF time coordinate), the catalogue and a clean namespace."""
import json
import subprocess

import h5py
import numpy as np
import pandas as pd
import pytest
import yaml

import citytwin
from support import CLI, QUICKSTART, SMALL, SOURCE, assert_xarray_opens_every_table

FLOOD = SOURCE / "scenarios" / "flood_outage.yaml"


# --- Scenario ---------------------------------------------------------------------------------------

def test_scenario_from_dict_equals_from_yaml_and_runs_the_same():
    from_yaml = citytwin.Scenario.from_yaml(SMALL)
    from_dict = citytwin.Scenario.from_dict(yaml.safe_load(SMALL))
    assert from_dict == from_yaml
    assert citytwin.Scenario.from_yaml(from_dict.to_yaml()) == from_yaml
    a, b = citytwin.run(from_yaml), citytwin.run(yaml.safe_load(SMALL))  # a plain dict is a scenario too
    assert a.kpi == b.kpi
    pd.testing.assert_frame_equal(a.messages, b.messages)


def test_scenario_get_set_and_append_paths():
    sc = citytwin.Scenario.from_yaml(SMALL)
    assert sc["devices.0.interval"] == "5 min" and sc["devices[0].count"] == 50
    sc["devices.0.interval"] = "1 min"
    sc["run.seed"] = 9
    sc.append("gateways", {"name": "gw2", "position": ["200 m", "500 m"]})
    sc["gateways[+]"] = {"name": "gw3", "position": ["1.8 km", "500 m"]}
    sc["gateways[2].name"] = "gw3b"
    assert [g["name"] for g in sc["gateways"]] == ["gw", "gw2", "gw3b"]
    assert sc.overrides[0] == "devices.0.interval=1 min"
    assert sc.quantity("devices.0.interval") == 60.0 and sc.quantity("devices.0.interval", "ms") == 60_000.0
    assert sc.quantity("city.districts.1.size.0", "m") == 1000.0
    with pytest.raises(ValueError, match="not convertible"):
        sc.quantity("devices.0.interval", "km")
    with pytest.raises(KeyError, match="devices"):
        sc["devicez.0.interval"]
    with pytest.raises(KeyError, match="out of range"):
        sc["devices.3.count"] = 1
    # The edits reach the simulation: three gateways, reports every minute, seed 9.
    r = sc.run()
    assert r.seed == 9 and len(r.gateways) == 3
    assert r.kpi["uplinks_sent"] == pytest.approx(50 * 60, rel=0.05)
    assert r.scenario == sc  # the trace's scenario text + overrides give back the same scenario


def test_scenario_from_file_keeps_file_lines_in_errors(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(SMALL.replace("interval: 5 min", "interval: 5 parsecs"))
    sc = citytwin.Scenario.from_file(path)
    with pytest.raises(citytwin.ScenarioError, match=f"{path}:6:.*devices\\[0\\].interval"):
        sc.validate()
    sc["devices.0.interval"] = "5 min"
    sc.validate()  # the edit is applied on top of the file
    sc["gateways[+]"] = {"name": "gw2", "position": ["1 km", "2 km"], "antenna_gain": "x"}
    with pytest.raises(citytwin.ScenarioError, match=r"^sc\[\"gateways\[\+\]\"\] = \{'name': 'gw2', "):
        sc.validate()


def test_scenario_from_yaml_errors_name_the_source_given(tmp_path, monkeypatch):
    bad = SMALL.replace("interval: 5 min", "interval: 5 parsecs")
    sc = citytwin.Scenario.from_yaml(bad, source="x.yaml")
    where = r"^x\.yaml:6:\d+: devices\[0\]\.interval"
    with pytest.raises(citytwin.ScenarioError, match=where):
        sc.validate()
    with pytest.raises(citytwin.ScenarioError, match=where):  # the run's child loads it under that name too
        sc.run()
    with pytest.raises(citytwin.ScenarioError, match=where):
        citytwin._core.describe(bad, True, [], source_name="x.yaml")
    # The text stands for that file: its relative data files are found next to it, as for the file, and
    # the trace records the name.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "city").mkdir()
    (tmp_path / "city" / "gateways.csv").write_text("name,x,y\ngw,1 km,500 m\n")
    text = SMALL.replace("{name: gw, position: [1 km, 500 m]}", "{name: gw, place: {layout: csv, csv: gateways.csv}}")
    sc = citytwin.Scenario.from_yaml(text, source="city/x.yaml")
    assert sc.data_folder == str(tmp_path / "city")
    r = sc.run(overrides={"run.duration": "10 min"})
    assert r.meta["scenario_source"] == "city/x.yaml" and list(r.gateways["name"]) == ["gw"]


def test_run_overrides_accept_append_paths():
    r = citytwin.run(SMALL, overrides={"gateways[+]": {"name": "gw2", "position": ["300 m", "300 m"]}})
    assert list(r.gateways["name"]) == ["gw", "gw2"]


# --- Result and open --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def flood(tmp_path_factory):
    out = tmp_path_factory.mktemp("flood") / "flood.h5"
    r = citytwin.run(FLOOD, out=out, overrides={"run.duration": "12 h"})
    return r, out


def test_open_equals_the_result_of_the_run(flood):
    r, out = flood
    with citytwin.open(out) as o:
        assert o.kpi == r.kpi and o.complete and o.meta == r.meta
        pd.testing.assert_frame_equal(o.messages, r.messages)
        pd.testing.assert_frame_equal(o.by_type, r.by_type)
        pd.testing.assert_frame_equal(o.failures, r.failures)
        assert o.timeseries.equals(r.timeseries)
        expected = citytwin.Scenario.from_file(FLOOD)
        expected["run.duration"] = "12 h"
        assert o.scenario == r.scenario == expected
    with pytest.raises(ValueError, match="closed"):
        o.read_messages(["device"])


def test_every_kpi_table_is_a_dataframe_with_typed_columns(flood):
    r, _ = flood
    for name in ("by_district", "by_type", "failures", "alerts"):
        assert name in r.kpi_tables and isinstance(r.kpi_tables[name], pd.DataFrame)
    assert isinstance(r.by_district, pd.DataFrame) and r.by_district.index.name == "district"
    assert r.by_type.index.name == "type"
    assert r.by_type["devices"].dtype == np.int64 and r.by_district["uplinks_sent"].dtype == np.int64
    assert r.failures["uplinks_lost"].dtype == np.int64
    assert set(r.by_type["radio"].cat.categories) >= {"lorawan", "wifi"}
    assert r.by_district["devices"].sum() == r.kpi["devices"] and isinstance(r.kpi["devices"], int)
    windows = r.outages
    assert list(windows.columns[:4]) == ["kind", "target", "start_s", "end_s"]
    assert (windows["duration_s"] > 0).all() and (windows["kind"] == "failure").sum() == len(r.failures)
    # The scenario's power cut (riverside, 5-11 h) is in the trace (/kpi/power_outages), as a window.
    cuts = windows[windows["kind"] == "power_cut"]
    assert list(cuts["target"]) == ["riverside"] and list(cuts["start_s"]) == [5 * 3600.0]
    assert list(cuts["end_s"]) == [11 * 3600.0]
    assert r.kpi_tables["power_outages"]["from_flood"].tolist() == [0]


def test_messages_categoricals_and_chunks(flood):
    r, out = flood
    m = r.messages
    assert m["fail_reason"].dtype == "category" and m["radio"].dtype == "category"
    assert list(m["fail_reason"].cat.categories) == list(citytwin.FAIL_REASONS.values())
    assert ((m["fail_reason"] == "none") == (m["delivered"] == 1)).all()
    assert (m["fail_reason"] == "gateway_down").sum() == r.kpi["lost_gateway_down"] > 0
    with citytwin.open(out) as o:
        part = o.read_messages(columns=["device", "fail_reason"], rows=slice(100, 200))
        assert list(part.columns) == ["device", "fail_reason"] and len(part) == 100
        assert (part["fail_reason"].to_numpy() == m["fail_reason"].iloc[100:200].to_numpy()).all()
        chunks = list(o.iter_messages(chunk_rows=10_000, columns=["t_tx_s"]))
        assert all(len(c) <= 10_000 for c in chunks) and len(chunks) > 1
        np.testing.assert_array_equal(pd.concat(chunks)["t_tx_s"], m["t_tx_s"])


def test_timeseries_is_an_xarray_dataset_over_time_and_link(flood):
    r, out = flood
    ts = r.timeseries
    assert "t_s" in ts.coords and ts.sizes["t_s"] > 1
    assert np.all(np.diff(ts["t_s"].values) > 0)
    assert "network_server" in ts.data_vars and ts["network_server"].attrs["description"]
    assert ts["network_server"].dims == ("t_s",)
    assert ts["utilisation"].dims == ("t_s", "link") and ts["capacity_bytes_per_s"].dims == ("link",)
    assert ts["capacity_bytes_per_s"].attrs["units"] == "B/s"
    links = list(ts["link"].values)
    assert links and all(isinstance(link, str) for link in links) and "pon:pon-centre" in links
    with h5py.File(out, "r") as f:
        np.testing.assert_array_equal(ts["utilisation"].sel(link="pon:pon-centre").values,
                                      f["timeseries/utilisation"][:, links.index("pon:pon-centre")])
    assert float(ts["utilisation"].max()) > 0.0


def test_schema_version_2_timeseries_reads_to_the_same_dataset(flood, tmp_path):
    """A version-2 trace kept one /timeseries column per wired link; it reads to schema 3's Dataset."""
    r, out = flood
    old = tmp_path / "v2.h5"
    with h5py.File(out, "r") as src, h5py.File(old, "w") as dst:
        meta = dst.create_group("meta")
        for name, value in src["meta"].attrs.items():
            meta.attrs[name] = value
        meta.attrs["schema_version"] = 2
        ts = dst.create_group("timeseries", track_order=True)  # as the writer made it
        ts["t_s"] = src["timeseries/t_s"][:]
        for i, link in enumerate(src["timeseries/link"].asstr()[:]):
            ts[link] = src["timeseries/utilisation"][:, i]
        ts["network_server"] = src["timeseries/network_server"][:]
    with citytwin.open(old) as o:
        assert o.schema_version == 2
        xr_ts, new = o.timeseries, r.timeseries
        assert xr_ts["utilisation"].dims == ("t_s", "link")
        assert list(xr_ts["link"].values) == list(new["link"].values)
        np.testing.assert_array_equal(xr_ts["utilisation"].values, new["utilisation"].values)
        np.testing.assert_array_equal(xr_ts["network_server"].values, new["network_server"].values)
        assert "capacity_bytes_per_s" not in xr_ts


# --- the trace without citytwin --------------------------------------------------------------------

def test_xarray_opens_timeseries_with_h5netcdf_alone(flood):
    import xarray as xr

    r, out = flood
    with xr.open_dataset(out, group="timeseries", engine="h5netcdf") as ds:
        assert "t_s" in ds.coords and ds["t_s"].dims == ("t_s",)
        assert "link" in ds.coords and ds["link"].dims == ("link",)
        assert ds["utilisation"].dims == ("t_s", "link") and ds["network_server"].dims == ("t_s",)
        assert ds["capacity_bytes_per_s"].dims == ("link",)
        with h5py.File(out, "r") as f:
            np.testing.assert_array_equal(ds["t_s"].values, f["timeseries/t_s"][:])
            np.testing.assert_array_equal(ds["network_server"].values, f["timeseries/network_server"][:])
            assert list(ds["link"].values) == list(f["timeseries/link"].asstr()[:])
        xr.testing.assert_equal(ds["utilisation"], r.timeseries["utilisation"])


def test_xarray_opens_every_table_over_its_key_without_phony_dims(flood, tmp_path):
    import xarray as xr

    _, out = flood
    groups = assert_xarray_opens_every_table(out)
    assert {"messages", "devices", "gateways", "kpi/by_district", "kpi/failures", "meta"} <= set(groups)
    with xr.open_dataset(out, group="messages", engine="h5netcdf") as m, h5py.File(out, "r") as f:
        assert m["device"].dims == ("t_tx_s",) and bool((m["t_tx_s"].diff("t_tx_s") >= 0).all())
        hour = m.sel(t_tx_s=slice(3600.0, 7200.0))
        t = f["messages/t_tx_s"][()]
        assert hour.sizes["t_tx_s"] == np.count_nonzero((t >= 3600.0) & (t <= 7200.0)) > 0
    with xr.open_dataset(out, group="kpi/by_district", engine="h5netcdf") as d, citytwin.open(out) as r:
        assert d["delivery_ratio"].dims == ("district",)
        # The key is text (str, not bytes): a district is selected by its name.
        row = r.kpi_tables["by_district"].set_index("district").iloc[0]
        assert float(d["delivery_ratio"].sel(district=row.name)) == row["delivery_ratio"]
    # A trace with no message rows (a summary trace: /messages created, never appended to) opens too.
    summary = tmp_path / "summary.h5"
    citytwin.run(FLOOD, out=summary, overrides={"run.duration": "2 h", "run.trace": "summary"})
    assert_xarray_opens_every_table(summary)


def test_h5py_shows_enum_names_units_and_integer_counts(flood):
    _, out = flood
    with h5py.File(out, "r") as f:
        assert f["meta"].attrs["schema_version"] == 3
        reasons = h5py.check_enum_dtype(f["messages/fail_reason"].dtype)
        assert reasons == {name: value for value, name in citytwin.FAIL_REASONS.items()}
        assert reasons["gateway_down"] == 8
        assert h5py.check_enum_dtype(f["messages/radio"].dtype) == {"lorawan": 0, "nbiot": 1, "wifi": 2}
        assert h5py.check_enum_dtype(f["kpi/by_type/radio"].dtype)["mixed"] == -1
        assert f["kpi/by_district/devices"].dtype.kind == "i"
        assert f["kpi"].attrs["uplinks_sent"].dtype.kind == "i"
        assert f["kpi"].attrs["delivery_ratio"].dtype.kind == "f"
        for table in ("by_district", "by_type", "failures", "alerts"):
            for name, ds in f["kpi"][table].items():
                assert ds.attrs["description"] and not ds.attrs["description"].startswith("KPI "), (table, name)
        assert f["kpi/by_type/latency_p95_s"].attrs["units"] == "s"
        assert f["kpi/by_type/energy_per_day_mah"].attrs["units"] == "mAh/day"


def test_schema_version_1_traces_still_read(flood, tmp_path):
    """A version-1 trace (plain u1 codes, f8 counts) reads to the same tables."""
    r, out = flood
    old = tmp_path / "v1.h5"
    with h5py.File(out, "r") as src, h5py.File(old, "w") as dst:
        for key in ("devices", "gateways", "messages", "kpi"):
            src.copy(key, dst)
        # (h5py's copy of /meta, H5Ocopy, crashes HDF5 1.10.8 on its variable-length string attributes)
        meta = dst.create_group("meta")
        for name, value in src["meta"].attrs.items():
            meta.attrs[name] = value
        meta.attrs["schema_version"] = 1
        for col in ("fail_reason", "radio"):
            values = src["messages"][col][:].astype(np.uint8)
            del dst["messages"][col]
            dst["messages"][col] = values
        for name in ("devices", "uplinks_sent"):
            values = src["kpi/by_district"][name][:].astype(np.float64)
            del dst["kpi/by_district"][name]
            dst["kpi/by_district"][name] = values
    with citytwin.open(old) as o:
        assert o.schema_version == 1
        assert (o.messages["fail_reason"].astype(str) == r.messages["fail_reason"].astype(str)).all()
        assert (o.messages["radio"].astype(str) == r.messages["radio"].astype(str)).all()
        assert (o.by_district["devices"] == r.by_district["devices"]).all()


# --- catalogue, codes, namespace, CLI -----------------------------------------------------------------

def test_catalogue_and_fail_reasons():
    cat = citytwin.catalogue()
    assert {"radio", "interval_s", "payload_bytes", "battery_mah"} <= set(cat.columns)
    assert cat.loc["water_meter", "radio"] in {"lorawan", "nbiot"} and cat["interval_s"].gt(0).all()
    assert citytwin.FAIL_REASONS[0] == "none" and citytwin.FAIL_REASONS[10] == "server_down"
    out = subprocess.run([CLI, "catalogue", "--json"], capture_output=True, text=True, check=True).stdout
    assert [t["name"] for t in json.loads(out)] == list(cat.index)
    text = subprocess.run([CLI, "catalogue"], capture_output=True, text=True, check=True).stdout
    assert "water_meter" in text
    # A camera is a stream at its bitrate, not reports of 1316 B every 2.6 ms.
    camera = next(line.split() for line in text.splitlines() if line.startswith("cctv_camera"))
    assert camera[2:5] == ["stream", "4", "Mbps"], camera


def test_describe_gives_a_stream_its_rate_not_an_interval():
    # A camera streams at its bitrate; the 900 s report interval it carries by default meant nothing.
    cctv = SOURCE / "scenarios" / "wifi_cctv.yaml"
    d = json.loads(subprocess.run([CLI, "describe", str(cctv), "--json"], capture_output=True, text=True,
                                  check=True).stdout)
    pops = {p["name"]: p for p in d["devices"]}
    assert pops["plaza_cameras"]["stream_bps"] == 4e6 and pops["plaza_cameras"]["interval_s"] is None
    assert pops["market_cams"]["stream_bps"] == 6e6 and pops["market_cams"]["interval_s"] is None
    assert pops["parking"]["interval_s"] > 0 and pops["parking"]["stream_bps"] is None
    text = subprocess.run([CLI, "describe", str(cctv)], capture_output=True, text=True, check=True).stdout
    assert "  plaza_cameras: 5 Wi-Fi streams of 4 Mbit/s (20 Mbit/s in all)" in text.splitlines()
    assert "  market_cams: 5 Wi-Fi streams of 6 Mbit/s (30 Mbit/s in all)" in text.splitlines()
    assert "parking:" not in text  # reports: no stream line


def test_cli_json_outputs(tmp_path):
    d = json.loads(subprocess.run([CLI, "describe", str(QUICKSTART), "--json"], capture_output=True, text=True,
                                  check=True).stdout)
    assert d["districts"] and sum(p["count"] for p in d["devices"]) > 0 and d["gateways"]
    out = tmp_path / "q.h5"
    res = subprocess.run([CLI, "run", str(QUICKSTART), "-q", "--json", "-o", str(out), "--set", "run.duration=1 h"],
                         capture_output=True, text=True, check=True)
    s = json.loads(res.stdout)
    assert s["complete"] and s["path"] == str(out)
    assert 0.0 < s["end_s"] < s["wall_s"]  # the run's end (settling, the drain, the tables), within wall_s
    assert s["kpis"] == pytest.approx(citytwin.read(out).kpi, nan_ok=True)


def test_namespace_is_clean():
    public = [n for n in dir(citytwin) if not n.startswith("_")]
    assert set(public) == set(citytwin.__all__) - {"__version__"}
    for leaked in ("os", "shutil", "tempfile", "h5py", "np", "annotations"):
        assert leaked not in dir(citytwin)
    for name in citytwin.__all__:
        obj = getattr(citytwin, name)
        if callable(obj) and not isinstance(obj, type(citytwin.ScenarioError)):
            assert obj.__doc__, name
    for cls in (citytwin.Scenario, citytwin.Result, citytwin.RunFuture, citytwin.Progress):
        for member, value in vars(cls).items():
            if not member.startswith("_") and (callable(value) or isinstance(value, (property, classmethod))):
                assert getattr(value, "__doc__", None) or getattr(getattr(value, "__func__", None), "__doc__", None), \
                    f"{cls.__name__}.{member} has no docstring"
