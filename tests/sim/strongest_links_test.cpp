// radio.receptions: strongest (sim/access/strongest_links.hpp), validated against the exact model:
//   - the selection itself (the K largest gains, ties to the earlier link, in link order);
//   - K at least the number of gateways: the same trace as exact, bit for bit (a multi-gateway town);
//   - the pure-ALOHA single-gateway field: identical at K = 1 (one gateway: nothing to leave out);
//   - a multi-gateway city (64 gateways, ~22 heard per frame): delivery ratio and collision losses
//     against a tolerance stated before measuring, at K = 4 and 8, the measured differences asserted.
#include "sim/access/strongest_links.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "sim/app/isolated_run.hpp"
#include "sim/city/link_index.hpp"
#include "sim/core/rng.hpp"
#include "sim_test_support.hpp"
#include "tests/sim/rooms.hpp"

namespace citytwin::sim {
namespace {

std::vector<uint32_t> strongest(const std::vector<float>& gains, uint32_t k) {
  std::vector<uint32_t> out;
  strongest_positions(gains, k, out);
  return out;
}

TEST(StrongestLinks, TheKLargestGainsInLinkOrder) {
  const std::vector<float> gains = {-120.f, -100.f, -130.f, -90.f, -110.f};
  EXPECT_EQ(strongest(gains, 1), (std::vector<uint32_t>{3}));
  EXPECT_EQ(strongest(gains, 2), (std::vector<uint32_t>{1, 3}));
  EXPECT_EQ(strongest(gains, 3), (std::vector<uint32_t>{1, 3, 4}));
  EXPECT_EQ(strongest(gains, 5), (std::vector<uint32_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(strongest(gains, 9), (std::vector<uint32_t>{0, 1, 2, 3, 4}));  // fewer links than K: all
  EXPECT_TRUE(strongest({}, 4).empty());
}

TEST(StrongestLinks, TiesGoToTheEarlierLink) {
  const std::vector<float> gains = {-100.f, -95.f, -100.f, -100.f, -95.f};
  EXPECT_EQ(strongest(gains, 2), (std::vector<uint32_t>{1, 4}));
  EXPECT_EQ(strongest(gains, 3), (std::vector<uint32_t>{0, 1, 4}));
  EXPECT_EQ(strongest(gains, 4), (std::vector<uint32_t>{0, 1, 2, 4}));
}

// Against a plain selection (sort every position by gain, ties to the smaller, take k, sort by position),
// on random gains drawn from few values (many ties) and from many.
TEST(StrongestLinks, TheSelectionMatchesSortingEveryLink) {
  Stream rng(5, "test", 0);
  for (int trial = 0; trial < 2000; ++trial) {
    const uint32_t n = rng.below(300), k = 1 + rng.below(12), levels = trial % 2 == 0 ? 4 : 1000000;
    std::vector<float> gains(n);
    for (float& g : gains) g = -100.f - static_cast<float>(rng.below(levels));
    std::vector<uint32_t> all(n);
    for (uint32_t i = 0; i < n; ++i) all[i] = i;
    std::sort(all.begin(), all.end(),
              [&](uint32_t a, uint32_t b) { return gains[a] > gains[b] || (gains[a] == gains[b] && a < b); });
    all.resize(std::min(n, k));
    std::sort(all.begin(), all.end());
    ASSERT_EQ(strongest(gains, k), all) << "trial " << trial << " n " << n << " k " << k;
  }
}

TEST(StrongestLinks, PerDeviceOverTheCityLinks) {
  city::CityLayout city;
  city.device_population = {0, 0, 0};
  city.link_offset = {0, 3, 3, 5};  // device 1 has no link
  city.link_gateway = {0, 1, 2, 0, 2};
  city.link_gain_db = {-110.f, -105.f, -120.f, -130.f, -125.f};
  const StrongestLinks two(city, 2);
  EXPECT_EQ(two.k(), 2u);
  EXPECT_EQ(std::vector<uint32_t>(two.of(0).begin(), two.of(0).end()), (std::vector<uint32_t>{0, 1}));
  EXPECT_TRUE(two.of(1).empty());
  EXPECT_EQ(std::vector<uint32_t>(two.of(2).begin(), two.of(2).end()), (std::vector<uint32_t>{0, 1}));
  const StrongestLinks one(city, 1);
  EXPECT_EQ(std::vector<uint32_t>(one.of(0).begin(), one.of(0).end()), (std::vector<uint32_t>{1}));
  EXPECT_EQ(std::vector<uint32_t>(one.of(2).begin(), one.of(2).end()), (std::vector<uint32_t>{1}));
  // The chosen links' gateways and gains, side by side: the city's at those positions.
  EXPECT_EQ(std::vector<uint32_t>(two.gateways_of(0), two.gateways_of(0) + 2), (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(std::vector<float>(two.gains_of(0), two.gains_of(0) + 2), (std::vector<float>{-110.f, -105.f}));
  EXPECT_EQ(std::vector<uint32_t>(two.gateways_of(2), two.gateways_of(2) + 2), (std::vector<uint32_t>{0, 2}));
  EXPECT_EQ(std::vector<float>(two.gains_of(2), two.gains_of(2) + 2), (std::vector<float>{-130.f, -125.f}));
  EXPECT_EQ(*one.gateways_of(2), 2u);
  EXPECT_EQ(*one.gains_of(2), -125.f);
}

using Kpis = std::map<std::string, double>;

struct TracedRun {
  std::string path;
  Kpis kpis;
};

TracedRun run_traced(const test::TempDir& dir, const std::string& name, const ScenarioSource& source,
                     int threads = 1) {
  RunOptions options;
  options.output_path = dir.file(name);
  options.progress = false;
  options.threads = threads;
  const IsolatedOutcome outcome = run_isolated(source, options);
  EXPECT_EQ(outcome.status, IsolatedOutcome::Status::Ok) << outcome.error;
  return {options.output_path, Kpis(outcome.summary.kpis.begin(), outcome.summary.kpis.end())};
}

const std::vector<std::string> kMessageColumns = {
    "device",   "t_tx_s", "sf",        "channel_hz",  "tx_power_dbm",  "airtime_s",        "gateways_heard",
    "rssi_dbm", "snr_db", "delivered", "fail_reason", "t_delivered_s", "battery_mah_left", "failure"};

// Every /messages column and every KPI the same, but the mode's own KPI.
void expect_same_trace(const TracedRun& exact, const TracedRun& approx, const std::string& what) {
  for (const std::string& column : kMessageColumns) {
    const auto a = test::read_dataset_bytes(exact.path, "/messages/" + column);
    EXPECT_FALSE(a.empty()) << column;
    EXPECT_EQ(a, test::read_dataset_bytes(approx.path, "/messages/" + column)) << what << ": " << column;
  }
  ASSERT_EQ(exact.kpis.size(), approx.kpis.size());
  for (const auto& [name, value] : exact.kpis) {
    if (name == "lora_strongest_k") continue;
    const double other = approx.kpis.at(name);
    EXPECT_TRUE(value == other || (std::isnan(value) && std::isnan(other))) << what << ": " << name;
  }
}

// The riverside town (4 gateways, a day's first 6 h): with K >= 4 nothing is left out.
TEST(StrongestReceptions, AtLeastAsManyAsTheGatewaysIsExactBitForBit) {
  test::TempDir dir;
  const std::string town = CITYTWIN_SOURCE_DIR "/scenarios/quickstart.yaml";
  const TracedRun exact = run_traced(dir, "exact.h5", {town, false, {"run.duration=6 h"}});
  EXPECT_EQ(exact.kpis.at("gateways"), 4.0);
  EXPECT_EQ(exact.kpis.at("lora_strongest_k"), 0.0);
  EXPECT_EQ(test::read_int_attribute(exact.path, "/meta", "radio_strongest_k"), 0);
  for (const char* k : {"4", "64"}) {
    const TracedRun approx = run_traced(
        dir, std::string("k") + k + ".h5",
        {town,
         false,
         {"run.duration=6 h", "radio.receptions=strongest", std::string("radio.strongest_k=") + k}});
    EXPECT_EQ(approx.kpis.at("lora_strongest_k"), std::stod(k));
    EXPECT_EQ(test::read_int_attribute(approx.path, "/meta", "radio_strongest_k"), std::stoi(k));
    expect_same_trace(exact, approx, std::string("K = ") + k);
  }
  // K = 1 leaves receptions out on this town: the approximation is not a no-op here.
  const TracedRun one = run_traced(
      dir, "k1.h5", {town, false, {"run.duration=6 h", "radio.receptions=strongest", "radio.strongest_k=1"}});
  EXPECT_LT(one.kpis.at("lora_receptions"), exact.kpis.at("lora_receptions"));
  EXPECT_EQ(one.kpis.at("lora_receptions"),
            one.kpis.at("uplinks_sent") - one.kpis.at("lost_below_sensitivity"));
}

// The pure-ALOHA field (one gateway, tests/sim/aloha_test.cpp's): K = 1 is the exact model.
TEST(StrongestReceptions, SingleGatewayAlohaFieldIsIdentical) {
  test::TempDir dir;
  const std::string field = test::aloha_field_yaml(2000, 2000 * 0.041216 / 0.5) +  // G = 0.5
                            "run: {duration: 30 min, seed: 11}\n";
  const TracedRun exact = run_traced(dir, "exact.h5", {field, true, {}});
  const TracedRun approx =
      run_traced(dir, "k1.h5", {field, true, {"radio.receptions=strongest", "radio.strongest_k=1"}});
  expect_same_trace(exact, approx, "K = 1");
  EXPECT_GT(exact.kpis.at("lost_collision"), 0.0);  // there were collisions to get right
}

// A multi-gateway city: 4 km x 4 km, 64 gateways on a 500 m grid (4 per km^2, Seoul's order), 20,000
// meters indoors (20 dB building loss) with 7.8 dB shadowing, 60 % SF7 / 40 % SF9 every 3 min on the
// three EU868 channels, half an hour (200k uplinks): each frame is heard by ~22 gateways, and
// collisions and busy demodulators both lose frames (~0.6 % each in the exact model).
std::string city_yaml() {
  std::string y =
      "city:\n"
      "  districts:\n"
      "    - {name: city, origin: [0 m, 0 m], size: [4 km, 4 km]}\n"
      "devices:\n";
  for (const auto& [sf, count] : {std::pair{7, 12000}, std::pair{9, 8000}})
    y += "  - name: meters_sf" + std::to_string(sf) + "\n    count: " + std::to_string(count) +
         "\n    districts: [city]\n    interval: 3 min\n    jitter: 0.1\n    payload: 12 B\n"
         "    building_penetration: {mean: 20 dB}\n    radio: {sf: " +
         std::to_string(sf) + "}\n";
  y += "gateways:\n";
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 8; ++j)
      y += "  - {name: g" + std::to_string(i * 8 + j) + ", position: [" + std::to_string(250 + 500 * i) +
           " m, " + std::to_string(250 + 500 * j) + " m]}\n";
  y += "radio: {shadowing: {sigma: 7.8 dB}}\nrun: {duration: 30 min, seed: 3}\n";
  return y;
}

// The tolerance, stated before measuring: 0.01 (absolute) on the delivery ratio and on the collision
// losses per uplink, half of what the exact model itself is held to against theory (0.02 on the
// delivery ratio: tests/sim/aloha_test.cpp, pure ALOHA and LoRaSim's experiment), so that the
// approximation stays below what the model claims to resolve. The uplinks are the same in every mode
// (no confirmed traffic, no ADR: nothing the medium decides reaches the devices), so the differences are
// the approximation's alone, not seed noise. Measured (this city, seed 3):
//   exact                delivery 0.98803, collision 0.00644, no demodulator 0.00553 per uplink;
//   strongest, K = 8     delivery -0.0008, collision -0.0016, no demodulator +0.0024: within it;
//   strongest, K = 4     delivery -0.0127, collision +0.0016: delivery OUTSIDE it (4 of ~22 gateways
//                        leave too few to save a frame): K = 4 is not good enough here;
//   strongest_only, K = 8  delivery +0.0077 (within 0.01) but no demodulator loss left (0.00003):
//                        it misses a whole loss mechanism, which saturated gateways make dominant.
TEST(StrongestReceptions, MultiGatewayCityAgainstExact) {
  test::TempDir dir;
  const std::string city = city_yaml();
  const TracedRun exact = run_traced(dir, "exact.h5", {city, true, {}});
  const double sent = exact.kpis.at("uplinks_sent");
  const auto per_uplink = [&](const TracedRun& r, const char* kpi) { return r.kpis.at(kpi) / sent; };
  std::printf(
      "exact: %.0f uplinks, %.1f receptions per uplink, delivery %.5f, collision %.5f, "
      "no demodulator %.5f per uplink\n",
      sent, per_uplink(exact, "lora_receptions"), exact.kpis.at("delivery_ratio"),
      per_uplink(exact, "lost_collision"), per_uplink(exact, "lost_no_demodulator"));
  ASSERT_GT(per_uplink(exact, "lora_receptions"), 16.0);  // K = 8 leaves most receptions out
  ASSERT_GT(per_uplink(exact, "lost_collision"), 0.003);  // both mechanisms are at work
  ASSERT_GT(per_uplink(exact, "lost_no_demodulator"), 0.003);
  constexpr double kTolerance = 0.01;
  struct Difference {
    double delivery, collision, demodulator;
  };
  const auto against_exact = [&](const std::string& mode, int k) {
    const TracedRun approx =
        run_traced(dir, mode + std::to_string(k) + ".h5",
                   {city, true, {"radio.receptions=" + mode, "radio.strongest_k=" + std::to_string(k)}});
    EXPECT_EQ(approx.kpis.at("uplinks_sent"), sent);  // the same uplinks
    EXPECT_LE(approx.kpis.at("lora_receptions"), k * sent);
    EXPECT_EQ(approx.kpis.at("lora_strongest_k"), k);
    // strongest keeps the exact model's demodulator occupancy (the lock-only pass): the same share of
    // the frames reaching a gateway found its paths busy, to the last frame; strongest_only does not.
    if (mode == "strongest")
      EXPECT_EQ(approx.kpis.at("lora_demodulator_refused_ratio"),
                exact.kpis.at("lora_demodulator_refused_ratio"));
    else
      EXPECT_LT(approx.kpis.at("lora_demodulator_refused_ratio"),
                0.1 * exact.kpis.at("lora_demodulator_refused_ratio"));
    const Difference d{approx.kpis.at("delivery_ratio") - exact.kpis.at("delivery_ratio"),
                       per_uplink(approx, "lost_collision") - per_uplink(exact, "lost_collision"),
                       per_uplink(approx, "lost_no_demodulator") - per_uplink(exact, "lost_no_demodulator")};
    std::printf(
        "%s, K = %d: %.1f receptions per uplink, delivery %+.5f, collision %+.5f, no demodulator %+.5f\n",
        mode.c_str(), k, per_uplink(approx, "lora_receptions"), d.delivery, d.collision, d.demodulator);
    return d;
  };
  const Difference k8 = against_exact("strongest", 8);
  EXPECT_LE(std::abs(k8.delivery), kTolerance);
  EXPECT_LE(std::abs(k8.collision), kTolerance);
  // The locks are kept; the losses a frame's strongest gateway blames on a busy demodulator still move
  // (+0.0024): with fewer gateways receiving, more frames are lost, and each names its strongest one.
  EXPECT_LE(std::abs(k8.demodulator), kTolerance);

  // K = 4 misses the tolerance here: fewer gateways to save a frame, delivery underestimated by more
  // than 0.01 (measured -0.0127); asserted so that docs/SCENARIO.md's advice (K >= 8) stays true.
  const Difference k4 = against_exact("strongest", 4);
  EXPECT_LT(k4.delivery, -kTolerance);
  EXPECT_GT(k4.delivery, -2.0 * kTolerance);
  EXPECT_LE(std::abs(k4.collision), kTolerance);

  // strongest_only: no lock beyond the K, so the demodulator losses all but vanish.
  const Difference only8 = against_exact("strongest_only", 8);
  EXPECT_LE(std::abs(only8.delivery), kTolerance);
  EXPECT_LT(only8.demodulator, -0.9 * per_uplink(exact, "lost_no_demodulator"));
}

}  // namespace
}  // namespace citytwin::sim
