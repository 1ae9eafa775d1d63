// The LoRaWAN network server's MAC: a confirmed uplink is acknowledged through the receiving gateway
// with the best RSSI in RX1 (rx1_delay after the uplink's end), through the next one when that gateway
// is busy, in RX2 (one second later) when every gateway is busy in RX1, and not at all through a
// gateway the server cannot reach.
#include "sim/access/lorawan_server.hpp"

#include <gtest/gtest.h>

#include <array>
#include <limits>

#include "models/radio/lorawan_timing.hpp"
#include "sim/drivers/driver_set.hpp"
#include "tests/sim/component_city.hpp"
#include "tests/sim/rooms.hpp"

namespace citytwin::sim {
namespace {

const std::string kCity =
    "city:\n"
    "  districts:\n"
    "    - {name: centre, origin: [0 m, 0 m], size: [1 km, 1 km]}\n"
    "devices:\n"
    "  - {name: d, count: 1, districts: [centre], confirmed: true, radio: {sf: 7}}\n"
    "gateways:\n"
    "  - {name: far, position: [900 m, 900 m]}\n"
    "  - {name: near, position: [500 m, 500 m]}\n"
    "run:\n"
    "  duration: 1 h\n";

class LorawanServerTest : public testing::Test {
 protected:
  LorawanServerTest()
      : c_(kCity),
        timeline_(c_.scenario, {}),
        medium_(c_.scenario, c_.city, timeline_),
        drivers_(c_.scenario),
        fleet_(c_.city, 1, 3600, 1, drivers_) {}

  // Device 0's confirmed SF7 uplink on 868.1 MHz over [10 s, 10.05 s], received by both gateways,
  // the near one (1) stronger.
  ResolvedFrame frame() {
    ResolvedFrame f;
    f.tx.device = 0;
    f.tx.t_start_s = 10.0;
    f.tx.t_end_s = 10.05;
    f.tx.channel_hz = 868100000;
    f.tx.spreading_factor = 7;
    f.tx.confirmed = true;
    f.gateways_received = gateways_;
    f.rssi_received_dbm = rssi_;
    return f;
  }
  double rx1() const { return 10.05 + c_.city.populations[0].machine.profile().rx1_delay_s; }

  test::ComponentCity c_;
  GatewayTimeline timeline_;
  RadioMedium medium_;
  drivers::DriverSet drivers_;
  Fleet fleet_;
  std::array<uint32_t, 2> gateways_ = {0, 1};
  std::array<float, 2> rssi_ = {-110.0f, -90.0f};
};

TEST_F(LorawanServerTest, AcksInRx1ThroughTheStrongestGateway) {
  LorawanServer server(c_.scenario, c_.city, medium_, fleet_);
  server.on_frame(frame());
  EXPECT_EQ(server.downlinks_sent(), 1u);
  EXPECT_EQ(server.downlinks_rx2(), 0u);
  EXPECT_TRUE(medium_.gateway_busy(1, rx1(), rx1() + 1e-3));
  EXPECT_FALSE(medium_.gateway_busy(1, 10.05, rx1() - 1e-6));  // nothing before RX1 opens
  EXPECT_FALSE(medium_.gateway_busy(0, 0.0, 100.0));
}

TEST_F(LorawanServerTest, UsesTheNextGatewayWhenTheStrongestIsBusy) {
  medium_.block_gateway(1, rx1() - 0.5, rx1() + 0.5);  // another downlink
  LorawanServer server(c_.scenario, c_.city, medium_, fleet_);
  server.on_frame(frame());
  EXPECT_EQ(server.downlinks_sent(), 1u);
  EXPECT_EQ(server.downlinks_rx2(), 0u);
  EXPECT_TRUE(medium_.gateway_busy(0, rx1(), rx1() + 1e-3));
}

TEST_F(LorawanServerTest, FallsBackToRx2OneSecondLater) {
  medium_.block_gateway(0, rx1() - 0.5, rx1() + 0.5);
  medium_.block_gateway(1, rx1() - 0.5, rx1() + 0.5);
  LorawanServer server(c_.scenario, c_.city, medium_, fleet_);
  server.on_frame(frame());
  EXPECT_EQ(server.downlinks_sent(), 1u);
  EXPECT_EQ(server.downlinks_rx2(), 1u);
  const double rx2 = models::radio::rx2_open_s(rx1());
  EXPECT_DOUBLE_EQ(rx2, rx1() + 1.0);
  EXPECT_TRUE(medium_.gateway_busy(1, rx2, rx2 + 1e-3));           // the strongest again
  EXPECT_FALSE(medium_.gateway_busy(1, rx1() + 0.5, rx2 - 1e-6));  // idle between the windows
}

TEST_F(LorawanServerTest, SendsNothingThroughGatewaysItCannotReach) {
  LorawanServer server(c_.scenario, c_.city, medium_, fleet_, [](uint32_t, double) { return false; });
  server.on_frame(frame());
  EXPECT_EQ(server.downlinks_sent(), 0u);
  EXPECT_EQ(server.downlinks_failed(), 1u);
  EXPECT_FALSE(medium_.gateway_busy(0, 0.0, 100.0));
  EXPECT_FALSE(medium_.gateway_busy(1, 0.0, 100.0));
}

TEST_F(LorawanServerTest, AnUnconfirmedUplinkWithoutAdrNeedsNoDownlink) {
  LorawanServer server(c_.scenario, c_.city, medium_, fleet_);
  ResolvedFrame f = frame();
  f.tx.confirmed = false;
  server.on_frame(f);
  EXPECT_EQ(server.downlinks_sent() + server.downlinks_failed(), 0u);
}

}  // namespace
}  // namespace citytwin::sim
