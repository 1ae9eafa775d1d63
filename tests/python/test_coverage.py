"""Coverage against delivery: a toy city of one LoRaWAN gateway and devices at SF7 out to 5 km. Covered means
heard at the devices' own radio (sim/plan/coverage.hpp): devices the KPIs and /kpi/coverage_grid call covered
deliver, those they call uncovered deliver little or nothing. The coverage said 100 % here while the devices
beyond the SF7 reach delivered nothing: it judged every place and device at SF12."""
import numpy as np

import citytwin


def toy_city(shadowing_db):
    return f"""
city:
  districts:
    - {{name: a, origin: [0 km, 0 km], size: [10 km, 10 km]}}
devices:
  - name: meters
    count: 400
    disc: {{centre: [5 km, 5 km], radius: 5 km}}
    interval: 10 min
    radio: {{sf: 7}}
gateways:
  - {{name: gw, position: [5 km, 5 km]}}
radio:
  path_loss: {{reference_distance: 1 m, reference_loss: 7.7 dB, exponent: 3.76}}
  shadowing: {{sigma: {shadowing_db} dB}}
run: {{duration: 2 h, seed: 3}}
"""


def by_grid(r):
    """Each device's delivery ratio and the LoRaWAN share of its grid cell."""
    grid = r.kpi_tables["coverage_grid"]
    ij = grid["cell"].astype(str).str.split(",", expand=True).astype(int)
    share = {(i, j): s for i, j, s in zip(ij[0], ij[1], grid["lorawan"])}
    cell_m = grid["x_m"].iloc[1] - grid["x_m"].iloc[0]
    kpis = r.device_kpis()
    devices = r.devices.set_index("id")
    cells = [share[(int(x // cell_m), int(y // cell_m))] for x, y in zip(devices["x_m"], devices["y_m"])]
    return np.array(cells), kpis["delivery_ratio"].reindex(devices.index).to_numpy()


def test_without_shadowing_covered_devices_deliver_and_the_others_never_do():
    r = citytwin.run(toy_city(0))
    # SF7 at 14 dBm reaches 144 dB, 4.2 km; the disc holds devices out to 5 km: (4.2 / 5)^2 = 71 % covered.
    assert 0.6 < r.kpi["coverage_devices_lorawan"] < 0.8
    assert r.kpi["coverage_devices"] == r.kpi["coverage_devices_lorawan"]
    share, delivery = by_grid(r)
    covered, uncovered = share == 1.0, share == 0.0
    assert covered.sum() > 200 and uncovered.sum() > 50
    assert np.nanmean(delivery[covered]) > 0.95
    assert np.nansum(delivery[uncovered]) == 0.0
    # The devices the KPI counts are those that deliver (400 devices at SF7 every 10 min hardly collide).
    delivering = np.mean(delivery > 0)
    assert abs(delivering - r.kpi["coverage_devices_lorawan"]) < 0.01
    # The area: the 4.2 km disc in the 10 km square, pi 4.2^2 / 100 = 56 %.
    assert abs(r.kpi["coverage_area_lorawan"] - np.pi * 4.217 ** 2 / 100) < 0.01


def test_with_shadowing_the_grid_is_covered_at_90_percent_of_locations():
    r = citytwin.run(toy_city(7.8))
    share, delivery = by_grid(r)
    covered, uncovered = share == 1.0, share == 0.0
    # Covered: heard with at least 90 % probability (a 10 dB margin: out to 2.3 km); uncovered: beyond, where
    # a device is heard at 50 % at 4.2 km and less further out.
    assert covered.sum() > 50 and uncovered.sum() > 200
    assert np.mean(delivery[covered] > 0) > 0.9
    assert np.mean(delivery[uncovered] > 0) < 0.75
    assert np.mean(delivery[uncovered] > 0) < np.mean(delivery[covered] > 0) - 0.2
    # Devices: heard as drawn (their own shadowing), which is exactly who delivers.
    assert abs(np.mean(delivery > 0) - r.kpi["coverage_devices_lorawan"]) < 0.01
    pop = r.kpi_tables["coverage_by_population"].set_index("population")
    assert pop.loc["meters", "sf"] == 7 and abs(pop.loc["meters", "margin_db"] - 1.2816 * 7.8) < 1e-3
    assert pop.loc["meters", "devices_covered"] == r.kpi["coverage_devices_lorawan"]
    # 2.3 km of the 5 km disc: 21 % of its area.
    assert abs(pop.loc["meters", "area_covered"] - (2.286 / 5) ** 2) < 0.02


def test_the_location_probability_moves_the_covered_edge_and_not_the_run():
    """radio.location_probability: at 50 % a place is covered out to the median reach (4.2 km, where a device
    is heard half the time), at 99 % only out to where the 2.33 sigma margin (18.1 dB) leaves 1.4 km; the
    frames, and so the devices' delivery, are the same."""
    runs = {}
    for p in ("50 %", "99 %"):
        sc = citytwin.Scenario.from_yaml(toy_city(7.8))
        sc["radio.location_probability"] = p
        runs[p] = citytwin.run(sc)
    z = {"50 %": 0.0, "99 %": 2.3263}
    for p, r in runs.items():
        pop = r.kpi_tables["coverage_by_population"].set_index("population")
        assert abs(pop.loc["meters", "margin_db"] - z[p] * 7.8) < 1e-3
        assert pop.loc["meters", "location_probability"] == float(p.split()[0]) / 100
        # The reach: 144 dB less the margin, on the path loss 7.7 + 37.6 log10(d / 1 m); its share of the disc.
        reach_km = 10 ** ((144 - z[p] * 7.8 - 7.7) / 37.6) / 1e3
        assert abs(pop.loc["meters", "area_covered"] - (reach_km / 5) ** 2) < 0.02, (p, reach_km)
    # Covered at 99 %: devices there all deliver; at 50 %, some of the devices in covered cells do not.
    share, delivery = by_grid(runs["99 %"])
    assert np.mean(delivery[share == 1.0] > 0) > 0.97
    share, delivery = by_grid(runs["50 %"])
    assert np.mean(delivery[share == 1.0] > 0) < 0.97
    assert runs["50 %"].kpi["uplinks_delivered"] == runs["99 %"].kpi["uplinks_delivered"]
    assert runs["50 %"].kpi["coverage_devices_lorawan"] == runs["99 %"].kpi["coverage_devices_lorawan"]
