"""What the figures of citytwin.plot share: a Result from a trace path, the Axes to draw on, and axis labels
with units."""
from __future__ import annotations

from typing import Any


def _result(result: Any) -> Any:
    if isinstance(result, (str, bytes)) or hasattr(result, "__fspath__"):
        from ._trace import open as open_trace

        return open_trace(result)
    return result


def _axes(ax: Any, figsize: tuple) -> Any:
    """The caller's Axes, or one of a new figure with constrained layout: a legend or colour bar set beside
    the axes is then inside the figure, and a plain savefig (without bbox_inches="tight") keeps it."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=figsize, constrained_layout=True)[1]


def _label(name: str) -> str:
    units = {"_s": " (s)", "_m": " (m)", "_mah": " (mAh)", "_dbm": " (dBm)"}
    for suffix, unit in units.items():
        if name.endswith(suffix):
            return name[: -len(suffix)].replace("_", " ") + unit
    return name.replace("_", " ")


def _label_with_units(name: str, units: str) -> str:
    """An axis label for a column and its units attribute: "latency_mean_s", "s" -> "latency mean (s)" (the
    unit suffix of the name is not said twice); no units (or "1") -> the suffix rule of _label."""
    if not units or units == "1":
        return _label(name)
    stem, _, last = name.rpartition("_")
    unit = units.lower()
    if stem and (last == unit or last in unit.split("/") or last.rstrip("s") == unit):
        name = stem
    return f"{name.replace('_', ' ')} ({units})"
