"""The wired city: GPON with a shared upstream, point-to-point fibre, cellular and leased-line backhauls,
and the topology summary of `citytwin describe`."""
import json
import subprocess

import numpy as np
import pytest

import citytwin
from support import CLI


def pon_city(access_points, cameras_per_ap=10, split=64):
    aps = "\n".join(
        f"  - {{name: ap{i}, technology: wifi, position: [{50 + 100 * i} m, 100 m],"
        f" backhaul: {{kind: pon, pon: pon-a, drop_length: 200 m}}}}" for i in range(access_points))
    cams = "\n".join(
        f"  - {{name: cams{i}, type: cctv_camera, count: {cameras_per_ap},"
        f" disc: {{centre: [{50 + 100 * i} m, 100 m], radius: 5 m}}}}" for i in range(access_points))
    return f"""
city:
  districts:
    - {{name: street, origin: [0 m, 0 m], size: [{100 * access_points + 100} m, 200 m]}}
devices:
{cams}
gateways:
{aps}
fibre:
  olts: [{{name: olt-1, backbone_length: 8 km, backbone_bandwidth: 10 Gbps}}]
  pons: [{{name: pon-a, olt: olt-1, length: 4 km, split: {split}}}]
run: {{duration: 10 min, seed: 1}}
"""


def test_a_pon_saturates_at_its_upstream_capacity():
    r = citytwin.run(pon_city(40))
    t = r.kpi_tables["by_access_point"]
    air = t["carried_air_bps"].sum()
    backhaul = t["carried_backhaul_bps"].sum()
    assert air > 1.3e9  # 40 access points carry more than the PON can take ...
    # ... so the shared upstream caps them at its payload rate, not its 1.24416 Gbit/s line rate: 40 ONTs
    # each bursting every 125 us frame of 19 440 bytes, a burst costing 12 (guard, preamble, delimiter,
    # G.984.2 Table I.1) + 3 (PLOu) + 13 (PLOAMu) + 2 (DBRu) + 5 (a continued fragment's GEM header) bytes,
    # and each 1518-byte Ethernet frame of video a 5-byte GEM header (G.984.3 clause 8).
    payload = (1 - 40 * 35 / 19440) * 1518 / (1518 + 5) * 1.24416e9
    assert payload == pytest.approx(1.15077e9, rel=1e-5)
    assert backhaul == pytest.approx(payload, rel=1e-3)
    # Below capacity nothing is lost on the fibre.
    r = citytwin.run(pon_city(10))
    t = r.kpi_tables["by_access_point"]
    assert t["carried_backhaul_bps"].sum() == pytest.approx(t["carried_air_bps"].sum(), rel=1e-3)


def test_an_upstream_too_slow_for_its_bursts_is_refused():
    # 100 Mbit/s takes 155.52 Mbit/s's burst-mode overhead (4 bytes, G.984.2 Table I.1): 64 bursts of
    # 4 + 3 + 13 + 2 + 5 bytes need 1728 of the 1562.5 bytes a 125 us frame holds at that rate.
    with pytest.raises(citytwin.ScenarioError,
                       match=r"<text>:\d+:\d+: fibre\.pons\[0\]\.upstream: a GPON upstream this slow leaves no "
                             r"payload: the 64 bursts of a 1:64 splitter need 1728 bytes of each 125 us frame, "
                             r"which holds 1562\.5"):
        citytwin.validate(pon_city(2).replace("split: 64}", "split: 64, upstream: 100 Mbps}"))
    citytwin.validate(pon_city(2).replace("split: 64}", "split: 64, upstream: 155.52 Mbps}"))


def test_the_splitter_limits_the_ontS():
    with pytest.raises(citytwin.ScenarioError, match=r"1:8 splitter: no port left"):
        citytwin.validate(pon_city(9, split=8))


def test_backhaul_latency_follows_the_route():
    base = """
city:
  districts: [{name: a, origin: [0 m, 0 m], size: [1 km, 1 km]}]
devices:
  - {name: m, count: 10, disc: {centre: [500 m, 500 m], radius: 50 m}, interval: 5 min}
gateways:
  - {name: gw, position: [500 m, 500 m], backhaul: BACKHAUL}
fibre:
  olts: [{name: olt, backbone_length: 10 km}]
  pons: [{name: pon, olt: olt, length: 4 km}]
run: {duration: 1 h, seed: 2}
"""
    def latency(backhaul):
        r = citytwin.run(base.replace("BACKHAUL", backhaul))
        m = r.messages
        ok = m["delivered"] == 1
        return (m["t_delivered_s"] - m["t_tx_s"] - m["airtime_s"])[ok]

    p2p = latency("{kind: fibre, fibre_length: 1 km}")
    pon = latency("{kind: pon, pon: pon, drop_length: 1 km}")
    cell = latency("{kind: cellular, latency: 40 ms, bandwidth: 20 Mbps}")
    # GPON adds its feeder (4 km) and the OLT backbone (10 km): 70 us more than 1 km of fibre.
    assert np.median(pon) - np.median(p2p) == pytest.approx(70e-6, abs=2e-6)
    assert np.median(cell) - np.median(p2p) == pytest.approx(40e-3 - 5e-6, abs=0.5e-3)


def test_describe_summarises_the_plant():
    out = subprocess.run([CLI, "describe", "/dev/stdin"], input=pon_city(12), capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "GPON 12" in out.stdout
    # The upstream payload: (1 - 12 x 35 / 19440) x 1518 / 1523 x 1.24416 Gbit/s = 1.21 Gbit/s.
    assert ("PON pon-a (smart): 4 km, 1:64 splitter, 12 ONTs, 1.24 Gbit/s up / 2.49 Gbit/s down; "
            "upstream payload 1.21 Gbit/s (1518-byte frames)") in out.stdout
    assert "fibre: 14.4 km in all: backbone 8 km, PON feeders 4 km, drops 2.4 km" in out.stdout
    assert "SimGrid zones: core (platform), district:street (12 gateways)" in out.stdout


def gpon_upstream_payload_bps(onts, frame_bytes, line_rate_bps=1.24416e9):
    """The closed form of models/fibre/gpon_framing.hpp at 1.24416 Gbit/s: a 125 us frame of F = 19 440 bytes
    (ITU-T G.984.3 clause 8), each ONT's burst spending B = 12 (guard, preamble, delimiter: G.984.2 Table
    I.1) + 3 (PLOu header) + 13 (PLOAMu) + 2 (DBRu) bytes and a 5-byte GEM header on the fragment it
    continues, each client frame a GEM header of its own: (1 - N (B + 5) / F) x L / (L + 5) x R."""
    frame = line_rate_bps * 125e-6 / 8
    assert frame == 19440
    return (1 - onts * (12 + 3 + 13 + 2 + 5) / frame) * frame_bytes / (frame_bytes + 5) * line_rate_bps


def test_describe_json_gives_each_pon_its_payload_rate():
    # The payload rate the text prints (above), in bit/s: 12 access points on the PON, so CCTV's 1518-byte
    # Ethernet frames (IEEE 802.3's largest untagged frame).
    out = subprocess.run([CLI, "describe", "--json", "/dev/stdin"], input=pon_city(12), capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr
    (pon,) = json.loads(out.stdout)["pons"]
    assert pon["upstream_bps"] == 1.24416e9
    assert pon["payload_frame_bytes"] == 1518
    assert pon["upstream_payload_bps"] == pytest.approx(gpon_upstream_payload_bps(12, 1518), rel=1e-12)
    assert pon["upstream_payload_bps"] == pytest.approx(1.2133e9, rel=1e-4)
    # A PON of LoRaWAN gateways carries their forwarded copies, platform.forward_message bytes each.
    sensors = pon_city(2).replace("technology: wifi", "technology: lorawan").replace(
        "run:", "platform: {forward_message: 400 B}\nrun:")
    out = subprocess.run([CLI, "describe", "--json", "/dev/stdin"], input=sensors, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    (pon,) = json.loads(out.stdout)["pons"]
    assert pon["payload_frame_bytes"] == 400
    assert pon["upstream_payload_bps"] == pytest.approx(gpon_upstream_payload_bps(2, 400), rel=1e-12)


def test_sensor_traffic_sharing_a_saturated_pon_with_cctv_is_slowed():
    def run(access_points):
        text = pon_city(access_points).replace(
            "gateways:\n",
            "gateways:\n  - {name: lora, position: [50 m, 100 m], backhaul: {kind: pon, pon: pon-a, drop_length: 200 m}}\n").replace(
            "devices:\n", "devices:\n  - {name: meters, count: 200, districts: [street], interval: 1 min}\n")
        return citytwin.run(text).kpi
    quiet, saturated = run(2), run(40)
    # On an idle PON a 250 B copy is mostly propagation (12.2 km: 61 us); beside 40 rate-capped streams
    # that fill the PON, its batch gets a max-min fair share (~1.15 Gbit/s of payload / 41 = 28 Mbit/s)
    # and each copy spends ~70 us more on the fibre.
    assert saturated["latency_backhaul_mean_s"] - quiet["latency_backhaul_mean_s"] > 40e-6
    assert saturated["delivery_ratio"] == pytest.approx(quiet["delivery_ratio"], abs=0.02)


# A backbone ring: the data centre, then n1, n2, n3 and back (10, 10, 10, 40 km). An OLT at each node;
# a gateway with a few meters on each OLT's PON, 1 km of backbone from every OLT to its node.
RING = """
city:
  districts:
    - {name: town, origin: [0 m, 0 m], size: [4 km, 1 km]}
devices:
  - {name: m1, count: 10, disc: {centre: [500 m, 500 m], radius: 50 m}, interval: 1 min}
  - {name: m2, count: 10, disc: {centre: [2000 m, 500 m], radius: 50 m}, interval: 1 min}
  - {name: m3, count: 10, disc: {centre: [3500 m, 500 m], radius: 50 m}, interval: 1 min}
gateways:
  - {name: g1, position: [500 m, 500 m], backhaul: {kind: pon, pon: p1, drop_length: 100 m}}
  - {name: g2, position: [2000 m, 500 m], backhaul: {kind: pon, pon: p2, drop_length: 100 m}}
  - {name: g3, position: [3500 m, 500 m], backhaul: {kind: pon, pon: p3, drop_length: 100 m}}
fibre:
  core:
    data_centre: dc
    links:
      - {between: [dc, n1], length: 10 km}
      - {between: [n1, n2], length: 10 km}
      - {between: [n2, n3], length: 10 km}
      - {between: [n3, dc], length: 40 km}
  olts:
    - {name: o1, node: n1, backbone_length: 1 km}
    - {name: o2, node: n2, backbone_length: 1 km}
    - {name: o3, node: n3, backbone_length: 1 km}
  pons:
    - {name: p1, olt: o1, length: 2 km}
    - {name: p2, olt: o2, length: 2 km}
    - {name: p3, olt: o3, length: 2 km}
radio: {path_loss: {exponent: 4.5}}  # each gateway hears only its own meters
%s
run: {duration: 2 h, seed: 8}
"""


def _backhaul_latency(r, population_devices):
    m = r.messages
    ok = (m["delivered"] == 1) & np.isin(m["device"], population_devices)
    return np.median(m["t_delivered_s"][ok] - m["t_tx_s"][ok] - m["airtime_s"][ok])


def test_olts_reach_the_data_centre_over_the_shortest_side_of_the_ring():
    r = citytwin.run(RING % "")
    assert np.all(r.messages["gateways_heard"] <= 1)
    d = r.devices
    lat = [_backhaul_latency(r, d["id"][d["population"] == f"m{k}"]) for k in (1, 2, 3)]
    # n1: 10 km; n2: 20 km (not 50 the other way); n3: 30 km (not 40 direct). 5 us per km.
    assert lat[1] - lat[0] == pytest.approx(10 * 5e-6, abs=1e-6)
    assert lat[2] - lat[0] == pytest.approx(20 * 5e-6, abs=1e-6)
    out = subprocess.run([CLI, "describe", "/dev/stdin"], input=RING % "", capture_output=True, text=True)
    assert "core: 4 nodes, 4 links, 70 km (ring), data centre at dc" in out.stdout
    assert "OLT o3 at n3: backbone 1 km, 10 Gbit/s, then 3 core links (30 km) to the data centre" in out.stdout


def test_a_cut_core_link_holds_the_traffic_of_every_olt_routed_through_it():
    r = citytwin.run(RING % "drivers:\n  failures: [{target: 'core:n1-n2', start: 30 min, end: 60 min}]")
    m, d = r.messages, r.devices
    during = (m["t_tx_s"] > 1800) & (m["t_tx_s"] + m["airtime_s"] + 0.01 < 3600) & (m["gateways_heard"] > 0)
    on_n1 = r.messages_frame()["population"] == "m1"
    # n2 and n3 reach the data centre through n1-n2: held until 60 min. n1 does not use it.
    assert (during & ~on_n1).sum() > 100 and (during & on_n1).sum() > 50
    assert np.all(m["t_delivered_s"][during & ~on_n1] >= 3600)
    assert np.all(m["failure"][during & ~on_n1] == 0)
    assert np.all(m["failure"][during & on_n1] == -1)
    assert np.all(m["t_delivered_s"][during & on_n1] < 3600)


def test_core_errors_name_the_place():
    with pytest.raises(citytwin.ScenarioError, match=r"fibre.olts\[2\].node: no core node 'n9'"):
        citytwin.validate((RING % "").replace("node: n3", "node: n9"))
    with pytest.raises(citytwin.ScenarioError, match=r"fibre.core.links\[1\].between: duplicate link"):
        citytwin.validate((RING % "").replace("between: [n1, n2]", "between: [n1, dc]"))
    # An island: n2-n3 cut off from the data centre.
    island = (RING % "").replace("{between: [n1, n2], length: 10 km}", "{between: [n4, n2], length: 10 km}") \
                        .replace("{between: [n3, dc], length: 40 km}", "{between: [n3, n5], length: 40 km}")
    with pytest.raises(citytwin.ScenarioError, match=r"fibre.olts\[1\].node: no core node 'n2' connected"):
        citytwin.validate(island)
