"""Values in a Scenario as the engine reads them: numpy values taken as plain numbers and lists, values
YAML cannot hold refused when set, text quoted where YAML would read it as something else, YAML 1.2
(the engine's yaml-cpp) rather than PyYAML's 1.1 when Python reads scenario text; copies, and
quantities that are plain numbers."""
import copy

import numpy as np
import pytest
import yaml

import citytwin
from citytwin import _scenario
from support import QUICKSTART, SMALL

SHORT = {"run.duration": "10 min"}


# --- numpy values -----------------------------------------------------------------------------------

def test_numpy_values_are_kept_as_plain_numbers_and_lists_and_run():
    sc = citytwin.Scenario.from_yaml(SMALL)
    sc["devices.0.count"] = np.int64(30)
    sc["devices.0.jitter"] = np.float32(0.25)
    sc["radio"] = {"capture": {"enabled": np.bool_(False), "threshold": np.str_("6 dB")}}
    sc["gateways.0.position"] = np.array(["900 m", "500 m"])
    assert type(sc["devices.0.count"]) is int and type(sc["devices.0.jitter"]) is float
    assert sc["radio.capture"] == {"enabled": False, "threshold": "6 dB"}
    assert sc["gateways.0.position"] == ["900 m", "500 m"]
    assert sc.overrides == ["devices.0.count=30", "devices.0.jitter=0.25",
                            "radio={capture: {enabled: false, threshold: 6 dB}}", "gateways.0.position=[900 m, 500 m]"]
    assert yaml.safe_load(sc.to_yaml())["devices"][0]["count"] == 30
    r = sc.run(overrides={"run.duration": np.array(["10 min"])[0]})
    assert r.kpi["devices"] == 30
    assert citytwin.Scenario.from_dict({**sc.to_dict(), "run": {"duration": "10 min", "seed": np.uint8(4)}}) \
        ["run.seed"] == 4


@pytest.mark.parametrize("value, what", [(object(), "object"), (1 + 2j, "complex"), ({"a": {1, 2}}, "set")])
def test_a_value_yaml_cannot_hold_is_refused_when_set_and_not_kept(value, what):
    sc = citytwin.Scenario.from_yaml(SMALL)
    with pytest.raises(TypeError, match=f"devices\\.0\\.count.*cannot write a {what}"):
        sc["devices.0.count"] = value
    assert sc.overrides == [] and sc["devices.0.count"] == 50
    sc["devices.0.count"] = 20  # a good value afterwards is all there is
    assert sc.overrides == ["devices.0.count=20"]
    sc.validate(SHORT)


# --- YAML 1.2, as the engine reads it ---------------------------------------------------------------

def test_scenario_text_is_read_as_yaml_1_2():
    sc = citytwin.Scenario.from_yaml(SMALL.replace("interval: 5 min}", "interval: 5 min, radio: {ldro: on}}"))
    assert sc["devices.0.radio.ldro"] == "on"
    # Written out and read back (as text or as a dict), the engine still reads "on".
    for again in (citytwin.Scenario.from_yaml(sc.to_yaml()), citytwin.Scenario.from_dict(sc.to_dict())):
        assert again == sc
        again.validate(SHORT)
    assert yaml.safe_load(sc.to_yaml())["devices"][0]["radio"]["ldro"] == "on"  # quoted for YAML 1.1 too
    assert _scenario.load_yaml12("a: on\nb: yes\nc: 0x1F\nd: 0o17\ne: 017\nf: 2024-01-02\ng: True\nh: 1e3\n") == \
        {"a": "on", "b": "yes", "c": 31, "d": 15, "e": 17, "f": "2024-01-02", "g": True, "h": 1000.0}


@pytest.mark.parametrize("name", ["Town #1", "Town: A", "on", "0x1F", "a\nb", "7", "", " padded "])
def test_text_edits_reach_the_engine_and_the_trace_as_written(name):
    sc = citytwin.Scenario.from_yaml(SMALL)
    sc["city.name"] = name
    assert "\n" not in sc.overrides[0]  # one override per line in the trace's /meta
    r = sc.run(overrides=SHORT)
    assert r.scenario["city.name"] == name


def test_override_texts_read_back_as_the_value_in_yaml_1_1_and_1_2():
    for value in ["Town #1", "on", "12:30", "1e3", "x, y", "Zürich", "tab\there", "del\x7f",
                  {"name": "gw: 9", "position": ["1 km", "500 m"], "note": "on"}]:
        text = _scenario.value_text(value)
        assert "\n" not in text
        assert _scenario.load_yaml12(text) == value and yaml.safe_load(text) == value, text
    assert _scenario.value_text("5 min") == "5 min"  # plain where it safely can be


def test_lists_and_maps_in_edits_are_one_line():
    sc = citytwin.Scenario.from_yaml(SMALL)
    sc["gateways[+]"] = {"name": "gw: 9\n#2", "position": ["1.5 km", "500 m"]}
    assert "\n" not in sc.overrides[0]
    r = sc.run(overrides=SHORT)
    assert [g["name"] for g in r.scenario["gateways"]] == ["gw", "gw: 9\n#2"]


def test_text_that_is_a_flow_list_or_map_is_read_as_one_as_set_does():
    sc = citytwin.Scenario.from_yaml(SMALL)
    sc["gateways.0.position"] = "[900 m, 500 m]"
    assert sc["gateways.0.position"] == ["900 m", "500 m"] and sc.overrides == ["gateways.0.position=[900 m, 500 m]"]
    with pytest.raises(ValueError, match="gateways.0.position: .* starts like a YAML list or map but is not one"):
        sc["gateways.0.position"] = "[900 m, 500 m"
    assert len(sc.overrides) == 1
    sc.validate(SHORT)


# --- copies and quantities --------------------------------------------------------------------------

def test_copy_copy_is_independent():
    sc = citytwin.Scenario.from_file(QUICKSTART)
    sc["devices.0.count"] = 5
    for other in (copy.copy(sc), copy.deepcopy(sc)):
        other["devices.0.count"] = 7
        other["run.duration"] = "1 h"
        assert sc["devices.0.count"] == 5 and sc.overrides == ["devices.0.count=5"]
        assert other.overrides == ["devices.0.count=5", "devices.0.count=7", "run.duration=1 h"]


def test_quantity_of_a_plain_number_is_the_number():
    sc = citytwin.Scenario.from_file(QUICKSTART)
    assert sc["devices.0.jitter"] == 0.1
    assert sc.quantity("devices.0.jitter") == 0.1
    assert sc.quantity("devices.0.jitter", "%") == pytest.approx(10.0)
    with pytest.raises(ValueError, match="plain number, not convertible to 'min'"):
        sc.quantity("devices.0.jitter", "min")
    assert sc.quantity("devices.0.interval", "min") == 10.0
