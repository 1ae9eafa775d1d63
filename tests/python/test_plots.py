"""The figures of citytwin.plot and citytwin.plot_compare read honestly: no axis carries two units and every
axis names its quantity and unit, curves per district are named by the district, the map draws the run's
coverage grid (and says so when the trace has none) and keeps its legend in a plain savefig, and an axis
reaches past its error bars."""
import io
import re
import shutil
import threading
import warnings

import h5py
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.image import AxesImage  # noqa: E402

import citytwin  # noqa: E402
import citytwin.plot as ctp  # noqa: E402
from support import QUICKSTART, SMALL, SOURCE  # noqa: E402


@pytest.fixture(scope="module")
def flood():
    """Daegu's flood: river level (m, city-wide), rainfall (mm/h) and inundation depth (m) per district."""
    with warnings.catch_warnings():  # the scenario's own warnings (a parking sensor without its driver)
        warnings.simplefilter("ignore", citytwin.ScenarioWarning)
        return citytwin.run(SOURCE / "scenarios" / "daegu_flood.yaml", progress=False)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    out = tmp_path_factory.mktemp("small") / "small.h5"
    return citytwin.run(citytwin.Scenario.from_yaml(SMALL), out=out, progress=False)


@pytest.fixture(scope="module")
def stopped(tmp_path_factory):
    """quickstart (24 h) with 4,000 parking sensors, stopped once an hour is simulated: an incomplete trace
    whose /meta@duration_s still says 24 h."""
    stop = threading.Event()

    def progress(p):
        if p.sim_s >= 3600.0:
            stop.set()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", citytwin.ScenarioWarning)
        return citytwin.run(QUICKSTART, out=tmp_path_factory.mktemp("stopped") / "stopped.h5", stop=stop,
                            progress=progress, overrides={"devices.1.count": 4000})


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def curves(ax):
    """The data lines of an Axes (not the shaded windows)."""
    return [line for line in ax.get_lines() if not line.get_label().startswith("_")]


def driver_unit_of(line, dr):
    """The units of the /drivers quantity a line draws (found by its values), or None for another curve."""
    y = np.asarray(line.get_ydata(), dtype=float)
    for name in dr.data_vars:
        data = dr[name].to_numpy()
        columns = [data] if data.ndim == 1 else [data[:, j] for j in range(data.shape[1])]
        if any(c.shape == y.shape and np.array_equal(c, y, equal_nan=True) for c in columns):
            return dr[name].attrs.get("units", "")
    return None


def test_timeseries_puts_each_unit_on_its_own_axis(flood):
    dr = flood.drivers
    assert {dr[n].attrs["units"] for n in dr.data_vars} == {"m", "mm/h"}
    ax = ctp.timeseries(flood)
    assert "utilisation" in ax.get_ylabel()
    drawn = set()
    for a in ax.figure.axes:
        units = {driver_unit_of(line, dr) for line in curves(a)}
        if a is ax:
            assert units == {None}  # the links' and the network server's utilisation only
            continue
        assert len(units) == 1 and None not in units, (a.get_ylabel(), units)  # one unit an axis
        unit = units.pop()
        label = a.get_ylabel()
        assert label.endswith(f"({unit})"), label  # the unit on the axis
        quantities = [q.strip().replace(" ", "_") for q in label[: -len(f"({unit})")].split(",")]
        assert quantities and all(dr[q].attrs["units"] == unit for q in quantities), label  # and what it is
        drawn.update(quantities)
    assert drawn == set(dr.data_vars)  # every quantity, each on one axis
    rainfall = next(a for a in ax.figure.axes if a.get_ylabel() == "rainfall (mm/h)")
    assert rainfall.get_ylim()[1] >= float(dr["rainfall"].max())
    assert ax.figure.axes[-1].get_xlabel() == "simulated time (h)"


def test_timeseries_names_the_districts(flood):
    names = set(flood.drivers["district"].to_numpy().astype(str))
    ax = ctp.timeseries(flood)
    per_district = []
    for a in ax.figure.axes[1:]:
        legend = a.get_legend()
        assert legend is not None
        for text in legend.get_texts():
            label = text.get_text().replace("\n", " ")
            assert not re.search(r"\[\d+\]", label), label  # not rainfall[3]
            if label.endswith("(city-wide)"):
                continue
            _, _, districts = label.rpartition(": ")
            per_district.append(districts)
            assert set(districts.split(", ")) <= names, label
    # every district is named in the rainfall and the inundation depth legends
    assert {d for label in per_district for d in label.split(", ")} == names
    # and the legends beside the panels are inside the figure a plain savefig writes
    fig = ax.figure
    fig.savefig(io.BytesIO(), format="png")
    for a in fig.axes:
        box = a.get_legend().get_window_extent(fig.canvas.get_renderer())
        assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= fig.bbox.x1 and box.y1 <= fig.bbox.y1, box


def test_timeseries_on_the_callers_axes_keeps_them_on_top(flood):
    fig, ax = plt.subplots(figsize=(9, 7))
    out = ctp.timeseries(flood, ax=ax)
    assert out is ax and "utilisation" in ax.get_ylabel()
    assert len(fig.axes) == 3  # utilisation, m, mm/h, stacked in the caller's figure
    assert all(a.get_position().y1 <= ax.get_position().y0 + 1e-9 for a in fig.axes[1:])
    alone = ctp.timeseries(flood, drivers=False)
    assert alone.figure.axes == [alone]


def test_map_draws_the_coverage_grid(small):
    ax = ctp.map(small)
    images = [a for a in ax.get_children() if isinstance(a, AxesImage)]
    assert len(images) == 1
    grid = small.kpi_tables["coverage_grid"]
    ij = grid["cell"].astype(str).str.split(",", expand=True).astype(int)
    shown = np.asarray(images[0].get_array(), dtype=float)
    assert shown.shape == (ij[1].max() + 1, ij[0].max() + 1)
    # drawn as the gaps: the share of each cell out of reach of every technology
    share = grid[["lorawan", "nbiot", "wifi"]].max(axis=1).to_numpy()
    inside = grid["district"].to_numpy() >= 0
    np.testing.assert_allclose(shown[ij[1], ij[0]][inside], 1.0 - share[inside])
    x0, x1, y0, y1 = images[0].get_extent()
    assert x0 <= 0.0 and x1 >= 2000.0 and y0 <= 0.0 and y1 >= 1000.0  # over the two districts
    assert any("coverage" in t.get_text() for t in ax.get_legend().get_texts())
    assert len(ctp.map(small, show_coverage="lorawan").images) == 1
    assert not ctp.map(small, show_coverage=False).images
    with pytest.raises(ValueError, match="show_coverage"):
        ctp.map(small, show_coverage="5g")


def test_map_warns_when_the_trace_has_no_coverage_grid(small, tmp_path):
    path = tmp_path / "old.h5"
    shutil.copy(small.path, path)
    with h5py.File(path, "r+") as f:
        del f["kpi/coverage_grid"]
    r = citytwin.open(path)
    with pytest.warns(UserWarning, match="coverage_grid"):
        ax = ctp.map(r)
    assert not ax.images
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ctp.map(r, show_coverage=False)


@pytest.mark.parametrize("color_by", ["delivery_ratio", "district"])
def test_map_legend_is_inside_a_plain_savefig(flood, color_by):
    ax = ctp.map(flood, color_by)
    fig = ax.figure
    fig.savefig(io.BytesIO(), format="png")  # no bbox_inches: what is outside the figure is lost
    renderer = fig.canvas.get_renderer()
    box = ax.get_legend().get_window_extent(renderer)
    assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= fig.bbox.x1 and box.y1 <= fig.bbox.y1, (box, fig.bbox)
    xlabel = ax.xaxis.label.get_window_extent(renderer)
    assert box.y1 <= xlabel.y0  # under the axis label, not over it


def write_compare(path, seeds=2):
    """A compare file (output/SCHEMA.md) of three phases whose flood alert latency has a wide interval, as
    two seeds give: 8 s +- 20 s."""
    phases = ["base", "p1", "p2"]
    runs = {"delivery_ratio": [[0.99, 0.97], [0.98, 0.99], [0.995, 0.999]],
            "coverage_devices": [[1.0, 1.0], [0.9, 0.8], [0.95, 0.97]],
            "coverage_area_lorawan": [[0.9, 0.9], [0.95, 0.95], [1.0, 1.0]],
            "latency_p95_s": [[0.06, 0.062], [0.07, 0.072], [0.07, 0.071]],
            "alert_latency_first_s": [[9.7, 6.5], [9.7, 6.5], [9.0, 7.0]],
            "cctv_carried": [[np.nan, np.nan], [0.2, 0.25], [0.3, 0.4]]}
    t = 12.706204736174707
    with h5py.File(path, "w") as f:
        meta = f.create_group("meta")
        meta.attrs["currency"] = "KRW million"
        meta.attrs["seeds"] = seeds
        s = f.create_group("summary")
        s["phase"] = np.array(phases, dtype="S")
        s["cost_cumulative"] = [0.0, 100.0, 250.0]
        s["cost_per_covered_device"] = [0.0, 1.5, 2.0]
        for kpi, values in runs.items():
            values = np.asarray(values)
            s[kpi] = values.mean(axis=1)
            s[kpi + "_ci95"] = t * values.std(axis=1, ddof=1) / np.sqrt(values.shape[1])
        for i, phase in enumerate(phases):
            g = f.create_group(f"phases/{phase}/runs")
            g["seed"] = [1, 2]
            for kpi, values in runs.items():
                g[kpi] = np.asarray(values[i])


def test_compare_axes_reach_past_their_error_bars(tmp_path):
    path = tmp_path / "c.h5"
    write_compare(path)
    frame = citytwin.read_compare(str(path))
    # the widest interval reaches past 2.5 x the largest seed's value (where the axis used to stop)
    assert (frame["alert_latency_first_s"] + frame["alert_latency_first_s_ci95"]).max() > 2.5 * 9.7
    fig = citytwin.plot_compare(str(path), str(tmp_path / "c.png"))
    bars = 0
    for ax in fig.axes:
        low, high = ax.get_ylim()
        for c in ax.collections:
            if not isinstance(c, LineCollection):
                continue
            for segment in c.get_segments():
                y = np.asarray(segment, dtype=float).reshape(-1, 2)[:, 1]
                y = y[np.isfinite(y)]
                if not y.size:
                    continue
                bars += 1
                assert low <= y.min() and y.max() <= high, (ax.get_ylabel(), (low, high), y)
    assert bars > 0
    alert = next(ax for ax in fig.axes if ax.get_ylabel() == "flood alert latency (s)")
    mean, ci = frame["alert_latency_first_s"].max(), frame["alert_latency_first_s_ci95"].max()
    assert alert.get_ylim()[1] >= mean + ci  # the top of the widest interval is on the axis
    assert alert.get_ylim()[0] == 0.0  # from zero: its lower end is cut there (a latency is not negative)


def test_compare_intervals_are_cut_at_their_bounds_and_the_caption_says_so(tmp_path):
    """Two seeds: delivery 0.99/0.97 is 98 % +- 12.7 points (past 100 %), the CCTV share 0.2/0.25 is 22.5 %
    +- 31.8 points (below 0): each interval stops at the bound, the cut end is marked, and the caption
    says what the bars are and where they were cut."""
    path = tmp_path / "c.h5"
    write_compare(path)
    frame = citytwin.read_compare(str(path))
    assert (frame["delivery_ratio"] + frame["delivery_ratio_ci95"]).max() > 1.0
    assert (frame["cctv_carried"] - frame["cctv_carried_ci95"]).min() < 0.0
    fig = citytwin.plot_compare(str(path))
    delivery = next(ax for ax in fig.axes if ax.get_ylabel() == "delivered or carried (%)")
    for c in delivery.collections:
        if isinstance(c, LineCollection):
            for segment in c.get_segments():
                y = np.asarray(segment, dtype=float).reshape(-1, 2)[:, 1]
                y = y[np.isfinite(y)]  # (a phase without the quantity: no bar)
                assert ((0.0 <= y) & (y <= 100.0)).all(), y
    marks = {(line.get_marker(), float(y)) for line in delivery.get_lines() for y in line.get_ydata()
             if line.get_marker() in ("^", "v")}
    assert ("^", 100.0) in marks and ("v", 0.0) in marks
    caption = " ".join(t.get_text() for t in fig.texts)
    assert "Student-t 95 % interval of the mean over 2 seeds" in caption
    assert "\u25b3 cut at 100 %" in caption and "\u25bd cut at 0" in caption
    plt.close(fig)
    write_compare(path, seeds=1)  # one seed: no interval, no caption promising one
    fig = citytwin.plot_compare(str(path))
    assert not any("Student-t" in t.get_text() for t in fig.texts)
    plt.close(fig)


def test_power_cuts_and_link_failures_are_shaded_apart_in_colour_and_in_greyscale():
    """flood_outage over 10 h: the riverside's power cut (5-11 h, to the end) and the centre PON's fibre cut
    (8-9 h): each kind its own legend entry, fill and hatch, and fills of different lightness."""
    from matplotlib.colors import to_rgb

    r = citytwin.run(SOURCE / "scenarios" / "flood_outage.yaml", overrides={"run.duration": "10 h"}, progress=False)
    assert {"power_cut", "failure"} <= set(r.outages["kind"])
    for ax in (ctp.timeseries(r, drivers=False), ctp.outcomes(r, bin_s=1800)):
        names = [t for t in legend_texts(ax) if "power cut" in t or "failure" in t]
        assert sorted(names) == ["link failure (fibre, PON, backhaul)", "power cut (district off mains)"]
        bands = {p.get_label(): p for p in ax.patches if p.get_label() in names}
        cut, link = bands["power cut (district off mains)"], bands["link failure (fibre, PON, backhaul)"]
        assert cut.get_hatch() and link.get_hatch() and cut.get_hatch() != link.get_hatch()

        def lightness(patch):  # the fill over white, as greyscale shows it (ITU-R BT.601 luma)
            (red, green, blue), alpha = to_rgb(patch.get_facecolor()), patch.get_facecolor()[3]
            luma = 0.299 * red + 0.587 * green + 0.114 * blue
            return alpha * luma + (1 - alpha)

        assert abs(lightness(cut) - lightness(link)) > 0.02
        assert min(lightness(cut), lightness(link)) > 0.8  # light: the curves stay readable through them


def legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_a_stopped_run_is_drawn_to_where_it_stopped(stopped):
    assert not stopped.complete and stopped.meta["duration_s"] == 86400.0
    end_h = stopped.simulated_s / 3600.0
    assert 1.0 <= end_h < 24.0
    ax = ctp.outcomes(stopped, bin_s=600)
    assert ax.get_xlim() == pytest.approx((0.0, end_h))  # not 24 h, most of them never simulated
    assert f"stopped at {end_h:.3g} h of the planned 24 h" in ax.get_title(loc="left")
    top = ctp.timeseries(stopped)
    assert top.get_xlim() == pytest.approx((0.0, end_h))
    assert "stopped at" in top.get_title(loc="left")


def test_outcomes_of_a_sampled_trace_say_they_are_the_sample(tmp_path):
    r = citytwin.run(SMALL, out=tmp_path / "sample.h5", progress=False,
                     overrides={"run.trace": "sample", "run.trace_every": 5})
    ax = ctp.outcomes(r, bin_s=600)
    assert "sampled" in ax.get_ylabel()
    assert "1 device in 5" in ax.get_title(loc="left")
    full = ctp.outcomes(citytwin.run(SMALL, progress=False), bin_s=600)
    assert "sampled" not in full.get_ylabel() and not full.get_title(loc="left")


def test_map_of_a_sampled_trace_tells_unsampled_devices_from_silent_ones(tmp_path):
    r = citytwin.run(SMALL, out=tmp_path / "sample.h5", progress=False,
                     overrides={"run.trace": "sample", "run.trace_every": 5})
    ax = r.plot_map(show_coverage=False)
    texts = legend_texts(ax)
    unsampled = next(t for t in texts if t.startswith("not sampled"))
    assert "1 device in 5" in unsampled
    assert "no uplink" not in texts  # every sampled device sent; the others are not silent, just not kept
    drawn = {c.get_label(): len(c.get_offsets()) for c in ax.collections}
    assert drawn[unsampled] == int((r.devices["id"] % 5 != 0).sum())


def test_map_of_a_summary_trace_draws_the_devices_and_says_why_uncoloured():
    r = citytwin.run(SMALL, progress=False, overrides={"run.trace": "summary"})
    with pytest.warns(UserWarning, match="run.trace: summary"):
        ax = r.plot_map(show_coverage=False)
    drawn = {c.get_label(): len(c.get_offsets()) for c in ax.collections}
    devices = next(label for label in drawn if label.startswith("devices"))
    assert drawn[devices] == len(r.devices) and "summary" in devices
    assert len(ax.patches) == len(r.districts)  # the districts, and the gateways, are drawn as ever
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r.plot_map("district", show_coverage=False)  # a column of /devices needs no /messages


def test_district_bars_name_the_unit_once(small):
    ax = ctp.district_bars(small, "latency_mean_s")
    assert ax.get_ylabel() == "latency mean (s)"
    assert ctp.district_bars(small, "energy_mean_mah").get_ylabel() == "energy mean (mAh)"
    assert ctp.district_bars(small, "delivery_ratio").get_ylabel() == "delivery ratio"
