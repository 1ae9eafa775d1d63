// A run stopped before its planned end ends its CCTV streams and its failure schedule where it stopped:
// the drain carries what is on the wire and simulates nothing past the stop. Before, a stopped run's
// streams ran on to the planned end in the drain (a 200-day run: tens of seconds after the stop, what
// made sim.StopSignal.ChildRunsStopWhenTheirParentIsKilled miss its 20 s now and then), and counted
// the outages after the stop in /kpi/failures and /kpi/by_access_point. SimGrid allows one engine per
// process: ctest runs each test in its own process.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/app/run.hpp"
#include "sim/core/stop.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim_test_support.hpp"

namespace citytwin::sim {
namespace {

// One camera on an access point whose fibre is cut from 60 s to 1 d (across the stop at 120 s) and
// again from 2 d to 3 d (after it), in a run planned for 30 days.
const char* const kCity =
    "city:\n  districts:\n    - {name: centre, origin: [0 m, 0 m], size: [60 m, 60 m]}\n"
    "devices:\n  - {name: cam, technology: wifi, stream: 2 Mbps, power: mains, count: 1, districts: "
    "[centre]}\n"
    "gateways:\n  - {name: ap, technology: wifi, position: [30 m, 30 m], backhaul: {fibre_length: 200 m}}\n"
    "drivers:\n  failures:\n"
    "    - {target: 'fibre:ap', start: 60 s, end: 1 d}\n"
    "    - {target: 'fibre:ap', start: 2 d, end: 3 d}\n"
    "run: {duration: 30 d, seed: 3}\n";

TEST(WiredStop, AStoppedRunsStreamOutagesEndWhereItStopped) {
  const scenario::Scenario sc = scenario::load_scenario_text(kCity, "<test>");
  test::TempDir dir;
  app::RunOptions options;
  options.output_path = dir.file("stopped.h5");
  options.progress = false;
  options.threads = 1;
  double stopped_at = -1.0;
  options.on_progress = [&stopped_at](double t_s, double, uint64_t) {
    if (stopped_at < 0.0 && t_s >= 120.0) {
      stopped_at = t_s;
      core::request_stop();
    }
  };
  const app::RunSummary summary = app::run(sc, options);
  ASSERT_FALSE(summary.complete);
  ASSERT_EQ(stopped_at, 120.0);
  const std::string out = summary.output_path;
  EXPECT_EQ(test::read_double_attribute(out, "/meta", "simulated_s"), 120.0);
  // The cut across the stop is a row (the one after it is not), and its stream outage is 60 s, not 1 d.
  EXPECT_EQ(test::read_doubles(out, "/kpi/failures/start_s"), std::vector<double>{60.0});
  const std::vector<double> failure_outage = test::read_doubles(out, "/kpi/failures/stream_outage_s");
  ASSERT_EQ(failure_outage.size(), 1u);
  EXPECT_NEAR(failure_outage[0], 60.0, 1e-6);
  const std::vector<double> ap_outage = test::read_doubles(out, "/kpi/by_access_point/outage_s");
  ASSERT_EQ(ap_outage.size(), 1u);
  EXPECT_NEAR(ap_outage[0], 60.0, 1e-6);
}

}  // namespace
}  // namespace citytwin::sim
