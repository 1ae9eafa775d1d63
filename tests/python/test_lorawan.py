"""LoRaWAN behaviour seen from the trace: duty cycle, demodulators, confirmed uplinks, ADR, SF at join,
shadowing and building penetration. Each test builds a small scenario that makes one mechanism visible
and checks what theory or the standard says must happen."""
import numpy as np
import pytest

import citytwin
from support import QUICKSTART


def city(devices, gateways="  - {name: gw, position: [500 m, 500 m]}", radio="", run="duration: 6 h"):
    return f"""
city:
  districts:
    - {{name: a, origin: [0 m, 0 m], size: [1 km, 1 km]}}
devices:
{devices}
gateways:
{gateways}
{radio}
run: {{{run}, seed: 3}}
"""


def test_duty_cycle_spaces_each_device_by_the_off_time():
    # SF12, 1 % sub-band: after a frame of airtime T the device waits T * 99 before the next one.
    r = citytwin.run(city("""  - name: chatty
    count: 20
    districts: [a]
    interval: 30 s
    radio: {sf: 12}"""))
    m = r.messages
    airtime = m["airtime_s"][0]
    assert r.kpi["uplinks_deferred_duty_cycle"] > 0
    for dev in np.unique(m["device"]):
        t = m["t_tx_s"][m["device"] == dev]
        gaps = np.diff(t)
        # Three channels share one sub-band (868.0-868.6 MHz): off-time counts for all of them.
        assert gaps.min() >= 100 * airtime - 1e-6
    # Without the duty cycle the devices report every ~30 s.
    free = citytwin.run(city("""  - name: chatty
    count: 20
    districts: [a]
    interval: 30 s
    radio: {sf: 12, duty_cycle: false}"""))
    assert free.kpi["uplinks_sent"] > 3 * r.kpi["uplinks_sent"]


def test_a_gateway_with_one_demodulator_drops_overlapping_frames():
    devices = """  - name: busy
    count: 300
    districts: [a]
    interval: 1 min
    radio: {sf: 10, duty_cycle: false}"""
    one = citytwin.run(city(devices, gateways="  - {name: gw, position: [500 m, 500 m], demodulators: 1}"))
    eight = citytwin.run(city(devices))
    assert one.kpi["lost_no_demodulator"] > 0
    assert eight.kpi["lost_no_demodulator"] < one.kpi["lost_no_demodulator"]
    reasons = one.messages["fail_reason"]
    assert np.all(reasons[one.messages["delivered"] == 1] == "none")
    assert (reasons == "no_demodulator").sum() == one.kpi["lost_no_demodulator"]


# 200 confirmed SF9 alarms on one gateway, up to 4 transmissions a report.
ALARMS = """  - name: alarms
    count: 200
    districts: [a]
    interval: 2 min
    confirmed: true
    max_transmissions: 4
    radio: {sf: 9, duty_cycle: false}"""


def test_confirmed_uplinks_are_acknowledged_and_retransmitted_when_lost():
    r = citytwin.run(city(ALARMS))
    m = r.messages
    k = r.kpi
    assert k["downlinks_sent"] > 0
    # Every delivered transmission asked for an ACK; a downlink is sent unless no gateway could.
    assert k["downlinks_sent"] + k["downlinks_failed"] == k["uplinks_delivered"]
    assert m["retransmissions"].max() >= 1
    assert m["retransmissions"].max() <= 3
    # A retransmission follows a lost attempt or a lost ACK, 1-3 s after RX2 closed.
    assert k["report_delivery_ratio"] > k["delivery_ratio"]
    # The single gateway is half duplex: its ACKs cost it some uplinks.
    assert k["lost_gateway_transmitting"] > 0
    assert (m["fail_reason"] == "gateway_transmitting").sum() == k["lost_gateway_transmitting"]


def test_the_network_server_passes_a_confirmed_report_on_once():
    # A retransmission after a lost ACK carries its report's FCnt: the server acknowledges it again but
    # passes the report on to the platform once (LoRaWAN L2 1.0.4, 4.3.1.5).
    r = citytwin.run(city(ALARMS, run="duration: 2 h"))
    k = r.kpi
    m = r.messages
    assert k["reports_delivered"] < k["uplinks_delivered"]  # some reports were delivered twice or more
    assert k["platform_stored"] + k["platform_dropped"] == k["reports_delivered"]
    # The same count from the trace: a device's report is its first attempt and the retries after it.
    df = r.messages_frame().sort_values(["device", "t_tx_s"], kind="stable")
    df["report"] = (df["retransmissions"] == 0).groupby(df["device"]).cumsum()
    assert df[df["delivered"] == 1].groupby(["device", "report"]).ngroups == k["reports_delivered"]


def test_a_slow_backhaul_moves_the_acks_to_rx2_or_loses_them():
    # The server answers once the first copy is in (5 ms forward_delay + the route's latency) and
    # platform.ns_downlink_delay (200 ms) later; the answer goes back down the same route. On a cellular
    # backhaul of 40 ms that is 285 ms after the uplink, within RX1 (1 s); of 450 ms, 1.105 s: RX2; of
    # 900 ms, 2.005 s: past RX2 too, so no ACK, and the devices send again (a confirmed report's retries).
    def alarms(latency):
        gateway = "  - {name: gw, position: [500 m, 500 m], backhaul: {kind: cellular, latency: %s}}" % latency
        return citytwin.run(city(ALARMS, gateways=gateway, run="duration: 1 h"))

    lte, slow, lost = alarms("40 ms"), alarms("450 ms"), alarms("900 ms")
    assert lte.kpi["downlinks_rx1_late"] == 0
    assert lte.kpi["downlinks_sent"] > lte.kpi["downlinks_rx2"]
    for r in (slow, lost):  # every downlink missed RX1
        assert r.kpi["downlinks_rx1_late"] == r.kpi["downlinks_sent"] + r.kpi["downlinks_failed"] > 0
    assert slow.kpi["downlinks_rx2"] == slow.kpi["downlinks_sent"] > 0
    assert lost.kpi["downlinks_sent"] == 0
    # Without ACKs every report is sent max_transmissions (4) times, unless the run ends first.
    assert lost.messages["retransmissions"].max() == 3
    assert lost.kpi["uplinks_sent"] > 0.99 * 4 * lost.kpi["reports"]


def test_unconfirmed_uplinks_get_no_downlinks():
    r = citytwin.run(city("""  - {name: meters, count: 50, districts: [a], interval: 5 min}"""))
    assert r.kpi["downlinks_sent"] == 0
    assert r.messages["retransmissions"].max() == 0


def test_adr_moves_close_devices_from_sf12_to_sf7():
    r = citytwin.run(city("""  - name: near
    count: 10
    disc: {centre: [500 m, 500 m], radius: 100 m}
    interval: 2 min
    radio: {sf: 12, adr: true, duty_cycle: false}""", run="duration: 3 h"))
    m = r.messages
    assert r.kpi["adr_commands"] >= 10
    first = m["sf"][: 10 * 20]
    last = m["sf"][-20:]
    assert np.all(first[:10] == 12)
    assert np.all(last == 7)
    # With a strong link ADR also lowers the power after reaching SF7.
    assert m["tx_power_dbm"][-20:].max() < 14


def test_sf_auto_gives_far_devices_higher_spreading_factors():
    r = citytwin.run(city("""  - name: near
    count: 50
    disc: {centre: [500 m, 500 m], radius: 50 m}
    interval: 10 min
    radio: {sf: auto}
  - name: far
    count: 50
    districts: [b]
    interval: 10 min
    radio: {sf: auto}""").replace(
        "    - {name: a, origin: [0 m, 0 m], size: [1 km, 1 km]}",
        "    - {name: a, origin: [0 m, 0 m], size: [1 km, 1 km]}\n"
        "    - {name: b, origin: [8 km, 0 m], size: [1 km, 1 km]}"))
    df = r.messages_frame()
    near = df[df.population == "near"]["sf"]
    far = df[df.population == "far"]["sf"]
    assert set(near) == {7}
    assert far.min() > 7


def test_building_penetration_and_shadowing_cost_coverage():
    devices = """  - name: meters
    count: 400
    districts: [a, b]
    interval: 30 min
    radio: {sf: 7}"""
    base = city(devices).replace(
        "    - {name: a, origin: [0 m, 0 m], size: [1 km, 1 km]}",
        "    - {name: a, origin: [0 m, 0 m], size: [1 km, 1 km]}\n"
        "    - {name: b, origin: [1 km, 0 m], size: [3 km, 1 km]}")
    outdoor = citytwin.run(base)
    indoor = citytwin.run(base, overrides={"devices.0.building_penetration": "{mean: 18 dB, sigma: 6.5 dB}"})
    assert indoor.kpi["lost_below_sensitivity"] > outdoor.kpi["lost_below_sensitivity"]
    shadowed = citytwin.run(base.replace("run:", "radio: {shadowing: {sigma: 7.8 dB}}\nrun:"))
    # Shadowing spreads the received power around the path-loss mean (per-link, static).
    o, s = outdoor.messages["rssi_dbm"], shadowed.messages["rssi_dbm"]
    assert np.nanstd(s) > np.nanstd(o)
    assert np.all(np.isnan(outdoor.messages["rssi_dbm"][outdoor.messages["fail_reason"] == "below_sensitivity"]))


def _energy_lifetime_years(energy_mean_mah, q0_mah, seconds, self_discharge=0.01):
    """The charge's bound of a full cell from a run's mean drain (models/device/battery.hpp): the load I that
    takes Q0 to Q0 - drain in the run with proportional self-discharge k, then T = ln(1 + k Q0 / I) / k."""
    year = 365.25 * 86400.0
    k = -np.log(1.0 - self_discharge) / year
    left = q0_mah - energy_mean_mah
    load = k * (q0_mah * np.exp(-k * seconds) - left) / (1.0 - np.exp(-k * seconds))
    return np.log1p(k * q0_mah / load) / k / year


def test_per_type_kpis_project_a_battery_lifetime():
    r = citytwin.run(city("""  - {name: meters, type: water_meter, count: 30, districts: [a], interval: 15 min}
  - {name: trackers, type: safety_tracker, count: 30, districts: [a], interval: 1 min}"""))
    t = r.kpi_tables["by_type"]
    types = list(t["type"])
    life = dict(zip(types, t["projected_lifetime_years"]))
    assert life["water_meter"] > 5 * life["safety_tracker"]
    assert np.all(t["report_delivery_ratio"] > 0.9)


def test_catalogue_types_bring_their_defaults_and_scenario_keys_override_them():
    r = citytwin.run(city("""  - {name: meters, type: water_meter, count: 40, districts: [a], radio: {sf: 9}}
  - {name: fast_meters, type: water_meter, count: 40, districts: [a], interval: 15 min, radio: {sf: 9}}
  - {name: lights, type: streetlight_controller, count: 10, districts: [a]}""", run="duration: 2 d"))
    df = r.messages_frame()
    per_device = df.groupby("population").size() / df.groupby("population").device.nunique()
    # water_meter reports hourly by default (Kamstrup flowIQ class): 48 in two days; 15 min: 192.
    assert 44 <= per_device["meters"] <= 52
    assert 180 <= per_device["fast_meters"] <= 200
    t = r.kpi_tables["by_type"].set_index("type")
    # The water meters' projected life from the run's own currents and durations (the catalogue's water
    # meter, models/device/catalogue.cpp, on the firmware's duty cycle, models/device/firmware.hpp; the
    # same hand sum as catalogue_test.cpp's WaterMeterLastsAsLongAsTheMetersSold): per report
    #   wake 5 ms x 2 mA, sense 10 ms x 1 mA and processing 10 ms x 3 mA (the MCU);
    #   transmit 43.5 mA (SX1276 at 14 dBm) over the frame's airtime (the trace's, SF9 25 B: 205.824 ms);
    #   receive: RX1 at SF9 (9 symbols of 4.096 ms) and RX2 at SF12 (6 symbols of 32.768 ms) at 10.8 mA,
    #   the rest of the 2 s + RX2 until the window closes at the meter's 15 uA quiescent current;
    # and 15 uA asleep the rest of the time. Both populations are water meters (pooled by type).
    meters = df[df.population.isin(["meters", "fast_meters"])]
    assert r.kpi["uplinks_deferred_duty_cycle"] == 0  # no wait asleep for the duty cycle
    assert np.allclose(meters.airtime_s, 0.205824, rtol=0, atol=1e-9)  # one frame size, SF9 25 B
    airtime_s, sleep_ma = 0.205824, 0.015
    rx1_s, rx2_s, receive_s = 9 * 4.096e-3, 6 * 32.768e-3, 2.0 + 6 * 32.768e-3
    active_mas = (0.005 * 2.0 + 0.01 * 1.0 + 0.01 * 3.0 + 43.5 * airtime_s
                  + 10.8 * (rx1_s + rx2_s) + sleep_ma * (receive_s - rx1_s - rx2_s))
    active_s = 0.005 + 0.02 + airtime_s + receive_s
    seconds = 2 * 86400.0
    reports = len(meters) / 80  # per meter, both populations
    asleep_s = seconds - reports * active_s
    drain_mah = (sleep_ma * asleep_s + reports * active_mas) / 3600.0
    # The meter's AA Li-SOCl2 (2600 mAh) also loses 1 %/yr on the shelf, in proportion to the charge left,
    # while the device sleeps (models/device/battery.hpp; the fleet charges it with each sleep).
    q0, year = 2600.0, 365.25 * 86400.0
    used_mah = drain_mah + q0 * -np.expm1(np.log(0.99) * asleep_s / year)
    assert t.loc["water_meter", "energy_mean_mah"] == pytest.approx(used_mah, rel=1e-4)
    # The KPI's projection of that drain (the load that drained it, self-discharge out, then
    # T = ln(1 + k Q0 / I) / k): ~12 years, the charge's bound (the catalogue meter's 15.1 years at hourly
    # reports, shorter with the 15-minute meters pooled in).
    life = _energy_lifetime_years(used_mah, q0, seconds)
    assert t.loc["water_meter", "projected_lifetime_years"] == pytest.approx(life, rel=1e-4)
    # The load itself, I = drain / duration, gives the same within 3e-4: the projection takes
    # self-discharge out as if it ran throughout, where the fleet applies it asleep (99.8 % of the time).
    k, load = -np.log(0.99) / year, drain_mah / seconds
    assert t.loc["water_meter", "projected_lifetime_years"] == pytest.approx(np.log1p(k * q0 / load) / k / year,
                                                                             rel=3e-4)
    assert t.loc["water_meter", "devices_service_life_limited"] == 0  # ~12 years, under the cell's 20
    assert t.loc["streetlight_controller", "energy_mean_mah"] == 0  # mains powered


def test_solar_panels_keep_power_hungry_sensors_alive():
    # Air-quality sensors with a fan (catalogue: ~3.5 mA mean) drain a 6.6 Ah cell in weeks; a 1 W
    # panel harvests far more than they use on a clear day.
    devices = """  - {name: air, type: air_quality, count: 10, districts: [a], interval: 10 min,
     battery: {capacity: 500 mAh}%s}"""
    dark = citytwin.run(city(devices % ", solar: {peak_power_w: 0}", run="duration: 10 d"))
    sunny = citytwin.run(city(devices % ", solar: {peak_power_w: 1}", run="duration: 10 d"))
    assert dark.kpi["devices_dead"] == 10
    assert sunny.kpi["devices_dead"] == 0
    assert sunny.kpi["uplinks_sent"] == pytest.approx(10 * 10 * 144, rel=0.01)  # every report of 10 days
    assert dark.kpi["uplinks_sent"] < 0.8 * sunny.kpi["uplinks_sent"]
    assert dark.kpi["reports_device_dead"] == 10  # each logs the report it could not send


def test_lifetimes_are_projected_for_batteries_alone():
    """A battery that a panel refills by day has no drain to project: its net drain over the run depends on
    the hour the run ends (the audit's air-quality sensors read 214, 0.81 and 1.61 years over 12, 24 and 48 h).
    battery_life_years (the run's, and compare's) counts the devices on their battery alone; with one such
    type it is that type's projected lifetime, with the battery's proportional self-discharge (1 %/yr for the
    meters' Li-SOCl2 cell): the load I that drained the run's charge, then T = ln(1 + k Q0 / I) / k."""
    devices = """  - {name: air, type: air_quality, count: 10, districts: [a], interval: 10 min, solar: {peak_power_w: 1}}
  - {name: meters, type: water_meter, count: 20, districts: [a], battery: {capacity: 2400 mAh}}"""
    for duration in ("12 h", "24 h"):
        r = citytwin.run(city(devices, run=f"duration: {duration}"))
        t = r.kpi_tables["by_type"].set_index("type")
        assert np.isnan(t.loc["air_quality", "projected_lifetime_years"])
        assert np.isnan(t.loc["air_quality", "energy_per_day_mah"])
        meters = t.loc["water_meter"]
        assert r.kpi["battery_life_years"] == pytest.approx(meters["projected_lifetime_years"], rel=1e-9)
        q0 = 2400.0  # mAh, as written
        seconds = {"12 h": 0.5, "24 h": 1.0}[duration] * 86400.0
        year = 365.25 * 86400.0
        k = -np.log(1.0 - 0.01) / year  # 1/s: a cell keeps 99 % after a year on the shelf
        left = q0 - meters["energy_mean_mah"]  # Q(t) = (Q0 + I/k) e^(-kt) - I/k, solved for I (mAh/s)
        load = k * (q0 * np.exp(-k * seconds) - left) / (1.0 - np.exp(-k * seconds))
        assert meters["projected_lifetime_years"] == pytest.approx(np.log1p(k * q0 / load) / k / year, rel=1e-6)
        # A constant loss of 1 % of the capacity a year (the model the battery rejects) reads shorter.
        assert meters["projected_lifetime_years"] > q0 / (meters["energy_mean_mah"] / seconds * year)


def test_a_cells_service_life_caps_the_projected_battery_life_and_says_so():
    """A lithium primary cell is rated for a service life (20 yr by default, battery.service_life); the charge
    of a thrifty sensor would outlast it (the generic firmware at SF7 every 15 min: ~33 years). The projection
    is min(charge's bound, service life), and the KPIs say which applied: battery_life_energy_years (the
    charge's bound), devices_service_life_limited (devices the ceiling ends), by type as well."""
    thrifty = city("""  - {name: thrifty, count: 20, districts: [a], interval: 15 min, radio: {sf: 7}}""",
                   run="duration: 24 h")
    r = citytwin.run(thrifty)
    energy = _energy_lifetime_years(r.kpi["energy_mean_mah"], 2600.0, 86400.0)
    assert r.kpi["battery_life_energy_years"] == pytest.approx(energy, rel=1e-6)
    assert energy > 25.0  # well beyond the rated life (~33 years)
    assert r.kpi["battery_life_years"] == pytest.approx(20.0, rel=1e-12)
    assert r.kpi["devices_service_life_limited"] == 20
    t = r.kpi_tables["by_type"].set_index("type")
    assert t.loc["generic", "projected_lifetime_years"] == pytest.approx(20.0, rel=1e-12)
    assert t.loc["generic", "energy_lifetime_years"] == pytest.approx(energy, rel=1e-6)
    assert t.loc["generic", "devices_service_life_limited"] == 20
    # A cell rated for a century leaves the charge's bound as it is.
    rated = citytwin.run(thrifty, overrides={"devices.0.battery": "{service_life: 100 yr}"})
    assert rated.kpi["battery_life_years"] == pytest.approx(rated.kpi["battery_life_energy_years"], rel=1e-12)
    assert rated.kpi["battery_life_years"] == pytest.approx(energy, rel=1e-6)
    assert rated.kpi["devices_service_life_limited"] == 0

    # SF12 every 5 min drains the cell in under two years: the charge bounds it, the ceiling does nothing.
    hungry = city("""  - {name: hungry, count: 20, districts: [a], interval: 5 min, radio: {sf: 12}}""",
                  run="duration: 24 h")
    h = citytwin.run(hungry)
    energy = _energy_lifetime_years(h.kpi["energy_mean_mah"], 2600.0, 86400.0)
    assert 1.0 < energy < 5.0
    assert h.kpi["battery_life_years"] == pytest.approx(energy, rel=1e-6)
    assert h.kpi["battery_life_years"] == h.kpi["battery_life_energy_years"]
    assert h.kpi["devices_service_life_limited"] == 0
    # ... until the cell is rated for less than the charge lasts.
    short = citytwin.run(hungry, overrides={"devices.0.battery": "{service_life: 1 yr}"})
    assert short.kpi["battery_life_years"] == pytest.approx(1.0, rel=1e-12)
    assert short.kpi["battery_life_energy_years"] == pytest.approx(energy, rel=1e-6)
    assert short.kpi["devices_service_life_limited"] == 20


def test_us915_keeps_every_uplink_within_the_400_ms_dwell_time():
    us = "radio: {region: US915}"
    # Devices far from the gateway would join at SF12 in EU868; US915 has no SF11/SF12 uplink at
    # 125 kHz and a 400 ms dwell time (FCC 47 CFR 15.247), so they stop at the largest SF that fits.
    far = "  - {name: far, count: 30, disc: {centre: [100 m, 100 m], radius: 50 m}, payload: 10 B, interval: 10 min, radio: {sf: auto}}"
    gw = "  - {name: gw, position: [900 m, 900 m]}"
    eu = citytwin.run(city(far, gateways=gw, radio="radio: {path_loss: {exponent: 4.9}}", run="duration: 2 h"))
    r = citytwin.run(city(far, gateways=gw, radio="radio: {region: US915, path_loss: {exponent: 4.9}}",
                          run="duration: 2 h"))
    assert eu.messages["sf"].max() >= 11
    m = r.messages
    assert m["sf"].max() == 10 and np.all(m["airtime_s"] <= 0.4)
    # Sub-band 2 channels by default.
    assert set(np.unique(m["channel_hz"])) <= {int(903.9e6 + 200e3 * k) for k in range(8)}
    # A 40 B payload does not fit SF10 in 400 ms (DR0 carries at most 11 B): SF9 at most.
    big = citytwin.run(city(far.replace("payload: 10 B", "payload: 40 B"), gateways=gw,
                            radio="radio: {region: US915, path_loss: {exponent: 4.9}}", run="duration: 2 h"))
    assert big.messages["sf"].max() == 9 and np.all(big.messages["airtime_s"] <= 0.4)
    # A fixed SF beyond the limits is refused, naming the population, by validate as by run.
    too_long = city(far.replace("sf: auto", "sf: 10").replace("10 B", "40 B"), gateways=gw, radio=us,
                    run="duration: 1 h")
    not_a_rate = city(far.replace("sf: auto", "sf: 12"), gateways=gw, radio=us, run="duration: 1 h")
    for refuse in (citytwin.validate, citytwin.run):
        with pytest.raises(citytwin.ScenarioError, match=r"devices\[0\]\.radio\.sf: .*dwell time"):
            refuse(too_long)
        with pytest.raises(citytwin.ScenarioError, match=r"SF12/125 kHz is not an uplink data rate"):
            refuse(not_a_rate)
    with pytest.raises(citytwin.ScenarioError, match=r"868.1.* is not a US915 uplink channel"):
        citytwin.validate(city(far.replace("sf: auto", "sf: auto, channels: [868.1 MHz]"),
                               gateways=gw, radio=us))


def test_a_lorawan_device_is_held_to_the_sub_bands_power_limit():
    # 14 dBm ERP (EN 300 220-2) from the device's 0 dBi antenna: 14 + 2.15 = 16.15 dBm conducted (ERP =
    # EIRP - 2.15 dB, ITU-R BS.561), so RP002's EU868 MaxEIRP of 16 dBm (TXPower 0) is allowed.
    for power in ("16.5 dBm", "20 dBm"):
        with pytest.raises(citytwin.ScenarioError,
                           match=r"devices\[0\]\.radio\.tx_power: " + power.replace(".", r"\.")
                           + r" is above the 16\.15 dBm \(14 dBm ERP from a 0 dBi antenna\) the region allows on 868\.1 MHz"):
            citytwin.validate(QUICKSTART, overrides={"devices[0].radio.tx_power": power})
    citytwin.validate(QUICKSTART, overrides={"devices[0].radio.tx_power": "20 dBm", "devices[0].radio.duty_cycle": False})
    citytwin.validate(QUICKSTART, overrides={"devices[0].radio.tx_power": "16 dBm"})
    citytwin.validate(QUICKSTART, overrides={"devices[0].radio.tx_power": "14 dBm"})
    # Refused where tx_power is written (the population's first line was named before).
    from support import SMALL

    text = SMALL.replace("interval: 5 min}", "interval: 5 min,\n      radio: {tx_power: 20 dBm}}")
    with pytest.raises(citytwin.ScenarioError, match=r"<text>:7:\d+: devices\[0\]\.radio\.tx_power: 20 dBm"):
        citytwin.validate(text)
