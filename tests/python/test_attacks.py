"""Attacks seen from the trace (scenario `attacks`, docs/SCENARIO.md): a jammer loses the uplinks of the
gateway beside it during its window and no others; a flood of bogus messages at the broker queues and
drops honest messages while it lasts; a flood of forged frames at the network server delays honest copies
and, once its queue is full, drops them as server_overload; bad attack keys are refused with their place. Compromised devices
against pure ALOHA and the rate rule's time to detect are in tests/sim/attack_test.cpp."""
import math

import h5py
import pytest

import citytwin


def two_towns(attacks, platform="", duration="3 h"):
    # Two clusters 8 km apart, each 100-700 m from its gateway: neither gateway hears the other's devices.
    return f"""
city:
  districts:
    - {{name: west, origin: [0 m, 0 m], size: [2 km, 2 km]}}
    - {{name: east, origin: [8 km, 0 m], size: [2 km, 2 km]}}
devices:
  - {{name: w, count: 200, disc: {{centre: [1 km, 1.4 km], radius: 300 m}}, interval: 5 min, radio: {{sf: 7}}}}
  - {{name: e, count: 200, disc: {{centre: [9 km, 1.4 km], radius: 300 m}}, interval: 5 min, radio: {{sf: 7}}}}
gateways:
  - {{name: gw-west, position: [1 km, 1 km]}}
  - {{name: gw-east, position: [9 km, 1 km]}}
{platform}
attacks:
{attacks}
run: {{duration: {duration}, seed: 4}}
"""


def test_a_jammer_loses_the_uplinks_of_the_gateway_in_range_only_in_its_window(tmp_path):
    r = citytwin.run(two_towns(
        "  jamming: [{name: j, position: [1.05 km, 1 km], power: 20 dBm, start: 1 h, end: 2 h}]"),
        out=tmp_path / "jam.h5")
    m = r.messages
    west = m["device"] < 200
    window = (m["t_tx_s"] + m["airtime_s"] > 3600) & (m["t_tx_s"] < 7200)
    # 50 m from the west gateway: +65 dB of noise there, above every west frame's margin (at most 58 dB);
    # 8 km from the east one: +0.07 dB.
    assert (m["fail_reason"][west & window] == "jammed").all()
    assert (m["fail_reason"][~west] != "jammed").all()
    assert (m["fail_reason"][west & ~window] != "jammed").all()
    assert m["delivered"][~west & window].mean() > 0.97
    assert m["delivered"][west & ~window].mean() > 0.97
    assert r.kpi["lost_jammed"] == (m["fail_reason"] == "jammed").sum() > 300
    row = r.kpi_tables["attacks"].set_index("attack").loc["j"]
    assert row["kind"] == "jamming" and row["targets"] == 1
    assert row["lost_to_attack"] == (m["fail_reason"][m["t_tx_s"].between(3600, 7200, inclusive="left")]
                                     == "jammed").sum()
    # Half of the honest traffic (the west's) is lost during the window.
    assert row["honest_delivery_ratio_before"] > 0.97 and row["honest_delivery_ratio_after"] > 0.97
    assert abs(row["honest_delivery_ratio_during"] - 0.5) < 0.05
    assert math.isnan(row["time_to_detect_s"])
    # Every column of the attack tables carries its own description and units (output/kpi_columns.cpp).
    with h5py.File(r.path, "r") as f:
        for table in ("attacks", "flagged_devices"):
            for name, ds in f["kpi"][table].items():
                assert ds.attrs["description"] and not ds.attrs["description"].startswith("KPI "), (table, name)
        assert f["kpi/attacks/time_to_detect_s"].attrs["units"] == "s"
        assert f["kpi/attacks/honest_sent_during"].dtype.kind == "i"


def test_a_weak_jammer_far_away_loses_nothing():
    r = citytwin.run(two_towns(
        "  jamming: [{name: j, position: [5 km, 1 km], power: -20 dBm, start: 0 s, end: 3 h}]"))
    assert r.kpi["lost_jammed"] == 0
    assert r.kpi_tables["attacks"]["targets"][0] == 0


def test_a_flood_of_bogus_messages_queues_and_drops_honest_ones_while_it_lasts():
    # The broker serves 1000 messages/s (1e7 flop each at 1e10 flop/s); 3000/s arrive for 10 minutes.
    platform = "platform: {broker_cost: 10 Mf, broker_capacity: 2000}"
    r = citytwin.run(two_towns(
        "  platform_dos: [{name: flood, rate: 3000, start: 1 h, end: 70 min}]", platform, "2 h"))
    row = r.kpi_tables["attacks"].set_index("attack").loc["flood"]
    assert row["kind"] == "dos_broker"
    # Poisson arrivals over 600 s: 1.8 million, within 5 standard deviations.
    assert abs(row["attack_messages"] - 1.8e6) < 5 * math.sqrt(1.8e6)
    assert r.kpi["bogus_messages"] == row["attack_messages"]
    # The queue fills at 3000 - 1000 = 2000/s: the alarm at half of 2000 rings after about 0.5 s.
    assert 0.3 < row["time_to_detect_s"] < 0.8
    assert r.kpi["broker_queue_peak"] == 2000
    # Once full, an honest message gets in only just after a departure: about 1 in 3 (service 1000/s
    # against 3000/s arriving).
    assert row["honest_delivery_ratio_before"] > 0.97 and row["honest_delivery_ratio_after"] > 0.97
    assert 0.2 < row["honest_delivery_ratio_during"] < 0.45
    # Every drop at the broker is a bogus message or an honest one lost to the attack.
    assert r.kpi["platform_dropped"] == row["attack_messages_dropped"] + row["lost_to_attack"]
    assert row["lost_to_attack"] > 0
    # The radio delivered them: the loss is the platform's (/messages counts the network server).
    assert r.messages["delivered"].mean() > 0.97


def test_a_flood_at_the_network_server_drops_honest_copies_as_server_overload(tmp_path):
    # The network server processes 1000 copies/s (1e7 flop each at 1e10 flop/s), 50 at most in its queue;
    # 2000 forged frames a second arrive for 10 minutes: about half of everything is dropped.
    platform = "platform: {ns_cost: 10 Mf, ns_capacity: 50, server_cores: 16}"
    r = citytwin.run(two_towns(
        "  platform_dos: [{name: nsf, target: network_server, rate: 2000, start: 1 h, end: 70 min}]",
        platform, "2 h"), out=tmp_path / "ns.h5")
    assert citytwin.FAIL_REASONS[13] == "server_overload"
    m = r.messages
    lost = m["fail_reason"] == "server_overload"
    assert r.kpi["lost_server_overload"] == lost.sum() > 0
    # Only frames of the window (their copies reach the server within ~0.1 s of the frame's end).
    assert m["t_tx_s"][lost].min() >= 3600 - 1 and m["t_tx_s"][lost].max() < 4200
    row = r.kpi_tables["attacks"].set_index("attack").loc["nsf"]
    assert row["kind"] == "dos_network_server" and row["lost_to_attack"] == lost.sum()
    assert abs(row["attack_messages"] - 1.2e6) < 5 * math.sqrt(1.2e6)
    assert r.kpi["bogus_messages"] == row["attack_messages"]
    # M/D/1/K at rho 2 with K = 50 blocks 1 - 1/rho of the arrivals, honest or forged (PASTA).
    assert abs(1 - row["honest_delivery_ratio_during"] / row["honest_delivery_ratio_before"] - 0.5) < 0.05
    assert abs(row["attack_messages_dropped"] / row["attack_messages"] - 0.5) < 0.01
    # The copies that get in wait behind a nearly full queue: ~K services (50 ms) instead of ~10 ms.
    assert row["honest_latency_during_mean_s"] > row["honest_latency_before_mean_s"] + 0.03
    assert row["honest_delivery_ratio_after"] > 0.97


@pytest.mark.parametrize("attacks, where, message", [
    ("  compromised: [{population: nobody, share: 0.1, start: 0 s}]", "attacks.compromised[0].population",
     "no device population named 'nobody'"),
    ("  compromised: [{population: w, share: 0.1, devices: [1], start: 0 s}]", "attacks.compromised[0]",
     "either population and share, or devices"),
    ("  jamming: [{position: [1 km, 1 km], start: 2 h, end: 1 h}]", "attacks.jamming[0]", "end is before start"),
    ("  platform_dos: [{target: ns, start: 0 s, end: 1 h}]", "attacks.platform_dos[0].target", "network_server"),
    ("  jaming: []", "attacks.jaming", "jamming"),
    ("  compromised: [{devices: [3, 400], start: 0 s}]", "attacks.compromised[0].devices[1]", "expected 0..399"),
])
def test_bad_attacks_are_refused_with_their_place(attacks, where, message):
    with pytest.raises(citytwin.ScenarioError) as e:
        citytwin.validate(two_towns(attacks))
    assert where in str(e.value) and message in str(e.value)


def test_the_cli_report_says_its_delivery_ratio_counts_the_attack_frames(tmp_path):
    """A botnet's frames are transmissions (uplinks_sent counts the rows of /messages), so the headline
    delivery_ratio falls with them: the report says so where it prints it, and names the city's own."""
    import subprocess

    from support import CLI

    scenario = tmp_path / "botnet.yaml"
    scenario.write_text(two_towns("  compromised: [{population: w, share: 0.2, start: 1 h, rate_factor: 20}]",
                                  duration="2 h"))
    r = subprocess.run([CLI, "run", str(scenario), "-q", "-o", str(tmp_path / "b.h5")], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    line = next(l for l in r.stdout.splitlines() if l.split()[:1] == ["delivery_ratio"])
    with citytwin.open(tmp_path / "b.h5") as t:
        frames = t.kpi["attack_frames"]
    assert frames > 1000 and f"the attack's {frames} frames included" in line
    assert "report_delivery_ratio" in line
    assert "by district (uplinks include the attack's frames):" in r.stdout
    # Without an attack, the line is the value alone.
    scenario.write_text(two_towns("  jamming: []", duration="20 min"))
    quiet = subprocess.run([CLI, "run", str(scenario), "-q", "-o", str(tmp_path / "q.h5")], capture_output=True,
                           text=True)
    assert quiet.returncode == 0, quiet.stderr
    assert next(l for l in quiet.stdout.splitlines() if l.split()[:1] == ["delivery_ratio"]).split()[2:] == []
