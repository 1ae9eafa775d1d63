"""citytwin: a discrete-event digital twin of a city's sensing infrastructure.

    import citytwin
    r = citytwin.run("scenarios/quickstart.yaml", seed=7, overrides={"devices.0.interval": "2 min"})
    r.kpi["delivery_ratio"]; r.messages["t_tx_s"]; r.messages_frame(); r.by_district

Each run happens in a child process (SimGrid keeps one engine per process), with the GIL released, so
other Python threads keep running; run_async() returns a Future for notebooks. Errors are
citytwin.ScenarioError (a ValueError) and citytwin.RunError (a RuntimeError), with the same text as the
command line.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Mapping, Optional, Union

from . import _core
from ._result import Result, read

__all__ = ["run", "run_async", "sweep", "validate", "read", "Result", "ScenarioError", "RunError",
           "__version__"]
__version__ = _core.__version__
ScenarioError = _core.ScenarioError
RunError = _core.RunError

ScenarioLike = Union[str, os.PathLike]


def _source(scenario: ScenarioLike) -> tuple[str, bool]:
    """A path, or YAML text (any string with a newline)."""
    if isinstance(scenario, os.PathLike):
        return os.fspath(scenario), False
    if not isinstance(scenario, str):
        raise TypeError(f"scenario must be a path or YAML text, not {type(scenario).__name__}")
    return scenario, "\n" in scenario


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value_text(v) for v in value) + "]"
    return str(value)


def _overrides(overrides: Optional[Mapping[str, Any]]) -> list[str]:
    return [f"{key}={_value_text(value)}" for key, value in (overrides or {}).items()]


def validate(scenario: ScenarioLike, overrides: Optional[Mapping[str, Any]] = None) -> None:
    """Raises ScenarioError (every problem, one per line: file:line:col: key.path: message)."""
    text_or_path, is_text = _source(scenario)
    _core.validate(text_or_path, is_text, _overrides(overrides))


def run(scenario: ScenarioLike, *, seed: Optional[int] = None, threads: Optional[int] = None,
        overrides: Optional[Mapping[str, Any]] = None, out: Optional[ScenarioLike] = None,
        progress: bool = False, overwrite: bool = False) -> Result:
    """Runs a scenario (a path or YAML text) and returns its Result.

    out: where to write the HDF5 trace; by default a temporary file that is read into memory and
    removed. An existing file at out is refused (RunError) unless overwrite=True; it is then replaced
    only once the new trace is complete (a failed run leaves it as it was). seed / threads override the scenario's run.seed and the thread count (default: all cores).
    overrides: {"key.path": value}, like the command line's --set key.path=value.
    progress: print the progress line on the process's stderr (the terminal, not the notebook).
    """
    text_or_path, is_text = _source(scenario)
    tmpdir = None
    if out is None:
        tmpdir = tempfile.mkdtemp(prefix="citytwin-")
        path = os.path.join(tmpdir, "run.h5")
    else:
        path = os.fspath(out)
    try:
        summary = _core.run(text_or_path, is_text, _overrides(overrides), path, seed, threads, progress,
                            overwrite)
        result = read(summary["path"])
        if tmpdir is not None:
            result.path = None  # the temporary trace is removed below; everything is in memory
        return result
    finally:
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)


_executor: Optional[ThreadPoolExecutor] = None


def run_async(scenario: ScenarioLike, **kwargs: Any) -> "Future[Result]":
    """Like run(), in a background thread: the notebook stays responsive; call .result() to wait."""
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=max(1, (os.cpu_count() or 2) // 2),
                                       thread_name_prefix="citytwin")
    return _executor.submit(run, scenario, **kwargs)


def sweep(scenario: ScenarioLike, seeds, **kwargs: Any):
    """Runs the scenario once per seed; returns a pandas DataFrame with one row of KPIs per seed."""
    import pandas as pd

    rows = []
    for s in seeds:
        r = run(scenario, seed=int(s), **kwargs)
        rows.append({"seed": int(s), **r.kpi})
    return pd.DataFrame(rows).set_index("seed")
