"""Rollouts seen from the command line and Python: citytwin compare (confidence intervals over seeds, a
stopped compare keeps the phases that finished, a phase that changes nothing gives the same KPIs), the
phases' located errors (exit 2), the planner's figure, and the Seoul reference rollout against its plan."""
import csv
import os
import signal
import subprocess
import sys
import time

import h5py
import numpy as np
import pytest

import citytwin
from support import CLI, SOURCE, assert_xarray_opens_every_table


ROLLOUT = """city:
  districts:
    - {name: west, origin: [0 km, 0 km], size: [2 km, 2 km]}
    - {name: east, origin: [2 km, 0 km], size: [2 km, 2 km]}
devices:
  - {name: meters, count: 150, districts: [west, east], interval: 5 min}
gateways:
  - {name: gw-0, position: [1 km, 1 km]}
radio: {path_loss: {exponent: 4.5}}
run: {duration: 20 min, seed: 3}
phases:
  - name: p1
    investment: 100
    add:
      gateways: [{name: lora, place: {layout: grid, spacing: 1 km, districts: [east]}}]
  - name: p2
  - name: p3
    add:
      devices: [{name: parking, count: %(slow_count)d, districts: [east], interval: %(slow_interval)s}]
"""


def write(tmp_path, slow_count=10, slow_interval="5 min", name="rollout.yaml"):
    path = tmp_path / name
    path.write_text(ROLLOUT % {"slow_count": slow_count, "slow_interval": slow_interval})
    return path


def cli(*args, **kwargs):
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, timeout=600, **kwargs)


def test_compare_with_two_seeds_writes_the_confidence_interval(tmp_path):
    path = write(tmp_path)
    out = tmp_path / "compare.h5"
    r = cli("compare", path, "--seeds", 2, "--jobs", 2, "-o", out, "-q")
    assert r.returncode == 0, r.stderr
    assert "+-" in r.stdout  # the table shows the interval
    with h5py.File(out) as f:
        assert f["meta"].attrs["complete"] == 1
        assert f["meta"].attrs["seeds"] == 2
        # Of the catalogue's default (placeholder) prices, those this plan pays: gateways and sensors, not
        # the NB-IoT cells, access points or cameras it has none of.
        placeholders = f["meta"].attrs["placeholder_costs"].split(", ")
        assert {"lorawan_gateway", "sensor"} <= set(placeholders), placeholders
        assert not {"nbiot_cell", "wifi_ap", "camera", "s_pole", "iot_district"} & set(placeholders), placeholders
        assert "PLACEHOLDER costs" in r.stdout and "nbiot_cell" not in r.stdout
        s = f["summary"]
        assert [p.decode() for p in s["phase"][()]] == ["base", "p1", "p2", "p3"]
        ci = s["delivery_ratio_ci95"][()]
        assert np.all(np.isfinite(ci)) and np.all(ci >= 0)
        # The interval is the Student-t one over the two seeds' values.
        runs = f["phases/p1/runs/delivery_ratio"][()]
        assert len(runs) == 2
        expected = 12.706204736174707 * np.std(runs, ddof=1) / np.sqrt(2)
        assert s["delivery_ratio_ci95"][1] == pytest.approx(expected, rel=1e-9, abs=1e-12)
        assert s["delivery_ratio"][1] == pytest.approx(np.mean(runs))
        # Each run's own KPI tables are kept, coverage included.
        assert "coverage_by_district" in f["phases/p1/seed_3"]
        # Seeds are integers; ratios carry no unit, as in a trace; times their unit.
        assert f["phases/p1/runs/seed"].dtype.kind == "i" and list(f["phases/p1/runs/seed"][()]) == [3, 4]
        assert s["delivery_ratio"].attrs["units"] == "" and s["coverage_devices"].attrs["units"] == ""
        assert s["latency_p95_s"].attrs["units"] == "s"
        assert s["cost_cumulative"][1] == 100.0
        # Coverage does not fall when a phase adds gateways.
        assert s["coverage_area_lorawan"][1] >= s["coverage_area_lorawan"][0]
        # p2 changes nothing: the same KPIs as p1, seed by seed.
        for name in f["phases/p1/runs"]:
            a, b = f["phases/p1/runs"][name][()], f["phases/p2/runs"][name][()]
            assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), name
    assert {"summary", "costs", "phases/p1/runs", "phases/p1/seed_3/by_district"} <= set(
        assert_xarray_opens_every_table(out))


def test_a_stopped_compare_keeps_the_phases_that_finished(tmp_path):
    path = write(tmp_path, slow_count=20000, slow_interval="10 s")  # p3 is slow
    out = tmp_path / "compare.h5"
    p = subprocess.Popen([CLI, "compare", str(path), "--jobs", "1", "-o", str(out), "-q"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:  # until p2 is in the file
        if out.exists():
            try:
                with h5py.File(out) as f:
                    if "p2" in f["phases"]:
                        break
            except OSError:
                pass
        time.sleep(0.2)
    p.send_signal(signal.SIGINT)
    stdout, stderr = p.communicate(timeout=120)
    assert p.returncode == 130, stderr
    with h5py.File(out) as f:
        assert f["meta"].attrs["complete"] == 0
        assert sorted(f["phases"]) == ["base", "p1", "p2"]
        assert [x.decode() for x in f["summary/phase"][()]] == ["base", "p1", "p2"]
        assert len(f["costs/phase"]) == 4  # the plan's costs, all phases
    assert "did not finish" in stdout


def wait_for_phase(out, name, timeout_s=300):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if out.exists():
            try:
                with h5py.File(out) as f:
                    if name in f["phases"]:
                        return
            except (OSError, KeyError):
                pass
        time.sleep(0.1)
    raise AssertionError(f"phase {name} never reached {out}")


def test_a_killed_compare_keeps_the_finished_phases_and_a_rerun_runs_only_the_others(tmp_path):
    """SIGKILL (no chance to clean up) once p2 is in the file; the same command again runs only p3."""
    path = write(tmp_path, slow_count=3000, slow_interval="10 s")  # p3 takes a while
    out = tmp_path / "compare.h5"
    command = [CLI, "compare", str(path), "--jobs", "1", "-o", str(out), "-q"]
    # Its own session, so that the kill takes its child processes too (as killing a terminal's job does).
    p = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True)
    wait_for_phase(out, "p2")
    os.killpg(p.pid, signal.SIGKILL)
    p.communicate(timeout=60)
    assert p.returncode == -signal.SIGKILL
    with h5py.File(out) as f:  # whole: written aside and renamed
        assert f["meta"].attrs["complete"] == 0
        assert sorted(f["phases"]) == ["base", "p1", "p2"]
        before = {name: f["phases/p1/runs"][name][()] for name in f["phases/p1/runs"]}
    r = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert "kept from an earlier run of this comparison" in r.stdout and "base p1 p2" in r.stdout, r.stdout
    with h5py.File(out) as f:
        assert f["meta"].attrs["complete"] == 1
        assert [x.decode() for x in f["summary/phase"][()]] == ["base", "p1", "p2", "p3"]
        assert {name: f["phases"][name].attrs["reused"] for name in f["phases"]} == {
            "base": 1, "p1": 1, "p2": 1, "p3": 0}
        for name, values in before.items():  # the kept phases as they were
            assert np.array_equal(f["phases/p1/runs"][name][()], values, equal_nan=values.dtype.kind == "f"), name
        assert "coverage_by_district" in f["phases/p1/seed_3"]  # the runs' /kpi kept too
        # A kept phase's table has the columns of a phase run now, in the same order (the KPIs' own).
        assert list(f["phases/p1/runs"]) == list(f["phases/p3/runs"])
        assert np.isfinite(f["summary/delivery_ratio"][3])
    # Another comparison (here: other overrides) in the same file reuses nothing.
    r = subprocess.run(command + ["--set", "run.duration=10 min"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert "kept from an earlier run" not in r.stdout
    with h5py.File(out) as f:
        assert all(f["phases"][name].attrs["reused"] == 0 for name in f["phases"])


@pytest.mark.parametrize("change, where", [
    (("      gateways: [{name: lora", "      lamps: [{name: x}]\n      gateways: [{name: lora"),
     "phases[0].add.lamps: unknown key 'lamps'"),
    (("  - name: p2\n", "  - name: p2\n    retire: {gateways: [gw-7]}\n"),
     "phases[1].retire.gateways[0]: phase 'p2': no gateway named 'gw-7'"),
    (("districts: [east], interval", "districts: [north], interval"),
     "phases[2].add.devices[0].districts: phase 'p3': no district named 'north'"),
    (("  - name: p2\n", "  - name: p2\n    add: {iot_districts: [{name: iot, districts: [south], "
                        "devices: [{name: m, count: 5}]}]}\n"),
     "phases[1].add.iot_districts[0].districts[0]: no district named 'south'"),
    (("  - name: p2\n", "  - name: p2\n    retire: {s_poles: [spole]}\n"),
     "phases[1].retire.s_poles[0]: phase 'p2': no S-Pole rule named 'spole'"),
])
def test_bad_phases_are_located_errors_with_exit_2(tmp_path, change, where):
    path = write(tmp_path)
    path.write_text(path.read_text().replace(*change))
    for args in (("validate", path), ("compare", path, "-o", tmp_path / "x.h5")):
        r = cli(*args)
        assert r.returncode == 2, r.stderr
        assert f"{path}:" in r.stderr and where in r.stderr, r.stderr
    assert not (tmp_path / "x.h5").exists()


def test_run_a_phase_and_plot_the_comparison(tmp_path):
    path = write(tmp_path)
    r = cli("run", path, "--phase", "p1", "-o", tmp_path / "p1.h5", "-q")
    assert r.returncode == 0, r.stderr
    with h5py.File(tmp_path / "p1.h5") as f:
        assert len(f["gateways/name"]) == 5  # gw-0 and a 2 x 2 grid in east
        assert "coverage_grid" in f["kpi"]
        assert [f["kpi/coverage_grid"][c].attrs["units"] for c in ("x_m", "y_m")] == ["m", "m"]
        # Each coverage column says what it is (they all read "KPI <column> per row of ..." before).
        grid, by_district = f["kpi/coverage_grid"], f["kpi/coverage_by_district"]
        assert "-1 outside every district" in grid["district"].attrs["description"]
        assert grid["lorawan"].attrs["description"] == ("share of the cell covered for the lorawan devices at their own "
                                                        "radio, radio.location_probability (90 % by default; judged on 4 x 4 "
                                                        "points)")
        assert by_district["area_lorawan"].attrs["description"] == (
            "share of the district's area covered for its lorawan devices (radio.location_probability, 90 % by "
            "default)")
        assert not [c for t in (grid, by_district) for c in t if "per row of" in str(t[c].attrs["description"])]
    frame = citytwin.compare(path, seeds=1, jobs=2, out=str(tmp_path / "c.h5"))
    assert list(frame.index) == ["base", "p1", "p2", "p3"]
    png = tmp_path / "c.png"
    fig = citytwin.plot_compare(str(tmp_path / "c.h5"), str(png))
    assert png.stat().st_size > 10000
    # The CLI draws the same figure.
    r = cli("compare", path, "-o", tmp_path / "d.h5", "--plot", tmp_path / "d.png", "-q")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "d.png").stat().st_size > 10000


def test_a_plot_that_cannot_be_drawn_is_a_warning_not_a_failed_comparison(tmp_path):
    """compare --plot exited 1 when only the figure failed (the package not importable), though the comparison
    was written: now exit 0, the comparison's, with a warning saying the figure was not made and why."""
    path = write(tmp_path)
    python = tmp_path / "python"
    python.write_text("#!/bin/sh\necho 'Traceback (most recent call last):' >&2\n"
                      "echo \"ModuleNotFoundError: No module named 'matplotlib'\" >&2\nexit 1\n")
    python.chmod(0o755)
    r = cli("compare", path, "-o", tmp_path / "d.h5", "--plot", tmp_path / "d.png", "-q",
            env={**os.environ, "CITYTWIN_PYTHON": str(python)})
    assert r.returncode == 0, r.stderr
    assert f"wrote {tmp_path / 'd.h5'}" in r.stdout and (tmp_path / "d.h5").exists()
    assert not (tmp_path / "d.png").exists()
    assert (f"citytwin: warning: --plot: {tmp_path / 'd.png'} was not made (ModuleNotFoundError: No module named "
            "'matplotlib')") in r.stderr, r.stderr


def test_seoul_rollout_follows_its_plan():
    """The phases' investments are the plan's figures, and what they add is the plan's counts x 0.1."""
    rows = {}
    with open(SOURCE.parent / "shared/reference/seoul_plan_2021_2025.csv"
              if (SOURCE.parent / "shared/reference").exists() else "/work/shared/reference/seoul_plan_2021_2025.csv") as f:
        for row in csv.reader(line for line in f if not line.startswith("#")):
            if row and row[0] != "indicator":
                rows[row[0]] = [float(x) for x in row[2:]]
    plan = [sum(rows[k][i] for k in ("invest_communication_infrastructure", "invest_cctv", "invest_s_pole",
                                     "invest_pilot_districts")) for i in range(5)]
    r = cli("validate", SOURCE / "scenarios/seoul_rollout.yaml")  # every phase
    assert r.returncode == 0, r.stderr
    sc = citytwin.Scenario.from_file(str(SOURCE / "scenarios/seoul_rollout.yaml"))
    phases = sc["phases"]
    assert [p["name"] for p in phases] == ["2021", "2022", "2023", "2024", "2025"]
    assert [float(p["investment"]) for p in phases] == plan
    assert sum(float(p["investment"]) for p in phases) == sum(sum(rows[k]) for k in (
        "invest_communication_infrastructure", "invest_cctv", "invest_s_pole", "invest_pilot_districts"))
    # IoT networks: 3, 3, 5, 7, 7 new districts, 25 in all, each an iot_districts item.
    iot = [sum(len(item["districts"]) for item in p["add"]["iot_districts"]) for p in phases]
    assert iot == rows["iot_networks_districts"] and sum(iot) == 25
    # S-Poles: 221 then +100 a year, x 0.1 (rounded); CCTV x 0.1 besides the poles' own cameras.
    poles = [sum(int(item["place"]["count"]) * len(item["place"]["districts"]) for item in p["add"]["s_poles"])
             for p in phases]
    assert poles == [round(n * 0.1) for n in rows["s_poles_established"]] == [22, 10, 10, 10, 10]
    cctv = [sum(int(d["count"]) for d in p["add"]["devices"] if "stream" in d) for p in phases]
    assert cctv == [round(n * 0.1) for n in rows["cctv_installed"]]
    # The catalogue's sourced entries are the plan's arithmetic (investment line over units, 2021-2025).
    costs = sc["costs"]
    assert float(costs["s_pole"]["capital"]) == round(sum(rows["invest_s_pole"]) / sum(rows["s_poles_established"]), 2)
    assert float(costs["camera"]["capital"]) == round(sum(rows["invest_cctv"]) / sum(rows["cctv_installed"]), 2)
