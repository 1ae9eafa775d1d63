"""Running scenarios: run, run_async (a cancellable Future), sweep, validate, progress bars."""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional, Union

from . import _core
from ._caller import Caller, caller, warn_at
from ._scenario import Scenario, ScenarioLike, ScenarioWarning
from ._trace import Result


@dataclass(frozen=True)
class Progress:
    """Where a running simulation is: simulated seconds of duration_s, uplinks sent so far.

    While the city is still being set up (a large city takes seconds: placing the devices, finding
    their radio links), set_up says what is being done ("laying out the city", "radio links", "writing
    the device and gateway tables, assembling the run", "built") and set_up_fraction how far the radio links are (0..1);
    sim_s, duration_s and uplinks are then 0. Once the simulated time runs, set_up is "".
    """

    sim_s: float
    duration_s: float
    uplinks: int
    set_up: str = ""
    set_up_fraction: float = 0.0

    @property
    def fraction(self) -> float:
        """sim_s / duration_s (0..1); 0 during the set-up."""
        if self.set_up:
            return 0.0
        return self.sim_s / self.duration_s if self.duration_s > 0 else 1.0


ProgressCallback = Callable[[Progress], None]
ProgressArg = Union[None, bool, ProgressCallback]


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    try:
        ip = shell.get_ipython()  # type: ignore[attr-defined]
    except Exception:
        return False
    return ip is not None and "IPKernelApp" in getattr(ip, "config", {})


def _tqdm() -> Any:
    """tqdm's widget bar in Jupyter when ipywidgets is installed, else its text bar (which a notebook
    shows as one line rewritten in place)."""
    if _in_notebook():
        try:
            import ipywidgets  # noqa: F401 (tqdm.notebook needs it)
            from tqdm.notebook import tqdm

            return tqdm
        except ImportError:
            pass
    from tqdm import tqdm

    return tqdm


class _Bar:
    """A tqdm bar over simulated hours, after one over the set-up's radio links when the set-up takes
    more than a second (as the command line shows it)."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._set_up_bar: Any = None
        self._set_up_since: Optional[float] = None

    def _set_up(self, p: Progress) -> None:
        now = time.monotonic()
        if self._set_up_since is None:
            self._set_up_since = now
        if self._set_up_bar is None:
            if now - self._set_up_since < 1.0:
                return
            self._set_up_bar = _tqdm()(total=100, desc="citytwin set-up", unit="%",
                                       bar_format="{l_bar}{bar}| {n:.0f}% of the radio links [{elapsed}]{postfix}")
            self._set_up_bar.start_t -= now - self._set_up_since  # its elapsed time from the set-up's start
        self._set_up_bar.n = round(100.0 * min(1.0, max(0.0, p.set_up_fraction)))
        self._set_up_bar.set_postfix_str(p.set_up, refresh=False)
        self._set_up_bar.refresh()

    def __call__(self, p: Progress) -> None:
        if p.set_up:
            self._set_up(p)
            return
        if self._set_up_bar is not None:
            self._set_up_bar.close()
            self._set_up_bar = None
        if self._bar is None:
            tqdm = _tqdm()

            self._bar = tqdm(total=round(p.duration_s / 3600.0, 3), unit="h sim", desc="citytwin",
                             bar_format="{l_bar}{bar}| {n:.2f}/{total:.2f} h sim [{elapsed}<{remaining}]{postfix}")
        self._bar.n = round(min(p.sim_s, p.duration_s) / 3600.0, 3)
        self._bar.set_postfix_str(f"{p.uplinks} uplinks", refresh=False)
        self._bar.refresh()

    def close(self) -> None:
        for bar in (self._set_up_bar, self._bar):
            if bar is not None:
                bar.close()


def validate(scenario: ScenarioLike, overrides: Optional[Mapping[str, Any]] = None) -> None:
    """Raises ScenarioError listing every problem, one per line (file:line:col: key.path: message)."""
    Scenario.load(scenario).validate(overrides)


def run(scenario: ScenarioLike, *, seed: Optional[int] = None, threads: Optional[int] = None,
        overrides: Optional[Mapping[str, Any]] = None, out: Optional[Union[str, "os.PathLike[str]"]] = None,
        progress: ProgressArg = None, stop: Optional[threading.Event] = None,
        overwrite: bool = False) -> Result:
    """Runs a scenario in a child process and returns its Result.

    scenario: a Scenario, a path, YAML text (a str with a newline) or a dict.
    seed / threads: override run.seed and the thread count (default: all cores, or one for a city whose
    windows are too small for more to pay, as the CLI; results do not depend on it; Result.meta
    ["threads"] says which). overrides: {"key.path": value}, the paths Scenario accepts ("devices.0.interval",
    "gateways[+]"). out: the HDF5 trace to write; by default a temporary file, removed with the Result.
    An existing file at out is refused (RunError) unless overwrite=True; it is then replaced only once
    the new trace is complete (a failed run leaves it as it was).
    progress: None (a tqdm bar in Jupyter, nothing elsewhere), True (a tqdm bar), False (nothing), or a
    callable given a citytwin.Progress a few times a second (first the set-up's steps, then the simulated
    time; the bar shows the set-up when it takes more than a second). stop: an Event; once set, the run
    stops at its next window and the Result is incomplete (complete = False); set during the set-up, the
    run raises RunError. A stop can come too late: set while the run finishes its last window or writes
    its trace, it does not take, and the Result is complete and whole. The Result says which:
    result.stopped is True when the stop took (the trace ends at result.simulated_s, as /meta says), and
    result.stop_requested is True when the event was set before run() took the run's outcome (checked
    once more then), so stop_requested and not stopped means it came too late. A stop set after that
    check has no effect on this run (stop_requested False).
    Ctrl-C (the notebook's interrupt) stops the run the same way and raises KeyboardInterrupt.
    Errors and warnings name an edit of a Scenario as `sc["key.path"] = value` and an entry of overrides as
    `overrides["key.path"] = value`; the warnings (ScenarioWarning) point at the line that called run.
    """
    return _run(scenario, caller(), seed=seed, threads=threads, overrides=overrides, out=out, progress=progress,
                stop=stop, overwrite=overwrite)


def _run(scenario: ScenarioLike, where: Caller, *, seed: Optional[int] = None, threads: Optional[int] = None,
         overrides: Optional[Mapping[str, Any]] = None, out: Optional[Union[str, "os.PathLike[str]"]] = None,
         progress: ProgressArg = None, stop: Optional[threading.Event] = None, overwrite: bool = False) -> Result:
    """run(), its warnings at `where` (run_async's caller: not on the stack of the thread that runs it)."""
    sc = Scenario.load(scenario)
    text_or_path, is_text, override_list = sc.source_args(overrides)
    tmpdir = None
    if out is None:
        tmpdir = tempfile.mkdtemp(prefix="citytwin-")
        path = os.path.join(tmpdir, "run.h5")
    else:
        path = os.fspath(out)
    if progress is None:
        progress = _in_notebook()
    bar = _Bar() if progress is True else None
    callback: Optional[ProgressCallback] = bar if bar is not None else (progress if callable(progress) else None)
    on_progress = None if callback is None else (lambda s, d, u, w, f: callback(Progress(s, d, int(u), w, f)))
    should_stop = None if stop is None else stop.is_set
    named = sc.message_namer(overrides)
    try:
        try:
            summary = _core.run(text_or_path, is_text, override_list, path, seed, threads, False, should_stop,
                                on_progress, overwrite, source_name=sc.source)
        except (_core.ScenarioError, _core.RunError) as e:
            raise type(e)(named(str(e))) from None
        result = Result(summary["path"], temporary_dir=tmpdir)
        tmpdir = None  # the Result owns it now
        # The last look at stop: the child may have finished before the parent polled it (100 ms apart).
        result.stop_requested = bool(summary["stop_sent"]) or (stop is not None and stop.is_set())
        result._cache["warnings"] = [named(text) for text in result.warnings]  # as the user wrote the scenario
        warn_at(where, result.warnings, ScenarioWarning)
        return result
    finally:
        if bar is not None:
            bar.close()
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)


class RunFuture(Future):  # type: ignore[type-arg]
    """The Future of run_async: result() waits for the Result; cancel() stops a running simulation
    (at its next window, usually within a second) and leaves an incomplete trace."""

    def __init__(self) -> None:
        super().__init__()
        self._stop = threading.Event()
        # Held while cancel() decides and while the worker takes the run's outcome: a cancel either comes
        # before the outcome (and the future ends stopped) or after it (and returns False).
        self._settling = threading.Lock()
        self._settled = False

    def cancel(self) -> bool:
        """Stops the run, as concurrent.futures.Future.cancel: False when the run has already finished;
        True when the stop takes effect, and then the future never ends with the complete Result. A run
        not started yet is cancelled (result() raises CancelledError); a running one is stopped at its
        next window and result() returns its incomplete Result (complete = False), or raises RunError when
        stopped during the set-up, or CancelledError when it finished its last window before it saw the
        stop (its trace at out, if given, is complete)."""
        with self._settling:
            if self.cancelled():
                return True
            if self._settled or self.done():
                return False
            self._stop.set()
            super().cancel()  # a future not running yet is cancelled outright
            return True

    def cancel_requested(self) -> bool:
        """Whether cancel() was called (and returned True)."""
        return self._stop.is_set()

    def _settle(self, result: Optional[Result] = None, error: Optional[BaseException] = None) -> None:
        """Ends the future with the run's outcome; a complete Result after a cancel ends it cancelled."""
        with self._settling:
            self._settled = True
            too_late = result is not None and self._stop.is_set() and result.complete
        if too_late:
            result.close()  # type: ignore[union-attr]
            self.set_exception(CancelledError("the run finished its last window before it saw the stop"))
        elif error is not None:
            self.set_exception(error)
        else:
            self.set_result(result)


def run_async(scenario: ScenarioLike, **kwargs: Any) -> RunFuture:
    """Like run(), in a background thread (the notebook stays responsive): returns a RunFuture;
    .result() waits, .cancel() stops the child process at its next window. Cancelled while the city is
    still being set up (Progress.set_up not empty), there is no simulated time to return: .result()
    raises RunError ("stopped while computing the radio links", ...)."""
    future = RunFuture()
    kwargs.setdefault("progress", False)
    where = caller()  # the run's warnings point here, not into the thread that runs it

    def work() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            result = _run(scenario, where, stop=future._stop, **kwargs)
        except BaseException as e:  # noqa: BLE001 (delivered through the future)
            future._settle(error=e)
        else:
            future._settle(result)

    threading.Thread(target=work, name="citytwin-run", daemon=True).start()
    return future


def catalogue() -> Any:
    """The device types of the catalogue (models/device/catalogue.hpp) as a DataFrame indexed by name:
    radio, interval_s, payload_bytes, power, battery_mah, ..."""
    import pandas as pd

    return pd.DataFrame(_core.catalogue()).set_index("name")
