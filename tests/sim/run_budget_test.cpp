// The run budget's estimate against what the run builds: the expected radio links of each example
// scenario against the links of its city layout, and the refusals.
#include "sim/app/run_budget.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "models/radio/adr.hpp"
#include "sim/access/radio_medium.hpp"
#include "sim/app/run.hpp"
#include "sim/city/build_city_layout.hpp"
#include "sim/core/thread_pool.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim_test_support.hpp"
#include "tests/sim/rooms.hpp"

namespace citytwin::sim {
namespace {

class RunBudgetLinks : public ::testing::TestWithParam<std::string> {};

TEST_P(RunBudgetLinks, EstimateIsWithinAThirdOfTheLayout) {
  const Scenario sc = load_scenario_file(std::string(CITYTWIN_SOURCE_DIR) + "/scenarios/" + GetParam());
  ThreadPool pool(1);
  const CityLayout city = build_city_layout(sc, sc.run.seed, pool);
  const RunEstimate e = estimate_run(sc);
  EXPECT_EQ(e.devices, city.device_count());
  const double links = static_cast<double>(city.link_gateway.size());
  EXPECT_NEAR(e.links, links, std::max(50.0, links / 3.0)) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(Scenarios, RunBudgetLinks,
                         ::testing::Values("quickstart.yaml", "lorawan_city.yaml", "nbiot_metering.yaml",
                                           "river_flood.yaml", "flood_outage.yaml", "wifi_cctv.yaml"));

TEST(RunBudget, RefusesBeyondMemoryOrTimeUnlessForced) {
  RunEstimate e;
  e.devices = 1000;
  e.memory_bytes = 2e9;
  EXPECT_THROW(check_run_budget(e, uint64_t{1} << 30, 1), RunError);  // 2 GB needed, 1 GiB available
  EXPECT_NO_THROW(check_run_budget(e, uint64_t{1} << 32, 1));
  EXPECT_NO_THROW(check_run_budget(e, uint64_t{1} << 30, 1, true));
  e.memory_bytes = 0;
  e.windows = 1e12;  // 0.5 us each on one thread: ~6 days
  EXPECT_THROW(check_run_budget(e, 0, 1), RunError);
  EXPECT_NO_THROW(check_run_budget(e, 0, 1, true));
  e.windows = 1e9;  // 500 s on one thread, and on two: windows this empty do not wake the pool
  EXPECT_NEAR(e.wall_s(2), e.wall_s(1), 1.0);
  EXPECT_NO_THROW(check_run_budget(e, 0, 2));
  e.windows = 1e8;  // each window holds kMinParallelLinks receptions (as many links at least): on 2 threads
                    // each one wakes the pool
  e.receptions = 1e8 * static_cast<double>(access::RadioMedium::kMinParallelLinks);
  EXPECT_NEAR(e.wall_s(2) - e.wall_s(1), 1e8 * kSecondsPerPoolRound, 1.0);
  e.receptions = 0.0;
  e.devices = kMaxDevices + 1;  // never, forced or not
  EXPECT_THROW(check_run_budget(RunEstimate{e.devices}, 0, 1, true), RunError);
}

// A dense city: the same devices and reports, heard by one gateway or by a thousand. The time estimate
// counts the receptions (uplinks x gateways in range), so the dense city is refused with its estimate
// while the sparse one runs.
Scenario city_with_gateways(int gateways) {
  std::string yaml =
      "city:\n  districts:\n    - {name: a, origin: [0 km, 0 km], size: [1 km, 1 km]}\n"
      "devices:\n  - {name: d, count: 1000000, districts: [a], interval: 1 min, radio: {sf: 7}}\n"
      "gateways:\n";
  for (int g = 0; g < gateways; ++g)
    yaml += "  - {name: g" + std::to_string(g) + ", position: [0.5 km, 0.5 km]}\n";
  yaml += "radio: {shadowing: {sigma: 0 dB}}\nrun: {duration: 24 h}\n";
  return load_scenario_text(yaml);
}

TEST(RunBudget, DenseCityIsRefusedForItsReceptions) {
  const RunEstimate sparse = estimate_run(city_with_gateways(1));
  const RunEstimate dense = estimate_run(city_with_gateways(1000));
  EXPECT_DOUBLE_EQ(sparse.reports, dense.reports);  // 1.44e9 uplinks either way
  EXPECT_NEAR(sparse.receptions / sparse.reports, sparse.links / 1e6, 1e-9);
  EXPECT_NEAR(dense.receptions / sparse.receptions, 1000.0, 1e-6);
  EXPECT_GT(sparse.receptions, 0.5 * sparse.reports);  // the one gateway hears most of the square
  EXPECT_NEAR(dense.compute_s - sparse.compute_s,
              (dense.receptions - sparse.receptions) * kSecondsPerReception +
                  (dense.comms - sparse.comms) * kSecondsPerComm,  // a forward batch per gateway
              1e-6 * dense.compute_s);
  EXPECT_NO_THROW(check_run_budget(sparse, 0, 1));
  try {
    check_run_budget(dense, 0, 1);
    ADD_FAILURE() << "the dense city was not refused: " << dense.describe();
  } catch (const RunError& e) {
    EXPECT_NE(std::string(e.what()).find("receptions"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(check_run_budget(dense, 0, 1, true));
}

// radio.shadowing.correlation_distance: the set-up judges every (device, gateway) pair, a cost of its own
// that the threads share. A million devices under a thousand gateways, reporting once in the run: 1e9 pairs
// at 0.6 us, 600 s on one thread, 300 s on two; without sigma the key does nothing and costs nothing.
TEST(RunBudget, CorrelatedShadowingCountsTheSetUpsPairs) {
  Scenario sc = city_with_gateways(1000);
  sc.devices[0].interval_s = 1e9;  // no report in the day: the set-up alone
  const RunEstimate independent = estimate_run(sc);
  EXPECT_EQ(independent.setup_pairs, 0.0);
  sc.channel.shadowing_correlation_m = 50.0;
  EXPECT_EQ(estimate_run(sc).setup_pairs, 0.0);  // sigma 0 dB: nothing to correlate
  sc.channel.shadowing_sigma_db = 7.8;
  const RunEstimate correlated = estimate_run(sc);
  EXPECT_DOUBLE_EQ(correlated.setup_pairs, 1e9);
  sc.channel.shadowing_correlation_m = 0.0;
  const RunEstimate shadowed = estimate_run(sc);
  EXPECT_NEAR(correlated.wall_s(1) - shadowed.wall_s(1), 1e9 * kSecondsPerCorrelatedPair, 1e-6);
  EXPECT_NEAR(correlated.wall_s(2) - shadowed.wall_s(2), 0.5e9 * kSecondsPerCorrelatedPair, 1e-6);
  EXPECT_NE(correlated.describe().find("set-up pairs"), std::string::npos) << correlated.describe();
  EXPECT_EQ(shadowed.describe().find("set-up pairs"), std::string::npos);
}

// radio.receptions: strongest counts at most K receptions per uplink: the dense city above fits.
TEST(RunBudget, StrongestReceptionsAreCountedAtMostKPerUplink) {
  Scenario dense_sc = city_with_gateways(1000);
  dense_sc.channel.receptions = RadioChannel::Receptions::Strongest;
  dense_sc.channel.strongest_k = 8;
  const RunEstimate dense = estimate_run(dense_sc);
  EXPECT_NEAR(dense.receptions, 8.0 * dense.reports, 1e-6 * dense.receptions);
  EXPECT_NO_THROW(check_run_budget(dense, 0, 1));
  const RunEstimate sparse = estimate_run(city_with_gateways(1));  // fewer links than K: unchanged
  dense_sc = city_with_gateways(1);
  dense_sc.channel.receptions = RadioChannel::Receptions::Strongest;
  EXPECT_DOUBLE_EQ(estimate_run(dense_sc).receptions, sparse.receptions);
}

// The memory estimate counts what the run allocates beyond the links and reports: the K strongest links
// of each LoRa device (position, gateway and gain, 12 B each, and an 8 B offset) with radio.receptions:
// strongest (strongest_only keeps those alone, as its links), and the trace's /messages buffers (seven
// 65,536-row chunks of 61 B rows) unless run.trace: summary.
TEST(RunBudget, MemoryCountsTheStrongestLinksAndTheTraceBuffers) {
  const Scenario exact_sc = city_with_gateways(1000);
  Scenario strongest_sc = exact_sc;
  strongest_sc.channel.receptions = RadioChannel::Receptions::Strongest;
  strongest_sc.channel.strongest_k = 8;
  const RunEstimate exact = estimate_run(exact_sc), strongest = estimate_run(strongest_sc);
  EXPECT_DOUBLE_EQ(strongest.links, exact.links);  // the links are kept either way
  // Every device hears all 1,000 gateways (shadowing off, all at the centre of a 1 km square): K of them.
  EXPECT_NEAR(strongest.memory_bytes - exact.memory_bytes, 1e6 * (8.0 + 12.0 * 8.0), 1.0);
  EXPECT_NEAR(exact.trace_bytes, 7.0 * 65536.0 * 61.0, 1e-6);
  Scenario summary_sc = exact_sc;
  summary_sc.run.trace = Run::Trace::Summary;
  const RunEstimate summary = estimate_run(summary_sc);
  EXPECT_EQ(summary.trace_bytes, 0.0);
  EXPECT_NEAR(exact.memory_bytes - summary.memory_bytes, exact.trace_bytes, 1e-6);
  // strongest_only: the set-up keeps the K links alone, as the device's links (16 B each while built), and
  // the radio medium packs them again, 64 B a device at K = 8 (RadioMedium::packed_words).
  Scenario only_sc = strongest_sc;
  only_sc.channel.receptions = RadioChannel::Receptions::StrongestOnly;
  const RunEstimate only = estimate_run(only_sc);
  EXPECT_NEAR(only.links, 8.0 * 1e6, 1e-6);
  EXPECT_EQ(access::RadioMedium::packed_words(8), 16u);
  EXPECT_NEAR(exact.memory_bytes - only.memory_bytes, (exact.links - only.links) * 16.0 - 1e6 * 64.0, 1.0);
  EXPECT_DOUBLE_EQ(only.receptions, strongest.receptions);
}

// ADR: the network server keeps a history of 84 B for each device of an ADR population, and a slot of 4 B
// for every device once any population uses ADR (sim/access/lorawan_server.hpp).
TEST(RunBudget, MemoryCountsTheAdrHistories) {
  const Scenario fixed_sc = city_with_gateways(1000);
  Scenario adr_sc = fixed_sc;
  adr_sc.devices[0].radio.adr = true;  // every link heard at SF12 too: the same links
  const RunEstimate fixed = estimate_run(fixed_sc), adr = estimate_run(adr_sc);
  EXPECT_DOUBLE_EQ(adr.links, fixed.links);
  // A history a device (the network server's, one line) and a slot a device.
  EXPECT_NEAR(adr.memory_bytes - fixed.memory_bytes,
              1e6 * (static_cast<double>(sizeof(models::radio::RecentMax)) + 4.0), 1.0);
}

// The reports a run of the scenario makes (its KPI), the trace in a temporary folder.
double reports_made(const Scenario& sc) {
  test::TempDir dir;
  RunOptions options;
  options.output_path = dir.file("run.h5");
  options.progress = false;
  const RunSummary summary = run(sc, options);
  const std::map<std::string, double> kpis(summary.kpis.begin(), summary.kpis.end());
  // A compromised device's frames beyond its schedule are rows as reports are, but not reports due.
  const auto attack_frames = kpis.find("attack_frames");
  return kpis.at("reports") + (attack_frames != kpis.end() ? attack_frames->second : 0.0);
}

// An event-driven population samples (an engine event each) and reports fast only when the scenario drives
// what it senses; without a driver it reports periodically (the warning of sim/city/resolve.cpp), and the
// estimate counts its reports alone. Counting its samples anyway had put the realistic 10k city of
// bench/gen_city.py at 21,000 reports a forwarding period against its 125, and so put its wired network on
// the lane, where it ran 12 % slower (bench/RESULTS.md, "Reports estimated as the run makes them").
TEST(RunBudget, EventPopulationsAreCountedBySamplesOnlyWhenDriven) {
  // The catalogue's river_level gauges are event-driven; without drivers.river_level they fall back to
  // their 15 min period (a warning). Given a driver and an event, they sample every 10 s.
  const std::string head =
      "city:\n  districts:\n    - {name: a, origin: [0 km, 0 km], size: [1 km, 1 km]}\n"
      "gateways:\n  - {name: g, position: [0.5 km, 0.5 km]}\n"
      "run: {duration: 2 h, seed: 3}\n"
      "devices:\n  - {name: gauges, type: river_level, count: 500, districts: [a]";
  const Scenario undriven = load_scenario_text(head + "}\n");
  const Scenario driven = load_scenario_text(
      head +
      ",\n     event: {threshold: 4.5 m, fast_interval: 1 min, sample_interval: 10 s, consecutive: 2}}\n" +
      "drivers:\n  river_level: [[0 h, 1 m], [2 h, 1 m]]\n");
  ASSERT_TRUE(undriven.devices[0].event.has_value());  // the catalogue's
  ASSERT_FALSE(undriven.drives("river_level"));
  ASSERT_TRUE(driven.drives("river_level"));
  const double periodic = 500.0 * 7200.0 / 900.0;  // the catalogue's 15 min
  EXPECT_NEAR(estimate_run(undriven).reports, periodic, 1e-6);
  // Driven: reports up to the fast interval's (an upper bound), and a sample every 10 s, neither heard nor
  // written: the receptions are the reports'.
  const RunEstimate e = estimate_run(driven);
  EXPECT_NEAR(e.reports, 500.0 * 7200.0 / 60.0, 1e-6);
  EXPECT_NEAR(e.samples, 500.0 * 7200.0 / 10.0, 1e-6);
  EXPECT_NEAR(e.receptions / e.reports, estimate_run(undriven).receptions / estimate_run(undriven).reports,
              1e-9);
  EXPECT_EQ(estimate_run(undriven).samples, 0.0);

  // The run makes what the estimate says: the undriven gauges' reports.
  EXPECT_NEAR(reports_made(undriven), periodic, 0.02 * periodic);
}

// Counters and bays on drivers.traffic report on the traffic (a report every 50 vehicles, a change of the
// bay) and never sample: Busan's scenario makes ~69,000 reports in its 6 h. Counting the bays' 1 s
// magnetometer samples as reports once put it at 2.6e7 (and on two threads by default).
TEST(RunBudget, TrafficDrivenSensorsAreCountedByTheirTraffic) {
  const Scenario sc =
      load_scenario_file(std::string(CITYTWIN_SOURCE_DIR) + "/scenarios/busan_congestion.yaml");
  const RunEstimate e = estimate_run(sc);
  EXPECT_EQ(e.samples, 0.0);
  EXPECT_EQ(default_run_threads(e, 16), 1);
  const double reports = reports_made(sc);
  EXPECT_GT(reports, 10000.0);
  EXPECT_GE(e.reports, reports);  // an upper bound: the roads at capacity, the bays changing at most
  EXPECT_LE(e.reports, 2.0 * reports);
}

// Compromised devices send their extra frames on top of their reports: city_attacks.yaml's botnet (120
// parking sensors at 50 times their 5 min rate for 45 min, ~52,900 frames) had been left out of an estimate
// of ~52,800 reports for a run that makes ~100,600. Given by ids (population-major), the same devices count
// the same.
TEST(RunBudget, CompromisedDevicesFramesAreCounted) {
  Scenario sc = load_scenario_file(std::string(CITYTWIN_SOURCE_DIR) + "/scenarios/city_attacks.yaml");
  ASSERT_EQ(sc.attacks.compromised.size(), 1u);
  const RunEstimate e = estimate_run(sc);
  const double reports = reports_made(sc);
  EXPECT_GE(e.reports, reports);
  EXPECT_LE(e.reports, 1.25 * reports);
  // The parking sensors are ids 40..1239 (40 river gauges first): 120 of them by id.
  ASSERT_EQ(sc.devices[0].count, 40);
  ASSERT_EQ(sc.devices[1].name, "parking");
  scenario::Compromised& c = sc.attacks.compromised[0];
  c.population.clear();
  for (uint64_t id = 40; id < 160; ++id) c.devices.push_back(id);
  c.devices.push_back(5000);  // no such device: nothing
  EXPECT_NEAR(estimate_run(sc).reports, e.reports, 1e-6);
  EXPECT_NEAR(estimate_run(sc).receptions, e.receptions, 1e-6);
}

// A device in two attacks sends as the first that took it (engine::CompromisedTraffic): the same ids given
// twice count once (the estimate had counted them twice), and a second share of the same population adds, in
// expectation, only the devices the first did not take. The run agrees.
TEST(RunBudget, ADeviceInTwoAttacksIsCountedOnce) {
  Scenario sc = load_scenario_file(std::string(CITYTWIN_SOURCE_DIR) + "/scenarios/city_attacks.yaml");
  ASSERT_EQ(sc.attacks.compromised.size(), 1u);
  const scenario::Compromised botnet = sc.attacks.compromised[0];
  ASSERT_EQ(sc.devices[1].name, botnet.population);
  const double share = std::round(botnet.share * static_cast<double>(sc.devices[1].count)) /
                       static_cast<double>(sc.devices[1].count);
  ASSERT_GT(share, 0.0);
  const double one = estimate_run(sc).reports;
  sc.attacks.compromised.clear();
  const double none = estimate_run(sc).reports;
  ASSERT_GT(one, none);
  // The population's share twice: the second takes the share of what the first left.
  sc.attacks.compromised = {botnet, botnet};
  sc.attacks.compromised[1].name = "second";
  const double twice = estimate_run(sc).reports;
  EXPECT_NEAR(twice - none, (2.0 - share) * (one - none), 1e-6 * one);
  const double made = reports_made(sc);
  EXPECT_GE(twice, made);
  EXPECT_LE(twice, 1.25 * made);
  // The same ids twice: once.
  scenario::Compromised by_id = botnet;
  by_id.population.clear();
  for (uint64_t id = 40; id < 160; ++id)
    by_id.devices.push_back(id);  // 120 parking sensors (40 gauges first)
  sc.attacks.compromised = {by_id};
  const double ids_once = estimate_run(sc).reports;
  EXPECT_NEAR(ids_once, one, 1e-6 * one);
  sc.attacks.compromised = {by_id, by_id};
  sc.attacks.compromised[1].name = "second";
  EXPECT_NEAR(estimate_run(sc).reports, ids_once, 1e-6 * one);
}

// Without --threads, every core for a city whose windows hold enough receptions for the threads to pay, one
// for a smaller one: 1,000 devices every minute heard by one gateway hold ~17 receptions a window.
TEST(RunBudget, DefaultThreadsAreOneForACityTooSmallForThePool) {
  const RunEstimate big = estimate_run(city_with_gateways(1));  // 1e6 devices every minute: ~16,000
  ASSERT_GE(receptions_per_window(big), kMinReceptionsPerWindowForThreads);
  EXPECT_EQ(default_run_threads(big, 16), 16);
  EXPECT_EQ(default_run_threads(big, 1), 1);
  Scenario small_sc = city_with_gateways(1);
  small_sc.devices[0].count = 1000;
  const RunEstimate small = estimate_run(small_sc);
  EXPECT_NEAR(receptions_per_window(small), receptions_per_window(big) / 1000.0, 1e-9);
  EXPECT_EQ(default_run_threads(small, 16), 1);
  EXPECT_EQ(run_thread_count(small_sc, 3), 3);  // asked for: always
  EXPECT_EQ(run_thread_count(small_sc, std::nullopt), 1);
  EXPECT_EQ(receptions_per_window(RunEstimate{}), 0.0);
}

// A rank's cores: its affinity set, at most its share of the node's (Open MPI binds 2 ranks to a core each,
// 3 or more each to the whole socket).
TEST(RunBudget, ARankTakesItsShareOfTheNodesCores) {
  EXPECT_EQ(cores_for_a_rank(16, 16, 1), 16);  // alone
  EXPECT_EQ(cores_for_a_rank(4, 16, 1), 4);    // taskset to 4
  EXPECT_EQ(cores_for_a_rank(1, 2, 2), 1);     // bound to a core each
  EXPECT_EQ(cores_for_a_rank(2, 2, 3), 1);     // 3 ranks bound to the 2-core socket: 1 each, not 2
  EXPECT_EQ(cores_for_a_rank(16, 16, 4), 4);   // unbound: a quarter each
  EXPECT_EQ(cores_for_a_rank(8, 16, 4), 4);    // 2 sockets of 8, 2 ranks on each
  EXPECT_EQ(cores_for_a_rank(16, 16, 0), 16);  // (a count of 0 read as 1)
}

TEST(RunBudget, ExpectedFailureIntervalsAreBounded) {
  Scenario sc = load_scenario_file(std::string(CITYTWIN_SOURCE_DIR) + "/scenarios/flood_outage.yaml");
  sc.drivers.failures.push_back(Failure{"ccc", 0.0, 0.0, 1e-3, 1e-3});  // over a day: ~4e7 intervals
  EXPECT_THROW(check_run_budget(estimate_run(sc), 0, 1, true), RunError);
}

}  // namespace
}  // namespace citytwin::sim
