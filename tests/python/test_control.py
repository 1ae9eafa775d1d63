"""Controlling runs from Python: progress callbacks, cancelling a running future, sweeps that survive a
failing member and stop cleanly on Ctrl-C."""
import os
import signal
import threading
import time
from concurrent.futures import CancelledError

import h5py
import pytest

import citytwin
from support import QUICKSTART, SMALL

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


def test_cancel_stops_a_running_future_at_its_next_window(tmp_path):
    out = tmp_path / "long.h5"
    started = threading.Event()
    future = citytwin.run_async(QUICKSTART, overrides=LONG, out=out, threads=1,
                                progress=lambda p: None if p.set_up else started.set())
    assert started.wait(60), "the run never reported progress"
    assert future.running()
    assert future.cancel() and future.cancel_requested()
    # Usually well within a second; the bound only says it stopped, on a machine busy with other work too.
    r = future.result(timeout=120)
    assert not r.complete and r.meta["complete"] == 0
    with h5py.File(out, "r") as f:  # the trace is finished, incomplete, and holds what was simulated
        assert f["meta"].attrs["complete"] == 0
        assert f["messages"].attrs["rows_written"] == f["messages/device"].shape[0]
        # Where it stopped: far short of the 60 days planned, and at the last message it sent (a report due
        # before the stop starts its frame after its device's wake-up, under a second later: SCHEMA.md).
        assert f["messages/t_tx_s"][-1] <= f["meta"].attrs["simulated_s"] + 1.0
        assert f["meta"].attrs["simulated_s"] < 86400 * 60
    assert not future.cancel()  # already done


def test_a_stop_that_takes_says_so_and_where(tmp_path, monkeypatch):
    from citytwin import _runner

    stop, summaries, real_core_run = threading.Event(), [], _runner._core.run

    def run_and_keep(*args, **kwargs):
        summaries.append(real_core_run(*args, **kwargs))
        return summaries[-1]

    monkeypatch.setattr(_runner._core, "run", run_and_keep)
    r = citytwin.run(QUICKSTART, overrides=LONG, out=tmp_path / "stopped.h5", threads=1, stop=stop,
                     progress=lambda p: None if p.set_up else stop.set())
    assert summaries[-1]["stop_sent"]  # the child was asked to stop, and did
    assert r.stopped and r.stop_requested and not r.complete
    assert r.simulated_s == r.meta["simulated_s"] < 86400 * 60  # where: as /meta says


def test_a_stop_set_as_the_run_finishes_comes_too_late_and_the_result_says_so(monkeypatch):
    """The child has finished its last window (its outcome is on its way) when the stop is set: the run
    is complete and whole, and the Result tells the stop apart from one that took."""
    from citytwin import _runner

    stop, summaries, real_core_run = threading.Event(), [], _runner._core.run

    def run_then_stop(*args, **kwargs):  # the child is done; run() has not taken its outcome yet
        summaries.append(real_core_run(*args, **kwargs))
        stop.set()
        return summaries[-1]

    monkeypatch.setattr(_runner._core, "run", run_then_stop)
    r = citytwin.run(SMALL, overrides={"run.duration": "10 min"}, stop=stop)
    assert not summaries[-1]["stop_sent"]
    assert r.complete and not r.stopped and r.stop_requested
    assert r.simulated_s == r.meta["duration_s"]


def test_a_run_without_a_stop_was_neither_asked_nor_stopped():
    r = citytwin.run(SMALL, overrides={"run.duration": "10 min"}, stop=threading.Event())
    assert r.complete and not r.stopped and r.stop_requested is False
    with citytwin.open(r._file_path) as opened:  # a trace opened from its file cannot know about a stop
        assert opened.stop_requested is None and not opened.stopped


def test_a_cancel_that_comes_as_the_run_finishes_never_ends_with_the_complete_result(monkeypatch):
    """concurrent.futures' promise: cancel() is True only when the cancellation takes effect. A run whose
    child has finished before the stop reaches it cannot be stopped any more: the future ends cancelled."""
    from citytwin import _runner

    finished, release = threading.Event(), threading.Event()
    real_run = _runner._run  # what run_async's thread runs (run, its warnings at run_async's caller)

    def run_then_wait(*args, **kwargs):  # the child is done; the future has not been told yet
        result = real_run(*args, **kwargs)
        finished.set()
        release.wait(120)
        return result

    monkeypatch.setattr(_runner, "_run", run_then_wait)
    future = citytwin.run_async(SMALL, overrides={"run.duration": "10 min"})
    assert finished.wait(120), "the run never finished"
    cancelled = future.cancel()
    release.set()
    if cancelled:
        with pytest.raises(CancelledError):
            future.result(timeout=120)
    else:
        assert future.result(timeout=120).complete


def test_cancel_is_false_once_the_result_is_being_delivered(monkeypatch):
    from citytwin import _runner

    delivering, release = threading.Event(), threading.Event()
    real_set_result = _runner.RunFuture.set_result

    def set_result_when_released(self, result):
        delivering.set()
        release.wait(120)
        real_set_result(self, result)

    monkeypatch.setattr(_runner.RunFuture, "set_result", set_result_when_released)
    future = citytwin.run_async(SMALL, overrides={"run.duration": "10 min"})
    assert delivering.wait(120), "the run never finished"
    assert not future.done()
    try:
        assert not future.cancel()  # the run has finished: nothing is left to cancel
    finally:
        release.set()
    assert future.result(timeout=120).complete and not future.cancel_requested()


def test_cancel_before_the_run_starts_cancels_the_future(monkeypatch):
    from citytwin import _runner

    held, thread = [], threading.Thread

    class HeldThread(thread):
        def start(self):  # started by the test once cancel() has been called
            held.append(self)

    def no_run(*args, **kwargs):
        raise AssertionError("a cancelled future ran its scenario")

    monkeypatch.setattr(threading, "Thread", HeldThread)
    monkeypatch.setattr(_runner, "_run", no_run)  # what run_async's thread runs
    future = citytwin.run_async(SMALL)
    assert not future.running() and future.cancel()
    assert future.cancelled() and future.cancel()  # as concurrent.futures: cancelling again is True
    thread.start(held[0])
    held[0].join(60)
    with pytest.raises(CancelledError):
        future.result(timeout=0)


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
