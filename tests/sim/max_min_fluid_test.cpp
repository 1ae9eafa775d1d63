// Max-min sharing as a fluid in time (sim/network/max_min_fluid.hpp) against sharing worked by hand:
// equal shares and the bandwidth freed by the first flow to finish, CM02's RTT weighting (a flow's
// share is inversely proportional to its latency), a flow held at its bound, the classic two-link
// max-min example, and an unsaturated link on which every flow gets its bound; the upper bound on a
// link's traffic that decides which links can couple flows.
#include "sim/network/max_min_fluid.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace citytwin::sim::network {
namespace {

FluidFlow flow(double latency_s, double bytes, double bound_Bps, std::vector<size_t> links,
               double start_s = 0.0) {
  FluidFlow f;
  f.start_s = start_s;
  f.latency_s = latency_s;
  f.bytes = bytes;
  f.bound_Bps = bound_Bps;
  f.links = std::move(links);
  return f;
}

TEST(MaxMinFluid, TwoEqualFlowsShareThenTheSecondTakesTheLink) {
  // C = 1 MB/s, both after 100 us: C/2 each until the first (1 kB) is done at L + 2 B1 / C; the
  // second (3 kB) then has 2 kB left at C: done at L + (B1 + B2) / C.
  const double c = 1e6, l = 1e-4;
  const auto finish = max_min_finish_times({flow(l, 1000, 1e9, {0}), flow(l, 3000, 1e9, {0})}, {c});
  EXPECT_NEAR(finish[0], l + 2 * 1000 / c, 1e-12);
  EXPECT_NEAR(finish[1], l + 4000 / c, 1e-12);
}

TEST(MaxMinFluid, SharesAreInverselyProportionalToLatency) {
  // CM02: the penalty of a flow is its latency. Flow 1 (100 us) is alone from 100 to 200 us at C
  // (100 B); then shares 2/3 and 1/3 of C: flow 1's last 1000 B take 1.5 ms (done at 1.7 ms), in
  // which flow 2 (200 us) sends 500 B; its last 1000 B go at C: done at 2.7 ms.
  const double c = 1e6;
  const auto finish = max_min_finish_times({flow(1e-4, 1100, 1e9, {0}), flow(2e-4, 1500, 1e9, {0})}, {c});
  EXPECT_NEAR(finish[0], 1.7e-3, 1e-12);
  EXPECT_NEAR(finish[1], 2.7e-3, 1e-12);
}

TEST(MaxMinFluid, AFlowAtItsBoundLeavesTheRestToTheOthers) {
  // Bounds 0.25 C and 2 C on a link of C: 0.25 C and 0.75 C.
  const double c = 1.5e8;
  const std::vector<FluidFlow> flows = {flow(1e-4, 1, 0.25 * c, {0}), flow(1e-4, 1, 2 * c, {0})};
  const std::vector<double> rates = max_min_rates(flows, {0, 1}, {c}, 1e-5);
  EXPECT_DOUBLE_EQ(rates[0], 0.25 * c);
  EXPECT_NEAR(rates[1], 0.75 * c, 1e-6 * c);
}

TEST(MaxMinFluid, TheClassicTwoLinkExample) {
  // Link X (1 MB/s) carries a and b, link Y (2 MB/s) carries b and c, equal latencies: X saturates
  // first (a = b = 0.5), then c takes what b leaves of Y (1.5).
  const std::vector<FluidFlow> flows = {flow(1e-4, 1, 1e9, {0}), flow(1e-4, 1, 1e9, {0, 1}),
                                        flow(1e-4, 1, 1e9, {1})};
  const std::vector<double> rates = max_min_rates(flows, {0, 1, 2}, {1e6, 2e6}, 1e-5);
  EXPECT_NEAR(rates[0], 0.5e6, 1e-6);
  EXPECT_NEAR(rates[1], 0.5e6, 1e-6);
  EXPECT_NEAR(rates[2], 1.5e6, 1e-6);
}

TEST(MaxMinFluid, OnAnUnsaturatedLinkEveryFlowGetsItsBound) {
  // 1 Gbps ONT ports (125 MB/s) on a 10 Gbps link: each batch lasts bytes / bound after its latency.
  const double bound = 1.25e8;
  std::vector<FluidFlow> flows;
  for (int i = 0; i < 5; ++i) flows.push_back(flow(5e-5 + 1e-6 * i, 1250.0 * (i + 1), bound, {0}, 10.0));
  const auto finish = max_min_finish_times(flows, {1.25e9});
  for (int i = 0; i < 5; ++i)
    EXPECT_NEAR(finish[i], 10.0 + flows[i].latency_s + flows[i].bytes / bound, 1e-12);
}

TEST(MaxMinFluid, ASaturatedPonCarriesItsCapacity) {
  // 32 ONT ports of 1 Gbps start at once on a 1.24416 Gbps upstream, with the same latency: the
  // upstream is full until the last batch ends, so the last ends at L + total bytes / capacity.
  const double capacity = 1.24416e9 / 8, bound = 1e9 / 8, l = 8e-5;
  std::vector<FluidFlow> flows;
  double total = 0.0;
  for (int i = 0; i < 32; ++i) {
    flows.push_back(flow(l, 250.0 * (1 + i % 7), bound, {0}));
    total += flows.back().bytes;
  }
  const auto finish = max_min_finish_times(flows, {capacity});
  double last = 0.0;
  for (double f : finish) last = std::max(last, f);
  EXPECT_NEAR(last, l + total / capacity, 1e-12);
}

TEST(MaxMinFluid, GroupsAreSolvedApartOnOneClock) {
  // Two links, one flow alone on each: independent. The second's latency ends 0.5 ns after an event
  // of the other group: SimGrid (timing precision 1 ns) starts its transfer with that event.
  const double c = 1e6;
  const auto finish = max_min_finish_times({flow(1e-4, 1000, 2e6, {0}), flow(2e-4 + 5e-10, 1000, 2e6, {1})},
                                           {c, c}, {}, {2e-4});
  EXPECT_NEAR(finish[0], 1e-4 + 1e-3, 1e-15);
  EXPECT_NEAR(finish[1], 2e-4 + 1e-3, 1e-15);
}

TEST(MaxMinFluid, AGroupWithAFlowWithoutLatencyIsNotModelled) {
  const auto finish = max_min_finish_times(
      {flow(0.0, 1000, 1e6, {0}), flow(1e-4, 1000, 1e6, {0}), flow(1e-4, 1000, 1e6, {1})}, {1e6, 1e6});
  EXPECT_TRUE(std::isnan(finish[0]));
  EXPECT_TRUE(std::isnan(finish[1]));
  EXPECT_NEAR(finish[2], 1.1e-3, 1e-15);
}

TEST(LinkTrafficBound, APonCapsWhatItsGatewaysCanSendUpstream) {
  // Links: 0..1 PONs (1.24416 Gbps), 2 a 10 Gbps OLT backbone, 3 a 1 Tbps aggregation link; 8 ONT ports
  // per PON (1 Gbps, links 4..19). Each PON can carry 8 Gbps of bounds but only 1.24416 Gbps: the
  // backbone's bound is 2 x 1.24416, never its 10 Gbps, and so is the aggregation link's.
  const double pon = 1.24416e9 / 8, port = 1e9 / 8;
  std::vector<double> bandwidth = {pon, pon, 1.25e9, 125e9};
  std::vector<std::vector<size_t>> routes;
  std::vector<double> bounds;
  for (size_t g = 0; g < 16; ++g) {
    bandwidth.push_back(port);
    routes.push_back({4 + g, g / 8, 2, 3});
    bounds.push_back(port);
  }
  const std::vector<double> bound = link_traffic_bound(routes, bounds, bandwidth);
  EXPECT_DOUBLE_EQ(bound[0], 8 * port);  // the PON itself can be offered all its ports
  EXPECT_DOUBLE_EQ(bound[2], 2 * pon);
  EXPECT_DOUBLE_EQ(bound[3], 2 * pon);
  EXPECT_DOUBLE_EQ(bound[4], port);
}

TEST(LinkTrafficBound, RoutesInACycleStillGiveAnUpperBound) {
  // Flow a crosses link 0 then 1, flow b 1 then 0 (bounds 5 and 7, links of 1): each link carries at
  // most 2 (both flows at 1). Where the recursion meets the cycle it takes the plain sum (12): a valid
  // bound, between the two.
  const std::vector<double> bound = link_traffic_bound({{0, 1}, {1, 0}}, {5.0, 7.0}, {1.0, 1.0});
  for (double b : bound) {
    EXPECT_GE(b, 2.0);
    EXPECT_LE(b, 12.0);
  }
  EXPECT_DOUBLE_EQ(bound[0], 5.0 + 1.0);  // a's own bound, and b capped by link 1's bandwidth
}

}  // namespace
}  // namespace citytwin::sim::network
