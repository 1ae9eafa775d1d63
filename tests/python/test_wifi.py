"""Public Wi-Fi access points carrying CCTV streams: association by range, airtime saturation, and
backhaul saturation seen by SimGrid's flow sharing."""
import numpy as np
import pytest

import citytwin

SCENARIO = """
city:
  districts:
    - {name: square, origin: [0 m, 0 m], size: [2 km, 200 m]}
devices:
  - {name: cams_west, type: cctv_camera, count: 4, disc: {centre: [50 m, 100 m], radius: 20 m}}
  - {name: cams_mid, type: cctv_camera, count: 14, disc: {centre: [200 m, 100 m], radius: 20 m}}
  - {name: cams_east, technology: wifi, stream: 4 Mbps, count: 5, disc: {centre: [350 m, 100 m], radius: 20 m}}
  - {name: cams_far, type: cctv_camera, count: 3, disc: {centre: [1800 m, 100 m], radius: 20 m}}
  - {name: meters, count: 20, districts: [square]}
gateways:
  - {name: ap-west, technology: wifi, position: [50 m, 100 m]}
  - {name: ap-mid, technology: wifi, position: [200 m, 100 m]}
  - {name: ap-east, technology: wifi, position: [350 m, 100 m], backhaul: {fibre_length: 1 km, bandwidth: 10 Mbps}}
  - {name: gw, position: [200 m, 100 m]}
run: {duration: 1 h, seed: 1}
"""


@pytest.fixture(scope="module")
def result():
    return citytwin.run(SCENARIO)


def table(r):
    t = r.kpi_tables["by_access_point"]
    return {name: {k: v[i] for k, v in t.items()} for i, name in enumerate(t["access_point"])}


def test_cameras_associate_with_the_nearest_access_point_in_range(result):
    aps = table(result)
    assert aps["ap-west"]["cameras"] == 4
    assert aps["ap-mid"]["cameras"] == 14
    assert aps["ap-east"]["cameras"] == 5
    # 1.5 km away from every access point: below the -82 dBm association threshold.
    assert result.kpi["cameras"] == 26
    assert result.kpi["cameras_associated"] == 23


def test_an_access_point_saturates_over_the_air(result):
    ap = table(result)["ap-mid"]
    # 14 cameras x 4 Mbit/s = 56 Mbit/s offered; one 20 MHz 802.11ac stream cannot carry it.
    assert ap["offered_bps"] == pytest.approx(56e6)
    assert ap["saturated"] == 1 and ap["airtime_utilisation"] == pytest.approx(1.0)
    assert ap["carried_air_bps"] < ap["offered_bps"]
    west = table(result)["ap-west"]
    assert west["saturated"] == 0 and west["carried_air_bps"] == pytest.approx(16e6)


def test_a_thin_backhaul_caps_what_reaches_the_platform(result):
    ap = table(result)["ap-east"]
    assert ap["carried_air_bps"] == pytest.approx(20e6)  # the radio side is fine
    assert ap["carried_backhaul_bps"] == pytest.approx(10e6, rel=1e-3)  # the 10 Mbit/s fibre is not
    west = table(result)["ap-west"]
    assert west["carried_backhaul_bps"] == pytest.approx(16e6, rel=1e-3)


def test_a_wifi_population_needs_a_bitrate():
    with pytest.raises(citytwin.ScenarioError, match="stream"):
        citytwin.validate(SCENARIO.replace("technology: wifi, stream: 4 Mbps,", "technology: wifi,"))


def test_a_camera_is_mains_powered_and_on_battery_is_refused():
    """A stream's draw is watts, which the battery model (a sensor's) does not represent: a camera is mains
    powered, and `power: battery` beside a stream is an error, not 66 years of projected lifetime."""
    cams = citytwin.run(SCENARIO.replace("  - {name: meters, count: 20, districts: [square]}\n", ""))
    by_type = cams.kpi_tables["by_type"].set_index("type")
    assert by_type.loc["generic", "energy_mean_mah"] == 0  # cams_east: technology wifi, no catalogue type
    assert np.isnan(by_type.loc["generic", "projected_lifetime_years"])
    with pytest.raises(citytwin.ScenarioError, match=r"<text>:8:64: devices\[2\]\.power: a camera \(stream\) on battery"):
        citytwin.validate(SCENARIO.replace("stream: 4 Mbps,", "stream: 4 Mbps, power: battery,", 1))


def test_timeseries_show_the_saturated_backhaul(result, tmp_path):
    import h5py
    out = tmp_path / "w.h5"
    citytwin.run(SCENARIO, out=out)
    with h5py.File(out) as f:
        ts = f["timeseries"]
        assert list(ts["t_s"][:3]) == [0, 300, 600]
        links = list(ts["link"].asstr()[:])
        u = ts["utilisation"][:]  # (t_s, link)
        assert np.allclose(u[:, links.index("fibre:ap-east")], 1.0, atol=1e-3)       # 10 Mbit/s link, full
        assert np.allclose(u[:, links.index("fibre:ap-west")], 16e6 / 1e9, rtol=1e-3)  # 16 Mbit/s on 1 Gbit/s
        assert ts["capacity_bytes_per_s"][links.index("fibre:ap-east")] == pytest.approx(10e6 / 8)
        assert np.all(ts["network_server"][:] < 0.01)


def test_cctv_can_go_to_a_separate_command_and_control_centre(tmp_path):
    import h5py
    # The CCC behind a 30 Mbit/s link: the streams (56 Mbit/s carried over the air) now share it.
    text = SCENARIO.replace("run:", "platform: {command_centre: {link_length: 5 km, link_bandwidth: 30 Mbps}}\nrun:")
    out = tmp_path / "ccc.h5"
    r = citytwin.run(text, out=out)
    assert r.kpi["stream_carried_backhaul_bps"] == pytest.approx(30e6, rel=1e-3)
    with h5py.File(out) as f:
        links = list(f["timeseries/link"].asstr()[:])
        assert np.allclose(f["timeseries/utilisation"][:, links.index("ccc")], 1.0, atol=1e-3)
    # Sensors still reach the operations centre: the CCC link carries only video.
    assert r.kpi["delivery_ratio"] > 0.9
