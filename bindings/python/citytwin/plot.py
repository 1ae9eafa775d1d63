"""The figures every citytwin notebook draws, from a Result (or a trace path), with units on every axis.

    import citytwin.plot as ctp
    r = citytwin.open("flood_outage.h5")
    ctp.map(r)                       # districts, gateways, devices coloured by delivery ratio
    ctp.outcomes(r)                  # uplinks per hour: delivered (green) and each way of being lost
    ctp.timeseries(r, ["network_server"], drivers=True)   # with outage windows shaded
    ctp.district_bars(r, "delivery_ratio")

Each function takes an optional matplotlib Axes and returns the Axes it drew on.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

__all__ = ["map", "outcomes", "timeseries", "district_bars"]

#: colours that read: delivered green, the ways of being lost in reds/oranges/greys
_OUTCOME_COLOURS = {"delivered": "#2ca02c", "collision": "#d62728", "below_sensitivity": "#ff7f0e",
                    "gateway_down": "#7f7f7f", "backhaul_down": "#8c564b"}


def _result(result: Any) -> Any:
    if isinstance(result, (str, bytes)) or hasattr(result, "__fspath__"):
        from ._trace import open as open_trace

        return open_trace(result)
    return result


def _axes(ax: Any, figsize: tuple) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=figsize)[1]


def map(result: Any, color_by: Union[str, pd.Series] = "delivery_ratio", *, ax: Any = None,  # noqa: A001
        cmap: str = "viridis", device_size: float = 6.0, show_coverage: bool = True) -> Any:
    """Districts (outlines and names), gateways (black triangles) and devices coloured by a per-device KPI.

    color_by: a column of Result.device_kpis() ("delivery_ratio", "uplinks", "latency_p95_s", ...) or of
    Result.devices ("district", "type", "population": categories), or a Series indexed by device id.
    The coverage grid is drawn underneath when the trace has one (/coverage/grid).
    """
    from matplotlib.patches import PathPatch, Rectangle
    from matplotlib.path import Path

    r = _result(result)
    ax = _axes(ax, (7, 5))
    districts = r.districts
    if show_coverage:
        grid = r.coverage_grid() if hasattr(r, "coverage_grid") else None
        if grid is not None:
            ax.imshow(grid["values"], origin="lower", extent=grid["extent"], cmap="Greys", vmin=0, vmax=1,
                      alpha=0.3, zorder=0)
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
                        textcoords="offset points", ha="center", va="top", fontsize=8, color="0.25")
    devices = r.devices
    if isinstance(color_by, pd.Series):
        values, label = color_by.reindex(devices["id"].to_numpy()).to_numpy(), color_by.name or "value"
    elif color_by in devices.columns:
        values, label = devices[color_by].to_numpy(), color_by
    else:
        values = r.device_kpis()[color_by].reindex(devices["id"].to_numpy()).to_numpy()
        label = color_by
    if values.dtype.kind in "OUS" or isinstance(values, pd.Categorical):
        for name in pd.unique(values):
            pick = values == name
            ax.scatter(devices["x_m"][pick], devices["y_m"][pick], s=device_size, label=str(name), zorder=2)
    else:
        finite = np.isfinite(values.astype(float))
        if (~finite).any():
            ax.scatter(devices["x_m"][~finite], devices["y_m"][~finite], s=device_size, c="0.8",
                       label="no uplink", zorder=2)
        points = ax.scatter(devices["x_m"][finite], devices["y_m"][finite], c=values[finite], s=device_size,
                            cmap=cmap, zorder=2, vmin=0.0 if label == "delivery_ratio" else None,
                            vmax=1.0 if label == "delivery_ratio" else None)
        ax.figure.colorbar(points, ax=ax, label=_label(label))
    gateways = r.gateways
    ax.scatter(gateways["x_m"], gateways["y_m"], marker="^", s=90, c="black", edgecolors="white",
               label="gateways / cells / access points", zorder=3)
    ax.set_aspect("equal")
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=4, fontsize=8, frameon=False)
    return ax


def _label(name: str) -> str:
    units = {"_s": " (s)", "_m": " (m)", "_mah": " (mAh)", "_dbm": " (dBm)"}
    for suffix, unit in units.items():
        if name.endswith(suffix):
            return name[: -len(suffix)].replace("_", " ") + unit
    return name.replace("_", " ")


def outcomes(result: Any, *, bin_s: float = 3600.0, ax: Any = None) -> Any:
    """Uplinks sent per time bin, stacked: delivered (green) and lost by fail reason.

    Bins cover the run exactly (the last one is shortened to the run's end and drawn as a rate so that it
    does not look like a drop), so the figure does not lie at its edges.
    """
    r = _result(result)
    ax = _axes(ax, (9, 3.5))
    duration = float(r.meta.get("duration_s", 0.0)) or float(r.read_messages(["t_tx_s"])["t_tx_s"].max())
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
    ax.set_ylabel(f"uplinks per {bin_s / 3600:g} h" if bin_s >= 3600 else f"uplinks per {bin_s:g} s")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    _shade_windows(ax, r, scale=3600.0)
    return ax


def _shade_windows(ax: Any, r: Any, scale: float) -> None:
    windows = r.outages
    for i, w in enumerate(windows.itertuples()):
        ax.axvspan(w.start_s / scale, w.end_s / scale, color="0.5", alpha=0.12, lw=0,
                   label="outage / failure" if i == 0 else None)


def timeseries(result: Any, variables: Optional[Sequence[str]] = None, *, drivers: bool = True,
               ax: Any = None) -> Any:
    """Utilisation (0..1) against simulated time: `variables` names wired links (`fibre:gw-1`, `pon:p1`)
    or `network_server`; by default the network server and the five links with the highest peak. The driver
    curves on a second axis (with their units), outage and failure windows shaded."""
    r = _result(result)
    ax = _axes(ax, (9, 3.5))
    ts = r.timeseries
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
            ax.step(ts["t_s"].to_numpy() / 3600.0, series.to_numpy(), where="post", label=name)
        ax.set_ylabel("utilisation (fraction of capacity)")
        ax.set_ylim(bottom=0.0)
    ax.set_xlabel("simulated time (h)")
    _shade_windows(ax, r, scale=3600.0)
    dr = r.drivers if drivers else None
    if dr is not None and len(dr.data_vars):
        twin = ax.twinx()
        time = [c for c in dr.coords if c.startswith("t")]
        for k, name in enumerate(dr.data_vars):
            da = dr[name]
            if da.ndim == 0 or not time:
                continue
            data = da.to_numpy()
            x = dr[time[0]].to_numpy() / 3600.0
            if data.ndim == 1:
                twin.plot(x, data, "--", color=f"C{k + 6}", label=name)
            else:
                for j in range(data.shape[1]):
                    twin.plot(x, data[:, j], "--", color=f"C{(k + j + 6) % 10}", label=f"{name}[{j}]")
            twin.set_ylabel(f"{name} ({da.attrs.get('units', '')})")
        twin.legend(loc="upper right", fontsize=8)
    ax.legend(loc="upper left", fontsize=8)
    return ax


def district_bars(result: Any, kpi: str = "delivery_ratio", *, ax: Any = None) -> Any:
    """One bar per district of a /kpi/by_district column, from zero (honest), with the value printed."""
    r = _result(result)
    ax = _axes(ax, (7, 3.5))
    table = r.by_district  # indexed by district name
    bars = ax.bar(table.index.astype(str), table[kpi], color="tab:blue")
    ax.bar_label(bars, fmt="%.3g", fontsize=8)
    attrs = r.columns("kpi/by_district")
    units = attrs.loc[kpi, "units"] if kpi in attrs.index else ""
    ax.set_ylabel(_label(kpi) if not units or units == "1" else f"{kpi.replace('_', ' ')} ({units})")
    ax.set_ylim(0, max(1.0, float(np.nanmax(table[kpi]))) * 1.1 if kpi.endswith("ratio") else None)
    ax.set_xlabel("district")
    return ax
