"""What a notebook user reads and sees: a Result says what it is; the map's colours read on its white
background."""
import citytwin
from support import SMALL


def test_the_repr_of_a_result_without_a_file_says_so(tmp_path):
    r = citytwin.run(SMALL, progress=False)
    assert r.path is None
    text = repr(r)
    assert text.startswith("<citytwin.Result (temporary trace) seed=4 uplinks=") and "None" not in text, text
    kept = citytwin.run(SMALL, out=tmp_path / "r.h5", progress=False)
    assert repr(kept).startswith(f"<citytwin.Result {str(tmp_path / 'r.h5')!r} seed=4 "), repr(kept)


def test_the_map_draws_a_delivery_ratio_of_one_in_a_colour_that_reads_on_its_background():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_rgb

    def contrast(a, b):
        """WCAG contrast ratio of two colours (1: the same luminance; 21: black on white)."""
        def luminance(c):
            rgb = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in to_rgb(c)]
            return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]
        hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
        return (hi + 0.05) / (lo + 0.05)

    r = citytwin.run(SMALL, progress=False)
    ax = citytwin.plot.map(r)
    try:
        background = ax.get_facecolor()
        devices = [c for c in ax.collections if c.get_array() is not None]
        assert len(devices) == 1
        points = devices[0]
        top = points.cmap(points.norm(1.0))
        # viridis's yellow end was 1.26:1 on white: a delivery ratio of 1, the common case, all but vanished.
        assert contrast(top, background) >= 1.8
        assert contrast(points.cmap(points.norm(0.0)), background) >= 7  # and the low end stays dark
    finally:
        plt.close(ax.figure)
    # A device without uplinks (a camera that streams) is drawn grey, visibly (0.8 grey was 1.6:1).
    import numpy as np
    import pandas as pd

    ids = r.devices["id"].to_numpy()
    ax = citytwin.plot.map(r, pd.Series(np.where(ids % 2 == 0, np.nan, 1.0), index=ids, name="delivery_ratio"))
    try:
        silent = [c for c in ax.collections if c.get_label() == "no uplink"]
        assert len(silent) == 1 and contrast(silent[0].get_facecolor()[0], ax.get_facecolor()) >= 3
    finally:
        plt.close(ax.figure)

