"""What a notebook user reads and sees: errors and warnings name what the user wrote (an edit
`sc["key"] = value`, overrides={...}, a grid value, a dict's key path, the Scenario's own source), not the
command line's --set, YAML generated from a dict or a copy in a campaign folder; warnings point at the user's
line; a Result says what it is; the map's colours read on its white background."""
import subprocess
import warnings

import pytest
import yaml

import citytwin
from support import CLI, SMALL, UNSERVED

# SMALL with a radio section on its population, so that sc["devices.0.radio.sf"] = 13 is an edit Python takes
# and the loader refuses.
WITH_RADIO = SMALL.replace("interval: 5 min}", "interval: 5 min, radio: {sf: 9}}")
REFUSED = "devices[0].radio.sf: expected 7..12, got 13"



def refusal(call):
    with pytest.raises(citytwin.ScenarioError) as err:
        call()
    return str(err.value)


def test_an_edit_made_in_python_is_named_as_the_edit_not_as_set(tmp_path):
    for sc in (citytwin.Scenario.from_yaml(WITH_RADIO), citytwin.Scenario.from_file(_file(tmp_path, WITH_RADIO))):
        sc["devices.0.radio.sf"] = 13
        want = f'sc["devices.0.radio.sf"] = 13: {REFUSED}'
        assert refusal(sc.validate) == want
        assert refusal(lambda: sc.run(progress=False)) == want  # the run's child process too
        assert "--set" not in refusal(lambda: citytwin.validate(sc))
    # An entry of run()'s overrides, as it was written (the key as given, the value as given).
    assert refusal(lambda: citytwin.run(WITH_RADIO, overrides={"devices[0].radio": "{sf: 13}"}, progress=False)) == \
        f"overrides[\"devices[0].radio\"] = '{{sf: 13}}': {REFUSED}"
    assert refusal(lambda: citytwin.validate(WITH_RADIO, overrides={"devices.0.radio.sf": 13})) == \
        f'overrides["devices.0.radio.sf"] = 13: {REFUSED}'
    # The command line still names its --set.
    cli = subprocess.run([CLI, "validate", _file(tmp_path, WITH_RADIO), "--set", "devices.0.radio.sf=13"],
                         capture_output=True, text=True)
    assert cli.returncode != 0 and f"--set devices.0.radio.sf=13: {REFUSED}" in cli.stderr + cli.stdout


def test_a_dict_scenario_is_located_by_its_key_path_not_by_generated_yaml_lines():
    data = yaml.safe_load(WITH_RADIO)
    data["devices"][0]["radio"]["sf"] = 13
    want = f"<dict>: {REFUSED}"
    assert refusal(lambda: citytwin.validate(data)) == want
    assert refusal(lambda: citytwin.run(data, progress=False)) == want
    with pytest.warns(citytwin.ScenarioWarning) as caught:
        r = citytwin.run(yaml.safe_load(UNSERVED), progress=False)
    texts = [str(w.message) for w in caught]
    assert texts and all(t.startswith("<dict>: devices[0]") for t in texts), texts
    assert r.warnings == texts


def test_the_districts_of_a_dict_run_whose_data_file_is_gone_are_refused_by_key_path(tmp_path):
    geojson = tmp_path / "d.geojson"
    square = [[[0, 0], [1000, 0], [1000, 1000], [0, 1000], [0, 0]]]
    geojson.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "a"}, '
                       f'"geometry": {{"type": "Polygon", "coordinates": {square}}}}}]}}')
    data = yaml.safe_load(SMALL)
    data["city"] = {"districts_geojson": {"file": str(geojson), "crs": "projected"}}
    data["devices"][0]["districts"] = ["a"]
    data["gateways"][0]["position"] = ["500 m", "500 m"]
    r = citytwin.run(data, progress=False)
    geojson.unlink()  # describe (Result.districts) reads it again
    with pytest.raises(ValueError, match=r"<dict>: city\.districts_geojson\.file: cannot read"):
        r.districts


def test_scenario_warnings_point_at_the_line_that_called(tmp_path):
    sc = citytwin.Scenario.from_yaml(UNSERVED)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        line = _line(); citytwin.validate(UNSERVED)  # noqa: E702 (the call and its line, together)
        assert {(x.filename, x.lineno) for x in w} == {(__file__, line)}
        w.clear()
        line = _line(); sc.validate()  # noqa: E702
        assert {(x.filename, x.lineno) for x in w} == {(__file__, line)}
        w.clear()
        line = _line(); sc.run(progress=False)  # noqa: E702
        assert {(x.filename, x.lineno) for x in w} == {(__file__, line)}
        w.clear()
        line = _line(); future = citytwin.run_async(UNSERVED, out=tmp_path / "a.h5")  # noqa: E702
        future.result()  # warned in the run's thread, at the line that started it
        assert w and {(x.filename, x.lineno) for x in w} == {(__file__, line)}
        assert all(issubclass(x.category, citytwin.ScenarioWarning) for x in w)


def test_the_repr_of_a_result_without_a_file_says_so(tmp_path):
    r = citytwin.run(SMALL, progress=False)
    assert r.path is None
    text = repr(r)
    assert text.startswith("<citytwin.Result (temporary trace) seed=4 uplinks=") and "None" not in text, text
    kept = citytwin.run(SMALL, out=tmp_path / "r.h5", progress=False)
    assert repr(kept).startswith(f"<citytwin.Result {str(tmp_path / 'r.h5')!r} seed=4 "), repr(kept)


def test_sweep_names_the_scenario_as_run_does(tmp_path):
    # A text scenario the first run refuses: its lines in the text given, not in <out>/scenario.yaml.
    bad = WITH_RADIO.replace("sf: 9", "sf: 13")
    text = refusal(lambda: citytwin.sweep(bad, out=tmp_path / "a", progress=False))
    assert "scenario.yaml" not in text and "campaign.yaml" not in text, text
    assert "\n<text>:6:" in text and text.endswith(REFUSED), text
    # A dict's, by its key path; a Scenario's edit and an entry of overrides, as written.
    data = yaml.safe_load(bad)
    assert refusal(lambda: citytwin.sweep(data, out=tmp_path / "b", progress=False)).endswith(f"\n<dict>: {REFUSED}")
    sc = citytwin.Scenario.from_yaml(WITH_RADIO)
    sc["devices.0.radio.sf"] = 13
    assert refusal(lambda: citytwin.sweep(sc, out=tmp_path / "c", progress=False)) == \
        f'sc["devices.0.radio.sf"] = 13: {REFUSED}'
    assert refusal(lambda: citytwin.sweep(WITH_RADIO, overrides={"devices.0.radio.sf": 13}, out=tmp_path / "d",
                                          progress=False)) == f'overrides["devices.0.radio.sf"] = 13: {REFUSED}'
    # A later grid value fails only its runs: the failure names the grid value, or the scenario's own line.
    ds = citytwin.sweep(WITH_RADIO, grid={"devices.0.radio.sf": [9, 13]}, out=tmp_path / "e", progress=False)
    assert [str(f.error) for f in ds.attrs["failures"]] == [f'grid["devices.0.radio.sf"][1] = 13: {REFUSED}']
    for scenario, where, out in ((SMALL, "<text>:6:65: ", "f"), (yaml.safe_load(SMALL), "<dict>: ", "g")):
        ds = citytwin.sweep(scenario, grid={"city.districts.1.name": ["b", "c"]}, out=tmp_path / out, progress=False)
        errors = [str(f.error) for f in ds.attrs["failures"]]
        assert len(errors) == 1 and errors[0].startswith(where + "devices[0].districts: no district named 'b'"), errors
        assert str(ds["error"].sel({"city.districts.1.name": "c"}).item()) == errors[0]


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


def _file(tmp_path, text):
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    return str(path)


def _line():
    import sys

    return sys._getframe(1).f_lineno
