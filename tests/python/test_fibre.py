"""The wired city: GPON with a shared upstream, point-to-point fibre, cellular and leased-line backhauls,
and the topology summary of `citytwin describe`."""
import os
import subprocess

import numpy as np
import pytest

import citytwin

CLI = os.environ.get("CITYTWIN_CLI", "citytwin")


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
    assert backhaul == pytest.approx(1.24416e9, rel=1e-3)  # ... so the shared upstream caps them (G.984)
    # Below capacity nothing is lost on the fibre.
    r = citytwin.run(pon_city(10))
    t = r.kpi_tables["by_access_point"]
    assert t["carried_backhaul_bps"].sum() == pytest.approx(t["carried_air_bps"].sum(), rel=1e-3)


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
    assert "PON pon-a (smart): 4 km, 1:64 splitter, 12 ONTs, 1.24 Gbit/s up / 2.49 Gbit/s down" in out.stdout
    assert "fibre: 14.4 km in all: backbone 8 km, PON feeders 4 km, drops 2.4 km" in out.stdout
    assert "SimGrid zones: core (platform), district:street (12 gateways)" in out.stdout


def test_sensor_traffic_sharing_a_saturated_pon_with_cctv_is_slowed():
    def run(access_points):
        text = pon_city(access_points).replace(
            "gateways:\n",
            "gateways:\n  - {name: lora, position: [50 m, 100 m], backhaul: {kind: pon, pon: pon-a, drop_length: 200 m}}\n").replace(
            "devices:\n", "devices:\n  - {name: meters, count: 200, districts: [street], interval: 1 min}\n")
        return citytwin.run(text).kpi
    quiet, saturated = run(2), run(40)
    # On an idle PON a 250 B copy is mostly propagation (12.2 km: 61 us); beside 40 rate-capped streams
    # that fill the PON, its batch gets a max-min fair share (~1.244 Gbit/s / 41 = 30 Mbit/s) and each
    # copy spends ~66 us more on the fibre.
    assert saturated["latency_backhaul_mean_s"] - quiet["latency_backhaul_mean_s"] > 40e-6
    assert saturated["delivery_ratio"] == pytest.approx(quiet["delivery_ratio"], abs=0.02)
