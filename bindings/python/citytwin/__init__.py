"""citytwin: a discrete-event digital twin of a city's sensing infrastructure.

    import citytwin
    sc = citytwin.Scenario.from_file("scenarios/quickstart.yaml")
    sc["devices.0.interval"] = "2 min"
    r = citytwin.run(sc, seed=7)
    r.kpi["delivery_ratio"]; r.by_district; r.by_type; r.messages; r.timeseries
    r.plot_map(); citytwin.plot.outcomes(r); r.to_geojson("city.geojson")  # lon/lat: needs city.origin
    ds = citytwin.sweep(sc, seeds=3, grid={"devices.0.interval": ["2 min", "5 min"]}, jobs=2)

Each run happens in a child process (SimGrid keeps one engine per process), with the GIL released, so
other Python threads keep running; run_async() returns a Future whose cancel() stops the run. Traces
on disk open with citytwin.open(path). Errors are citytwin.ScenarioError (a ValueError) and
citytwin.RunError (a RuntimeError), with the same text as the command line.
"""
from __future__ import annotations

from . import _core, geo, plot
from ._codes import FAIL_REASONS, RADIOS
from ._compare import compare, plot_compare, read_compare
from ._campaign import SweepFailure, open_campaign, sweep
from ._runner import Progress, RunFuture, catalogue, run, run_async, validate
from ._scenario import Scenario, ScenarioWarning
from ._trace import Result, open, read

__all__ = ["Scenario", "Result", "Progress", "RunFuture", "SweepFailure", "run", "run_async", "sweep",
           "validate", "open", "read", "compare", "plot_compare", "read_compare", "open_campaign", "catalogue",
           "FAIL_REASONS", "RADIOS", "ScenarioError", "RunError", "ScenarioWarning", "plot", "geo",
           "__version__"]
__version__: str = _core.__version__
ScenarioError = _core.ScenarioError
RunError = _core.RunError


def __dir__() -> list:
    return sorted(__all__)
