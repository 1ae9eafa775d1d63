"""Controlling runs from Python: progress callbacks, cancelling a running future, sweeps that survive a
failing member and stop cleanly on Ctrl-C."""
import os
import signal
import threading
import time

import h5py
import pytest

import citytwin
from support import QUICKSTART

LONG = {"run.duration": "60 d"}  # far longer than any test waits: only a stop ends it early


def test_progress_callback_reports_simulated_time():
    seen = []
    r = citytwin.run(QUICKSTART, overrides={"run.duration": "6 h"}, threads=1, progress=seen.append)
    assert r.complete and seen
    assert all(isinstance(p, citytwin.Progress) for p in seen)
    assert [p.sim_s for p in seen] == sorted(p.sim_s for p in seen)
    assert seen[-1].duration_s == 6 * 3600 and seen[-1].fraction == pytest.approx(1.0)
    assert seen[-1].uplinks == r.kpi["uplinks_sent"]  # the last report follows the drain at the end
    assert r.meta["simulated_s"] == r.meta["duration_s"] == 6 * 3600


def test_progress_tells_the_set_up_before_the_simulated_time():
    seen = []
    r = citytwin.run(QUICKSTART, overrides={"run.duration": "1 h"}, threads=2, progress=seen.append)
    assert r.complete
    steps = [p.set_up for p in seen]
    first_run = steps.index("")  # the first report of the simulated time
    assert steps[0] == "laying out the city" and steps[first_run - 1] == "built"
    assert all(s for s in steps[:first_run]) and not any(steps[first_run:])
    assert "writing the device and gateway tables, assembling the run" in steps[:first_run]
    links = [p.set_up_fraction for p in seen[:first_run] if p.set_up == "radio links"]
    assert links == sorted(links) and all(0.0 <= f <= 1.0 for f in links)
    assert all(p.fraction == 0.0 and p.sim_s == 0.0 for p in seen[:first_run])


def test_the_bar_shows_a_set_up_that_takes_more_than_a_second(monkeypatch):
    from citytwin import _runner

    clock = [100.0]
    monkeypatch.setattr(_runner.time, "monotonic", lambda: clock[0])
    bar = _runner._Bar()
    bar(citytwin.Progress(0, 0, 0, "laying out the city", 0.0))
    clock[0] += 0.5
    bar(citytwin.Progress(0, 0, 0, "radio links", 0.2))
    assert bar._set_up_bar is None  # half a second: nothing shown, as on the command line
    clock[0] += 0.6
    bar(citytwin.Progress(0, 0, 0, "radio links", 0.55))
    assert bar._set_up_bar is not None and bar._set_up_bar.n == 55
    bar(citytwin.Progress(36.0, 3600.0, 12))  # the windows run: the set-up bar is closed
    assert bar._set_up_bar is None and bar._bar is not None and bar._bar.n == 0.01
    bar.close()


def test_cancel_stops_a_running_future_within_a_second(tmp_path):
    out = tmp_path / "long.h5"
    started = threading.Event()
    future = citytwin.run_async(QUICKSTART, overrides=LONG, out=out, threads=1,
                                progress=lambda p: None if p.set_up else started.set())
    assert started.wait(60), "the run never reported progress"
    assert future.running()
    t0 = time.monotonic()
    assert future.cancel() and future.cancel_requested()
    r = future.result(timeout=30)
    assert time.monotonic() - t0 < 1.0
    assert not r.complete and r.meta["complete"] == 0
    with h5py.File(out, "r") as f:  # the trace is finished, incomplete, and holds what was simulated
        assert f["meta"].attrs["complete"] == 0
        assert f["messages"].attrs["rows_written"] == f["messages/device"].shape[0]
        # Where it stopped: past the last message it sent, far short of the 60 days planned.
        assert f["messages/t_tx_s"][-1] <= f["meta"].attrs["simulated_s"] < 86400 * 60
    assert not future.cancel()  # already done


def test_sweep_reports_a_failing_member_and_completes_the_others(tmp_path, capsys):
    table = citytwin.sweep(QUICKSTART, seeds=[1, 2, 3], grid={"devices[1].radio.sf": [7, 13]}, out=tmp_path / "c",
                           overrides={"run.duration": "1 h"}, tidy=True)
    assert list(table.index) == [(sf, s) for sf in (7, 13) for s in (1, 2, 3)]
    assert table.loc[13, "error"].str.contains("devices\\[1\\].radio.sf: expected 7..12, got 13").all()
    assert table.loc[7, "error"].isna().all() and (table.loc[7, "status"] == "ok").all()
    assert [(f.point, f.seed) for f in table.attrs["failures"]] == [({"devices[1].radio.sf": 13}, s) for s in (1, 2, 3)]
    assert isinstance(table.attrs["failures"][0].error, citytwin.ScenarioError)
    assert "seed 2) failed" in capsys.readouterr().err
    for trace in table.loc[7, "trace"]:
        with h5py.File(tmp_path / "c" / trace, "r") as f:
            assert f["meta"].attrs["complete"] == 1


def test_keyboard_interrupt_in_a_sweep_stops_the_child_and_keeps_finished_results(tmp_path):
    runs = tmp_path / "c" / "runs"

    def interrupt_once_the_first_run_is_made():  # Ctrl-C while the second run is running
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (list(runs.glob("*.h5")) and list(runs.glob("*.h5.partial"))):
            time.sleep(0.01)  # the first run made, the second one's trace begun
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=interrupt_once_the_first_run_is_made, daemon=True).start()
    t0 = time.monotonic()
    table = citytwin.sweep(QUICKSTART, seeds=[1], grid={"run.duration": ["1 h", "60 d", "61 d"]}, jobs=1,
                           out=tmp_path / "c", threads=1, tidy=True)
    assert time.monotonic() - t0 < 60
    assert table.attrs["interrupted"]
    status = table["status"].droplevel("seed")
    assert list(status) == ["ok", "stopped", "not_run"]
    first = table.xs("1 h", level=0).iloc[0]
    with h5py.File(tmp_path / "c" / first["trace"], "r") as f:
        assert f["meta"].attrs["complete"] == 1
        assert f["kpi"].attrs["uplinks_sent"] == first["uplinks_sent"]
    stopped = table.xs("60 d", level=0).iloc[0]
    with h5py.File(tmp_path / "c" / stopped["trace"], "r") as f:  # the stopped child finished its trace, incomplete
        assert f["meta"].attrs["complete"] == 0
    assert not (tmp_path / "c" / table.xs("61 d", level=0).iloc[0]["trace"]).exists()
