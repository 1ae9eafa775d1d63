"""Scenario warnings reach Python: validate and run warn (citytwin.ScenarioWarning), Result.warnings
keeps them, and a clean scenario warns of nothing."""
import warnings

import pytest

import citytwin
from support import UNSERVED

SCENARIO = UNSERVED


def test_validate_and_run_warn_of_a_population_no_station_serves():
    with pytest.warns(citytwin.ScenarioWarning, match=r"<text>:6:5: devices\[0\]\.technology: warning: no NB-IoT cell"):
        citytwin.validate(SCENARIO)
    with pytest.warns(citytwin.ScenarioWarning) as caught:
        r = citytwin.run(SCENARIO, progress=False)
    texts = [str(w.message) for w in caught]
    assert r.warnings == texts
    assert any("type 'traffic_counter' makes it nbiot" in t for t in texts)
    # The NB-IoT counters were never heard; the LoRaWAN meters were.
    assert r.devices.query("population == 'counters'").shape[0] == 5


def test_a_clean_scenario_warns_of_nothing():
    clean = SCENARIO.replace("  - {name: counters, type: traffic_counter, count: 5, districts: [a]}\n", "")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        citytwin.validate(clean)
        r = citytwin.run(clean, progress=False)
    assert r.warnings == []


def test_a_warning_reaches_code_without_a_file():
    # python -c (and exec of a string) has no source file: the warning is still shown at its line, where
    # Python 3.11's warnings once asked __main__'s loader for the source and raised ImportError instead.
    import os
    import subprocess
    import sys

    code = "import citytwin\ncitytwin.validate(%r)\nprint('validated')\n" % SCENARIO
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "validated\n"
    assert "<string>:2: ScenarioWarning: <text>:6:5: devices[0].technology: warning: no NB-IoT cell" in r.stderr


def test_flood_settings_that_would_do_nothing_are_said():
    clean = SCENARIO.replace("  - {name: counters, type: traffic_counter, count: 5, districts: [a]}\n", "")
    # A depth replayed directly floods as the bathtub's does (power, drowned devices): nothing to say.
    direct = clean + "drivers:\n  inundation_depth: {points: [[0 h, 0 m], [1 h, 2 m]]}\n"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        citytwin.validate(direct)
    # A river with no district's elevation floods nowhere.
    dry = clean + "drivers:\n  river_level: {points: [[0 h, 1 m], [1 h, 6 m]]}\n  flood: {drainage: 50 mm/h}\n"
    with pytest.warns(citytwin.ScenarioWarning, match=r"drivers\.flood\.elevation: warning: no district has an elevation"):
        citytwin.validate(dry)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        citytwin.validate(dry.replace("{drainage: 50 mm/h}", "{elevation: {a: 3 m}}"))


def test_attacks_that_would_never_act_are_said():
    from support import SOURCE
    attacks = str(SOURCE / "scenarios" / "city_attacks.yaml")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        citytwin.validate(attacks)
    assert not [w for w in caught if ": attacks." in str(w.message)]  # the shipped attacks all act
    sets = {"attacks.jamming[0].channels": "[915 MHz]", "attacks.compromised[0].share": 0.0001,
            "attacks.compromised[0].start": "5 h", "attacks.compromised[0].end": "6 h"}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        citytwin.validate(attacks, overrides=sets)
    texts = "\n".join(str(w.message) for w in caught)
    assert "attacks.jamming[0].channels: warning: no LoRaWAN device uses these channels" in texts
    assert "attacks.compromised[0]: warning: starts at 18000 s, at or after the run's end (10800 s)" in texts
    assert "attacks.compromised[0].share: warning: 0.0001 of the 1200 devices of 'parking' is no device" in texts



def test_a_section_that_does_nothing_is_said():
    # nbiot's timers and NPUSCH in a city without NB-IoT devices set nothing: validate and run say so, once,
    # at the first key written, naming each (sim/city/section_warnings.hpp).
    clean = SCENARIO.replace("  - {name: counters, type: traffic_counter, count: 5, districts: [a]}\n", "")
    idle = clean + "nbiot:\n  t3324: 30 s\n  npusch: {ce0: {i_tbs: 8}}\n"
    said = (r"<text>:11:10: nbiot: warning: ignored: nbiot\.t3324 and nbiot\.npusch\.ce0\.i_tbs: no population "
            r"has NB-IoT devices")
    with pytest.warns(citytwin.ScenarioWarning, match=said):
        citytwin.validate(idle)
    with pytest.warns(citytwin.ScenarioWarning, match=said) as caught:
        r = citytwin.run(idle, progress=False)
    assert r.warnings == [str(w.message) for w in caught] and len(r.warnings) == 1
    # Written as an override, it is named there.
    with pytest.warns(citytwin.ScenarioWarning, match=r"nbiot\.t3412: warning: ignored: no population has NB-IoT"):
        citytwin.validate(clean + "nbiot: {}\n", overrides={"nbiot.t3412": "12 h"})
    # With the NB-IoT counters (SCENARIO's), the section acts: nothing said of it.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        citytwin.validate(SCENARIO + "nbiot:\n  t3324: 30 s\n")
    assert not [w for w in caught if "nbiot." in str(w.message)]


# What a shipped scenario shows on purpose, warned of at every load: nbiot_metering's basement water meters
# keep the catalogue's AA bobbin Li-SOCl2 cell under an NB-IoT modem's 167 mA bursts (scenarios/README.md).
DELIBERATE = {
    "nbiot_metering.yaml": ["devices[1].battery.max_pulse_current: warning: its devices draw 167 mA (the NB-IoT "
                            "modem transmitting) from a cell rated for 150 mA pulses"],
}


def test_every_shipped_scenario_validates_strict():
    """The scenarios a newcomer runs first warn of nothing but what they show on purpose: `--strict` (warnings
    as errors) accepts each but those, which warn of exactly that."""
    import subprocess

    from support import CLI, SOURCE

    for path in sorted((SOURCE / "scenarios").glob("*.yaml")):
        strict = path.name not in DELIBERATE
        r = subprocess.run([CLI, "validate"] + (["--strict"] if strict else []) + [str(path)],
                           capture_output=True, text=True)
        assert r.returncode == 0, f"{path.name}: {r.stderr}"
        said = [line for line in r.stderr.splitlines() if ": warning: " in line]
        expected = DELIBERATE.get(path.name, [])
        assert len(said) == len(expected), f"{path.name}: {r.stderr}"
        for line, part in zip(said, expected):
            assert part in line, f"{path.name}: {line}"


def test_event_none_keeps_a_catalogue_type_periodic_without_a_warning():
    gauges = SCENARIO.replace("  - {name: counters, type: traffic_counter, count: 5, districts: [a]}\n",
                              "  - {name: gauges, type: rain_gauge, count: 5, districts: [a], interval: 1 min}\n")
    # Without a rainfall driver, the catalogue's rule is set aside with a warning that says how to say so.
    with pytest.warns(citytwin.ScenarioWarning, match="write 'event: none' to say so"):
        warned = citytwin.run(gauges, progress=False)
    quiet = gauges.replace("type: rain_gauge,", "type: rain_gauge, event: none,")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = citytwin.run(quiet, progress=False)
    assert r.warnings == []
    # Periodic either way: 5 gauges x 10 reports of 1 min (within the jitter), the same as with the warning.
    sent = r.messages.query("device < 5").shape[0]
    assert 45 <= sent <= 55 and sent == warned.messages.query("device < 5").shape[0]
    for bad in ("event: nothing", "event: null", "event: false"):
        with pytest.raises(citytwin.ScenarioError, match=r"devices\[0\]\.event: expected an event rule .* or 'none'"):
            citytwin.validate(gauges.replace("type: rain_gauge,", f"type: rain_gauge, {bad},"))
