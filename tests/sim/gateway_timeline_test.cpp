// The gateway timeline: power cuts past each gateway's backup, route failures and network-server
// failures, merged per gateway, with the cause of each state.
#include "sim/drivers/gateway_timeline.hpp"

#include <gtest/gtest.h>

#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::drivers {
namespace {
using scenario::Failure;
using scenario::Scenario;

// Two districts side by side; gateway a (fibre, 30 min backup) in west, b (fibre, no backup) in east,
// c outside both.
Scenario city() {
  Scenario sc;
  sc.run.duration_s = 86400;
  sc.city.districts = {{"west", 0, 0, 1000, 1000}, {"east", 1000, 0, 2000, 1000}};
  scenario::Gateway a, b, c;
  a.name = "a";
  a.x_m = 500;
  a.y_m = 500;
  a.backup_s = 1800;
  b.name = "b";
  b.x_m = 1500;
  b.y_m = 500;
  c.name = "c";
  c.x_m = 5000;
  c.y_m = 500;
  sc.gateways = {a, b, c};
  return sc;
}

TEST(GatewayTimeline, PowerCutsStartWhenTheBackupRunsOut) {
  Scenario sc = city();
  sc.drivers.power_outages = {{{"west", "east"}, 3600, 7200}};
  const GatewayTimeline t(sc, {});
  // a: 30 min of backup, off from 1.5 h to 2 h; b: off from 1 h; c: no district, never off.
  ASSERT_EQ(t.off_intervals(0).size(), 1u);
  EXPECT_EQ(t.off_intervals(0)[0].t0_s, 5400);
  EXPECT_EQ(t.off_intervals(0)[0].t1_s, 7200);
  EXPECT_TRUE(t.powered(0, 5399.999));
  EXPECT_FALSE(t.powered(0, 5400));  // half-open: off at its start ...
  EXPECT_TRUE(t.powered(0, 7200));   // ... and back at its end
  EXPECT_FALSE(t.powered(1, 3600));
  EXPECT_TRUE(t.off_intervals(2).empty());
  EXPECT_TRUE(t.powered(2, 6000));
  EXPECT_EQ(t.power_cut_at(0, 6000), 0);
  EXPECT_EQ(t.power_cut_at(0, 4000), -1);  // the backup still holds
  // A frame on the air across the start of the cut is lost; one ending as it starts is not.
  EXPECT_TRUE(t.off_during(0, 5399, 5401));
  EXPECT_FALSE(t.off_during(0, 5390, 5400));
  EXPECT_FALSE(t.off_during(0, 7200, 7201));
  // Unknown gateways (layouts larger than the scenario's list) are always up.
  EXPECT_TRUE(t.reachable(7, 6000));
}

TEST(GatewayTimeline, ACutShorterThanTheBackupLeavesTheGatewayOn) {
  Scenario sc = city();
  sc.drivers.power_outages = {{{"west"}, 3600, 3600 + 1800}, {{"west"}, 10000, 10000 + 1799}};
  const GatewayTimeline t(sc, {});
  EXPECT_TRUE(t.off_intervals(0).empty());
  EXPECT_TRUE(t.power_cuts(0).empty());
}

TEST(GatewayTimeline, OverlappingCutsMergeAndKeepTheirCauses) {
  Scenario sc = city();
  sc.drivers.power_outages = {
      {{"east"}, 1000, 3000}, {{"east"}, 2000, 5000}, {{"east"}, 5000, 6000}, {{"east"}, 8000, 9000}};
  const GatewayTimeline t(sc, {});
  const auto& off = t.off_intervals(1);
  ASSERT_EQ(off.size(), 2u);  // overlapping and touching cuts join
  EXPECT_EQ(off[0].t0_s, 1000);
  EXPECT_EQ(off[0].t1_s, 6000);
  EXPECT_EQ(off[1].t0_s, 8000);
  EXPECT_EQ(t.power_cuts(1).size(), 4u);
  EXPECT_EQ(t.power_cut_at(1, 2500), 0);  // the first cut covering t
  EXPECT_EQ(t.power_cut_at(1, 3500), 1);
  EXPECT_EQ(t.power_cut_at(1, 5000), 2);
  EXPECT_EQ(t.power_cut_at(1, 8500), 3);
  EXPECT_EQ(t.power_cut_at(1, 7000), -1);
}

// Cuts that overlap or touch are one stretch without mains: the backup drains once, not once a cut.
TEST(GatewayTimeline, TheBackupDrainsOnceThroughOverlappingCuts) {
  Scenario sc = city();  // a: 30 min of backup
  sc.drivers.power_outages = {{{"west"}, 3600, 4800}, {{"west"}, 4200, 6000}, {{"west"}, 6000, 6600}};
  const GatewayTimeline t(sc, {});
  // Mains off from 1 h to 1 h 50 min: the backup lasts to 1.5 h. Each cut alone would leave a on (the first
  // is 20 min long, the last 10) or off from 4200 + 1800 = 6000 s.
  ASSERT_EQ(t.off_intervals(0).size(), 1u);
  EXPECT_EQ(t.off_intervals(0)[0].t0_s, 5400);
  EXPECT_EQ(t.off_intervals(0)[0].t1_s, 6600);
  EXPECT_EQ(t.power_cut_at(0, 5500), 1);  // the cut in force
  EXPECT_EQ(t.power_cut_at(0, 6300), 2);
  // A gap between cuts lets the backup recharge: the second cut starts a stretch of its own.
  sc.drivers.power_outages = {{{"west"}, 3600, 4800}, {{"west"}, 4801, 6000}};
  const GatewayTimeline apart(sc, {});
  EXPECT_TRUE(apart.off_intervals(0).empty());
  // An OLT in the district goes the same way (its backbone a failure from its backup's end).
  const std::vector<BackupOutage> olt =
      backup_runs_out({{{"west"}, 0, 1000}, {{"east"}, 500, 900}, {{"west"}, 900, 2500}}, "west", 2000);
  ASSERT_EQ(olt.size(), 1u);
  EXPECT_EQ(olt[0].t0_s, 2000);
  EXPECT_EQ(olt[0].t1_s, 2500);
  EXPECT_EQ(olt[0].cause, 2);
}

TEST(GatewayTimeline, RouteAndServerFailuresAreAttributedToTheirScheduleEntry) {
  Scenario sc = city();
  sc.drivers.power_outages = {{{"west"}, 0, 2000}};  // a is off from 1800 s (its backup) to 2000 s
  const std::vector<Failure> schedule = {{"fibre:a", 50, 200, 0, 0},
                                         {"network_server", 300, 400, 0, 0},
                                         {"fibre:b", 350, 500, 0, 0},
                                         {"fibre:a", 150, 250, 0, 0}};
  const GatewayTimeline t(sc, schedule);
  EXPECT_EQ(t.failures().size(), 4u);
  ASSERT_EQ(t.backhaul_failures(0).size(), 2u);  // unmerged, in schedule order
  EXPECT_EQ(t.backhaul_failure_at(0, 100), 0);
  EXPECT_EQ(t.backhaul_failure_at(0, 175), 0);
  EXPECT_EQ(t.backhaul_failure_at(0, 225), 3);
  EXPECT_EQ(t.backhaul_failure_at(0, 250), -1);
  EXPECT_TRUE(t.backhaul_up(1, 100));
  EXPECT_EQ(t.backhaul_failure_at(1, 400), 2);
  EXPECT_EQ(t.server_failure_at(350), 1);
  EXPECT_TRUE(t.server_up(400));
  // reachable: powered, route up and server up.
  EXPECT_FALSE(t.reachable(0, 1900));  // no power
  EXPECT_TRUE(t.reachable(0, 20));     // on its backup
  EXPECT_FALSE(t.reachable(0, 60));    // route down
  EXPECT_TRUE(t.reachable(0, 260));
  EXPECT_FALSE(t.reachable(2, 320));  // server down, for every gateway
  EXPECT_TRUE(t.reachable(2, 200));
  // down_intervals: power and route together, merged; the server's own failures aside.
  const auto& down = t.down_intervals(0);
  ASSERT_EQ(down.size(), 2u);
  EXPECT_EQ(down[0].t0_s, 50);
  EXPECT_EQ(down[0].t1_s, 250);
  EXPECT_EQ(down[1].t0_s, 1800);
  EXPECT_EQ(down[1].t1_s, 2000);
  EXPECT_TRUE(t.down_intervals(2).empty());
}

}  // namespace
}  // namespace citytwin::sim::drivers
