"""citytwin.plot's figures against simulated time: outcomes (uplinks per time bin by outcome) and
timeseries (the wired network's utilisation, the drivers below it, one panel per unit); both shade the
run's outages (_outage_shading.py)."""
from __future__ import annotations

from typing import Any, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from ._outage_shading import shade_windows
from ._plot_common import _axes, _result

#: colours that read: delivered green, the ways of being lost in reds/oranges/greys
_OUTCOME_COLOURS = {"delivered": "#2ca02c", "collision": "#d62728", "below_sensitivity": "#ff7f0e",
                    "gateway_down": "#7f7f7f", "backhaul_down": "#8c564b"}


def _span(r: Any) -> Tuple[float, str]:
    """(where the run's simulated time ends in s, a note saying where it stopped; "" for a complete run).
    A run stopped early keeps its planned duration in /meta: the end is Result.simulated_s."""
    duration = float(r.meta.get("duration_s", 0.0) or 0.0)
    if r.complete:
        return duration, ""
    end = float(r.simulated_s)
    planned = f" of the planned {duration / 3600:g} h" if duration > 0 else ""
    return end, f"run stopped at {end / 3600:.3g} h{planned} (incomplete trace): the rest was not simulated"


def outcomes(result: Any, *, bin_s: float = 3600.0, ax: Any = None) -> Any:
    """Uplinks sent per time bin, stacked: delivered (green) and lost by fail reason.

    Bins cover the run exactly (the last one is shortened to the run's end and drawn as a rate so that it
    does not look like a drop), so the figure does not lie at its edges. A run stopped early is drawn to
    where it stopped (Result.simulated_s), and the title says so. At run.trace: sample the counts are those
    of the sampled devices (every k-th): the y label and the title say so, with k. At run.trace: summary
    there are no uplinks to count: ValueError.
    """
    r = _result(result)
    r._require_messages()
    end, stopped = _span(r)
    duration = end or float(r.read_messages(["t_tx_s"])["t_tx_s"].max())
    if not duration > 0:
        raise ValueError(f"{r.path or 'the trace of this run'}: no simulated time to draw (the run stopped "
                         "before its first uplink)")
    ax = _axes(ax, (9, 3.5))
    edges = np.arange(0.0, duration, bin_s)
    edges = np.append(edges, duration)
    widths = np.diff(edges)
    counts: dict = {}
    for chunk in r.iter_messages(columns=["t_tx_s", "delivered", "fail_reason"]):
        outcome = np.where(chunk["delivered"].to_numpy() > 0, "delivered",
                           chunk["fail_reason"].astype(str).to_numpy())
        for name in pd.unique(outcome):
            h, _ = np.histogram(chunk["t_tx_s"].to_numpy()[outcome == name], bins=edges)
            counts[name] = counts.get(name, 0) + h
    order = ["delivered"] + sorted(k for k in counts if k != "delivered")
    rates = [counts.get(k, np.zeros(len(widths))) * (bin_s / widths) for k in order]
    hours = edges / 3600.0
    colours = [_OUTCOME_COLOURS.get(k) for k in order]
    fallback = iter(["#9467bd", "#e377c2", "#bcbd22", "#17becf", "#1f77b4"])
    colours = [c if c is not None else next(fallback, None) for c in colours]
    ax.stackplot(np.repeat(hours, 2)[1:-1], *[np.repeat(rate, 2) for rate in rates], labels=order,
                 colors=colours, alpha=0.9)
    ax.set_xlim(0, hours[-1])
    ax.set_xlabel("simulated time (h)")
    per = f"per {bin_s / 3600:g} h" if bin_s >= 3600 else f"per {bin_s:g} s"
    notes = [stopped] if stopped else []
    if r.trace_level == "sample":
        k = r.trace_every
        ax.set_ylabel(f"uplinks of the sampled\ndevices {per}")
        notes.insert(0, f"sample: the uplinks of 1 device in {k} (run.trace: sample, device id % {k} == 0), "
                        "not of the whole city")
    else:
        ax.set_ylabel(f"uplinks {per}")
    if notes:
        ax.set_title("\n".join(notes), fontsize=9, loc="left")
    shade_windows(ax, r, scale=3600.0)  # before the legend, which then names each kind of shading
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    return ax


#: what a driver quantity without units is, on its axis label (docs/SCENARIO.md)
_NO_UNITS = {"parking_occupancy": "fraction"}


def _driver_groups(dr: Any) -> dict:
    """The driver quantities over time grouped by unit, in the order of the trace: {key: (units, [names])}.
    A quantity without units is a group of its own: a fraction and a plain number are not one scale."""
    groups: dict = {}
    for name in dr.data_vars:
        da = dr[name]
        if "t_s" not in da.dims or da.ndim > 2 or (da.ndim == 2 and "district" not in da.dims):
            continue
        units = str(da.attrs.get("units", "") or "")
        key = units or f"-{name}"
        groups.setdefault(key, (units or _NO_UNITS.get(name, "no unit"), []))[1].append(name)
    return groups


def _same_curves(data: np.ndarray) -> list:
    """The columns of data (t, district) grouped where their curves are identical, in column order."""
    groups: list = []
    for j in range(data.shape[1]):
        for g in groups:
            if np.array_equal(data[:, g[0]], data[:, j], equal_nan=True):
                g.append(j)
                break
        else:
            groups.append([j])
    return groups


def _district_label(names: Sequence[str], prefix: str = "") -> str:
    """prefix and the district names, wrapped to lines of at most 34 characters (a legend beside a panel)."""
    import textwrap

    return "\n".join(textwrap.wrap(prefix + ", ".join(names), 34, break_on_hyphens=False))


def _draw_drivers(ax: Any, dr: Any, units: str, quantities: Sequence[str], districts: Sequence[str],
                  colours: Sequence[Any]) -> None:
    """The quantities of one unit on ax: a city-wide curve in black, a per-district one in its district's
    colour (the same in every panel), districts with identical curves drawn once and named together."""
    x = dr["t_s"].to_numpy() / 3600.0
    several = len(quantities) > 1
    styles = ["-", "--", ":", "-."]
    low = 0.0
    for q, name in enumerate(quantities):
        da = dr[name]
        title = name.replace("_", " ")
        style = styles[q % len(styles)]
        if da.ndim == 1:
            data = da.to_numpy()
            ax.plot(x, data, style, color="black", lw=1.5, label=f"{title} (city-wide)")
        else:
            data = da.transpose("t_s", "district").to_numpy()
            for members in _same_curves(data):
                ax.plot(x, data[:, members[0]], style, color=colours[members[0]], lw=1.3,
                        label=_district_label([districts[j] for j in members], f"{title}: " if several else ""))
        finite = data[np.isfinite(data)]
        low = min(low, float(finite.min())) if finite.size else low
    ax.set_ylabel(f"{', '.join(q.replace('_', ' ') for q in quantities)} ({units})")
    ax.set_ylim(bottom=low)  # from zero (or below, for a quantity that goes negative): heights read as sizes


def _panels(ax: Any, n: int) -> list:
    """n Axes stacked in the place of ax (ax the top one, the others sharing its time axis): in its
    subplot's slot when it has one, else in its rectangle."""
    if n <= 1:
        return [ax]
    fig = ax.figure
    spec = ax.get_subplotspec() if hasattr(ax, "get_subplotspec") else None
    if spec is not None:
        grid = spec.subgridspec(n, 1, hspace=0.08)
        ax.set_subplotspec(grid[0])
        others = [fig.add_subplot(grid[k], sharex=ax) for k in range(1, n)]
    else:
        box = ax.get_position()
        gap = 0.06 * box.height / n
        height = (box.height - gap * (n - 1)) / n
        ax.set_position([box.x0, box.y1 - height, box.width, height])
        others = [fig.add_axes([box.x0, box.y1 - (k + 1) * height - k * gap, box.width, height], sharex=ax)
                  for k in range(1, n)]
    axes = [ax] + others
    for a in axes[:-1]:
        a.tick_params(labelbottom=False)
        a.set_xlabel("")
    return axes


def timeseries(result: Any, variables: Optional[Sequence[str]] = None, *, drivers: bool = True,
               ax: Any = None) -> Any:
    """Utilisation (0..1) against simulated time: `variables` names wired links (`fibre:gw-1`, `pon:p1`)
    or `network_server`; by default the network server and the five links with the highest peak. With
    drivers, the run's driver curves (/drivers) below it, one panel per unit (river level and inundation
    depth in m, rainfall in mm/h, ...: no axis carries two units), sharing the time axis; a curve per
    district in that district's colour, named by the district (districts with the same curve named
    together), a city-wide curve in black. Outage and failure windows shaded in every panel, each kind in its
    own fill and hatch (power cut, link failure, network server down), named once in the top panel's legend.

    Returns the utilisation Axes (the top one); the driver panels are the other Axes of its figure. Given
    ax, the panels share ax's place in its figure (ax stays the top one); without, a new figure with
    constrained layout, so that the legends beside the panels are kept by a plain savefig. A run stopped
    early is drawn to where it stopped (Result.simulated_s), and the top panel's title says so."""
    r = _result(result)
    ts = r.timeseries
    dr = r.drivers if drivers else None
    groups = _driver_groups(dr) if dr is not None else {}
    utilisation = ts is not None or not groups
    n = int(utilisation) + len(groups)
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.subplots(figsize=(9, 3.5 if n == 1 else 1.0 + 2.4 * n), constrained_layout=True)[1]
    axes = _panels(ax, n)
    legend = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0), "fontsize": 8, "frameon": False}
    if utilisation:
        top = axes[0]
        if ts is not None:
            links = [str(link) for link in ts["link"].to_numpy()]
            if variables is None:
                peaks = ts["utilisation"].max("t_s").to_numpy() if links else np.zeros(0)
                names = ["network_server"] + [links[i] for i in np.argsort(-peaks, kind="stable")[:5]]
            else:
                names = list(variables)
            for name in names:
                if name in ts.data_vars and ts[name].dims == ("t_s",):
                    series = ts[name]
                elif name in links:
                    series = ts["utilisation"].sel(link=name)
                else:
                    raise ValueError(f"{name!r} is neither network_server nor a wired link of this run "
                                     f"({len(links)} links, e.g. {', '.join(links[:3])})")
                top.step(ts["t_s"].to_numpy() / 3600.0, series.to_numpy(), where="post", label=name)
            top.set_ylabel("utilisation\n(fraction of capacity)")
            top.set_ylim(bottom=0.0)
    if groups:
        districts = ([str(d) for d in dr["district"].to_numpy()] if "district" in dr.coords
                     else [str(d) for d in r.districts["name"]])
        import matplotlib

        palette = matplotlib.colormaps["tab10" if len(districts) <= 10 else "tab20"]
        colours = [palette(j % palette.N) for j in range(len(districts))]
        for panel, (units, quantities) in zip(axes[int(utilisation):], groups.values()):
            _draw_drivers(panel, dr, units, quantities, districts, colours)
    for k, panel in enumerate(axes):
        shade_windows(panel, r, scale=3600.0, label=k == 0)
        if panel.get_legend_handles_labels()[0]:
            panel.legend(**legend)
    end, stopped = _span(r)
    if end > 0:
        axes[0].set_xlim(0.0, end / 3600.0)
    if stopped:
        axes[0].set_title(stopped, fontsize=9, loc="left")
    axes[-1].set_xlabel("simulated time (h)")
    return axes[0]
