// sf: auto picks each device's SF against the sensitivity the gateways receive with, which rises by
// 10 log10(BW / 125 kHz) dB with the bandwidth (models/radio/reception.hpp). A field where every
// device is in range of the gateway at SF12 (LoRaSim's path loss: the SF12 range is 514 m at
// 500 kHz): at 125, 250 and 500 kHz no frame is lost below the sensitivity, and the SFs move up with
// the bandwidth as the 2.5 dB steps of the sensitivity table say.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "models/radio/reception.hpp"
#include "sim/app/isolated_run.hpp"
#include "sim/city/build_city_layout.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim_test_support.hpp"
#include "tests/sim/rooms.hpp"

namespace citytwin::sim {
namespace {

constexpr int kDevices = 2000;
constexpr double kMarginDb = 2.0;  // join_margin: less than the 3 dB that 250 kHz costs

std::string field(int bandwidth_khz) {
  return "city:\n"
         "  districts:\n"
         "    - {name: field, origin: [0 m, 0 m], size: [2 km, 2 km]}\n"
         "devices:\n"
         "  - name: nodes\n"
         "    count: " +
         std::to_string(kDevices) +
         "\n"
         "    disc: {centre: [1 km, 1 km], radius: 500 m}\n"
         "    interval: 30 min\n"
         "    payload: 10 B\n"
         "    radio: {sf: auto, bandwidth: " +
         std::to_string(bandwidth_khz) +
         " kHz, tx_power: 14 dBm, join_margin: 2 dB,\n"
         "            channels: [868.1 MHz, 868.3 MHz, 868.5 MHz], duty_cycle: false}\n"
         "gateways:\n"
         "  - {name: gw, position: [1 km, 1 km], demodulators: 64}\n"
         "radio:\n"
         "  path_loss: {reference_distance: 40 m, reference_loss: 127.41 dB, exponent: 2.08}\n"
         "run:\n"
         "  duration: 1 h\n"
         "  seed: 5\n";
}

struct Layout {
  std::vector<int> sf;
  std::vector<double> rssi_dbm;  // at the gateway, as the radio medium computes it
};

Layout layout(int bandwidth_khz) {
  const Scenario sc = load_scenario_text(field(bandwidth_khz));
  ThreadPool pool(2);
  const CityLayout city = build_city_layout(sc, sc.run.seed, pool);
  Layout out;
  for (size_t d = 0; d < city.device_count(); ++d) {
    EXPECT_EQ(city.link_offset[d + 1] - city.link_offset[d], 1u) << "device " << d << " out of range";
    if (city.link_offset[d + 1] == city.link_offset[d]) continue;
    out.sf.push_back(city.device_sf[d]);
    out.rssi_dbm.push_back(static_cast<float>(sc.devices[0].radio.tx_power_dbm) +
                           city.link_gain_db[city.link_offset[d]]);
  }
  return out;
}

TEST(SfChoice, EachDeviceIsHeardAtTheSfItChose) {
  std::map<int, Layout> by_bw;
  for (const int khz : {125, 250, 500}) {
    const Layout l = layout(khz);
    ASSERT_EQ(l.sf.size(), static_cast<size_t>(kDevices));
    for (size_t d = 0; d < l.sf.size(); ++d) {
      // In range at its SF, with the join margin unless even SF12 lacks it.
      EXPECT_GE(l.rssi_dbm[d], models::radio::gateway_sensitivity_dbm(l.sf[d], khz * 1e3)) << khz << " " << d;
      if (l.sf[d] < 12) {
        EXPECT_GE(l.rssi_dbm[d] + 1e-4,
                  models::radio::gateway_sensitivity_dbm(l.sf[d], khz * 1e3) + kMarginDb);
      }
    }
    by_bw[khz] = l;
  }
  // The same devices at the same places: the SF a link needs at 125 kHz, s in 8..9, becomes s + 2 or
  // s + 3 at 500 kHz (6.02 dB over 2.5 dB steps) and s + 1 or s + 2 at 250 kHz (3.01 dB).
  int moved = 0;
  for (size_t d = 0; d < by_bw[125].sf.size(); ++d) {
    const int s = by_bw[125].sf[d];
    EXPECT_GE(by_bw[250].sf[d], s);
    EXPECT_GE(by_bw[500].sf[d], by_bw[250].sf[d]);
    if (s < 8 || s > 9) continue;
    ++moved;
    EXPECT_TRUE(by_bw[500].sf[d] == s + 2 || by_bw[500].sf[d] == s + 3) << d << ": SF" << s;
    EXPECT_TRUE(by_bw[250].sf[d] == s + 1 || by_bw[250].sf[d] == s + 2) << d << ": SF" << s;
  }
  EXPECT_GT(moved, 200);
}

TEST(SfChoice, NoFrameIsLostBelowSensitivityAtAnyBandwidth) {
  for (const int khz : {125, 250, 500}) {
    test::TempDir dir;
    RunOptions options;
    options.output_path = dir.file("field.h5");
    options.progress = false;
    const IsolatedOutcome outcome = run_isolated({field(khz), true, {}}, options);
    ASSERT_EQ(outcome.status, IsolatedOutcome::Status::Ok) << outcome.error;
    const std::map<std::string, double> k(outcome.summary.kpis.begin(), outcome.summary.kpis.end());
    EXPECT_GE(k.at("uplinks_sent"), kDevices) << khz << " kHz";
    EXPECT_EQ(k.at("lost_below_sensitivity"), 0.0) << khz << " kHz";
  }
}

}  // namespace
}  // namespace citytwin::sim
