"""Campaigns: `citytwin sweep CAMPAIGN.yaml` (located errors, exit codes, the merged CSV), the same
campaign over two MPI ranks, citytwin.sweep / open_campaign from Python (Dataset, cache, numpy values,
axes over maps, stopped runs, units, progress, relative files) and citytwin.compare from Python."""
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest
import xarray as xr

import citytwin
from support import CLI, QUICKSTART, SMALL, assert_xarray_opens_every_table


CAMPAIGN = f"""scenario: {QUICKSTART}
seeds: 2
set: {{run.duration: 30 min}}
grid:
  devices[0].interval: [5 min, 10 min]
  devices[1].radio.sf: [7, 8, 9]
"""


def sweep_cli(campaign, *args, mpi_ranks=0):
    command = [CLI, "sweep", str(campaign), "--quiet", *args]
    env = dict(os.environ)
    if mpi_ranks:
        # Open MPI refuses to run as root unless told (containers, CI); two ranks on two cores.
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_rmaps_base_oversubscribe="1")
        command = ["mpirun", "--oversubscribe", "-n", str(mpi_ranks), *command]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)


def results(folder):
    """The merged summary without what legitimately differs between invocations (wall time, reuse)."""
    table = pd.read_csv(folder / "summary.csv").drop(columns=["wall_s", "reused"])
    return table.sort_values("run_id").reset_index(drop=True)


def test_a_bad_campaign_file_is_located_and_exits_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"scenario: {QUICKSTART}\nseeds: -3\n")
    r = sweep_cli(bad)
    assert r.returncode == 2
    assert f"{bad}:2:8: seeds: expected a count (1..1000000) or a list of seeds" in r.stderr


def test_a_failing_grid_value_is_reported_and_the_rest_complete(tmp_path):
    campaign = tmp_path / "c.yaml"
    campaign.write_text(CAMPAIGN.replace("[7, 8, 9]", "[7, 13]") + f"out: {tmp_path / 'out'}\n")
    r = sweep_cli(campaign)
    assert r.returncode == 1, r.stderr  # some runs failed, the others completed
    table = pd.read_csv(tmp_path / "out" / "summary.csv")
    assert len(table) == 8
    failed = table[table["devices[1].radio.sf"] == 13]
    assert (failed["status"] == "failed").all() and failed["delivery_ratio"].isna().all()
    assert failed["error"].str.contains("devices\\[1\\].radio.sf: expected 7..12, got 13").all()
    assert (table[table["devices[1].radio.sf"] == 7]["status"] == "ok").all()
    assert "got 13" in r.stderr
    # The summary's KPI columns carry the units a trace's KPI tables give the same names.
    with h5py.File(tmp_path / "out" / "summary.h5") as f:
        units = {name: f["runs"][name].attrs["units"] for name in ("latency_p95_s", "energy_mean_mah",
                                                                     "delivery_ratio", "uplinks_sent")}
    assert units == {"latency_p95_s": "s", "energy_mean_mah": "mAh", "delivery_ratio": "", "uplinks_sent": ""}
    assert {"runs", "by_district"} <= set(assert_xarray_opens_every_table(tmp_path / "out" / "summary.h5"))


@pytest.mark.skipif(shutil.which("mpirun") is None, reason="Open MPI's mpirun is not installed (setup.sh installs it)")
def test_two_mpi_ranks_give_the_summary_of_the_local_pool(tmp_path):
    local = tmp_path / "local.yaml"
    local.write_text(CAMPAIGN + f"out: {tmp_path / 'local'}\n")
    mpi = tmp_path / "mpi.yaml"
    mpi.write_text(CAMPAIGN + f"out: {tmp_path / 'mpi'}\n")
    r = sweep_cli(local, "--jobs", "2")
    assert r.returncode == 0, r.stderr
    r = sweep_cli(mpi, mpi_ranks=2)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "12 runs, 12 made, 0 reused, 0 failed" in r.stdout
    a, b = results(tmp_path / "local"), results(tmp_path / "mpi")
    assert len(a) == 12 and (a["status"] == "ok").all()
    pd.testing.assert_frame_equal(a, b)
    by_a = pd.read_csv(tmp_path / "local" / "by_district.csv").sort_values(["run_id", "district", "kpi"])
    by_b = pd.read_csv(tmp_path / "mpi" / "by_district.csv").sort_values(["run_id", "district", "kpi"])
    pd.testing.assert_frame_equal(by_a.reset_index(drop=True), by_b.reset_index(drop=True))
    assert len(list((tmp_path / "mpi" / "runs").glob("*.h5"))) == 12


def test_killed_campaign_reruns_only_the_missing_runs(tmp_path):
    campaign = tmp_path / "c.yaml"
    campaign.write_text(CAMPAIGN + f"out: {tmp_path / 'out'}\njobs: 2\n")
    runs = tmp_path / "out" / "runs"
    # Its own process group, so that SIGKILL takes the sweep and its children at once (a killed job).
    proc = subprocess.Popen([CLI, "sweep", str(campaign), "--quiet"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(runs.glob("*.h5"))) < 4:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = {p.name: p.stat().st_mtime_ns for p in runs.glob("*.h5")}
    assert 4 <= len(done_before) < 12
    assert not (tmp_path / "out" / "summary.csv").exists()
    r = sweep_cli(campaign)
    assert r.returncode == 0, r.stderr
    assert f"12 runs, {12 - len(done_before)} made, {len(done_before)} reused, 0 failed" in r.stdout
    table = pd.read_csv(tmp_path / "out" / "summary.csv")
    assert (table["status"] == "ok").all() and len(table) == 12
    assert set(table.loc[table["reused"] == 1, "run_id"] + ".h5") == set(done_before)
    for name, mtime in done_before.items():
        assert (runs / name).stat().st_mtime_ns == mtime, f"{name} was made again"


def test_python_sweep_returns_a_dataset_and_a_second_call_is_served_from_the_cache(tmp_path):
    grid = {"devices[0].interval": ["5 min", "10 min"], "devices[1].radio.sf": [7, 8, 9]}
    kwargs = dict(seeds=2, grid=grid, jobs=2, out=tmp_path / "c", overrides={"run.duration": "30 min"})
    t0 = time.monotonic()
    ds = citytwin.sweep(QUICKSTART, **kwargs)
    first = time.monotonic() - t0
    assert isinstance(ds, xr.Dataset)
    assert dict(ds.sizes) == {"devices[0].interval": 2, "devices[1].radio.sf": 3, "seed": 2}
    assert list(ds["devices[0].interval"].values) == ["5 min", "10 min"]
    assert list(ds["devices[1].radio.sf"].values) == [7, 8, 9]
    assert list(ds["seed"].values) == [1, 2]
    assert (ds["status"] == "ok").all() and ds.attrs["made"] == 12 and not ds.attrs["failures"]
    # One run made by hand equals its cell of the Dataset.
    r = citytwin.run(QUICKSTART, seed=2, overrides={"run.duration": "30 min", "devices[0].interval": "10 min",
                                                     "devices[1].radio.sf": 8})
    cell = ds.sel({"devices[0].interval": "10 min", "devices[1].radio.sf": 8, "seed": 2})
    assert float(cell["uplinks_sent"]) == r.kpi["uplinks_sent"]
    assert float(cell["delivery_ratio"]) == r.kpi["delivery_ratio"]

    t0 = time.monotonic()
    again = citytwin.sweep(QUICKSTART, **kwargs)
    assert again.attrs["made"] == 0 and again.attrs["reused"] == 12
    assert time.monotonic() - t0 < first
    xr.testing.assert_equal(again.drop_vars(["wall_s", "reused"]), ds.drop_vars(["wall_s", "reused"]))

    tidy = citytwin.sweep(QUICKSTART, **kwargs, tidy=True)
    assert list(tidy.index.names) == ["devices[0].interval", "devices[1].radio.sf", "seed"] and len(tidy) == 12
    opened = citytwin.open_campaign(tmp_path / "c")
    assert list(opened["devices[1].radio.sf"].values) == [7, 8, 9]
    by = citytwin.open_campaign(tmp_path / "c", by_district=True)
    assert set(by.columns) >= {"run_id", "seed", "district", "kpi", "value"}
    assert set(by["district"]) == {"old_town", "riverbank", "market", "harbour"}


def test_python_sweep_cache_defaults_to_a_folder_named_after_the_campaign(tmp_path, monkeypatch):
    monkeypatch.setenv("CITYTWIN_CACHE", str(tmp_path))
    ds = citytwin.sweep(QUICKSTART, seeds=[3], overrides={"run.duration": "30 min"}, jobs=1)
    assert ds.attrs["made"] == 1 and dict(ds.sizes) == {"seed": 1}
    again = citytwin.sweep(QUICKSTART, seeds=[3], overrides={"run.duration": "30 min"}, jobs=1)
    assert again.attrs["made"] == 0 and again.attrs["out"] == ds.attrs["out"]
    assert Path(ds.attrs["out"]).parent == tmp_path / "sweeps"


def test_ctrl_c_stops_the_campaign_keeps_finished_runs_and_the_same_command_finishes_it(tmp_path):
    campaign = tmp_path / "c.yaml"
    # One quick run, then a longer one: Ctrl-C arrives while it runs.
    campaign.write_text(f"scenario: {QUICKSTART}\nseeds: [1]\ngrid:\n  run.duration: [30 min, 2 d]\n"
                        f"out: {tmp_path / 'out'}\njobs: 1\n")
    runs = tmp_path / "out" / "runs"
    proc = subprocess.Popen([CLI, "sweep", str(campaign), "--quiet"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (list(runs.glob("*.h5")) and list(runs.glob("*.h5.partial"))):
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)  # to the sweep only: it stops its children itself
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "stopped before the rest" in out
    table = pd.read_csv(tmp_path / "out" / "summary.csv")
    assert list(table["status"]) == ["ok", "stopped"]
    stopped_trace = tmp_path / "out" / table.loc[1, "trace"]
    assert stopped_trace.exists()
    # The same command makes the stopped run again (its trace is incomplete) and reuses the first.
    r = sweep_cli(campaign)
    assert r.returncode == 0 and "2 runs, 1 made, 1 reused, 0 failed" in r.stdout, r.stdout + r.stderr


def test_slices_in_python_scenario_paths_match_the_command_line():
    sc = citytwin.Scenario.from_file(QUICKSTART)
    sc["gateways[0:2].backhaul.fibre_length"] = "3 km"
    assert [sc[f"gateways.{i}.backhaul.fibre_length"] for i in range(2)] == ["3 km", "3 km"]
    assert sc["gateways.2.backhaul.fibre_length"] != "3 km"
    with pytest.raises(KeyError, match="slice 2:9 selects no entry or is out of range"):
        sc["gateways[2:9].backup"] = "1 h"


# --- citytwin.sweep: values, stopped runs, units, progress, relative files ---------------------------

TEN_MINUTES = {"run.duration": "10 min"}


def test_python_sweep_takes_numpy_grid_values_and_seeds(tmp_path):
    ds = citytwin.sweep(SMALL, seeds=np.int64(2), grid={"devices.0.count": np.array([10, 20])}, jobs=1,
                        out=tmp_path / "c", overrides=TEN_MINUTES)
    assert list(ds["devices.0.count"].values) == [10, 20] and list(ds["seed"].values) == [1, 2]
    assert (ds["status"] == "ok").all()
    assert ds["devices"].sel(seed=1).values.tolist() == [10, 20]
    again = citytwin.sweep(SMALL, seeds=np.arange(1, 3), grid={"devices.0.count": list(np.arange(10, 30, 10))},
                           jobs=1, out=tmp_path / "c", overrides=TEN_MINUTES)
    assert again.attrs["made"] == 0 and again.attrs["reused"] == 4
    with pytest.raises(TypeError, match="grid\\['devices.0.count'\\]\\[1\\]: cannot write a object"):
        citytwin.sweep(SMALL, grid={"devices.0.count": [10, object()]}, out=tmp_path / "d")


def test_python_sweep_over_maps_labels_the_axis_with_their_override_text(tmp_path):
    extra = [{"name": "gw2", "position": ["1.5 km", "500 m"]}, {"name": "gw2", "position": ["500 m", "500 m"]}]
    ds = citytwin.sweep(SMALL, grid={"gateways[+]": extra, "city.name": ["Town: A", "on"]}, jobs=1,
                        out=tmp_path / "c", overrides=TEN_MINUTES)
    labels = ["{name: gw2, position: [1.5 km, 500 m]}", "{name: gw2, position: [500 m, 500 m]}"]
    assert list(ds["gateways[+]"].values) == labels
    assert list(ds["city.name"].values) == ["Town: A", "on"]
    assert (ds["status"] == "ok").all() and ds.attrs["made"] == 4
    opened = citytwin.open_campaign(tmp_path / "c")
    assert list(opened["gateways[+]"].values) == labels and list(opened["city.name"].values) == ["Town: A", "on"]
    assert list(citytwin.sweep(SMALL, grid={"gateways[+]": extra}, jobs=1, out=tmp_path / "c", tidy=True,
                               overrides=TEN_MINUTES).index.get_level_values(0)) == labels


class StopDuringTheSecondRun:
    """A stop for sweep(): set once the first run's trace is complete and the second one is being written."""

    def __init__(self, runs):
        self.runs = runs

    def is_set(self):
        return any(self.runs.glob("*.h5")) and any(self.runs.glob("*.h5.partial"))


def test_python_sweep_masks_the_kpis_of_a_stopped_run(tmp_path):
    ds = citytwin.sweep(QUICKSTART, seeds=[1], grid={"run.duration": ["30 min", "2 d"]}, jobs=1, out=tmp_path / "c",
                        stop=StopDuringTheSecondRun(tmp_path / "c" / "runs"))
    assert ds.attrs["interrupted"]
    assert ds["status"].sel(seed=1).values.tolist() == ["ok", "stopped"]
    assert np.isfinite(float(ds["delivery_ratio"].sel({"run.duration": "30 min", "seed": 1})))
    stopped = ds.sel({"run.duration": "2 d", "seed": 1})
    assert np.isnan(float(stopped["delivery_ratio"])) and np.isnan(float(stopped["uplinks_sent"]))
    assert (ds.attrs["made"], ds.attrs["reused"]) == (1, 0)
    opened = citytwin.open_campaign(tmp_path / "c")
    assert np.isnan(float(opened["delivery_ratio"].sel({"run.duration": "2 d", "seed": 1})))
    assert (opened.attrs["made"], opened.attrs["reused"]) == (1, 0)
    by = citytwin.open_campaign(tmp_path / "c", by_district=True)
    assert by.loc[by["run_id"] == str(stopped["run_id"].values), "value"].isna().all()


def test_python_sweep_kpis_carry_units_and_progress_is_a_bar(tmp_path, capfd):
    kwargs = dict(grid={"devices.0.count": [10, 20]}, jobs=1, overrides=TEN_MINUTES)
    ds = citytwin.sweep(SMALL, out=tmp_path / "c", **kwargs)
    assert "citytwin sweep" not in capfd.readouterr().err  # no bar outside a notebook unless asked
    assert ds["latency_p95_s"].attrs["units"] == "s" and ds["energy_mean_mah"].attrs["units"] == "mAh"
    assert ds["delivery_ratio"].attrs["units"] == "" and "KPI" in ds["delivery_ratio"].attrs["description"]
    tidy = citytwin.sweep(SMALL, out=tmp_path / "c", tidy=True, **kwargs)
    assert tidy.attrs["units"]["latency_p95_s"] == "s"
    citytwin.sweep(SMALL, out=tmp_path / "d", progress=True, **kwargs)
    err = capfd.readouterr().err
    assert "citytwin sweep" in err and "2/2" in err


def test_python_sweep_refuses_an_override_a_grid_axis_replaces(tmp_path):
    axis = {"devices[0].interval": ["2 min", "5 min"]}
    with pytest.raises(ValueError, match=r"overrides\['devices\.0\.interval'\] is also the grid axis "
                                         r"'devices\[0\]\.interval', whose values would replace it"):
        citytwin.sweep(SMALL, grid=axis, overrides={"devices.0.interval": "1 min"}, out=tmp_path / "a")
    with pytest.raises(ValueError, match=r"overrides\['devices\[0\]\.interval'\] is inside the grid axis "
                                         r"'devices\[0\]'"):
        citytwin.sweep(SMALL, grid={"devices[0]": [{"name": "m", "count": 5, "districts": ["a"]}]},
                       overrides={"devices[0].interval": "1 min"}, out=tmp_path / "a")
    assert not (tmp_path / "a").exists()  # refused before anything is written
    # A Scenario's own edit of the axis's key is the base value the axis varies (not an override of set:).
    sc = citytwin.Scenario.from_yaml(SMALL)
    sc["devices.0.interval"] = "1 min"
    ds = citytwin.sweep(sc, grid=axis, jobs=1, out=tmp_path / "b", overrides=TEN_MINUTES)
    assert (ds["status"] == "ok").all(), ds["error"].values
    plain = citytwin.sweep(SMALL, grid=axis, jobs=1, out=tmp_path / "c", overrides=TEN_MINUTES)
    assert ds["uplinks_sent"].values.tolist() == plain["uplinks_sent"].values.tolist()


GATEWAY_CSV = "name,x,y\ngw,1 km,500 m\n"


def test_python_sweep_finds_relative_files_of_a_text_scenario_where_run_does(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "gateways.csv").write_text(GATEWAY_CSV)
    text = SMALL.replace("{name: gw, position: [1 km, 500 m]}", "{name: gw, place: {layout: csv, csv: gateways.csv}}")
    r = citytwin.run(text, overrides=TEN_MINUTES)
    ds = citytwin.sweep(text, seeds=[r.seed], jobs=1, out=tmp_path / "campaign", overrides=TEN_MINUTES)
    assert ds["status"].values.tolist() == ["ok"], ds["error"].values
    assert float(ds["uplinks_sent"].sel(seed=r.seed)) == r.kpi["uplinks_sent"]
    # A grid over files: each relative to the current directory too.
    (tmp_path / "other.csv").write_text(GATEWAY_CSV.replace("1 km", "900 m"))
    ds = citytwin.sweep(text, grid={"gateways.0.place.csv": ["gateways.csv", "other.csv"]}, jobs=1,
                        out=tmp_path / "grid", overrides=TEN_MINUTES)
    assert (ds["status"] == "ok").all(), ds["error"].values
    assert list(ds["gateways.0.place.csv"].values) == ["gateways.csv", "other.csv"]  # as given


# --- citytwin.compare from Python ---------------------------------------------------------------------

ROLLOUT = """city:
  districts:
    - {name: west, origin: [0 km, 0 km], size: [1 km, 1 km]}
devices:
  - {name: meters, count: 20, districts: [west], interval: 5 min}
gateways:
  - {name: gw, place: {layout: csv, csv: gateways.csv}}
run: {duration: 10 min, seed: 3}
phases:
  - name: more
    add:
      devices: [{name: more, count: 10, districts: [west], interval: 5 min}]
"""


def test_compare_takes_a_scenario_with_edits_and_a_dict_of_overrides(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "gateways.csv").write_text("gw,500 m,500 m\n")
    path = tmp_path / "rollout.yaml"
    path.write_text(ROLLOUT)
    sc = citytwin.Scenario.from_file(path)
    sc["devices.0.count"] = 30
    frame = citytwin.compare(sc, jobs=1, out=str(tmp_path / "c.h5"), overrides={"run.duration": "20 min"})
    assert frame["devices"].tolist() == [30, 40]
    with h5py.File(tmp_path / "c.h5") as f:
        assert f["meta"].attrs["overrides"] == "devices.0.count=30\nrun.duration=20 min\n"
    # As text (its relative file found in the current directory, as run() finds it), and as a dict.
    assert citytwin.compare(ROLLOUT, jobs=1, out=str(tmp_path / "d.h5"))["devices"].tolist() == [20, 30]
    assert citytwin.compare(sc.to_dict(), jobs=1, out=str(tmp_path / "e.h5"))["devices"].tolist() == [30, 40]
    with pytest.raises(citytwin.ScenarioError, match="^<text>:5:"):
        citytwin.compare(ROLLOUT.replace("count: 20", "count: -1"), jobs=1, out=str(tmp_path / "f.h5"))
