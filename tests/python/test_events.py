"""Event-driven reporting: river-level sensors on a hydrograph report every 15 min, every minute above
the threshold, and at once when the level crosses it (models/device/event_rule.hpp)."""
import numpy as np
import pytest

import citytwin

SCENARIO = """
city:
  districts:
    - {name: river, origin: [0 m, 0 m], size: [2 km, 1 km]}
devices:
  - name: gauges
    type: river_level
    count: 10
    districts: [river]
    interval: 15 min
    radio: {sf: 9, duty_cycle: false}
    confirmed: false
    event: {threshold: 4.5 m, fast_interval: 1 min, sample_interval: 1 min, consecutive: 1}
gateways:
  - {name: gw, position: [1 km, 500 m]}
drivers:
  # The level rises from 1 m to 5.5 m between 2 h and 6 h, then falls back by 10 h.
  river_level: [[0 h, 1 m], [2 h, 1 m], [6 h, 5.5 m], [10 h, 1 m]]
run: {duration: 12 h, seed: 8}
"""

# When the linear hydrograph crosses 4.5 m: rising 2 h + 3.5/4.5 * 4 h, falling 6 h + 1/4.5 * 4 h.
UP_S = 2 * 3600 + 3.5 / 4.5 * 4 * 3600
DOWN_S = 6 * 3600 + 1.0 / 4.5 * 4 * 3600


def test_reporting_follows_the_level():
    r = citytwin.run(SCENARIO)
    m = r.messages
    for dev in np.unique(m["device"]):
        t = m["t_tx_s"][m["device"] == dev]
        before = t[t < UP_S - 60]
        above = t[(t > UP_S + 120) & (t < DOWN_S - 60)]
        after = t[t > DOWN_S + 120]
        # Every 15 min (from the last report) below the threshold, every minute above it.
        assert np.allclose(np.diff(before), 900, atol=61), np.diff(before)
        assert np.allclose(np.diff(above), 60, atol=1)
        assert np.all(np.diff(after)[1:] > 840)
        # A report within one sample interval (plus wake-up) of each crossing.
        assert np.any((t >= UP_S) & (t < UP_S + 61))
        assert np.any((t >= DOWN_S) & (t < DOWN_S + 61))
    # The fast phase dominates the count: ~ (DOWN_S - UP_S) / 60 reports per gauge.
    expected_fast = (DOWN_S - UP_S) / 60
    assert r.kpi["uplinks_sent"] / 10 > expected_fast


def test_without_a_driver_an_explicit_event_rule_is_refused():
    text = SCENARIO.split("drivers:")[0] + "run: {duration: 1 h}\n"
    with pytest.raises(citytwin.ScenarioError, match=r"devices\[0\]\.event: .*drivers.river_level"):
        citytwin.validate(text)


def test_sampling_costs_energy_even_without_reports():
    quiet = SCENARIO.replace("[[0 h, 1 m], [2 h, 1 m], [6 h, 5.5 m], [10 h, 1 m]]", "[[0 h, 1 m]]")
    a = citytwin.run(quiet)
    b = citytwin.run(quiet.replace("sample_interval: 1 min", "sample_interval: 5 min"))
    assert a.kpi["uplinks_sent"] == pytest.approx(b.kpi["uplinks_sent"], rel=0.05)
    assert a.kpi["energy_mean_mah"] > b.kpi["energy_mean_mah"]


ALERT = SCENARIO.replace("drivers:", """platform:
  alerts: [{name: flood, type: river_level, above: 4.5 m, consecutive: 2}]
drivers:""")


def test_a_flood_alert_fires_once_shortly_after_the_river_crosses():
    r = citytwin.run(ALERT)
    t = r.kpi_tables["alerts"]
    assert list(t["alert"]) == ["flood@river"]
    assert t["t_event_s"][0] == pytest.approx(UP_S)
    # The gauges sample every minute and report at once on the crossing; the rule needs two readings
    # above 4.5 m: the alert comes within two sample intervals (plus air and network time).
    assert 0 < t["latency_s"][0] < 2 * 60 + 5
    assert r.kpi["alerts"] == 1
    assert r.kpi["alert_latency_first_s"] == pytest.approx(t["latency_s"][0])


def test_no_alert_while_the_river_stays_below_the_threshold():
    r = citytwin.run(ALERT.replace("above: 4.5 m", "above: 6 m").replace("threshold: 4.5 m", "threshold: 6 m"))
    assert r.kpi["alerts"] == 0
    assert np.isnan(r.kpi["alert_latency_first_s"])


def test_a_backhaul_failure_delays_the_alert_until_the_buffered_readings_arrive():
    cut = ALERT.replace("  - {name: gw, position: [1 km, 500 m]}",
                        "  - {name: gw, position: [1 km, 500 m], buffer: 100000}").replace(
        "drivers:", f"drivers:\n  failures: [{{target: 'fibre:gw', start: {UP_S - 600} s, end: {UP_S + 1800} s}}]")
    r = citytwin.run(cut)
    t = r.kpi_tables["alerts"]
    assert t["t_alert_s"][0] >= UP_S + 1800  # held at the gateway until the fibre is repaired
    assert r.kpi["uplinks_delivered"] == citytwin.run(ALERT).kpi["uplinks_delivered"]  # nothing lost
