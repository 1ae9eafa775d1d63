"""The traffic congestion replay through a whole run (drivers.traffic; sim/drivers/traffic_model.hpp,
traffic_reporters.hpp): counters report every n vehicles, so a rush hour that doubles traffic_volume
doubles their report rate; parking bays report each change; an incident slows its district and its
neighbours, the congestion alert (platform.alerts[].below) is timed from the onset; CCTV event clips
follow the congestion; SUMO's edgeData replaces the demand; 15-minute counts from a CSV."""
import os
from pathlib import Path

import numpy as np
import pytest

import citytwin

# Three districts in a row (a | b | c), each 1 km x 1 km; counters everywhere on one NB-IoT cell with room
# to spare. 600 veh/h, and exactly twice that from 4 h to 6 h (step), below capacity; an incident in a at 7 h.
SCENARIO = """
city:
  districts:
    - {name: a, origin: [0 km, 0 km], size: [1 km, 1 km]}
    - {name: b, origin: [1 km, 0 km], size: [1 km, 1 km]}
    - {name: c, origin: [2 km, 0 km], size: [1 km, 1 km]}
devices:
  - {name: counters, type: traffic_counter, technology: nbiot, count: 60, districts: [a, b, c]}
  - {name: bays, type: parking_occupancy, count: 60, districts: [a, b, c], radio: {duty_cycle: false}}
  - {name: cams, type: cctv_camera, count: 10, disc: {centre: [500 m, 500 m], radius: 20 m}}
gateways:
  - {name: enb, technology: nbiot, position: [1.5 km, 0.5 km]}
  - {name: gw, position: [1.5 km, 0.5 km]}
  - {name: ap, technology: wifi, position: [500 m, 500 m], backhaul: {fibre_length: 1 km, bandwidth: 1 Gbps}}
platform:
  alerts:
    - {name: jam, type: traffic_counter, below: 30 km/h, consecutive: 2}
drivers:
  traffic_volume:
    points: [[0 h, 600 veh/h], [4 h, 1200 veh/h], [6 h, 600 veh/h]]
    interpolation: step
  parking_occupancy:
    points: [[0 h, 0.3], [4 h, 0.9], [6 h, 0.3]]
    interpolation: step
  traffic:
    capacity: 3000 veh/h
    incidents: [{district: a, start: 7 h, duration: 1 h, capacity_lost: 0.9}]
    spread: 0.5
    spread_hops: 1
    delay_per_hop: 10 min
    vehicles_per_report: 10
    parking_duration: 30 min
    parking_heartbeat: 1 d
    cctv: {events_per_hour: 6, congestion_gain: 10, clip: 10 s}
run: {duration: 9 h, seed: 4}
"""


@pytest.fixture(scope="module")
def result():
    return citytwin.run(SCENARIO, progress=False)


def test_rush_hour_doubling_the_volume_doubles_the_counter_report_rate(result):
    m = result.messages_frame()
    t = m[(m.population == "counters") & (m.retransmissions == 0)].t_tx_s.to_numpy()
    base = np.count_nonzero((t >= 1 * 3600) & (t < 3 * 3600))
    rush = np.count_nonzero((t >= 4 * 3600) & (t < 6 * 3600))
    # Expected: 60 counters x 600 veh/h / 10 per report x 2 h = 7200 reports off-peak, 14400 in the rush.
    # Reports every 10 vehicles vary less than Poisson counts (Erlang renewals: variance about mean / 10),
    # so a Poisson 3-sigma tolerance, sqrt(C) per count and sqrt(1/C1 + 1/C2) relative on the ratio, is safe.
    assert abs(base - 7200) < 3 * np.sqrt(7200), base
    assert abs(rush - 14400) < 3 * np.sqrt(14400), rush
    ratio = rush / base
    sigma = ratio * np.sqrt(1 / rush + 1 / base)
    assert abs(ratio - 2) < 3 * sigma, (ratio, sigma)
    assert 3 * sigma < 0.1  # the test can tell 2 from 1.9
    # /drivers keeps the series the run used: the demand, then what passes, and the BPR speed.
    d = result.drivers
    assert d.traffic_volume.units == "veh/h" and d.traffic_speed.units == "km/h"
    assert float(d.traffic_volume.sel(t_s=2 * 3600, district="b")) == pytest.approx(600)
    assert float(d.traffic_volume.sel(t_s=5 * 3600, district="b")) == pytest.approx(1200)


def test_parking_bays_report_each_change(result):
    m = result.messages_frame()
    t = m[(m.population == "bays") & (m.retransmissions == 0)].t_tx_s.to_numpy()
    # A bay with occupied share p changes 2 p / parking_duration times per unit time: 60 bays x 2 x 0.3 /
    # 0.5 h = 72 per hour at 0.3, 216 per hour at 0.9 (after a transient at the jump). Changes come in
    # pairs: variance at most 2 x mean (traffic_model_test); 3 sigma.
    low = np.count_nonzero((t >= 1 * 3600) & (t < 3 * 3600))
    high = np.count_nonzero((t >= 4.5 * 3600) & (t < 5.5 * 3600))
    assert abs(low - 144) < 3 * np.sqrt(2 * 144), low
    assert abs(high - 216) < 3 * np.sqrt(2 * 216), high


def test_an_incident_raises_congestion_alerts_in_its_district_only(result):
    alerts = result.kpi_tables["alerts"].set_index("alert")
    # a: capacity 3000 x 0.1 = 300 veh/h < demand 600: BPR speed 50 / (1 + 0.15 x 2^4) = 14.7 km/h < 30
    # from 7 h. b (one hop): 3000 x 0.55 = 1650, v/c 0.36: 49.9 km/h, no alert; c: none.
    assert list(alerts.index) == ["jam@a"], alerts
    assert alerts.loc["jam@a", "t_event_s"] == pytest.approx(7 * 3600, abs=1)
    latency = alerts.loc["jam@a", "latency_s"]
    # Two readings below 30 km/h: 20 counters in a at 300 veh/h report every 10 vehicles, 600 reports/h
    # in all: the second within seconds to a minute (plus NB-IoT delivery).
    assert 0 < latency < 300, latency
    d = result.drivers
    assert float(d.traffic_speed.sel(t_s=7.5 * 3600, district="a")) == pytest.approx(50 / (1 + 0.15 * 16))


def test_cctv_event_clips_follow_the_congestion(result):
    # Cameras in a: 6 events/h each in free flow (speed 49.97 km/h at 600 veh/h: congestion 0.0006), and
    # x (1 + 10 x 0.706) = 8.06 during the incident (14.7 km/h). 10 cameras x 9 h: about 540 + 7.06 x 60.
    clips = result.kpi["cctv_event_clips"]
    speed_free = 50 / (1 + 0.15 * (600 / 3000) ** 4)
    speed_jam = 50 / (1 + 0.15 * 16)
    free = 10 * 6 * 8 * (1 + 10 * (1 - speed_free / 50))
    jam = 10 * 6 * 1 * (1 + 10 * (1 - speed_jam / 50))
    assert abs(clips - (free + jam)) < 3 * np.sqrt(free + jam), (clips, free + jam)
    assert result.kpi["cctv_event_bytes"] == pytest.approx(clips * (4e6 * 10 + 8 * 2048) / 8)


def test_sumo_edge_data_drives_the_counters():
    """SUMO's edgeData (tests/data/sumo, a 4 x 4 grid run for 30 min) replaces the demand: /drivers keeps
    the measured series and the counters report at the measured volume / vehicles_per_report."""
    data = Path(os.environ.get("CITYTWIN_SOURCE_DIR", Path(__file__).resolve().parents[2])) / "tests/data/sumo"
    scenario = f"""
city:
  districts:
    - {{name: west, origin: [-10 m, -10 m], size: [260 m, 620 m]}}
    - {{name: east, origin: [250 m, -10 m], size: [360 m, 620 m]}}
devices:
  - {{name: counters, type: traffic_counter, technology: nbiot, count: 40, districts: [west, east]}}
gateways:
  - {{name: enb, technology: nbiot, position: [300 m, 300 m]}}
drivers:
  traffic:
    vehicles_per_report: 5
    sumo: {{network: {data}/grid.net.xml, edge_data: {data}/edgedata.xml}}
run: {{duration: 30 min, seed: 1}}
"""
    r = citytwin.run(scenario, progress=False)
    v = r.drivers.traffic_volume
    # The first interval's mean flow over the west district's edges (sumo_output_test recomputes it from
    # the XML: 151.626 veh/h at the interval's midpoint, 150 s; held before it).
    assert float(v.sel(t_s=0.0, district="west")) == pytest.approx(151.626186, abs=1e-3)
    m = r.messages_frame()
    sent = np.count_nonzero((m.population == "counters") & (m.retransmissions == 0))
    # Expected reports: per district, counters x the mean volume over the run / 5 (trapezoid on /drivers'
    # rows); 3 sigma Poisson (conservative for reports every 5 vehicles).
    devices = r.devices
    expected = 0.0
    t = v.t_s.values
    for district in ("west", "east"):
        n = int((devices.district == district).sum())
        y = v.sel(district=district).values
        expected += n * np.trapz(y, t) / 3600 / 5
    assert abs(sent - expected) < 3 * np.sqrt(expected), (sent, expected)


def test_fifteen_minute_counts_from_a_csv(tmp_path):
    """Counts per district from a CSV (main's CSV reader: BOM, CRLF, quotes), in veh/15min."""
    csv = tmp_path / "counts.csv"
    csv.write_bytes(b'\xef\xbb\xbftime,"a"\r\nPT0M,150 veh/15min\r\nPT1H,"300 veh/15min"\r\n')
    scenario = SCENARIO.replace(
        """  traffic_volume:
    points: [[0 h, 600 veh/h], [4 h, 1200 veh/h], [6 h, 600 veh/h]]
    interpolation: step""",
        f"""  traffic_volume:
    csv: {csv}
    interpolation: step
    districts: [a]""").replace("run: {duration: 9 h, seed: 4}", "run: {duration: 2 h, seed: 4}")
    r = citytwin.run(scenario, progress=False)
    v = r.drivers.traffic_volume
    assert float(v.sel(t_s=1800, district="a")) == pytest.approx(600)
    assert float(v.sel(t_s=5400, district="a")) == pytest.approx(1200)
    assert float(v.sel(t_s=5400, district="b")) == 0.0  # not covered: the quantity's rest value


def test_a_csv_with_a_district_twice_or_misspelt_is_refused(tmp_path):
    """A district's column given twice replaced the first without a word; a lone value column named almost
    like a district (a typo) was read as a city-wide series and replayed everywhere."""
    csv = tmp_path / "counts.csv"
    scenario = SCENARIO.replace(
        """  traffic_volume:
    points: [[0 h, 600 veh/h], [4 h, 1200 veh/h], [6 h, 600 veh/h]]
    interpolation: step""",
        f"""  traffic_volume:
    csv: {csv}
    interpolation: step""")
    csv.write_text("time,a,a,b\nPT0M,100 veh/h,200 veh/h,50 veh/h\n")
    with pytest.raises(citytwin.ScenarioError, match=r"counts.csv:1: column 'a' is given twice"):
        citytwin.validate(scenario)
    csv.write_text("time,aa\nPT0M,100 veh/h\n")
    with pytest.raises(citytwin.ScenarioError, match=r"column 'aa' is not a district \(did you mean 'a'\?\)"):
        citytwin.validate(scenario)
    csv.write_text("time,volume\nPT0M,100 veh/h\n")  # a city-wide series
    citytwin.validate(scenario)
