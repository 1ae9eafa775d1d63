"""Rollouts: compare the phases of a plan (`citytwin compare`) and draw the planner's figure."""
from __future__ import annotations

import os
import shutil
import tempfile
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence, Union

from . import _core
from ._scenario import Scenario, ScenarioLike

if TYPE_CHECKING:  # (pandas is imported where the table is made: importing citytwin stays cheap)
    import pandas


def compare(scenario: ScenarioLike, seeds: int = 1, jobs: int = 0, out: str = "compare.h5",
            overrides: Union[Mapping[str, Any], Sequence[str], None] = None,
            progress: bool = False) -> "pandas.DataFrame":
    """Run every phase of a rollout x `seeds` in child processes, as `citytwin compare`.

    scenario: what run() takes: a path, a Scenario (its edits included), YAML text or a dict. A
    scenario given as text is run from a temporary copy, its relative data files found in the current
    directory as run() finds them. overrides: {"key.path": value} as run() takes them (a list of
    "key.path=value" texts, as the command line's --set, is taken too).

    Writes `out` (layout in output/SCHEMA.md, "compare file") and returns its summary table, one row per
    phase (KPIs as mean over seeds with `<kpi>_ci95`, costs in the scenario's currency). The printed table
    is in ``.attrs["table"]``. Ctrl-C stops the runs; the phases that finished are kept, and the same call
    again (same scenario, overrides, seeds) keeps them from `out` and runs only the others.
    """
    sc = Scenario.load(scenario)
    if isinstance(overrides, Mapping) or overrides is None:
        extra: Mapping[str, Any] = overrides or {}
        texts: Sequence[str] = ()
    elif isinstance(overrides, str):
        raise TypeError("overrides: expected {\"key.path\": value} or a list of \"key.path=value\" texts, not a str")
    else:
        extra, texts = {}, list(overrides)
    text_or_path, is_text, override_list = sc.copied_source_args(extra)
    override_list += [str(t) for t in texts]
    jobs = jobs if jobs > 0 else _core.default_thread_count()
    tmpdir = tempfile.mkdtemp(prefix="citytwin-compare-") if is_text else None
    path = os.path.join(tmpdir, "scenario.yaml") if tmpdir is not None else text_or_path

    # Errors name the scenario as run() names it: a text scenario by its source, not its temporary copy.
    named = sc.message_namer(extra, copied_to=path if tmpdir is not None else None)

    try:
        if tmpdir is not None:  # the comparison reads a rollout file: a copy of the text
            with open(path, "w", encoding="utf-8") as f:
                f.write(text_or_path)
        try:
            result = _core.compare(path, override_list, int(seeds), int(jobs), str(out), bool(progress))
        except (_core.ScenarioError, _core.RunError) as e:
            raise type(e)(named(str(e))) from None
    finally:
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)
    if result["interrupted"]:
        raise KeyboardInterrupt(f"compare stopped; finished phases are in {out}")
    if result["errors"]:
        raise _core.RunError("\n".join(named(e) for e in result["errors"]))
    frame = read_compare(out)
    frame.attrs["table"] = result["table"]
    return frame


def read_compare(path: str) -> "pandas.DataFrame":
    """The summary table of a compare file, one row per phase (index: phase); costs in ``.attrs["currency"]``."""
    import h5py
    import pandas as pd
    with h5py.File(path, "r") as f:
        g = f["summary"]
        columns = {name: g[name][()] for name in g if name != "phase"}
        phases = [p.decode() if isinstance(p, bytes) else str(p) for p in g["phase"][()]]
        frame = pd.DataFrame(columns, index=pd.Index(phases, name="phase"))
        frame.attrs["currency"] = str(f["meta"].attrs["currency"])
        frame.attrs["seeds"] = int(f["meta"].attrs["seeds"])
        runs = {}
        for phase in phases:
            r = f["phases"][phase]["runs"]
            runs[phase] = {name: r[name][()] for name in r if name != "seed"}
        frame.attrs["runs"] = runs
    return frame


def plot_compare(path: str, png: Optional[str] = None):
    """The planner's figure of a compare file: KPIs and cumulative cost per phase.

    Four panels sharing the phase axis: cumulative cost (bars, the scenario's currency) with the cost per
    covered device; coverage of devices and of area (%); delivery ratio (%) with the CCTV bitrate carried;
    uplink latency p95 (ms) with the flood alert latency (s, right-hand axis) where the scenario has a
    flood. Every value axis is linear and starts at zero, so that the height of a point reads as its size.
    Each phase has a marker; the spread over seeds is drawn as each seed's value (small dots) and the
    Student-t 95 % interval of the mean (error bars; each axis reaches past the top of its bars). With few
    seeds that interval is wide (12.7 standard errors with two) and can run past what the quantity can be:
    it is cut at zero, and a share at 100 %, and each cut end is marked with an open triangle, which the
    panel's legend names. Saves to `png` when given; returns the matplotlib Figure.
    """
    import matplotlib
    if png is not None:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    frame = read_compare(path)
    phases = list(frame.index)
    x = np.arange(len(phases))
    currency = frame.attrs["currency"]
    runs = frame.attrs["runs"]
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), sharex=True, constrained_layout=True)

    def present(kpi):
        return kpi in frame and np.isfinite(frame[kpi].to_numpy(dtype=float)).any()

    def kpi_line(ax, kpi, scale, label, marker, colour, seeds=False, seed_label="each seed", most=None, dx=0.0):
        """Mean per phase with its 95 % interval; with seeds, each seed's value as a small dot beside it.
        The interval is cut at zero and at `most` (a share's 100 %): the quantity cannot go past them (with
        two seeds the interval is 12.7 standard errors wide and easily would); a cut end is marked (cut_mark).
        dx: shifts the series off the phase's tick (two series on one panel side by side), its seeds' dots
        then on the outer side. Returns the top of the bars."""
        mean = frame[kpi].to_numpy(dtype=float) * scale
        ci = frame.get(kpi + "_ci95")
        err = np.zeros_like(mean) if ci is None else np.nan_to_num(ci.to_numpy(dtype=float) * scale)
        below = np.clip(np.minimum(err, mean), 0.0, None)
        above = err if most is None else np.clip(np.minimum(err, most - mean), 0.0, None)
        ax.errorbar(x + dx, mean, yerr=None if ci is None else np.nan_to_num([below, above]), marker=marker, ms=7,
                    capsize=4, color=colour, label=label)
        cut_mark(ax, x + dx, np.isfinite(mean) & (err > mean), 0.0, "v", "0")
        if most is not None:
            cut_mark(ax, x + dx, np.isfinite(mean) & (err > most - mean), most, "^", "100 %")
        for i, phase in enumerate(phases if seeds else []):
            values = np.asarray(runs[phase].get(kpi, []), dtype=float) * scale
            values = values[np.isfinite(values)]
            if values.size > 1:
                ax.plot(np.full(values.size, i) + dx + (0.12 if dx >= 0 else -0.12), values, ".", color="0.45", ms=4,
                        label=seed_label if i == 0 else None)
        tops = mean + above
        tops = tops[np.isfinite(tops)]
        return float(tops.max()) if tops.size else 0.0

    cuts = set()  # the bounds some interval was cut at: the caption names their marks

    def cut_mark(ax, xs, cut, at, marker, bound):
        """Open triangles at the cut ends of intervals (xs[cut]), explained by the figure's caption."""
        if cut.any():
            cuts.add(bound)
            ax.plot(xs[cut], np.full(int(cut.sum()), at), marker, ms=7, mfc="white", mec="black", mew=1.2,
                    ls="none", clip_on=False, zorder=5)

    def legend(ax, *others, **kwargs):
        """One legend for an axis and its twins."""
        handles, labels = [], []
        for a in (ax, *others):
            h, l = a.get_legend_handles_labels()
            handles += h
            labels += l
        ax.legend(handles, labels, fontsize=8, **kwargs)

    # Cumulative cost, and cost per covered device.
    ax = axes[0, 0]
    ax.bar(x, frame["cost_cumulative"].to_numpy(dtype=float), color="#8fb3d9", label="cumulative cost")
    ax.set_ylabel(f"cumulative cost ({currency})")
    ax.set_title("Investment")
    ax2 = ax.twinx()
    ax2.plot(x, frame["cost_per_covered_device"].to_numpy(dtype=float), "D-", color="#b03a2e",
             label="cost per covered device")
    ax2.set_ylabel(f"cost per covered device ({currency})", color="#b03a2e")
    ax2.set_ylim(bottom=0)
    legend(ax, ax2, loc="upper left")

    # Coverage.
    ax = axes[0, 1]
    kpi_line(ax, "coverage_devices", 100, "devices within reach", "o", "#1f77b4", most=100)
    for tech, marker, colour in (("lorawan", "s", "#2ca02c"), ("nbiot", "^", "#9467bd"), ("wifi", "v", "#ff7f0e")):
        column = f"coverage_area_{tech}"
        if column in frame and np.nanmax(frame[column].to_numpy(dtype=float), initial=0) > 0:
            kpi_line(ax, column, 100, f"area, {tech}", marker, colour, most=100)
    ax.set_ylabel("coverage (%)")
    ax.set_ylim(0, 105)
    ax.set_title("Coverage")
    ax.legend(fontsize=8, loc="lower right")

    # Delivery ratio, and the share of the CCTV bitrate carried.
    ax = axes[1, 0]
    seeds = frame.attrs["seeds"]
    # With one seed a phase has no interval to draw: the label does not promise one.
    delivery_label = "delivery ratio (mean, 95 % CI)" if seeds > 1 else "delivery ratio"
    kpi_line(ax, "delivery_ratio", 100, delivery_label, "o", "#1f77b4", seeds=True, most=100)
    if present("cctv_carried"):
        kpi_line(ax, "cctv_carried", 100, "CCTV bitrate carried to the platform", "s", "#ff7f0e", most=100)
    ax.set_ylabel("delivered or carried (%)")
    ax.set_ylim(0, 102)  # the whole scale: a zoomed axis would turn hundredths of a point into a cliff
    ax.set_title("Delivery")
    legend(ax, loc="lower left")

    # Latency: uplinks take tens of milliseconds and a flood alert minutes, so each has its own linear axis
    # from zero (a shared log axis made a halving look like a small step).
    # The top of each axis reaches past the top of the 95 % intervals (a bar that ran off the axis would
    # hide how far the interval goes) and leaves a band at the top for the legend.
    def top(kpi, scale, headroom, bars):
        values = [np.asarray(runs[p].get(kpi, []), dtype=float) * scale for p in phases]
        values = np.concatenate(values + [frame[kpi].to_numpy(dtype=float) * scale])
        values = values[np.isfinite(values)]
        highest = max(headroom * values.max() if values.size else 0.0, 1.2 * bars)
        return highest if highest > 0 else None

    ax = axes[1, 1]
    flood = present("alert_latency_first_s")
    # With the flood alert beside it, each series a little off the phase's tick: the alert's bars do not
    # run through the uplink latency's markers.
    bars = kpi_line(ax, "latency_p95_s", 1000, "uplink latency p95", "o", "#1f77b4", seeds=True,
                    dx=-0.1 if flood else 0.0)
    ax.set_ylabel("uplink latency p95 (ms)", color="#1f77b4")
    ax.set_ylim(0, top("latency_p95_s", 1000, 1.35, bars))
    ax.set_title("Latency")
    others = []
    if flood:
        ax2 = ax.twinx()
        bars = kpi_line(ax2, "alert_latency_first_s", 1, "flood alert latency (right)", "s", "#b03a2e",
                        seeds=True, seed_label=None, dx=0.1)
        ax2.set_ylabel("flood alert latency (s)", color="#b03a2e")
        ax2.set_ylim(0, top("alert_latency_first_s", 1, 2.5, bars))
        others.append(ax2)
    legend(ax, *others, loc="upper center", ncol=3, columnspacing=1.0, handlelength=1.6)

    for ax in axes[1]:
        ax.set_xticks(x, phases)
        ax.set_xlabel("phase")
    fig.suptitle(f"Rollout comparison ({seeds} seed{'s' if seeds != 1 else ''} per phase)")
    if seeds > 1:  # what the bars are, and where they were cut (the caption, under the phase axes)
        marks = {"100 %": "\u25b3 cut at 100 %", "0": "\u25bd cut at 0"}
        cut = "; ".join(marks[b] for b in ("100 %", "0") if b in cuts)
        fig.supxlabel(f"Error bars: Student-t 95 % interval of the mean over {seeds} seeds, dots: each seed"
                      + (f". Where an interval runs past what the quantity can be, it is cut there: {cut}." if cut
                         else "."), fontsize=8)
    if png is not None:
        fig.savefig(png, dpi=120)
        plt.close(fig)
    return fig
