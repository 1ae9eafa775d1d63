"""citytwin.plot.map: the city seen from above (districts, gateways, devices coloured by a per-device KPI,
the coverage grid's gaps underneath)."""
from __future__ import annotations

from typing import Any, Optional, Tuple, Union

import numpy as np
import pandas as pd

from ._plot_common import _axes, _label, _result


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
