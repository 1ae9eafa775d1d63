// The run budget's estimate against what the run builds: the expected radio links of each example
// scenario against the links of its city layout, and the refusals.
#include "sim/app/run_budget.hpp"

#include <gtest/gtest.h>

#include <string>

#include "sim/app/run.hpp"
#include "sim/city/city_layout.hpp"
#include "sim/core/thread_pool.hpp"
#include "sim/scenario/scenario_loader.hpp"
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
  e.windows = 1e9;  // 500 s on one thread; with a pool round each on 2 threads, ~14 h: still in
  EXPECT_NO_THROW(check_run_budget(e, 0, 2));
  e.windows = 1e10;  // ~6 days on 2 threads
  EXPECT_THROW(check_run_budget(e, 0, 2), RunError);
  e.devices = kMaxDevices + 1;  // never, forced or not
  EXPECT_THROW(check_run_budget(RunEstimate{e.devices}, 0, 1, true), RunError);
}

TEST(RunBudget, ExpectedFailureIntervalsAreBounded) {
  Scenario sc = load_scenario_file(std::string(CITYTWIN_SOURCE_DIR) + "/scenarios/flood_outage.yaml");
  sc.drivers.failures.push_back(Failure{"ccc", 0.0, 0.0, 1e-3, 1e-3});  // over a day: ~4e7 intervals
  EXPECT_THROW(check_run_budget(estimate_run(sc), 0, 1, true), RunError);
}

}  // namespace
}  // namespace citytwin::sim
