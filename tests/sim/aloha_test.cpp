// Validation against theory: pure ALOHA. N devices with Poisson traffic on one channel and one SF,
// all in range of one gateway, no capture: a frame survives only if no other frame starts within one
// airtime before or after it, so the delivery ratio is exp(-2G) for offered load G (frames per
// airtime). N. Abramson, "The ALOHA system", AFIPS 1970.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

#include "sim/isolated_run.hpp"
#include "sim_test_support.hpp"

namespace citytwin::sim {
namespace {

constexpr double kAirtime_s = 0.041216;  // 10 B, SF7, 125 kHz, CR 4/5, explicit header, preamble 8
constexpr int kDevices = 5000;
constexpr double kFramesPerLoad = 40000.0;  // frames simulated per unit of G, for a tight estimate

std::string aloha_scenario(double load) {
  const double interval_s = kDevices * kAirtime_s / load;
  const double duration_s = kFramesPerLoad * kAirtime_s / load;
  return "city:\n"
         "  districts:\n"
         "    - {name: field, origin: [0 m, 0 m], size: [1 km, 1 km]}\n"
         "devices:\n"
         "  - name: sensors\n"
         "    count: " + std::to_string(kDevices) + "\n"
         "    disc: {centre: [500 m, 500 m], radius: 400 m}\n"
         "    traffic: poisson\n"
         "    interval: " + std::to_string(interval_s) + " s\n"
         "    payload: 10 B\n"
         "    mac_overhead: 0 B\n"
         "    radio: {sf: 7, bandwidth: 125 kHz, coding_rate: 4/5, preamble: 8, header: explicit,\n"
         "            ldro: off, channels: [868.1 MHz]}\n"
         "gateways:\n"
         "  - {name: gw, position: [500 m, 500 m]}\n"
         "radio:\n"
         "  capture: {enabled: false}\n"
         "run:\n"
         "  duration: " + std::to_string(duration_s) + " s\n"
         "  seed: 11\n";
}

std::map<std::string, double> kpis(const RunSummary& s) { return {s.kpis.begin(), s.kpis.end()}; }

class PureAloha : public ::testing::TestWithParam<double> {};

TEST_P(PureAloha, DeliveryRatioFollowsExpMinus2G) {
  const double load = GetParam();
  test::TempDir dir;
  RunOptions options;
  options.output_path = dir.file("aloha.h5");
  options.progress = false;
  const IsolatedOutcome outcome = run_isolated({aloha_scenario(load), true, {}}, options);
  ASSERT_EQ(outcome.status, IsolatedOutcome::Status::Ok) << outcome.error;
  const auto k = kpis(outcome.summary);

  // The offered load actually simulated (a device cannot start a report before its previous cycle
  // has ended, which thins the nominal rate very slightly).
  const double duration_s = kFramesPerLoad * kAirtime_s / load;
  const double offered = k.at("uplinks_sent") * kAirtime_s / duration_s;
  EXPECT_NEAR(offered, load, 0.03 * load);
  EXPECT_NEAR(k.at("delivery_ratio"), std::exp(-2.0 * offered), 0.02)
      << "G = " << offered << ", " << k.at("uplinks_sent") << " uplinks";
}

INSTANTIATE_TEST_SUITE_P(OfferedLoads, PureAloha, ::testing::Values(0.1, 0.25, 0.5, 1.0));

// The same traffic with capture on must do better: a frame 6 dB above its interferer survives.
TEST(PureAloha, CaptureBeatsAloha) {
  test::TempDir dir;
  RunOptions options;
  options.output_path = dir.file("capture.h5");
  options.progress = false;
  const IsolatedOutcome outcome = run_isolated({aloha_scenario(1.0), true, {"radio.capture.enabled=true"}}, options);
  ASSERT_EQ(outcome.status, IsolatedOutcome::Status::Ok) << outcome.error;
  EXPECT_GT(kpis(outcome.summary).at("delivery_ratio"), std::exp(-2.0) + 0.05);
}

}  // namespace
}  // namespace citytwin::sim
