"""Outage windows shaded on the time plots (citytwin.plot): power cuts, link failures and network-server
crashes each in a fill and hatch of their own, one legend entry a kind present."""
from __future__ import annotations

from typing import Any, Dict, Tuple

from ._plot_common import _result

#: kind -> (legend label, fill, hatch, hatch colour). Light fills (the curves stay readable through them)
#: of different lightness, and hatches of different direction: the kinds stay apart in greyscale too.
WINDOW_STYLES: Dict[str, Tuple[str, str, str, str]] = {
    "power_cut": ("power cut (district off mains)", "#f6c343", "///", "#8a6100"),
    "link": ("link failure (fibre, PON, backhaul)", "#6baed6", "\\\\\\", "#08519c"),
    "network_server": ("network server down", "#bdbdbd", "xx", "#252525"),
}


def window_kind(kind: str, target: str) -> str:
    """The style of a row of Result.outages: a power cut, the network server, or any link (fibre, drop,
    PON, backbone, core, cellular, leased, mesh: the wired and backhaul targets of drivers.failures)."""
    if kind == "power_cut":
        return "power_cut"
    return "network_server" if target == "network_server" else "link"


def shade_windows(ax: Any, r: Any, scale: float, label: bool = True) -> None:
    """Shades r.outages on ax (times divided by scale), over what is drawn; with label, the first window
    of each kind is named for the legend, in the order of WINDOW_STYLES. A cut of several districts at
    the same times is one band (overlaid bands would read as a darker, different kind)."""
    from matplotlib.colors import to_rgba

    windows = r.outages
    order = list(WINDOW_STYLES)
    kinds = [window_kind(str(k), str(t)) for k, t in zip(windows["kind"], windows["target"])]
    drawn = set()
    for kind, start, end in sorted(zip(kinds, windows["start_s"], windows["end_s"]),
                                   key=lambda w: (order.index(w[0]), w[1], w[2])):
        if (kind, start, end) in drawn:
            continue
        text, fill, hatch, ink = WINDOW_STYLES[kind]
        first = not any(k == kind for k, _, _ in drawn)
        drawn.add((kind, start, end))
        ax.axvspan(start / scale, end / scale, facecolor=to_rgba(fill, 0.25), edgecolor=to_rgba(ink, 0.55),
                   hatch=hatch, lw=0, label=text if label and first else None)


def shade_outages(result: Any, *, ax: Any, label: bool = True) -> Any:
    """Shades the run's power cuts, link failures and network-server crashes (Result.outages) on ax, whose
    x axis is simulated time in hours (as outcomes and timeseries draw it), each kind in its own fill and
    hatch, named in the legend (label=False: not named, for a second panel). Returns ax."""
    shade_windows(ax, _result(result), scale=3600.0, label=label)
    return ax
