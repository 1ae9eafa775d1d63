"""Key paths as Python takes them (Scenario edits, overrides, a sweep's grid): the engine's grammar, a
malformed one refused where it is written with the path meant, and a sweep's override within a grid
axis's slice refused as the campaign file refuses it."""
import pytest

import citytwin
from support import SMALL

TWO_GATEWAYS = SMALL.replace("  - {name: gw, position: [1 km, 500 m]}\n",
                             "  - {name: gw, position: [1 km, 500 m]}\n  - {name: gw2, position: [500 m, 500 m]}\n")


def test_an_edit_the_engine_would_refuse_is_refused_with_the_path_meant():
    sc = citytwin.Scenario.from_yaml(SMALL)
    with pytest.raises(KeyError, match=r"key path 'run\.\.seed' has an empty key \(did you mean 'run\.seed'\?\)"):
        sc["run..seed"] = 5
    # Taken before as the key "runseed" (Python dropped the ']'), then refused by the engine as a malformed
    # override; and a '=' made the engine read another key and value.
    with pytest.raises(KeyError, match=r"key path 'run\]seed' has text after a '\]' \(did you mean 'run\.seed'\?\)"):
        sc["run]seed"] = 5
    with pytest.raises(KeyError, match=r"key path 'city\.name=x' has a '='"):
        sc["city.name=x"] = "y"
    assert sc.overrides == []
    sc["devices[0].interval"] = "2 min"  # the grammar's forms still work
    sc["gateways[+]"] = {"name": "g9", "position": ["1 km", "1 km"]}
    sc["gateways[0:2].backup"] = "1 h"
    sc.validate()


def test_a_malformed_override_key_is_named_as_the_entry_written():
    # The engine's "malformed override: expected key.path=value, e.g. devices.0.interval=2min" said neither
    # what was wrong nor the path meant.
    with pytest.raises(ValueError, match=r"overrides\[\"run\.\.duration\"\]: key path 'run\.\.duration' has an "
                                       r"empty key \(did you mean 'run\.duration'\?\)"):
        citytwin.validate(SMALL, overrides={"run..duration": "10 min"})
    with pytest.raises(ValueError, match=r"overrides\[\"run\.duration=1 h\"\]: key path 'run\.duration=1 h' has a '='"):
        citytwin.validate(SMALL, overrides={"run.duration=1 h": "10 min"})


def test_a_sweeps_malformed_key_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(ValueError, match=r"grid\[\"devices\[0\]interval\"\]: key path 'devices\[0\]interval' has "
                                       r"text after a '\]' \(did you mean 'devices\[0\]\.interval'\?\)"):
        citytwin.sweep(SMALL, grid={"devices[0]interval": ["2 min", "5 min"]}, out=tmp_path / "a")
    with pytest.raises(ValueError, match=r"overrides\[\"\.run\.duration\"\]: key path '\.run\.duration' has an empty"):
        citytwin.sweep(SMALL, overrides={".run.duration": "10 min"}, out=tmp_path / "a")
    assert not (tmp_path / "a").exists()


def test_a_sweeps_override_within_an_axiss_slice_is_refused(tmp_path):
    # overrides["gateways[1].backup"] beside an axis over gateways[0:2].backup: the axis's values replaced it
    # in every run, without a word (the keys were compared as written).
    axis = {"gateways[0:2].backup": ["1 h", "2 h"]}
    with pytest.raises(ValueError, match=r"overrides\['gateways\[1\]\.backup'\] is within the slice of the grid axis "
                                         r"'gateways\[0:2\]\.backup', whose values would replace it"):
        citytwin.sweep(TWO_GATEWAYS, grid=axis, overrides={"gateways[1].backup": "3 h"}, out=tmp_path / "a")
    with pytest.raises(ValueError, match="is within the slice"):
        citytwin.sweep(TWO_GATEWAYS, grid={"gateways[:]": [{"name": "g", "position": ["1 km", "1 km"]}]},
                       overrides={"gateways.0.backup": "3 h"}, out=tmp_path / "a")
    assert not (tmp_path / "a").exists()


def test_replaced_by_expands_indices_and_slices_as_the_campaign_file():
    from citytwin._key_path import replaced_by

    assert replaced_by("gateways[1].x", "gateways[0:2].x")
    assert replaced_by("gateways.1.x", "gateways[0:2]")
    assert replaced_by("gateways[3:5].x", "gateways[2:]")
    assert not replaced_by("gateways[2].x", "gateways[0:2].x")
    assert not replaced_by("gateways[1:3].x", "gateways[0:2].x")
    assert not replaced_by("gateways[:].x", "gateways[0:2].x")
    assert not replaced_by("gateways[1]", "gateways[0:2].x")
    assert not replaced_by("gateways[1]", "gateways[+]")
