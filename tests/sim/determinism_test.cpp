// Same scenario + same seed = the same /messages, bit for bit, whatever the thread count.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "sim/app/isolated_run.hpp"
#include "sim_test_support.hpp"
#include "tests/sim/rooms.hpp"

namespace citytwin::sim {
namespace {

const std::vector<std::string> kColumns = {"device",     "t_tx_s",        "sf",
                                           "channel_hz", "airtime_s",     "gateways_heard",
                                           "delivered",  "t_delivered_s", "battery_mah_left"};

std::string run_scenario(const std::string& scenario, const test::TempDir& dir, const std::string& name,
                         int threads, uint64_t seed, const std::string& duration = "6 h",
                         std::vector<std::string> overrides = {}) {
  RunOptions options;
  options.output_path = dir.file(name);
  options.threads = threads;
  options.seed = seed;
  options.progress = false;
  options.lane_min_reports_per_period = 0.0;  // with 2 threads, the wired network on the lane even here
  overrides.push_back("run.duration=" + duration);
  const IsolatedOutcome outcome =
      run_isolated({CITYTWIN_SOURCE_DIR "/scenarios/" + scenario, false, overrides}, options);
  EXPECT_EQ(outcome.status, IsolatedOutcome::Status::Ok) << outcome.error;
  return options.output_path;
}

std::string run_quickstart(const test::TempDir& dir, const std::string& name, int threads, uint64_t seed) {
  return run_scenario("quickstart.yaml", dir, name, threads, seed);
}

// Every /messages column of kColumns and the datasets named in `more`: present in `one`, the same in `two`.
void expect_same_datasets(const std::string& one, const std::string& two,
                          const std::vector<std::string>& more) {
  std::vector<std::string> datasets;
  for (const std::string& column : kColumns) datasets.push_back("/messages/" + column);
  datasets.insert(datasets.end(), more.begin(), more.end());
  for (const std::string& path : datasets) {
    const auto a = test::read_dataset_bytes(one, path);
    EXPECT_FALSE(a.empty()) << path;
    EXPECT_EQ(a, test::read_dataset_bytes(two, path)) << path << ": " << one << " against " << two;
  }
}

TEST(Determinism, SameSeedSameMessagesWithOneAndTwoThreadsAndAcrossRuns) {
  test::TempDir dir;
  const std::string one = run_quickstart(dir, "one.h5", 1, 5);
  const std::string two = run_quickstart(dir, "two.h5", 2, 5);
  const std::string again = run_quickstart(dir, "again.h5", 2, 5);
  for (const std::string& column : kColumns) {
    const auto a = test::read_dataset_bytes(one, "/messages/" + column);
    EXPECT_FALSE(a.empty()) << column;
    EXPECT_EQ(a, test::read_dataset_bytes(two, "/messages/" + column)) << column << ": 1 vs 2 threads";
    EXPECT_EQ(a, test::read_dataset_bytes(again, "/messages/" + column)) << column << ": run vs rerun";
  }
}

// The wired city too: failures (one drawn from an availability profile), CCTV streams cut and resumed,
// the platform's stages as SimGrid executions, per-failure attribution.
TEST(Determinism, FailuresAndStreamsDoNotDependOnTheThreadCount) {
  test::TempDir dir;
  // 12 h: the power cut (5 h), the PON cut (8-9 h) and a drawn cellular outage (10.5 h at seed 5).
  const std::string one = run_scenario("flood_outage.yaml", dir, "one.h5", 1, 5, "12 h");
  const std::string two = run_scenario("flood_outage.yaml", dir, "two.h5", 2, 5, "12 h");
  expect_same_datasets(one, two,
                       {"/messages/failure", "/messages/fail_reason", "/kpi/failures/start_s",
                        "/kpi/failures/uplinks_delayed", "/kpi/by_access_point/carried_backhaul_bps"});
}

// The strongest-K approximation (radio.receptions: strongest) at K = 2 of the town's 4 gateways.
TEST(Determinism, StrongestReceptionsDoNotDependOnTheThreadCount) {
  test::TempDir dir;
  const std::vector<std::string> strongest = {"radio.receptions=strongest", "radio.strongest_k=2"};
  const std::string one = run_scenario("quickstart.yaml", dir, "one.h5", 1, 5, "6 h", strongest);
  const std::string two = run_scenario("quickstart.yaml", dir, "two.h5", 2, 5, "6 h", strongest);
  const std::string exact = run_quickstart(dir, "exact.h5", 2, 5);
  for (const std::string& column : kColumns) {
    const auto a = test::read_dataset_bytes(one, "/messages/" + column);
    EXPECT_FALSE(a.empty()) << column;
    EXPECT_EQ(a, test::read_dataset_bytes(two, "/messages/" + column)) << column << ": 1 vs 2 threads";
  }
  // K = 2 is not the exact model here: fewer gateways hear each frame.
  EXPECT_NE(test::read_dataset_bytes(one, "/messages/gateways_heard"),
            test::read_dataset_bytes(exact, "/messages/gateways_heard"));
}

// With two threads the wired network, the platform, the attacks' detector and the recorders run on the
// pool's lane a forwarding period behind the radio (sim/app/run_assembly.hpp): every attack (a jammer,
// compromised devices flagged and blocked, floods of the broker and the network server) gives the same
// rows and the same attack tables as with one thread.
TEST(Determinism, AttacksDoNotDependOnTheThreadCount) {
  test::TempDir dir;
  const std::string one = run_scenario("city_attacks.yaml", dir, "one.h5", 1, 9, "3 h");
  const std::string two = run_scenario("city_attacks.yaml", dir, "two.h5", 2, 9, "3 h");
  expect_same_datasets(
      one, two,
      {"/messages/fail_reason", "/kpi/attacks/attack_messages_dropped", "/kpi/attacks/time_to_detect_s",
       "/kpi/attacks/honest_delivery_ratio_during", "/kpi/attacks/lost_to_attack",
       "/kpi/flagged_devices/device", "/kpi/flagged_devices/t_flagged_s"});
}

// Forwarding periods with nothing in SimGrid are carried without an actor, their platform stages timed
// as SimGrid times them (sim/network/wired_network.cpp): the same rows, alerts, failure tables and
// network-server load as with every period in an actor (CITYTWIN_WIRED_INLINE=0), on the wired cities
// (failures, PONs, CCTV streams, floods of the network server) and at both thread counts.
TEST(Determinism, PeriodsCarriedInlineGiveWhatTheirActorsGave) {
  test::TempDir dir;
  struct Case {
    std::string scenario, duration;
    uint64_t seed;
    std::vector<std::string> more;
  };
  const std::vector<Case> cases = {
      {"quickstart.yaml", "6 h", 5, {"/timeseries/network_server", "/kpi/by_type/latency_p95_s"}},
      {"flood_outage.yaml",
       "12 h",
       5,
       {"/messages/failure", "/kpi/alerts/t_alert_s", "/kpi/failures/uplinks_delayed",
        "/timeseries/network_server", "/timeseries/utilisation"}},
      {"city_attacks.yaml",
       "3 h",
       9,
       {"/messages/fail_reason", "/kpi/attacks/lost_to_attack", "/kpi/flagged_devices/t_flagged_s",
        "/timeseries/network_server"}},
  };
  for (const Case& c : cases) {
    for (int threads : {1, 2}) {
      const std::string tag = c.scenario + "." + std::to_string(threads);
      ASSERT_EQ(setenv("CITYTWIN_WIRED_INLINE", "0", 1), 0);
      const std::string actors =
          run_scenario(c.scenario, dir, tag + ".actors.h5", threads, c.seed, c.duration);
      ASSERT_EQ(unsetenv("CITYTWIN_WIRED_INLINE"), 0);
      const std::string carried =
          run_scenario(c.scenario, dir, tag + ".inline.h5", threads, c.seed, c.duration);
      SCOPED_TRACE(tag);
      expect_same_datasets(actors, carried, c.more);
    }
  }
}

// Without failures, inline periods are carried in the order the copies came, not grouped by gateway first
// (sim/network/wired_periods.cpp, carry_in_order): the same rows, link and server loads and latencies as
// with the copies grouped (CITYTWIN_WIRED_IN_ORDER=0), at both thread counts; wifi_cctv.yaml with its CCTV
// streams in SimGrid beside the parking sensors' copies (on the LoRa gateway's fibre, the streams on the
// smart poles'). A copy's link bytes counted wrong by one part in ten million fail it at quickstart's fibre
// (a cell of /timeseries/utilisation).
TEST(Determinism, CopiesCarriedInTheOrderTheyCameGiveWhatGroupedCopiesGave) {
  test::TempDir dir;
  struct Case {
    std::string scenario, duration;
  };
  const std::vector<Case> cases = {{"quickstart.yaml", "6 h"}, {"wifi_cctv.yaml", "1 h"}};
  for (const Case& c : cases) {
    for (int threads : {1, 2}) {
      const std::string tag = c.scenario + "." + std::to_string(threads);
      ASSERT_EQ(setenv("CITYTWIN_WIRED_IN_ORDER", "0", 1), 0);
      const std::string grouped = run_scenario(c.scenario, dir, tag + ".grouped.h5", threads, 5, c.duration);
      ASSERT_EQ(unsetenv("CITYTWIN_WIRED_IN_ORDER"), 0);
      const std::string in_order =
          run_scenario(c.scenario, dir, tag + ".in_order.h5", threads, 5, c.duration);
      SCOPED_TRACE(tag);
      expect_same_datasets(
          grouped, in_order,
          {"/timeseries/network_server", "/timeseries/utilisation", "/kpi/by_type/latency_p95_s"});
      for (const char* kpi : {"latency_gateway_mean_s", "latency_backhaul_mean_s", "latency_server_mean_s"}) {
        const double v = test::read_double_attribute(grouped, "/kpi", kpi);
        EXPECT_TRUE(v > 0.0) << kpi;
        EXPECT_EQ(v, test::read_double_attribute(in_order, "/kpi", kpi)) << kpi;
      }
    }
  }
}

TEST(Determinism, AnotherSeedGivesOtherMessages) {
  test::TempDir dir;
  const std::string a = run_quickstart(dir, "a.h5", 2, 5);
  const std::string b = run_quickstart(dir, "b.h5", 2, 6);
  EXPECT_NE(test::read_dataset_bytes(a, "/messages/t_tx_s"), test::read_dataset_bytes(b, "/messages/t_tx_s"));
}

}  // namespace
}  // namespace citytwin::sim
