"""From the gateway to the network server: power cuts and backup batteries, deduplication across
gateways, fibre propagation delay."""
import numpy as np
import pytest

import citytwin


def scenario(gateways, extra="", devices=None, run="duration: 16 h"):
    devices = devices or "  - {name: meters, count: 20, disc: {centre: [500 m, 500 m], radius: 100 m}, interval: 1 min}"
    return f"""
city:
  districts:
    - {{name: riverbank, origin: [0 m, 0 m], size: [1 km, 1 km]}}
devices:
{devices}
gateways:
{gateways}
{extra}
run: {{{run}, seed: 4}}
"""


def test_a_gateway_with_a_two_hour_backup_stops_two_hours_after_the_power_cut():
    r = citytwin.run(scenario(
        "  - {name: gw, position: [500 m, 500 m], backup: 2 h}",
        "drivers:\n  power_outages: [{districts: [riverbank], start: 6 h, end: 12 h}]"))
    m = r.messages
    t, ok, reason = m["t_tx_s"], m["delivered"] == 1, m["fail_reason"]
    on_backup = (t > 6 * 3600) & (t + m["airtime_s"] < 8 * 3600)
    off = (t > 8 * 3600) & (t + m["airtime_s"] < 12 * 3600)
    back = t > 12 * 3600
    assert ok[on_backup].mean() > 0.95
    assert not ok[off].any() and np.all(reason[off] == "gateway_down")
    assert ok[back].mean() > 0.95
    assert r.kpi["lost_gateway_down"] == (reason == "gateway_down").sum()
    # Without a backup it stops at the cut.
    r0 = citytwin.run(scenario(
        "  - {name: gw, position: [500 m, 500 m]}",
        "drivers:\n  power_outages: [{districts: [riverbank], start: 6 h, end: 12 h}]"))
    t0 = r0.messages["t_tx_s"]
    assert not (r0.messages["delivered"][(t0 > 6 * 3600 + 1) & (t0 < 12 * 3600 - 1)] == 1).any()


def test_a_frame_heard_by_three_gateways_is_delivered_once():
    gws = "\n".join(f"  - {{name: gw{i}, position: [{x} m, 500 m]}}" for i, x in enumerate((400, 500, 600)))
    r = citytwin.run(scenario(gws, run="duration: 2 h"))
    m = r.messages
    heard3 = m["gateways_heard"] == 3
    assert heard3.mean() > 0.9
    assert np.all(m["delivered"][heard3] == 1)
    # Three copies forwarded per frame, one delivery each.
    assert r.kpi["copies_forwarded"] == m["gateways_heard"].sum()
    assert r.kpi["uplinks_delivered"] == (m["delivered"] == 1).sum()
    assert r.kpi["uplinks_delivered"] < r.kpi["copies_forwarded"]


def test_ten_km_of_fibre_adds_fifty_microseconds():
    near = citytwin.run(scenario("  - {name: gw, position: [500 m, 500 m], backhaul: {fibre_length: 1 m}}",
                                 run="duration: 1 h"))
    far = citytwin.run(scenario("  - {name: gw, position: [500 m, 500 m], backhaul: {fibre_length: 10.001 km}}",
                                run="duration: 1 h"))
    a, b = near.messages, far.messages
    np.testing.assert_array_equal(a["t_tx_s"], b["t_tx_s"])
    ok = (a["delivered"] == 1) & (b["delivered"] == 1)
    extra = b["t_delivered_s"][ok] - a["t_delivered_s"][ok]
    # 5 us per km of fibre (light at c / 1.468 in G.652 fibre).
    assert np.allclose(extra, 50e-6, atol=1e-9)


def failure_city(failures, buffer=""):
    return scenario(
        f"  - {{name: gw, position: [500 m, 500 m]{buffer}, backhaul: {{kind: pon, pon: pon-1, drop_length: 300 m}}}}",
        "fibre:\n  olts: [{name: olt-1}]\n  pons: [{name: pon-1, olt: olt-1}]\n"
        f"drivers:\n  failures: {failures}", run="duration: 5 h")


def test_a_fibre_cut_is_buffered_then_sent_when_the_fibre_returns():
    r = citytwin.run(failure_city("[{target: 'pon:pon-1', start: 2 h, end: 3 h}]", buffer=", buffer: 100000"))
    m = r.messages
    during = (m["t_tx_s"] > 2 * 3600) & (m["t_tx_s"] + m["airtime_s"] + 0.005 < 3 * 3600) & (m["gateways_heard"] > 0)
    assert during.sum() > 1000
    assert r.kpi["copies_buffered"] == during.sum()
    assert np.all(m["delivered"][during] == 1)
    # Held until the PON is back at 3 h.
    assert np.all(m["t_delivered_s"][during] >= 3 * 3600)
    assert r.kpi["lost_buffer_full"] == 0


def test_a_full_buffer_drops_and_counts_the_rest():
    r = citytwin.run(failure_city("[{target: 'olt:olt-1', start: 2 h, end: 3 h}]", buffer=", buffer: 100"))
    m = r.messages
    during = (m["t_tx_s"] > 2 * 3600) & (m["t_tx_s"] + m["airtime_s"] + 0.005 < 3 * 3600) & (m["gateways_heard"] > 0)
    assert r.kpi["copies_buffered"] == 100
    assert r.kpi["lost_buffer_full"] == during.sum() - 100
    assert np.all(m["fail_reason"][during & (m["delivered"] == 0)] == "buffer_full")  # buffer_full


def test_a_network_server_crash_loses_what_arrives_while_it_is_down():
    r = citytwin.run(failure_city("[{target: network_server, start: 2 h, end: 2.5 h}]"))
    m = r.messages
    t = m["t_tx_s"]
    crashed = (t > 2 * 3600) & (t + 1 < 2.5 * 3600) & (m["gateways_heard"] > 0)
    assert np.all(m["delivered"][crashed] == 0) and np.all(m["fail_reason"][crashed] == "server_down")
    assert r.kpi["lost_server_down"] == (m["fail_reason"] == "server_down").sum()
    assert m["delivered"][t > 2.5 * 3600 + 1].mean() > 0.95  # restarted


def test_failure_targets_are_checked():
    with pytest.raises(citytwin.ScenarioError, match=r"no link or server named 'pon:pon-2' \(did you mean 'pon:pon-1'\?\)"):
        citytwin.validate(failure_city("[{target: 'pon:pon-2', start: 1 h, end: 2 h}]"))


def test_latency_is_broken_down_per_hop():
    r = citytwin.run(scenario("  - {name: gw, position: [500 m, 500 m], forward_delay: 8 ms, backhaul: {fibre_length: 20 km}}",
                              run="duration: 1 h"))
    k = r.kpi
    delivered = r.messages["delivered"] == 1
    assert k["latency_air_mean_s"] == pytest.approx(r.messages["airtime_s"][delivered].mean())
    assert k["latency_gateway_mean_s"] == pytest.approx(0.008)
    # 20 km x 5 us/km, plus 250 B at 1 Gbit/s.
    assert k["latency_backhaul_mean_s"] == pytest.approx(100e-6 + 250 * 8 / 1e9, rel=1e-3)
    # 200 kflop per copy at 10 Gflop/s, and little queueing at this load.
    assert k["latency_server_mean_s"] == pytest.approx(20e-6, rel=0.2)


def test_the_platform_pipeline_stores_what_it_can_and_drops_what_overflows_its_broker():
    busy = "  - {name: meters, count: 300, disc: {centre: [500 m, 500 m], radius: 100 m}, interval: 10 s, radio: {duty_cycle: false}}"
    ok = citytwin.run(scenario("  - {name: gw, position: [500 m, 500 m]}", devices=busy, run="duration: 20 min"))
    assert ok.kpi["platform_dropped"] == 0
    assert ok.kpi["platform_stored"] == ok.kpi["uplinks_delivered"]
    # 200 B per reading at 100 MB/s: 2 us; 100 kflop of analytics at 10 Gflop/s: 10 us.
    assert ok.kpi["latency_storage_mean_s"] == pytest.approx(2e-6, rel=0.01)
    assert ok.kpi["latency_analytics_mean_s"] == pytest.approx(10e-6, rel=0.01)
    assert ok.kpi["latency_broker_mean_s"] == pytest.approx(5e-6, rel=0.01)
    # The stages are SimGrid executions on the platform host: on one core the broker (50 kflop per
    # message) and the analytics (100 kflop) share it. Max-min sharing: both at 5 Gflop/s until the
    # broker's work is done, then the analytics alone at 10: the broker takes 10 us per message, the
    # analytics 1.5x as long as its work alone would, 15 us.
    shared = citytwin.run(scenario("  - {name: gw, position: [500 m, 500 m]}", devices=busy, run="duration: 20 min",
                                   extra="platform: {server_cores: 1}"))
    assert shared.kpi["latency_broker_mean_s"] == pytest.approx(10e-6, rel=0.01)
    assert shared.kpi["latency_analytics_mean_s"] == pytest.approx(15e-6, rel=0.01)
    # A broker that needs 0.2 s per message (5 msg/s) for ~12 msg/s, with room for 50: it stores
    # 5 a second and drops the rest.
    slow = citytwin.run(scenario("  - {name: gw, position: [500 m, 500 m]}", devices=busy, run="duration: 20 min",
                                 extra="platform: {broker_cost: 2 Gf, broker_capacity: 50}"))
    assert slow.kpi["broker_queue_peak"] == 50
    assert slow.kpi["platform_stored"] == pytest.approx(5 * 20 * 60, rel=0.02)
    assert slow.kpi["platform_dropped"] > 0.5 * slow.kpi["uplinks_delivered"]
    assert slow.kpi["platform_stored"] + slow.kpi["platform_dropped"] == slow.kpi["uplinks_delivered"]
    assert slow.kpi["latency_broker_mean_s"] > 5  # a full queue of 50 at 0.2 s each


def test_power_outages_can_come_from_a_csv_profile(tmp_path):
    (tmp_path / "outages.csv").write_text("district,start,end\n# the flood\nriverbank, 6 h, 12 h\n")
    text = scenario("  - {name: gw, position: [500 m, 500 m], backup: 2 h}",
                    "drivers:\n  power_outages_csv: outages.csv")
    (tmp_path / "city.yaml").write_text(text)
    from_csv = citytwin.run(tmp_path / "city.yaml")
    inline = citytwin.run(scenario("  - {name: gw, position: [500 m, 500 m], backup: 2 h}",
                                   "drivers:\n  power_outages: [{districts: [riverbank], start: 6 h, end: 12 h}]"))
    assert from_csv.kpi["lost_gateway_down"] == inline.kpi["lost_gateway_down"] > 0
    (tmp_path / "outages.csv").write_text("riverbank,6 h,12 h\ndocks,1 h,2 h\nriverbank,6 km,7 h\n")
    with pytest.raises(citytwin.ScenarioError) as err:
        citytwin.validate(tmp_path / "city.yaml")
    assert "outages.csv:2: no district named 'docks'" in str(err.value)
    assert "outages.csv:3: expected a duration" in str(err.value)


def test_a_csv_profile_keeps_a_row_whose_name_starts_like_its_header(tmp_path):
    # Only a first line 'district,start,end' is a header: every line starting with "district" was skipped,
    # so a district named district_north lost its cuts without a word.
    (tmp_path / "outages.csv").write_text("\ufeffdistrict,start,end\r\ndistrict_north, 6 h, 12 h\r\n", encoding="utf-8")
    text = scenario("  - {name: gw, position: [500 m, 500 m], backup: 2 h}",
                    "drivers:\n  power_outages_csv: outages.csv").replace("name: riverbank", "name: district_north")
    (tmp_path / "city.yaml").write_text(text)
    r = citytwin.run(tmp_path / "city.yaml")
    assert list(r.outages["target"]) == ["district_north"]
    assert r.kpi["lost_gateway_down"] > 0
    (tmp_path / "outages.csv").write_text("district_north, -1 h, 2 h\n")
    with pytest.raises(citytwin.ScenarioError, match=r"outages.csv:1: start is before the run's start"):
        citytwin.validate(tmp_path / "city.yaml")


def test_no_acknowledgements_while_the_backhaul_is_cut():
    text = failure_city("[{target: 'pon:pon-1', start: 2 h, end: 3 h}]", buffer=", buffer: 100000").replace(
        "interval: 1 min}", "interval: 1 min, confirmed: true, max_transmissions: 3}")
    m = citytwin.run(text).messages
    t = m["t_tx_s"]
    cut = (t > 2 * 3600 + 5) & (t < 3 * 3600 - 10)
    calm = (t > 3600) & (t < 2 * 3600 - 10)
    # Received and buffered, but the server cannot answer through the cut: every report is sent three
    # times (2 of 3 transmissions are retries). Outside the cut the gateway's own duty cycle (1 % in
    # RX1, 10 % in RX2) already limits how many ACKs it can send, so some reports are retried too.
    retried_cut = (m["retransmissions"][cut] > 0).mean()
    retried_calm = (m["retransmissions"][calm] > 0).mean()
    assert retried_cut == pytest.approx(2 / 3, abs=0.03)
    assert retried_calm < retried_cut - 0.1


def test_each_failure_is_attributed_in_the_trace():
    r = citytwin.run(failure_city("[{target: network_server, start: 4 h, end: 4.5 h}, "
                                  "{target: 'pon:pon-1', start: 2 h, end: 3 h}]", buffer=", buffer: 500"))
    m, f = r.messages, r.kpi_tables["failures"]
    # Rows in time order: the PON cut first.
    assert list(f["target"]) == ["pon:pon-1", "network_server"]
    assert list(f["start_s"]) == [7200, 14400] and list(f["end_s"]) == [10800, 16200]
    cut, crash = m["failure"] == 0, m["failure"] == 1
    # The cut delayed 500 uplinks (the buffer) and lost the rest; the crash lost what reached the server.
    assert (cut & (m["delivered"] == 1)).sum() == f["uplinks_delayed"][0] == 500
    assert (cut & (m["delivered"] == 0)).sum() == f["uplinks_lost"][0] > 0
    assert np.all(m["fail_reason"][cut & (m["delivered"] == 0)] == "buffer_full")
    assert np.all(m["t_delivered_s"][cut & (m["delivered"] == 1)] >= 3 * 3600)
    assert crash.sum() == f["uplinks_lost"][1] > 0 and f["uplinks_delayed"][1] == 0
    assert np.all(m["fail_reason"][crash] == "server_down")
    # Copies: one gateway, so one copy per uplink.
    assert f["copies_delayed"][0] == 500 and f["copies_lost"][0] == f["uplinks_lost"][0]
    assert np.all(m["failure"][(m["t_tx_s"] < 2 * 3600) | ((m["t_tx_s"] > 3 * 3600 + 60) & (m["t_tx_s"] < 4 * 3600))] == -1)


def test_failures_from_a_csv_profile(tmp_path):
    csv = tmp_path / "failures.csv"
    csv.write_text("target,start,end\n# planned works\npon:pon-1, 2 h, 3 h\n")
    text = failure_city("[]", buffer=", buffer: 100000").replace("failures: []", "failures_csv: failures.csv")
    path = tmp_path / "city.yaml"
    path.write_text(text)
    r = citytwin.run(str(path))
    assert list(r.kpi_tables["failures"]["target"]) == ["pon:pon-1"]
    assert r.kpi_tables["failures"]["uplinks_delayed"][0] > 1000
    csv.write_text("pon:pon-1, 2 h, 3 h\npon:pon-9, 1 h, 2 h\n")
    with pytest.raises(citytwin.ScenarioError, match=r"failures.csv:2: no link or server named 'pon:pon-9'"):
        citytwin.validate(str(path))


def test_an_availability_profile_draws_failures_from_the_seed():
    text = failure_city("[{target: 'pon:pon-1', mtbf: 1 h, mttr: 10 min}]", buffer=", buffer: 100000")
    a, b, c = citytwin.run(text), citytwin.run(text), citytwin.run(text, seed=5)
    fa, fc = a.kpi_tables["failures"], c.kpi_tables["failures"]
    assert len(fa["target"]) >= 1 and np.all(fa["target"] == "pon:pon-1")
    np.testing.assert_array_equal(fa["start_s"], b.kpi_tables["failures"]["start_s"])
    assert not np.array_equal(fa["start_s"], fc["start_s"])
    # Every uplink sent while the PON was down waited for its end.
    m = a.messages
    for i, (t0, t1) in enumerate(zip(fa["start_s"], fa["end_s"])):
        inside = (m["t_tx_s"] > t0) & (m["t_tx_s"] + m["airtime_s"] + 0.005 < t1) & (m["gateways_heard"] > 0)
        assert np.all(m["failure"][inside] == i)
        assert np.all(m["t_delivered_s"][inside] >= t1)
    with pytest.raises(citytwin.ScenarioError, match="not both"):
        citytwin.validate(failure_city("[{target: 'pon:pon-1', mtbf: 1 h, mttr: 10 min, start: 1 h, end: 2 h}]"))


CCTV = """
city:
  districts:
    - {{name: square, origin: [0 m, 0 m], size: [1 km, 1 km]}}
devices:
  - {{name: cams, type: cctv_camera, count: 2, disc: {{centre: [500 m, 500 m], radius: 10 m}}}}
gateways:
  - {{name: ap, technology: wifi, position: [500 m, 500 m], backup: 30 min}}
{extra}
run: {{duration: 4 h, seed: 2}}
"""


def test_a_fibre_cut_interrupts_the_cctv_streams():
    calm = citytwin.run(CCTV.format(extra=""))
    cut = citytwin.run(CCTV.format(extra="drivers:\n  failures: [{target: 'fibre:ap', start: 1 h, end: 2 h}]"))
    full = calm.kpi["stream_carried_backhaul_bps"]
    assert full > 0
    # A quarter of the run without the route: a quarter of the video lost.
    assert cut.kpi["stream_carried_backhaul_bps"] == pytest.approx(0.75 * full, rel=1e-3)
    assert cut.kpi_tables["by_access_point"]["outage_s"][0] == pytest.approx(3600)
    assert cut.kpi_tables["failures"]["stream_outage_s"][0] == pytest.approx(3600)


def test_timeseries_show_the_cut(tmp_path):
    out = tmp_path / "cut.h5"
    citytwin.run(CCTV.format(extra="drivers:\n  failures: [{target: 'fibre:ap', start: 1 h, end: 2 h}]")
                 .replace("seed: 2}", "seed: 2, timeseries_interval: 15 min}"), out=str(out))
    import h5py
    with h5py.File(out) as f:
        links = list(f["timeseries/link"].asstr()[:])
        t, u = f["timeseries/t_s"][:], f["timeseries/utilisation"][:, links.index("fibre:ap")]
    assert np.all(u[(t >= 3600) & (t < 7200)] == 0)
    assert np.all(u[(t < 3600 - 900) | (t >= 7200 + 900)] > 0)


def test_the_last_bin_of_a_timeseries_is_a_rate_over_its_own_length(tmp_path):
    """4 h at 25 min a bin: nine whole bins and one of 15 min. The cameras stream at a constant rate, so the
    last bin's utilisation is the others' (it was 15/25 of it, the bytes divided by the whole interval)."""
    out = tmp_path / "bins.h5"
    citytwin.run(CCTV.format(extra="").replace("seed: 2}", "seed: 2, timeseries_interval: 25 min}"), out=str(out))
    import h5py
    with h5py.File(out) as f:
        links = list(f["timeseries/link"].asstr()[:])
        t, u = f["timeseries/t_s"][:], f["timeseries/utilisation"][:, links.index("fibre:ap")]
    assert list(t) == [k * 1500.0 for k in range(10)]
    assert u[-1] == pytest.approx(np.median(u[1:-1]), rel=0.02)


def test_a_power_cut_past_the_backup_takes_the_access_point_and_its_streams_off():
    r = citytwin.run(CCTV.format(extra="drivers:\n  power_outages: [{districts: [square], start: 1 h, end: 2 h}]"))
    # 30 min of backup: the access point is off from 1.5 h to 2 h.
    assert r.kpi_tables["by_access_point"]["outage_s"][0] == pytest.approx(1800)
    calm = citytwin.run(CCTV.format(extra=""))
    assert r.kpi["stream_carried_backhaul_bps"] == pytest.approx(
        calm.kpi["stream_carried_backhaul_bps"] * 3.5 / 4, rel=1e-3)


def test_only_the_access_point_in_the_cut_district_goes_dark():
    two = """
city:
  districts:
    - {name: square, origin: [0 m, 0 m], size: [1 km, 1 km]}
    - {name: park, origin: [1 km, 0 m], size: [1 km, 1 km]}
devices:
  - {name: cams, type: cctv_camera, count: 2, disc: {centre: [500 m, 500 m], radius: 10 m}}
  - {name: park_cams, type: cctv_camera, count: 2, disc: {centre: [1500 m, 500 m], radius: 10 m}}
gateways:
  - {name: ap, technology: wifi, position: [500 m, 500 m]}
  - {name: ap_park, technology: wifi, position: [1500 m, 500 m]}
drivers:
  power_outages: [{districts: [square], start: 1 h, end: 2 h}]
run: {duration: 4 h, seed: 2}
"""
    r = citytwin.run(two)
    aps = r.kpi_tables["by_access_point"]
    keys = list(aps["access_point"]) if "access_point" in aps else None
    assert keys is not None and len(keys) == 2
    outage = dict(zip([str(k) for k in keys], aps["outage_s"]))
    carried = dict(zip([str(k) for k in keys], aps["carried_backhaul_bps"]))
    air = dict(zip([str(k) for k in keys], aps["carried_air_bps"]))
    # No backup: the square's access point carries nothing for the hour of the cut, the park's all.
    assert outage["ap"] == pytest.approx(3600)
    assert outage["ap_park"] == 0
    assert carried["ap"] == pytest.approx(air["ap"] * 3 / 4, rel=1e-3)
    assert carried["ap_park"] == pytest.approx(air["ap_park"], rel=1e-3)
