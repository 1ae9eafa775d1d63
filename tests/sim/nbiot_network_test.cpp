// The NB-IoT cells: a message in coverage is served by its cell after the random access and its data;
// a device out of coverage is not heard; a cell without power serves nothing (its messages are lost as
// gateway_down) and serves again once power is back. On the bus, a served message is a resolved frame
// with its cell as the one gateway and the module's charge is drawn from the device.
#include "sim/access/nbiot_network.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "tests/sim/component_city.hpp"
#include "tests/sim/rooms.hpp"

namespace citytwin::sim {
namespace {

// Device 0 near the cell, device 1 in a district 100 km away; the cell's district loses power from
// 1 h to 2 h (no backup).
const std::string kCity =
    "city:\n"
    "  districts:\n"
    "    - {name: centre, origin: [0 m, 0 m], size: [1 km, 1 km]}\n"
    "    - {name: far, origin: [100 km, 0 m], size: [1 km, 1 km]}\n"
    "devices:\n"
    "  - {name: near, count: 1, districts: [centre], technology: nbiot, interval: 1 h}\n"
    "  - {name: remote, count: 1, districts: [far], technology: nbiot, interval: 1 h}\n"
    "gateways:\n"
    "  - {name: enb, technology: nbiot, position: [500 m, 500 m]}\n"
    "drivers:\n"
    "  power_outages: [{districts: [centre], start: 1 h, end: 2 h}]\n"
    "run:\n"
    "  duration: 3 h\n";

Transmission message(uint32_t device, double t_ready_s) {
  Transmission tx;
  tx.device = device;
  tx.t_start_s = t_ready_s;
  tx.t_end_s = t_ready_s;
  tx.technology = Technology::NbIot;
  return tx;
}

class NbiotNetworkTest : public testing::Test {
 protected:
  NbiotNetworkTest() : c_(kCity), timeline_(c_.scenario, {}), nbiot_(c_.scenario, c_.city, 1, timeline_) {}
  std::vector<NbiotOutcome> step(double t_s) {
    std::vector<NbiotOutcome> out;
    nbiot_.step(t_s, [&](const NbiotOutcome& o) { out.push_back(o); });
    return out;
  }
  test::ComponentCity c_;
  GatewayTimeline timeline_;
  NbiotNetwork nbiot_;
};

TEST_F(NbiotNetworkTest, AMessageInCoverageIsServedByItsCell) {
  nbiot_.submit(0, message(0, 100.0));
  const auto out = step(200.0);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].served);
  EXPECT_EQ(out[0].fail_reason, output::FailReason::None);
  EXPECT_EQ(out[0].cell, 0u);
  EXPECT_GT(out[0].t_served_s, 100.0);  // random access and data take time
  EXPECT_GT(out[0].charge_mah, 0.0);
  EXPECT_FALSE(std::isnan(out[0].rssi_dbm));
}

TEST_F(NbiotNetworkTest, ADeviceOutOfCoverageIsNotHeard) {
  nbiot_.submit(0, message(1, 100.0));
  const auto out = step(200.0);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].served);
  EXPECT_EQ(out[0].fail_reason, output::FailReason::BelowSensitivity);
  EXPECT_TRUE(std::isnan(out[0].rssi_dbm));
}

TEST_F(NbiotNetworkTest, ACellWithoutPowerServesNothingUntilPowerReturns) {
  nbiot_.submit(0, message(0, 4000.0));  // during the cut
  auto out = step(4100.0);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].served);
  EXPECT_EQ(out[0].fail_reason, output::FailReason::GatewayDown);
  nbiot_.submit(1, message(0, 7300.0));  // power is back at 7200 s
  out = step(7400.0);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].served);
}

TEST_F(NbiotNetworkTest, ARandomAccessUnderwayWhenThePowerGoesIsLost) {
  nbiot_.submit(0, message(0, 3599.99));  // ready just before the cut: its occasion falls after it
  const auto out = step(3700.0);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].served);
  EXPECT_EQ(out[0].fail_reason, output::FailReason::GatewayDown);
}

TEST_F(NbiotNetworkTest, PublishesServedMessagesAsFramesOfItsCell) {
  events::Bus bus;
  std::vector<uint32_t> cells;
  double t_received = 0.0, charge = 0.0;
  bus.subscribe<events::FrameResolved>([&](const events::FrameResolved& f) {
    cells.assign(f.gateways_received.begin(), f.gateways_received.end());
    t_received = f.t_received_s;
    EXPECT_EQ(f.seq, 7u);
    EXPECT_EQ(f.gateways_in_range, 1);
  });
  bus.subscribe<events::ChargeDrawn>([&](const events::ChargeDrawn& e) { charge += e.charge_mah; });
  std::vector<events::CopyForwarded> forwarded;  // the cell hands its copy on to the wired network
  bus.subscribe<events::CopyForwarded>([&](const events::CopyForwarded& c) { forwarded.push_back(c); });
  ThreadPool pool(1);
  AccessNetwork& network = nbiot_;
  EXPECT_TRUE(network.carries(message(0, 1.0)));
  network.submit(7, message(0, 100.0));
  network.step(200.0, pool, bus);
  EXPECT_EQ(cells, std::vector<uint32_t>{0});
  EXPECT_GT(t_received, 100.0);
  EXPECT_GT(charge, 0.0);
  ASSERT_EQ(forwarded.size(), 1u);
  EXPECT_EQ(forwarded[0].seq, 7u);
  EXPECT_EQ(forwarded[0].gateway, 0u);
  EXPECT_EQ(forwarded[0].t_s, t_received);
}

}  // namespace
}  // namespace citytwin::sim
