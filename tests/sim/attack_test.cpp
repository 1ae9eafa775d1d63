// Attacks against theory. Compromised devices on a pure-ALOHA channel (one channel, one SF, one
// gateway, no capture): every frame, honest or not, survives only if no other starts within one airtime
// of it, so the honest delivery ratio is exp(-2G) with G the offered load of everyone, attackers
// included (N. Abramson, "The ALOHA system", AFIPS 1970). The rate-anomaly rule then flags a device at
// its (threshold + 1)-th delivered frame in a window, so the mean time to detect is that count over the
// device's delivered rate (a Gamma mean). Plus unit tests of the jammer's noise rise, the rule and the
// flood.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <string>

#include "models/radio/adr.hpp"
#include "sim/access/jamming.hpp"
#include "sim/app/isolated_run.hpp"
#include "sim/platform/platform_flood.hpp"
#include "sim/platform/rate_anomaly.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim_test_support.hpp"
#include "tests/sim/rooms.hpp"

namespace citytwin::sim {
namespace {

constexpr double kAirtime_s = 0.041216;  // 10 B, SF7, 125 kHz, CR 4/5, explicit header, preamble 8
constexpr int kDevices = 5000;
constexpr double kShare = 0.05;  // of the devices compromised
constexpr double kFactor = 10.0;
constexpr double kLoadFactor = 1.0 - kShare + kShare * kFactor;  // everyone's load over the honest rate's

std::string botnet_scenario(double load, double duration_s, const std::string& detection) {
  const double interval_s = kDevices * kAirtime_s * kLoadFactor / load;
  return test::aloha_field_yaml(kDevices, interval_s) +
         "attacks:\n"
         "  compromised:\n"
         "    - {name: botnet, population: sensors, share: " +
         std::to_string(kShare) + ", start: 0 s, rate_factor: " + std::to_string(kFactor) +
         "}\n"
         "  detection: " +
         detection +
         "\n"
         "run:\n"
         "  duration: " +
         std::to_string(duration_s) +
         " s\n"
         "  seed: 17\n";
}

std::map<std::string, double> kpis(const RunSummary& s) { return {s.kpis.begin(), s.kpis.end()}; }

RunSummary run_text(const std::string& text, const test::TempDir& dir) {
  RunOptions options;
  options.output_path = dir.file("attack.h5");
  options.progress = false;
  const IsolatedOutcome outcome = run_isolated({text, true, {}}, options);
  EXPECT_EQ(outcome.status, IsolatedOutcome::Status::Ok) << outcome.error;
  return outcome.summary;
}

class BotnetAloha : public ::testing::TestWithParam<double> {};

TEST_P(BotnetAloha, HonestDeliveryRatioFollowsExpMinus2GWithTheAttackersLoad) {
  const double load = GetParam();
  const double duration_s = 40000.0 * kAirtime_s / load;  // 40 000 frames in all
  test::TempDir dir;
  const auto k = kpis(run_text(botnet_scenario(load, duration_s, "{}"), dir));
  ASSERT_EQ(k.at("devices_compromised"), std::round(kShare * kDevices));
  // Everyone's offered load, the attackers' extra frames included (they are rows of /messages).
  const double offered = k.at("uplinks_sent") * kAirtime_s / duration_s;
  EXPECT_NEAR(offered, load, 0.03 * load);
  // The attackers send (k - 1) times their rate on top of their own schedule.
  const double attack_share = k.at("attack_frames") / k.at("uplinks_sent");
  EXPECT_NEAR(attack_share, kShare * (kFactor - 1.0) / kLoadFactor, 0.01);
  // Their extra frames are transmissions, not reports due: the reports are everyone's own schedule.
  EXPECT_EQ(k.at("reports"), k.at("uplinks_sent") - k.at("attack_frames"));
  const double honest = k.at("honest_uplinks_delivered") / k.at("honest_uplinks_sent");
  EXPECT_NEAR(honest, std::exp(-2.0 * offered), 0.02)
      << "G = " << offered << ", " << k.at("honest_uplinks_sent") << " honest uplinks";
  std::printf("G = %.4f (attackers %.1f %%): honest delivery %.4f, exp(-2G) = %.4f, %.0f honest uplinks\n",
              offered, 100.0 * attack_share, honest, std::exp(-2.0 * offered), k.at("honest_uplinks_sent"));
  // The attack matters: the honest load alone would give far more.
  EXPECT_GT(std::exp(-2.0 * offered / kLoadFactor) - honest, 0.03);
}

INSTANTIATE_TEST_SUITE_P(OfferedLoads, BotnetAloha, ::testing::Values(0.25, 0.5, 1.0));

// The rule flags a device at its (n = floor(threshold) + 1)-th delivered frame in the window; a
// compromised device delivers at kFactor / interval times its delivery ratio p, so its time to detect
// is Gamma(n, rate p): mean n / (rate p). With blocking its later frames are lost as `blocked`.
TEST(BotnetDetection, MeanTimeToDetectIsTheGammaMeanAndBlockingDropsTheirFrames) {
  const double load = 0.1;
  const double interval_s = kDevices * kAirtime_s * kLoadFactor / load;
  const double window_s = 6 * 3600.0, factor = 3.0;
  test::TempDir dir;
  const auto k =
      kpis(run_text(botnet_scenario(load, window_s, "{window: 6 h, factor: 3, block: true}"), dir));
  const double p = k.at("honest_uplinks_delivered") / k.at("honest_uplinks_sent");
  const double threshold = factor * window_s / interval_s;
  const double n = std::floor(threshold) + 1.0;
  const double expected_s = n / (kFactor / interval_s * p);
  ASSERT_LT(expected_s, 0.6 * window_s);  // most devices are flagged within the run
  // Honest devices deliver ~window/interval = 7 frames: none reaches 22.
  EXPECT_EQ(k.at("devices_flagged"), k.at("devices_compromised"));
  EXPECT_GT(k.at("lost_blocked"), 0.0);

  // The table's detection columns, read back through the trace.
  const auto column = [&](const std::string& name) {
    return test::read_doubles(dir.file("attack.h5"), "kpi/attacks/" + name);
  };
  ASSERT_EQ(column("detect_mean_s").size(), 1u);
  EXPECT_EQ(column("false_positives")[0], 0.0);
  EXPECT_EQ(column("devices_flagged")[0], k.at("devices_compromised"));
  // Mean of 250 Gamma(n) draws: relative standard error 1 / sqrt(250 n), under 1.5 %.
  const double detect_mean_s = column("detect_mean_s")[0];
  EXPECT_NEAR(detect_mean_s, expected_s, 0.06 * expected_s) << "n = " << n << ", p = " << p;
  std::printf(
      "time to detect: mean %.0f s, Gamma mean n / (rate p) = %.0f s (n = %.0f, p = %.4f); first %.0f s\n",
      detect_mean_s, expected_s, n, p, column("time_to_detect_s")[0]);
  EXPECT_LT(column("time_to_detect_s")[0], detect_mean_s);
}

// --- units -------------------------------------------------------------------------------------------

scenario::Scenario two_gateways(const std::string& attacks) {
  return scenario::load_scenario_text(
      "city:\n  districts:\n    - {name: a, origin: [0 m, 0 m], size: [10 km, 1 km]}\n"
      "devices:\n  - {name: d, count: 1, districts: [a]}\n"
      "gateways:\n  - {name: near, position: [1000 m, 500 m]}\n"
      "  - {name: far, position: [9000 m, 500 m], antenna_gain: 3 dB}\n"
      "attacks:\n" +
      attacks + "run: {duration: 1 h}\n");
}

TEST(Jamming, NoiseRiseFollowsThePathLossAndAddsPowers) {
  const scenario::Scenario sc = two_gateways(
      "  jamming:\n    - {position: [1100 m, 500 m], power: 20 dBm, start: 10 min, end: 20 min}\n");
  city::CityLayout city;
  city.gateway_district = {0, 0};
  city.gateway_technology = {scenario::Technology::LoRaWAN, scenario::Technology::LoRaWAN};
  const access::JammingField field(sc, city);
  const models::radio::LogDistancePathLoss& pl = sc.channel.path_loss;
  EXPECT_NEAR(field.received_dbm(0, 0), 20.0 - pl.loss_db(100.0), 1e-9);
  EXPECT_NEAR(field.received_dbm(0, 1), 20.0 + 3.0 - pl.loss_db(7900.0), 1e-9);
  const double noise = models::radio::noise_floor_dbm(125e3, sc.channel.noise_figure_db);
  const double j = field.received_dbm(0, 0);
  EXPECT_NEAR(field.noise_rise_db(0, 868100000, 125e3, 700.0, 701.0),
              10.0 * std::log10(1.0 + std::pow(10.0, (j - noise) / 10.0)), 1e-9);
  // Off outside its window; a frame overlapping the window's edge is judged.
  EXPECT_EQ(field.noise_rise_db(0, 868100000, 125e3, 0.0, 599.0), 0.0);
  EXPECT_GT(field.noise_rise_db(0, 868100000, 125e3, 599.0, 600.5), 50.0);
  EXPECT_EQ(field.noise_rise_db(0, 868100000, 125e3, 1200.0, 1300.0), 0.0);
  // A frame 10 dB above sensitivity survives a rise of less than 10 dB only.
  EXPECT_TRUE(field.jams(0, 868100000, 125e3, 10.0, 700.0, 701.0));
  EXPECT_FALSE(field.jams(1, 868100000, 125e3, 10.0, 700.0, 701.0));
}

TEST(Jamming, OnlyTheChannelsItOccupies) {
  const scenario::Scenario sc = two_gateways(
      "  jamming:\n    - {position: [1100 m, 500 m], start: 0 s, end: 1 h, channels: [868.3 MHz]}\n"
      "    - {position: [1100 m, 500 m], start: 0 s, end: 1 h, channels: [868.3 MHz]}\n");
  city::CityLayout city;
  city.gateway_district = {0, 0};
  city.gateway_technology = {scenario::Technology::LoRaWAN, scenario::Technology::LoRaWAN};
  const access::JammingField field(sc, city);
  EXPECT_EQ(field.noise_rise_db(0, 868100000, 125e3, 10.0, 11.0), 0.0);
  // Two equal jammers: twice the power, +3 dB when they dominate the noise.
  const scenario::Scenario single = two_gateways(
      "  jamming:\n    - {position: [1100 m, 500 m], start: 0 s, end: 1 h, channels: [868.3 MHz]}\n");
  const access::JammingField one(single, city);
  EXPECT_NEAR(field.noise_rise_db(0, 868300000, 125e3, 10.0, 11.0) -
                  one.noise_rise_db(0, 868300000, 125e3, 10.0, 11.0),
              10.0 * std::log10(2.0), 1e-3);
}

TEST(PlatformFlood, QueueGrowsAtTheExcessRateAndDropsWhenFull) {
  scenario::Scenario sc = two_gateways("  platform_dos:\n    - {rate: 2000, start: 10 s, end: 40 s}\n");
  sc.platform.broker_capacity = 4000;
  sc.platform.broker_cost_flops = 1e7;  // 1 ms per message at 1e10 flop/s: 1000 messages/s
  platform::PlatformPipeline pipeline(sc.platform);
  platform::PlatformFlood flood(sc, 5);
  // Honest messages every 0.1 s: before, during and after the flood.
  int accepted_before = 0, accepted_during = 0, during = 0, accepted_after = 0, after = 0;
  for (int i = 0; i < 800; ++i) {
    const double t = 0.1 * i;
    flood.inject_until(t, pipeline, 1e10, 1e10);
    const bool ok = pipeline.ingest(t, 1e10, 1e10).has_value();
    flood.check_alarm(t, pipeline);
    if (t < 10.0) accepted_before += ok;
    if (t >= 20.0 && t < 40.0) {
      ++during;
      accepted_during += ok;
    }
    if (t >= 50.0) {
      ++after;
      accepted_after += ok;
    }
  }
  EXPECT_EQ(accepted_before, 100);
  // 30 s at 2000/s: 60 000 bogus messages, Poisson (5 sigma: 1 225).
  EXPECT_NEAR(static_cast<double>(flood.sent()[0]), 60000.0, 1225.0);
  // The queue fills at 2000 - 1000 = 1000/s: full 4 s after the start, alarm at half after 2 s.
  EXPECT_NEAR(flood.alarm_at_s() - 10.0, 2.0, 0.3);
  EXPECT_EQ(pipeline.broker_peak(), 4000u);
  // Once full, an honest arrival finds a free place only when one has just left (1000/s against
  // 2000/s arriving): most are dropped.
  EXPECT_LT(accepted_during, during / 3);
  EXPECT_GT(flood.dropped()[0], 20000u);
  // The backlog (4 s of work) is gone 10 s after the end.
  EXPECT_EQ(accepted_after, after);
}

TEST(RateAnomaly, FlagsAtTheCountOverTheThresholdAndResetsEachWindow) {
  scenario::Scenario sc = two_gateways(
      "  compromised: [{devices: [0], start: 0 s}]\n  detection: {window: 1 h, factor: 2, block: true}\n");
  city::CityLayout city;
  city.populations.resize(1);
  city.populations[0].interval_s = 900.0;  // 4 per hour: threshold 8
  city.device_population = {0, 0};
  platform::RateAnomalyDetector rule(sc, city);
  EXPECT_EQ(rule.threshold(0), 8.0);
  for (int i = 0; i < 8; ++i) EXPECT_FALSE(rule.on_delivery(0, 100.0 + i));
  // A new window starts from zero.
  for (int i = 0; i < 8; ++i) EXPECT_FALSE(rule.on_delivery(1, 3500.0 + 10.0 * i));
  EXPECT_FALSE(rule.blocks(1, 1e6));
  EXPECT_TRUE(rule.on_delivery(0, 200.0));
  EXPECT_EQ(rule.flagged_at_s(0), 200.0);
  EXPECT_FALSE(rule.blocks(0, 199.0));
  EXPECT_TRUE(rule.blocks(0, 200.0));
}

TEST(RateAnomaly, ARuleWithNoCompromisedDevicesToWatchIsRefusedWhereItIsWritten) {
  try {
    two_gateways(
        "  jamming: [{position: [1 km, 500 m], start: 0 s, end: 1 min}]\n  detection: {factor: 2}\n");
    FAIL() << "accepted attacks.detection without attacks.compromised";
  } catch (const scenario::ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("<text>:11:14: attacks.detection: the rate-anomaly rule watches "
                                         "compromised devices, and attacks.compromised lists none"),
              std::string::npos)
        << e.what();
  }
  EXPECT_NO_THROW(two_gateways("  compromised: [{devices: [0], start: 0 s}]\n  detection: {factor: 2}\n"));
}

}  // namespace
}  // namespace citytwin::sim
