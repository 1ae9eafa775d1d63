// The LoRaWAN network server's MAC: a confirmed uplink is acknowledged through the receiving gateway
// with the best RSSI in RX1 (rx1_delay after the uplink's end), through the next one when that gateway
// is busy, in RX2 (one second later) when every gateway is busy in RX1, and not at all through a
// gateway the server cannot reach.
#include "sim/access/lorawan_server.hpp"

#include <gtest/gtest.h>

#include <array>
#include <limits>
#include <vector>

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
        drivers_(c_.scenario) {
    bus_.subscribe<events::DownlinkSent>([this](const events::DownlinkSent& d) { sent_.push_back(d); });
  }

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
  events::Bus bus_;
  std::vector<events::DownlinkSent> sent_;  // what the server published
  std::array<uint32_t, 2> gateways_ = {0, 1};
  std::array<float, 2> rssi_ = {-110.0f, -90.0f};
};

TEST_F(LorawanServerTest, AcksInRx1ThroughTheStrongestGateway) {
  LorawanServer server(c_.scenario, c_.city, medium_);
  server.on_frame(frame(), bus_);
  EXPECT_EQ(server.downlinks_sent(), 1u);
  EXPECT_EQ(server.downlinks_rx2(), 0u);
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].gateway, 1u);
  EXPECT_EQ(sent_[0].device, 0u);
  EXPECT_EQ(sent_[0].rx_window, 1);
  EXPECT_TRUE(sent_[0].ack);
  EXPECT_FALSE(sent_[0].adr.has_value());
  EXPECT_DOUBLE_EQ(sent_[0].t_start_s, rx1());
  // An empty ACK (12 B) at SF7/125 kHz, CR 4/5, explicit header, no CRC: 8 + ceil(96/28) x 5 = 28
  // payload symbols and a 12.25-symbol preamble, of 1.024 ms each (Semtech AN1200.13): 41.216 ms.
  EXPECT_NEAR(sent_[0].t_end_s - sent_[0].t_start_s, 0.041216, 1e-6);
  EXPECT_TRUE(medium_.gateway_busy(1, rx1(), rx1() + 1e-3));
  EXPECT_FALSE(medium_.gateway_busy(1, 10.05, rx1() - 1e-6));  // nothing before RX1 opens
  EXPECT_FALSE(medium_.gateway_busy(0, 0.0, 100.0));
}

TEST_F(LorawanServerTest, UsesTheNextGatewayWhenTheStrongestIsBusy) {
  medium_.block_gateway(1, rx1() - 0.5, rx1() + 0.5);  // another downlink
  LorawanServer server(c_.scenario, c_.city, medium_);
  server.on_frame(frame(), bus_);
  EXPECT_EQ(server.downlinks_sent(), 1u);
  EXPECT_EQ(server.downlinks_rx2(), 0u);
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].gateway, 0u);
  EXPECT_TRUE(medium_.gateway_busy(0, rx1(), rx1() + 1e-3));
}

TEST_F(LorawanServerTest, FallsBackToRx2OneSecondLater) {
  medium_.block_gateway(0, rx1() - 0.5, rx1() + 0.5);
  medium_.block_gateway(1, rx1() - 0.5, rx1() + 0.5);
  LorawanServer server(c_.scenario, c_.city, medium_);
  server.on_frame(frame(), bus_);
  EXPECT_EQ(server.downlinks_sent(), 1u);
  EXPECT_EQ(server.downlinks_rx2(), 1u);
  const double rx2 = models::radio::rx2_open_s(rx1());
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].rx_window, 2);
  EXPECT_EQ(sent_[0].gateway, 1u);
  EXPECT_DOUBLE_EQ(sent_[0].t_start_s, rx2);
  EXPECT_DOUBLE_EQ(rx2, rx1() + 1.0);
  EXPECT_TRUE(medium_.gateway_busy(1, rx2, rx2 + 1e-3));           // the strongest again
  EXPECT_FALSE(medium_.gateway_busy(1, rx1() + 0.5, rx2 - 1e-6));  // idle between the windows
}

TEST_F(LorawanServerTest, SendsNothingThroughGatewaysItCannotReach) {
  LorawanServer server(c_.scenario, c_.city, medium_, [](uint32_t, double) { return false; });
  server.on_frame(frame(), bus_);
  EXPECT_EQ(server.downlinks_sent(), 0u);
  EXPECT_EQ(server.downlinks_failed(), 1u);
  EXPECT_TRUE(sent_.empty());
  EXPECT_FALSE(medium_.gateway_busy(0, 0.0, 100.0));
  EXPECT_FALSE(medium_.gateway_busy(1, 0.0, 100.0));
}

TEST_F(LorawanServerTest, AnUnconfirmedUplinkWithoutAdrNeedsNoDownlink) {
  LorawanServer server(c_.scenario, c_.city, medium_);
  ResolvedFrame f = frame();
  f.tx.confirmed = false;
  server.on_frame(f, bus_);
  EXPECT_EQ(server.downlinks_sent() + server.downlinks_failed(), 0u);
  EXPECT_TRUE(sent_.empty());
}

}  // namespace
}  // namespace citytwin::sim
