"""The figures every citytwin notebook draws, from a Result (or a trace path), with units on every axis.

    import citytwin.plot as ctp
    r = citytwin.open("flood_outage.h5")
    ctp.map(r)                       # districts, gateways, devices coloured by delivery ratio, coverage gaps
    ctp.outcomes(r)                  # uplinks per hour: delivered (green) and each way of being lost
    ctp.timeseries(r, ["network_server"], drivers=True)   # drivers below, a panel per unit; outages shaded
    ctp.district_bars(r, "delivery_ratio")
    ctp.shade_outages(r, ax=ax)      # power cuts, link failures, server crashes on a figure of your own (hours)

Each function takes an optional matplotlib Axes and returns the Axes it drew on (timeseries: the top one of
its panels). Without one, it makes a figure with constrained layout, so that a plain savefig keeps the
legends and colour bars set beside or under the axes.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

from ._outage_shading import shade_outages, shade_windows

__all__ = ["map", "outcomes", "timeseries", "district_bars", "shade_outages"]

#: colours that read: delivered green, the ways of being lost in reds/oranges/greys
_OUTCOME_COLOURS = {"delivered": "#2ca02c", "collision": "#d62728", "below_sensitivity": "#ff7f0e",
                    "gateway_down": "#7f7f7f", "backhaul_down": "#8c564b"}


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


#: the technologies of /kpi/coverage_grid, each a column of the share of the cell covered for the technology's
#: devices at their own radio, with radio.location_probability (90 % by default; output/SCHEMA.md, Coverage)
_COVERAGE_TECHNOLOGIES = ("lorawan", "nbiot", "wifi")


def _coverage_grid(r: Any, technology: Union[bool, str]) -> Optional[dict]:
    """/kpi/coverage_grid as an image: {"values": (rows = y, columns = x) share of each cell covered,
    NaN outside every district, "extent": (x0, x1, y0, y1) in m, "label": the technologies}; None
    when the trace has no grid. technology: True (or "any") for the largest share of any technology in the
    cell, else one of lorawan, nbiot, wifi."""
    table = r.kpi_tables.get("coverage_grid")
    if table is None or not len(table):
        return None
    present = [t for t in _COVERAGE_TECHNOLOGIES if t in table]
    if technology is True or technology == "any":
        columns, label = present, "any technology"
    elif technology in present:
        columns, label = [technology], technology
    else:
        raise ValueError(f"show_coverage={technology!r}: expected True, 'any' or one of {', '.join(present)}")
    ij = table["cell"].astype(str).str.split(",", expand=True).astype(int)
    i, j = ij[0].to_numpy(), ij[1].to_numpy()
    share = table[columns].to_numpy(dtype=float).max(axis=1)
    if "district" in table:  # the KPIs are shares of the districts' area: cells outside them are left out
        share = np.where(table["district"].to_numpy(dtype=float) >= 0, share, np.nan)
    values = np.full((j.max() + 1, i.max() + 1), np.nan)
    values[j, i] = share
    x, y = table["x_m"].to_numpy(dtype=float), table["y_m"].to_numpy(dtype=float)
    # square cells: their side from the centres along whichever direction has more than one cell
    if i.max() > 0:
        side = (x.max() - x.min()) / i.max()
    elif j.max() > 0:
        side = (y.max() - y.min()) / j.max()
    else:
        side = 20.0
    extent = (x.min() - side / 2, x.max() + side / 2, y.min() - side / 2, y.max() + side / 2)
    return {"values": values, "extent": extent, "label": label}


def _device_cmap() -> Any:
    """viridis without its light yellow top fifth: dark purple (low) to green (high). The common case, a
    delivery ratio near 1, is then a green that stands out on the white map, where viridis's yellow end all
    but vanished; still perceptually uniform and readable with the common colour-vision deficiencies."""
    import matplotlib
    from matplotlib.colors import ListedColormap

    return ListedColormap(matplotlib.colormaps["viridis"](np.linspace(0.0, 0.8, 256)), name="viridis_to_green")


def map(result: Any, color_by: Union[str, pd.Series] = "delivery_ratio", *, ax: Any = None,  # noqa: A001
        cmap: Any = None, device_size: float = 6.0, show_coverage: Union[bool, str] = True) -> Any:
    """Districts (outlines and names), gateways (black triangles) and devices coloured by a per-device KPI.

    color_by: a column of Result.device_kpis() ("delivery_ratio", "uplinks", "latency_p95_s", ...) or of
    Result.devices ("district", "type", "population": categories), or a Series indexed by device id.
    cmap: a numeric color_by's colour map (a matplotlib name or Colormap); by default viridis from dark purple
    (low) to green (high), without its light yellow end, which a white map hides.
    show_coverage: the coverage grid (/kpi/coverage_grid) drawn underneath: True (or "any") for the largest
    share of any technology, or one of "lorawan", "nbiot", "wifi"; False for none. It is drawn as its gaps:
    the part of each cell out of reach tinted (salmon), clear where covered; cells outside every district
    blank. A trace without a grid draws no coverage and warns (UserWarning).
    Per-device KPIs come from /messages: at run.trace: sample only the sampled devices (every k-th) have
    them, the others are drawn as "not sampled" (hollow); at run.trace: summary there are none, the devices
    are drawn in grey and a UserWarning names the trace level (colour by a column of Result.devices then).
    The legend is below the map: inside the figure when this function makes it (constrained layout); on
    your own Axes, lay the figure out (constrained_layout=True, tight_layout) or save with bbox_inches="tight".
    """
    import warnings

    from matplotlib.patches import Patch, PathPatch, Rectangle
    from matplotlib.path import Path

    r = _result(result)
    districts = r.districts
    own_figure = ax is None
    if own_figure:  # a figure of about the city's shape: the map, its colour bar and the legend under it
        x = np.concatenate([districts["x_min_m"], districts["x_max_m"], r.gateways["x_m"], r.devices["x_m"]])
        y = np.concatenate([districts["y_min_m"], districts["y_max_m"], r.gateways["y_m"], r.devices["y_m"]])
        width, height = np.ptp(x[np.isfinite(x)]), np.ptp(y[np.isfinite(y)])
        aspect = height / width if width > 0 and height > 0 else 1.0
        ax = _axes(None, (7.0, float(np.clip(5.3 * aspect, 2.5, 8.0)) + 1.6))
    coverage_handle = None
    if show_coverage is not False and show_coverage is not None:
        grid = _coverage_grid(r, show_coverage)
        if grid is None:
            warnings.warn(f"citytwin.plot.map: {r.path or 'the trace'} has no /kpi/coverage_grid (written by a "
                          "citytwin that did not keep it): the map is drawn without coverage "
                          "(show_coverage=False draws it so without this warning)", UserWarning, stacklevel=2)
        else:
            # The gaps are what a planner looks for: the part of each cell out of reach, tinted (clear where
            # covered, full tint where nothing reaches); cells outside every district are left blank.
            from matplotlib.colors import LinearSegmentedColormap, to_rgba

            gap = "#f4a582"
            tint = LinearSegmentedColormap.from_list("coverage_gap", [to_rgba(gap, 0.0), to_rgba(gap, 0.75)])
            ax.imshow(1.0 - grid["values"], origin="lower", extent=grid["extent"], cmap=tint, vmin=0, vmax=1,
                      zorder=0, interpolation="nearest", label="coverage")
            coverage_handle = Patch(facecolor=tint(1.0), edgecolor="none",
                                    label=f"out of coverage ({grid['label']});\npaler: part of the cell")
    for d in districts.to_dict("records"):
        polygons = d.get("polygons")
        if isinstance(polygons, list):  # city.districts_geojson: one patch per district, holes left open
            rings = [np.asarray(ring, dtype=float) for polygon in polygons for ring in polygon]
            vertices = np.concatenate(rings)
            codes = np.concatenate([[Path.MOVETO] + [Path.LINETO] * (len(ring) - 2) + [Path.CLOSEPOLY]
                                    for ring in rings])
            ax.add_patch(PathPatch(Path(vertices, codes), fill=False, edgecolor="0.35", linewidth=1.0, zorder=1))
            # The name at the area centroid of the district's largest outer ring, on a light box.
            def area_centroid(ring: np.ndarray) -> Tuple[float, float, float]:
                x, y = ring[:, 0], ring[:, 1]
                cross = x[:-1] * y[1:] - x[1:] * y[:-1]
                area = cross.sum() / 2
                if area == 0:
                    return 0.0, float(x.mean()), float(y.mean())
                return (abs(area), float(((x[:-1] + x[1:]) * cross).sum() / (6 * area)),
                        float(((y[:-1] + y[1:]) * cross).sum() / (6 * area)))
            _, cx, cy = max(area_centroid(np.asarray(p[0], dtype=float)) for p in polygons)
            ax.annotate(d["name"], (cx, cy), ha="center", va="center", fontsize=8, color="0.2", zorder=4,
                        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.7})
        else:
            ax.add_patch(Rectangle((d["x_min_m"], d["y_min_m"]), d["x_max_m"] - d["x_min_m"], d["y_max_m"] - d["y_min_m"],
                                   fill=False, edgecolor="0.35", linewidth=1.0, zorder=1))
            ax.annotate(d["name"], ((d["x_min_m"] + d["x_max_m"]) / 2, d["y_max_m"]), xytext=(0, -4),
                        textcoords="offset points", ha="center", va="top", fontsize=8, color="0.2", zorder=4,
                        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.7})
    devices = r.devices
    ids = devices["id"].to_numpy()
    # Devices whose uplinks the trace does not keep (run.trace: sample keeps every k-th device's): they
    # have no per-device KPI, which is not the same as having sent nothing.
    unsampled = np.zeros(len(devices), dtype=bool)
    values: Any = None
    if isinstance(color_by, pd.Series):
        values, label = color_by.reindex(ids).to_numpy(), color_by.name or "value"
    elif color_by in devices.columns:
        values, label = devices[color_by].to_numpy(), color_by
    elif r.trace_level == "summary":
        label = color_by
        warnings.warn(f"citytwin.plot.map: {r.path or 'the trace of this run'} was written with run.trace: "
                      f"summary, which keeps no /messages rows: the devices are drawn without {color_by} "
                      "(a per-device KPI); districts, gateways and coverage are complete. Colour by a column "
                      "of Result.devices (color_by=\"district\", \"type\") or run with run.trace: full",
                      UserWarning, stacklevel=2)
    else:
        values = r.device_kpis()[color_by].reindex(ids).to_numpy()
        label = color_by
        if r.trace_level == "sample":
            unsampled = ids % r.trace_every != 0
    if values is None:
        ax.scatter(devices["x_m"], devices["y_m"], s=device_size, c="0.55", zorder=2,
                   label=f"devices (no {_label(label)}: run.trace summary)")
    elif values.dtype.kind in "OUS" or isinstance(values, pd.Categorical):
        for name in pd.unique(values):
            pick = values == name
            ax.scatter(devices["x_m"][pick], devices["y_m"][pick], s=device_size, label=str(name), zorder=2)
    else:
        finite = np.isfinite(values.astype(float))
        if unsampled.any():
            k = r.trace_every
            ax.scatter(devices["x_m"][unsampled], devices["y_m"][unsampled], s=device_size, facecolors="none",
                       edgecolors="0.6", linewidths=0.6, zorder=2,
                       label=f"not sampled (run.trace sample:\nuplinks of 1 device in {k} kept)")
        silent = ~finite & ~unsampled
        if silent.any():
            ax.scatter(devices["x_m"][silent], devices["y_m"][silent], s=device_size, c="0.55",
                       label="no uplink", zorder=2)
        points = ax.scatter(devices["x_m"][finite], devices["y_m"][finite], c=values[finite], s=device_size,
                            cmap=_device_cmap() if cmap is None else cmap, zorder=2,
                            vmin=0.0 if label == "delivery_ratio" else None,
                            vmax=1.0 if label == "delivery_ratio" else None)
        ax.figure.colorbar(points, ax=ax, label=_label(label))
    gateways = r.gateways
    ax.scatter(gateways["x_m"], gateways["y_m"], marker="^", s=90, c="black", edgecolors="white",
               label="gateways / cells / access points", zorder=3)
    ax.set_aspect("equal")
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")
    handles, labels = ax.get_legend_handles_labels()
    if coverage_handle is not None:
        handles.append(coverage_handle)
        labels.append(coverage_handle.get_label())
    # Under the x axis's tick labels and label (a fixed offset in points, whatever the axes' size).
    import matplotlib
    from matplotlib.font_manager import FontProperties
    from matplotlib.transforms import ScaledTranslation

    rc = matplotlib.rcParams
    below = (max(rc["xtick.major.size"], 0) + rc["xtick.major.pad"] + rc["axes.labelpad"] + 4
             + 1.2 * FontProperties(size=rc["xtick.labelsize"]).get_size_in_points()
             + 1.2 * FontProperties(size=rc["axes.labelsize"]).get_size_in_points())
    legend = ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.0),
                       bbox_transform=ax.transAxes + ScaledTranslation(0, -below / 72, ax.figure.dpi_scale_trans),
                       ncol=3 if len(labels) > 4 else max(1, min(2, len(labels))), fontsize=8, frameon=False,
                       borderaxespad=0.0)
    for handle in getattr(legend, "legend_handles", None) or getattr(legend, "legendHandles", []):
        if hasattr(handle, "get_sizes") and len(handle.get_sizes()) and handle.get_sizes()[0] < 25:
            handle.set_sizes([25])  # a device's dot, large enough in the legend to see its colour
    if own_figure:  # trim the height the equal aspect leaves empty above and below the map
        fig = ax.figure
        fig.draw_without_rendering()
        slack = ax.get_position(original=True).height - ax.get_position(original=False).height
        if 0.02 < slack < 0.7:
            fig.set_figheight(fig.get_figheight() * (1.0 - slack))
    return ax


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


def district_bars(result: Any, kpi: str = "delivery_ratio", *, ax: Any = None) -> Any:
    """One bar per district of a /kpi/by_district column, from zero (honest), with the value printed."""
    r = _result(result)
    ax = _axes(ax, (7, 3.5))
    table = r.by_district  # indexed by district name
    bars = ax.bar(table.index.astype(str), table[kpi], color="tab:blue")
    ax.bar_label(bars, fmt="%.3g", fontsize=8)
    attrs = r.columns("kpi/by_district")
    units = attrs.loc[kpi, "units"] if kpi in attrs.index else ""
    ax.set_ylabel(_label_with_units(kpi, units))
    ax.set_ylim(0, max(1.0, float(np.nanmax(table[kpi]))) * 1.1 if kpi.endswith("ratio") else None)
    ax.set_xlabel("district")
    return ax
