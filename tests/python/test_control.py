"""Controlling runs from Python: progress callbacks, cancelling a running future, sweeps that survive a
failing member and stop cleanly on Ctrl-C."""
import os
import signal
import threading
import time
from pathlib import Path

import h5py
import pytest

import citytwin

SOURCE = Path(os.environ.get("CITYTWIN_SOURCE_DIR", Path(__file__).resolve().parents[2]))
QUICKSTART = SOURCE / "scenarios" / "quickstart.yaml"
LONG = {"run.duration": "60 d"}  # far longer than any test waits: only a stop ends it early


def test_progress_callback_reports_simulated_time():
    seen = []
    r = citytwin.run(QUICKSTART, overrides={"run.duration": "6 h"}, threads=1, progress=seen.append)
    assert r.complete and seen
    assert all(isinstance(p, citytwin.Progress) for p in seen)
    assert [p.sim_s for p in seen] == sorted(p.sim_s for p in seen)
    assert seen[-1].duration_s == 6 * 3600 and seen[-1].fraction == pytest.approx(1.0)
    assert seen[-1].uplinks == pytest.approx(r.kpi["uplinks_sent"], rel=1e-3)


def test_cancel_stops_a_running_future_within_a_second(tmp_path):
    out = tmp_path / "long.h5"
    started = threading.Event()
    future = citytwin.run_async(QUICKSTART, overrides=LONG, out=out, threads=1,
                                progress=lambda p: started.set())
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
    assert not future.cancel()  # already done


def test_sweep_reports_a_failing_member_and_completes_the_others(tmp_path, capsys):
    (tmp_path / "run-2.h5").mkdir()  # member 2 cannot write its trace
    table = citytwin.sweep(QUICKSTART, seeds=[1, 2, 3], out=str(tmp_path / "run-{seed}.h5"),
                           overrides={"run.duration": "1 h"})
    assert list(table.index) == [1, 2, 3]
    assert table.loc[2, "error"] and "run-2.h5" in table.loc[2, "error"]
    assert table.loc[[1, 3], "error"].isna().all() and table.loc[[1, 3], "complete"].all()
    assert [f.seed for f in table.attrs["failures"]] == [2]
    assert isinstance(table.attrs["failures"][0].error, citytwin.RunError)
    assert "seed 2 failed" in capsys.readouterr().err
    assert (tmp_path / "run-1.h5").is_file() and (tmp_path / "run-3.h5").is_file()


def test_keyboard_interrupt_in_a_sweep_stops_the_child_and_keeps_finished_results(tmp_path):
    runs = []  # the simulated time last reported by each member

    def on_progress(p):
        if not runs or p.sim_s < runs[-1]:  # a new member started
            runs.append(p.sim_s)
            if len(runs) == 2:  # Ctrl-C while the second member runs
                os.kill(os.getpid(), signal.SIGINT)
        runs[-1] = p.sim_s

    t0 = time.monotonic()
    table = citytwin.sweep(QUICKSTART, seeds=[1, 2, 3], out=str(tmp_path / "s-{seed}.h5"), threads=1,
                           overrides={"run.duration": "2 d"}, progress=on_progress)
    assert time.monotonic() - t0 < 60
    assert table.attrs["interrupted"] and list(table.index) == [1] and table.loc[1, "complete"]
    with h5py.File(tmp_path / "s-1.h5", "r") as f:
        assert f["meta"].attrs["complete"] == 1
        assert f["kpi"].attrs["uplinks_sent"] == table.loc[1, "uplinks_sent"]
    with h5py.File(tmp_path / "s-2.h5", "r") as f:  # the stopped child finished its trace, incomplete
        assert f["meta"].attrs["complete"] == 0
    assert not (tmp_path / "s-3.h5").exists()
