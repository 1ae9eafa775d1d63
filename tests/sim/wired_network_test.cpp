// The wired network on the bus: a copy reaches the network server after the gateway's forward delay and
// the route's latency, the first copy of a frame delivers it and the later ones are duplicates, a
// delivered frame is handed to the platform once, and copies reaching a network server that is down are
// lost (server_down) and attributed to its failure. SimGrid allows one engine per process: ctest runs
// each test in its own process.
#include "sim/network/wired_network.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "sim/access/access_network.hpp"
#include "sim/drivers/failure_schedule.hpp"
#include "sim/network/wired_bus.hpp"
#include "tests/sim/component_city.hpp"
#include "tests/sim/rooms.hpp"

namespace citytwin::sim {
namespace {

std::string city(const std::string& drivers) {
  return "city:\n"
         "  districts:\n"
         "    - {name: centre, origin: [0 m, 0 m], size: [1 km, 1 km]}\n"
         "devices:\n"
         "  - {name: d, count: 1, districts: [centre]}\n"
         "gateways:\n"
         "  - {name: a, position: [200 m, 500 m], backhaul: {fibre_length: 2 km}}\n"
         "  - {name: b, position: [800 m, 500 m], backhaul: {fibre_length: 40 km}}\n" +
         drivers + "run:\n  duration: 1 h\n";
}

struct Heard {
  std::vector<events::CopyDelivered> delivered;
  std::vector<events::CopyDropped> dropped;
  std::vector<events::MessageIngested> ingested;
};

void listen(events::Bus& bus, Heard& heard) {
  bus.subscribe<events::CopyDelivered>([&](const events::CopyDelivered& e) { heard.delivered.push_back(e); });
  bus.subscribe<events::CopyDropped>([&](const events::CopyDropped& e) { heard.dropped.push_back(e); });
  bus.subscribe<events::MessageIngested>(
      [&](const events::MessageIngested& e) { heard.ingested.push_back(e); });
}

// A frame received intact by the given gateways at t_s: published, each gateway forwards its copy.
events::FrameResolved frame(uint64_t seq, double t_s, std::span<const uint32_t> gateways) {
  events::FrameResolved f;
  f.seq = seq;
  f.gateways_received = gateways;
  f.t_received_s = t_s;
  return f;
}

// scenario::route_latency_s (what the LoRaWAN server times its downlinks by, on every MPI rank, without
// SimGrid) is the latency of the SimGrid route the wired network builds, for every kind of backhaul: a
// PON behind an OLT on a core ring, fibre, cellular, a leased line, a three-hop Wi-Fi mesh. By hand: the
// PON gateway's 300 m drop + 2 km PON + 4 km backbone + the core's shortest route, n1-dc (6 km), is
// 12.3 km of fibre, 61.5 us; the leased line 15 ms + 3 km (15 us); the mesh 3 x 2 ms.
TEST(WiredNetwork, RouteLatencyFromTheScenarioIsSimGridsRoute) {
  const test::ComponentCity c(
      "city:\n"
      "  districts:\n"
      "    - {name: centre, origin: [0 m, 0 m], size: [1 km, 1 km]}\n"
      "devices:\n"
      "  - {name: d, count: 1, districts: [centre]}\n"
      "fibre:\n"
      "  core:\n"
      "    data_centre: dc\n"
      "    links:\n"
      "      - {between: [n1, dc], length: 6 km}\n"
      "      - {between: [n1, n2], length: 5 km}\n"
      "      - {between: [n2, dc], length: 9 km}\n"
      "  olts:\n"
      "    - {name: o1, node: n1, backbone_length: 4 km}\n"
      "  pons:\n"
      "    - {name: p1, olt: o1, length: 2 km}\n"
      "gateways:\n"
      "  - {name: pon, position: [100 m, 100 m], backhaul: {kind: pon, pon: p1, drop_length: 300 m}}\n"
      "  - {name: fibre, position: [200 m, 500 m], backhaul: {fibre_length: 7 km}}\n"
      "  - {name: cell, position: [300 m, 500 m], backhaul: {kind: cellular, latency: 40 ms}}\n"
      "  - {name: leased, position: [400 m, 500 m],\n"
      "     backhaul: {kind: leased_line, latency: 15 ms, fibre_length: 3 km}}\n"
      "  - {name: mesh, position: [500 m, 500 m], backhaul: {kind: wifi_mesh, latency: 2 ms, hops: 3}}\n"
      "run:\n  duration: 1 h\n");
  const GatewayTimeline timeline(c.scenario, {});
  events::Bus bus;
  const auto wired = make_wired_network(c.scenario, timeline, bus);
  const double expected[] = {12.3e3 * scenario::kFibreDelayPerMetre_s, 7e3 * scenario::kFibreDelayPerMetre_s,
                             0.040, 0.015 + 3e3 * scenario::kFibreDelayPerMetre_s, 3 * 0.002};
  ASSERT_EQ(c.scenario.gateways.size(), 5u);
  for (uint32_t g = 0; g < 5; ++g) {
    EXPECT_NEAR(scenario::route_latency_s(c.scenario, c.scenario.gateways[g]), expected[g], 1e-12) << g;
    EXPECT_NEAR(wired->route_latency_s(g), expected[g], 1e-12) << g;
  }
}

TEST(WiredNetwork, TheFirstCopyDeliversAndTheOtherIsADuplicate) {
  const test::ComponentCity c(city(""));
  const GatewayTimeline timeline(c.scenario, {});
  events::Bus bus;
  Heard heard;
  listen(bus, heard);
  const auto wired = make_wired_network(c.scenario, timeline, bus);
  const std::vector<uint32_t> both = {0, 1};
  bus.publish(frame(0, 1.0, both));
  wired->advance(10.0);
  wired->drain(10.0);
  ASSERT_EQ(heard.delivered.size(), 2u);
  EXPECT_TRUE(heard.delivered[0].first);
  EXPECT_FALSE(heard.delivered[1].first);
  // Gateway a's copy (2 km of fibre) arrives before b's (40 km): it delivers, after the forward delay
  // and at least the route's propagation.
  EXPECT_LT(heard.delivered[0].t_delivered_s, heard.delivered[1].t_delivered_s);
  EXPECT_GT(heard.delivered[0].t_delivered_s,
            1.0 + c.scenario.gateways[0].forward_delay_s + wired->route_latency_s(0));
  EXPECT_LT(heard.delivered[0].t_delivered_s, 1.1);
  EXPECT_GE(wired->route_latency_s(1) - wired->route_latency_s(0), 38e3 * scenario::kFibreDelayPerMetre_s);
  ASSERT_EQ(heard.ingested.size(), 1u);  // the platform takes the frame once
  EXPECT_EQ(heard.ingested[0].seq, 0u);
  EXPECT_EQ(wired->copies_forwarded(), 2u);
  EXPECT_TRUE(heard.dropped.empty());
}

// A confirmed report's retry (its ACK unheard) reaches the server: delivered and acknowledged, but its report
// was passed on already, so the platform takes the report once (sim/network/server_frames.hpp).
TEST(WiredNetwork, AConfirmedReportReachesThePlatformOnceWhateverItsRetries) {
  const test::ComponentCity c(city(""));
  const GatewayTimeline timeline(c.scenario, {});
  events::Bus bus;
  Heard heard;
  listen(bus, heard);
  const auto wired = make_wired_network(c.scenario, timeline, bus);
  const std::vector<uint32_t> a = {0};
  const auto confirmed = [&](uint64_t seq, double t_s, uint8_t attempt) {
    events::FrameResolved f = frame(seq, t_s, a);
    f.tx.confirmed = true;
    f.tx.attempt = attempt;
    return f;
  };
  bus.publish(confirmed(0, 1.0, 0));
  bus.publish(confirmed(1, 5.0, 1));   // the retry of report 1
  bus.publish(confirmed(2, 60.0, 0));  // report 2
  wired->advance(100.0);
  wired->drain(100.0);
  ASSERT_EQ(heard.delivered.size(), 3u);
  for (const events::CopyDelivered& d : heard.delivered) EXPECT_TRUE(d.first);
  EXPECT_FALSE(heard.delivered[0].retransmission);
  EXPECT_TRUE(heard.delivered[1].retransmission);
  EXPECT_FALSE(heard.delivered[2].retransmission);
  ASSERT_EQ(heard.ingested.size(), 2u);
  EXPECT_EQ(heard.ingested[0].seq, 0u);
  EXPECT_EQ(heard.ingested[1].seq, 2u);
}

TEST(WiredNetwork, CopiesReachingAServerThatIsDownAreLost) {
  const test::ComponentCity c(
      city("drivers:\n  failures: [{target: network_server, start: 0 s, end: 100 s}]\n"));
  const GatewayTimeline timeline(c.scenario, failure_schedule(c.scenario, 1));
  events::Bus bus;
  Heard heard;
  listen(bus, heard);
  const auto wired = make_wired_network(c.scenario, timeline, bus);
  const std::vector<uint32_t> a = {0};
  bus.publish(frame(0, 50.0, a));   // the server is down when it arrives
  bus.publish(frame(1, 150.0, a));  // back up
  wired->advance(200.0);
  wired->drain(200.0);
  ASSERT_EQ(heard.dropped.size(), 1u);
  EXPECT_EQ(heard.dropped[0].seq, 0u);
  EXPECT_EQ(heard.dropped[0].reason, output::FailReason::ServerDown);
  EXPECT_EQ(heard.dropped[0].failure, 0);
  ASSERT_EQ(heard.delivered.size(), 1u);
  EXPECT_EQ(heard.delivered[0].seq, 1u);
  EXPECT_TRUE(heard.delivered[0].first);
  EXPECT_EQ(wired->failure_effects().at(0).copies_lost, 1u);
}

}  // namespace
}  // namespace citytwin::sim
