// The LoRaWAN network server's MAC: a confirmed uplink is acknowledged through the receiving gateway
// with the best RSSI in RX1 (rx1_delay after the uplink's end), through the next one when that gateway
// is busy, in RX2 (one second later) when every gateway is busy in RX1, and not at all through a
// gateway the server cannot reach.
#include "sim/access/lorawan_server.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "models/radio/adr.hpp"
#include "models/radio/lorawan_region.hpp"
#include "models/radio/lorawan_timing.hpp"
#include "models/radio/reception.hpp"
#include "sim/core/rng.hpp"
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

// kCity with both gateways at tx_power (and, when given, antenna_gain), and device 0's confirmed SF7 uplink
// at 14 dBm on 868.1 MHz over [10 s, 10.05 s], heard by gateways 0 and 1 at rssi.
std::string city_at_power(const std::string& tx_power, const std::string& antenna_gain = "") {
  std::string city = kCity;
  const std::string gain = antenna_gain.empty() ? "" : ", antenna_gain: " + antenna_gain;
  for (const std::string at : {"[900 m, 900 m]}", "[500 m, 500 m]}"})
    city.replace(city.find(at), at.size(),
                 at.substr(0, at.size() - 1) + ", tx_power: " + tx_power + gain + "}");
  return city;
}

ResolvedFrame confirmed_sf7(std::span<const uint32_t> gateways, std::span<const float> rssi) {
  ResolvedFrame f;
  f.tx.device = 0;
  f.tx.t_start_s = 10.0;
  f.tx.t_end_s = 10.05;
  f.tx.channel_hz = 868100000;
  f.tx.spreading_factor = 7;
  f.tx.tx_power_dbm = 14.0f;
  f.tx.confirmed = true;
  f.gateways_received = gateways;
  f.rssi_received_dbm = rssi;
  return f;
}

// A city's medium and bus, a server on them, and what the server publishes (sent).
struct ServerRig {
  explicit ServerRig(const test::ComponentCity& c)
      : timeline(c.scenario, {}), medium(c.scenario, c.city, timeline), server(c.scenario, c.city, medium) {
    bus.subscribe<events::DownlinkSent>([this](const events::DownlinkSent& d) { sent.push_back(d); });
  }
  GatewayTimeline timeline;
  RadioMedium medium;
  events::Bus bus;
  std::vector<events::DownlinkSent> sent;
  LorawanServer server;
};

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
  ResolvedFrame frame() { return confirmed_sf7(gateways_, rssi_); }
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

// The device's side of a heard ACK: the fleet charged two empty windows with the uplink (RX1 at SF7,
// 24 symbols of 1.024 ms = 24.576 ms; RX2 at SF12, 6 of 32.768 ms = 196.608 ms: LoRaMac-node's symbol
// timeouts). Heard in RX1, the receiver stays on for the ACK's 41.216 ms and RX2 is never opened
// (LoRaWAN L2 1.0.4 section 3.3): (0.041216 - 0.024576 - 0.196608) s x (10.8 - 0.0015) mA = -1.943384448
// mA s. Heard in RX2 (SF12, 18 + 12.25 symbols of 32.768 ms = 991.232 ms): (0.991232 - 0.196608) s x
// 10.7985 mA = 8.580747264 mA s more.
TEST_F(LorawanServerTest, AHeardAckChargesTheDevicesReceiverForItsAirtime) {
  for (const bool rx1_free : {true, false}) {
    ServerRig rig(c_);
    std::vector<events::ChargeDrawn> charges;
    rig.bus.subscribe<events::ChargeDrawn>([&](const events::ChargeDrawn& e) { charges.push_back(e); });
    if (!rx1_free)
      for (uint32_t g : gateways_) rig.medium.block_gateway(g, rx1() - 0.5, rx1() + 0.5);
    rig.server.on_frame(frame(), rig.bus);
    ASSERT_EQ(rig.sent.size(), 1u);
    EXPECT_EQ(rig.sent[0].rx_window, rx1_free ? 1 : 2);
    ASSERT_EQ(charges.size(), 1u);
    EXPECT_EQ(charges[0].device, 0u);
    EXPECT_NEAR(charges[0].charge_mah * 3600.0, rx1_free ? -1.943384448 : 8.580747264, 1e-9);
  }
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

// The downlink as the network times it: the server hears of the frame when its first copy arrives
// (forward_delay 5 ms + that gateway's route latency), answers platform.ns_downlink_delay (200 ms) later,
// and the answer takes the sending gateway's route latency back down; it must be there by the window.
// The frame ends at 10.05 s, RX1 at 11.05 s, RX2 at 12.05 s. By hand, with cellular backhauls:
// - both at 450 ms: 5 + 450 + 200 + 450 = 1105 ms after the frame's end: RX1 missed, RX2 made;
// - both at 900 ms: 5 + 900 + 200 + 900 = 2005 ms: both missed, no downlink;
// - the far gateway on 1 km of fibre (5 us), the near one at 450 ms: the far copy arrives first
//   (5.005 ms), and 205.005 + 450 ms makes RX1 through the near gateway;
// - the near one at 900 ms: 1105.005 ms misses RX1 there, so the far gateway sends in RX1 (205.010 ms);
// - both at 400 ms: 5 + 400 + d + 400 <= 1000 ms while d <= 195 ms: RX1 at 194 ms, RX2 at 196 ms.
std::string city_with_backhauls(const std::string& far, const std::string& near,
                                const std::string& extra = "") {
  std::string city = kCity;
  for (const auto& [at, backhaul] : {std::pair<std::string, std::string>{"[900 m, 900 m]}", far},
                                     std::pair<std::string, std::string>{"[500 m, 500 m]}", near}})
    city.replace(city.find(at), at.size(), at.substr(0, at.size() - 1) + ", backhaul: " + backhaul + "}");
  return city + extra;
}

TEST(LorawanServerTiming, TheBackhaulsLatencyDecidesTheWindow) {
  const std::string fibre = "{fibre_length: 1 km}";
  const auto cellular = [](const std::string& latency) {
    return "{kind: cellular, latency: " + latency + "}";
  };
  struct Case {
    std::string far, near, extra;
    int window;        // 0: none sent
    uint32_t gateway;  // through which
    uint64_t rx1_late;
  };
  const std::vector<Case> cases = {
      {fibre, fibre, "", 1, 1, 0},
      {cellular("450 ms"), cellular("450 ms"), "", 2, 1, 1},
      {cellular("900 ms"), cellular("900 ms"), "", 0, 0, 1},
      {fibre, cellular("450 ms"), "", 1, 1, 0},
      {fibre, cellular("900 ms"), "", 1, 0, 0},
      {cellular("400 ms"), cellular("400 ms"), "platform: {ns_downlink_delay: 194 ms}\n", 1, 1, 0},
      {cellular("400 ms"), cellular("400 ms"), "platform: {ns_downlink_delay: 196 ms}\n", 2, 1, 1},
      {cellular("400 ms"), cellular("400 ms"), "", 2, 1, 1},  // the 200 ms default
  };
  const std::array<uint32_t, 2> gateways = {0, 1};
  const std::array<float, 2> rssi = {-110.0f, -90.0f};  // the near gateway (1) the stronger
  for (const Case& k : cases) {
    const test::ComponentCity c(city_with_backhauls(k.far, k.near, k.extra));
    ServerRig rig(c);
    rig.server.on_frame(confirmed_sf7(gateways, rssi), rig.bus);
    const std::string what = k.far + " / " + k.near + " " + k.extra;
    EXPECT_EQ(rig.server.downlinks_rx1_late(), k.rx1_late) << what;
    if (k.window == 0) {
      EXPECT_TRUE(rig.sent.empty()) << what;
      EXPECT_EQ(rig.server.downlinks_failed(), 1u) << what;
      continue;
    }
    ASSERT_EQ(rig.sent.size(), 1u) << what;
    EXPECT_EQ(rig.sent[0].rx_window, k.window) << what;
    EXPECT_EQ(rig.sent[0].gateway, k.gateway) << what;
    EXPECT_DOUBLE_EQ(rig.sent[0].t_start_s, 10.05 + k.window) << what;
  }
}

// The downlink's budget: the uplink's path reversed, at the gateway's power (gateways[].tx_power), against
// the device's sensitivity at the window's data rate (SX1272, as ns-3: -124 dBm at SF7, 125 kHz). Device
// 0 sends at 14 dBm; the gateways at -10 dBm, so the device hears the strongest one at its uplink's RSSI
// less 24 dB.
TEST(LorawanServerBudget, ADownlinkTooWeakForTheDeviceIsSentButUnheard) {
  const test::ComponentCity c(city_at_power("-10 dBm"));
  ASSERT_EQ(c.scenario.gateways[1].tx_power_dbm, -10.0);
  EXPECT_DOUBLE_EQ(models::radio::end_device_sensitivity_dbm(7, 125e3), -124.0);
  EXPECT_DOUBLE_EQ(models::radio::end_device_sensitivity_dbm(12, 125e3), -137.0);
  const std::array<uint32_t, 2> gateways = {0, 1};
  // The strongest gateway's RSSI, and whether the device hears the ACK: -100 dBm gives -124 dBm there,
  // exactly its sensitivity (enough); 0.5 dB less, not.
  for (const auto& [strongest, heard] : {std::pair{-90.0f, true}, std::pair{-100.0f, true},
                                         std::pair{-100.5f, false}, std::pair{-120.0f, false}}) {
    ServerRig rig(c);
    const std::array<float, 2> rssi = {strongest - 10.0f, strongest};
    rig.server.on_frame(confirmed_sf7(gateways, rssi), rig.bus);
    const double rx1 = 10.05 + c.city.populations[0].machine.profile().rx1_delay_s;
    EXPECT_EQ(rig.server.downlinks_sent(), 1u) << strongest;  // sent either way, by the strongest gateway
    EXPECT_TRUE(rig.medium.gateway_busy(1, rx1, rx1 + 1e-3)) << strongest;
    EXPECT_EQ(rig.server.downlinks_unheard(), heard ? 0u : 1u) << strongest;
    EXPECT_EQ(rig.sent.size(), heard ? 1u : 0u) << strongest;  // the device gets only what it hears
  }
}

// A gateway set to 27 dBm with a 0 dBi antenna radiates 14 dBm ERP in RX1 (EU868's 868.1 MHz sub-band),
// 16.15 dBm conducted (ERP = EIRP - 2.15 dB, ITU-R BS.561), and 27 dBm in RX2 (869.525 MHz, under its
// 29.15 dBm cap): an uplink heard at -128.5 dBm (SF7, sent at 14 dBm) gets an ACK the device cannot hear
// in RX1 (-128.5 - 14 + 16.15 = -126.35 dBm, under its -124), and one it hears in RX2 (-115.5 dBm at SF12,
// over its -137).
TEST(LorawanServerBudget, EachWindowRadiatesWithinItsSubBandsLimit) {
  EXPECT_EQ(models::radio::max_radiated_dbm(models::radio::Region::EU868, 868.1e6), 14.0);
  EXPECT_EQ(models::radio::max_radiated_dbm(models::radio::Region::EU868, 869.525e6), 27.0);
  EXPECT_TRUE(std::isinf(models::radio::max_radiated_dbm(models::radio::Region::US915, 923.3e6)));
  const test::ComponentCity c(city_at_power("27 dBm"));
  const std::array<uint32_t, 2> gateways = {0, 1};
  const std::array<float, 2> rssi = {-131.0f, -128.5f};
  for (const bool rx1_free : {true, false}) {
    ServerRig rig(c);
    const double rx1 = 10.05 + c.city.populations[0].machine.profile().rx1_delay_s;
    if (!rx1_free)
      for (uint32_t g : gateways) rig.medium.block_gateway(g, rx1 - 0.5, rx1 + 0.5);
    rig.server.on_frame(confirmed_sf7(gateways, rssi), rig.bus);
    EXPECT_EQ(rig.server.downlinks_sent(), 1u);
    EXPECT_EQ(rig.server.downlinks_rx2(), rx1_free ? 0u : 1u);
    EXPECT_EQ(rig.server.downlinks_unheard(), rx1_free ? 1u : 0u);
    EXPECT_EQ(rig.sent.size(), rx1_free ? 0u : 1u);
  }
}

// The gateway's antenna gain counts against the ERP limit: with G dBi its conducted power is held to
// 14 + 2.15 - G dBm on 868.1 MHz (ERP = EIRP - 2.15 dB, ITU-R BS.561; EIRP = conducted + G), 10.15 dBm at
// 6 dBi and 16.15 dBm at 0 dBi, whatever its tx_power (27 dBm here) says. The uplink's RSSI includes G, so
// the SF7 ACK reaches the device at rssi - 14 + cap, against its -124 dBm: heard from rssi -124 - cap + 14,
// -120.15 dBm at 6 dBi and -126.15 dBm at 0 dBi. (Before, both were held to 14 dBm conducted: -124 dBm.)
TEST(LorawanServerBudget, TheAntennaGainCountsAgainstTheRadiatedLimit) {
  for (const auto& [gain, cap_dbm] : {std::pair{"6 dBi", 10.15}, std::pair{"0 dBi", 16.15}}) {
    const test::ComponentCity c(city_at_power("27 dBm", gain));
    EXPECT_NEAR(models::radio::max_conducted_dbm(models::radio::Region::EU868, 868.1e6,
                                                 c.scenario.gateways[1].antenna_gain_dbi),
                cap_dbm, 1e-12);
    const double threshold = -124.0 - cap_dbm + 14.0;
    const std::array<uint32_t, 2> gateways = {0, 1};
    for (const auto& [strongest, heard] :
         {std::pair{threshold + 0.05, true}, std::pair{threshold - 0.05, false}}) {
      ServerRig rig(c);
      const std::array<float, 2> rssi = {static_cast<float>(strongest) - 10.0f,
                                         static_cast<float>(strongest)};
      rig.server.on_frame(confirmed_sf7(gateways, rssi), rig.bus);
      EXPECT_EQ(rig.server.downlinks_sent(), 1u) << gain << " " << strongest;
      EXPECT_EQ(rig.server.downlinks_rx2(), 0u) << gain << " " << strongest;
      EXPECT_EQ(rig.server.downlinks_unheard(), heard ? 0u : 1u) << gain << " " << strongest;
    }
  }
}

// US915: RX1 answers an SF10/125 kHz uplink (DR0) at DR10, SF10 at 500 kHz (RP002-1.0.3 US902-928 RX1
// data rate table, RX1DROffset 0), not at the uplink's SF at 125 kHz. The ACK (12 B, no CRC): 8 +
// ceil((96 - 40 + 28) / 40) x 5 = 23 payload symbols + 12.25 of 2.048 ms = 72.192 ms on air (288.768 ms it
// would be at 125 kHz), the gateway blocked that long; the device's sensitivity there is the SX1272/73
// datasheet's at SF10, 500 kHz (Rev. 2, RFS_L500): -125 dBm (at 125 kHz an ACK down to -133 dBm would have
// been heard; the 10 log10(500 / 125) dB shift of the 125 kHz row gave -126.979).
TEST(LorawanServerUs915, Rx1AnswersAtTheRegionsRx1DataRate) {
  const test::ComponentCity c(
      "city:\n"
      "  districts:\n"
      "    - {name: centre, origin: [0 m, 0 m], size: [1 km, 1 km]}\n"
      "devices:\n"
      "  - {name: d, count: 1, districts: [centre], confirmed: true, radio: {sf: 10, tx_power: 20 dBm}}\n"
      "gateways:\n"
      "  - {name: g, position: [500 m, 500 m], tx_power: 20 dBm}\n"
      "radio:\n"
      "  region: US915\n"
      "run:\n"
      "  duration: 1 h\n");
  const std::array<uint32_t, 1> gateways = {0};
  ASSERT_EQ(c.scenario.gateways[0].tx_power_dbm, 20.0);
  ASSERT_EQ(c.city.populations[0].bandwidth_hz, 125e3);
  for (const auto& [rssi, heard] : {std::pair{-124.9f, true}, std::pair{-125.1f, false}}) {
    ServerRig rig(c);
    const std::array<float, 1> rssi_at = {rssi};
    ResolvedFrame f;
    f.tx.device = 0;
    f.tx.t_start_s = 10.0;
    f.tx.t_end_s = 10.3;
    f.tx.channel_hz = 903900000;  // channel 8: RX1 on 923.3 + 0.6 x (8 mod 8) MHz
    f.tx.spreading_factor = 10;
    f.tx.tx_power_dbm = 20.0f;
    f.tx.confirmed = true;
    f.gateways_received = gateways;
    f.rssi_received_dbm = rssi_at;
    rig.server.on_frame(f, rig.bus);
    const double rx1 = 10.3 + c.city.populations[0].machine.profile().rx1_delay_s;
    EXPECT_EQ(rig.server.downlinks_sent(), 1u);
    EXPECT_EQ(rig.server.downlinks_rx2(), 0u);
    EXPECT_TRUE(rig.medium.gateway_busy(0, rx1 + 0.0721, rx1 + 0.0722)) << rssi;
    EXPECT_FALSE(rig.medium.gateway_busy(0, rx1 + 0.0723, rx1 + 0.5)) << rssi;
    EXPECT_EQ(rig.server.downlinks_unheard(), heard ? 0u : 1u) << rssi;
    ASSERT_EQ(rig.sent.size(), heard ? 1u : 0u) << rssi;
    if (heard) {
      EXPECT_EQ(rig.sent[0].rx_window, 1);
      EXPECT_NEAR(rig.sent[0].t_end_s - rig.sent[0].t_start_s, 0.072192, 1e-9);
    }
  }
  EXPECT_DOUBLE_EQ(models::radio::end_device_sensitivity_dbm(10, 500e3), -125.0);
}

TEST_F(LorawanServerTest, AnUnconfirmedUplinkWithoutAdrNeedsNoDownlink) {
  LorawanServer server(c_.scenario, c_.city, medium_);
  ResolvedFrame f = frame();
  f.tx.confirmed = false;
  server.on_frame(f, bus_);
  EXPECT_EQ(server.downlinks_sent() + server.downlinks_failed(), 0u);
  EXPECT_TRUE(sent_.empty());
}

// ADR's history, kept per device of an ADR population as the uplinks' best RSSIs (floats): the server
// decides as models::radio::adr_decide on an AdrHistory of the uplinks' best SNRs, device by device, with
// the devices of populations without ADR between them (they have no history) and the history cleared
// after each command.
// Runs the check on a city given as YAML, expecting more than min_commands ADR commands.
void expect_adr_as_histories(const std::string& yaml, size_t min_commands) {
  const test::ComponentCity c(yaml);
  ServerRig rig(c);
  LorawanServer& server = rig.server;
  events::Bus& bus = rig.bus;
  const std::vector<events::DownlinkSent>& sent = rig.sent;
  const size_t devices = c.city.device_count();
  std::vector<models::radio::AdrHistory> history(devices);
  std::vector<models::radio::AdrSetting> setting(devices);
  for (size_t d = 0; d < devices; ++d) {
    const city::PopulationProfile& pop = c.city.populations[c.city.device_population[d]];
    setting[d] = {c.city.device_sf[d], pop.tx_power_dbm};
  }
  Stream rng(3, "test", 0);
  const std::array<uint32_t, 3> gateways = {0, 1, 2};
  std::array<float, 3> rssi{};
  size_t commands = 0, waited = 0, unheard = 0;
  for (int k = 0; k < 3000; ++k) {
    const auto d = static_cast<uint32_t>(rng.below(static_cast<uint32_t>(devices)));
    const city::PopulationProfile& pop = c.city.populations[c.city.device_population[d]];
    const size_t heard = 1 + rng.below(3);
    // strong and weak phases, so that ADR lowers the power, then raises it again
    const double weakest = (k / 300) % 2 == 0 ? -105.0 : -150.0;
    for (size_t g = 0; g < heard; ++g) rssi[g] = static_cast<float>(weakest + 25.0 * rng.uniform());
    ResolvedFrame f;
    f.tx.device = d;
    f.tx.t_start_s = 100.0 + 20.0 * k;  // the gateways' duty cycle leaves every downlink a window
    f.tx.t_end_s = f.tx.t_start_s + 0.4;
    f.tx.channel_hz = 868100000;
    f.tx.spreading_factor = setting[d].spreading_factor;
    f.tx.tx_power_dbm = setting[d].tx_power_dbm;
    f.gateways_received = std::span<const uint32_t>(gateways.data(), heard);
    f.rssi_received_dbm = std::span<const float>(rssi.data(), heard);
    const size_t before = sent.size();
    const uint64_t commands_before = server.adr_commands();
    server.on_frame(f, bus);
    std::optional<models::radio::AdrSetting> expected;
    if (pop.adr) {
      double best = -1e9;
      for (size_t g = 0; g < heard; ++g)
        best = std::max(best,
                        models::radio::snr_db(rssi[g], pop.bandwidth_hz, c.scenario.channel.noise_figure_db));
      history[d].add(best);
      models::radio::AdrParams params;
      params.max_tx_power_dbm = pop.tx_power_dbm;
      const auto decided = models::radio::adr_decide(history[d], setting[d], params);
      if (decided && !(*decided == setting[d])) expected = decided;
      if (!decided) ++waited;
    }
    if (!expected) {
      ASSERT_EQ(sent.size(), before) << "uplink " << k << ", device " << d;
      continue;
    }
    // The server decides and sends; the device hears the command (RX1, through the strongest gateway) if
    // its power there, the uplink's path reversed, reaches the device's sensitivity at the uplink's SF.
    ASSERT_EQ(server.adr_commands(), commands_before + 1) << "uplink " << k << ", device " << d;
    history[d].clear();
    ++commands;
    const double downlink_dbm =
        *std::max_element(rssi.begin(), rssi.begin() + static_cast<std::ptrdiff_t>(heard)) -
        setting[d].tx_power_dbm + c.scenario.gateways[0].tx_power_dbm;
    if (downlink_dbm <
        models::radio::end_device_sensitivity_dbm(setting[d].spreading_factor, pop.bandwidth_hz)) {
      ASSERT_EQ(sent.size(), before) << "uplink " << k << ", device " << d;  // unheard: nothing published,
      ++unheard;                                                             // the device keeps its setting
      continue;
    }
    ASSERT_EQ(sent.size(), before + 1) << "uplink " << k << ", device " << d;
    ASSERT_TRUE(sent.back().adr.has_value());
    EXPECT_EQ(*sent.back().adr, *expected) << "uplink " << k << ", device " << d;
    setting[d] = *expected;
  }
  EXPECT_GT(commands, min_commands);  // decisions were made and compared
  EXPECT_GT(waited, 200u);            // and histories filled before them
  EXPECT_GT(unheard, 0u);             // and some commands were sent too weak for the device
  EXPECT_EQ(server.downlinks_unheard(), unheard);
}

TEST(LorawanServerAdr, DecidesAsAnAdrHistoryOfTheBestSnrs) {
  expect_adr_as_histories(
      "city:\n"
      "  districts:\n"
      "    - {name: centre, origin: [0 m, 0 m], size: [2 km, 2 km]}\n"
      "devices:\n"
      "  - {name: plain, count: 3, districts: [centre], radio: {sf: 9}}\n"
      "  - {name: adaptive, count: 4, districts: [centre], radio: {sf: 12, adr: true}}\n"
      "  - {name: plain2, count: 2, districts: [centre], radio: {sf: 7}}\n"
      "  - {name: adaptive2, count: 2, districts: [centre], radio: {sf: 10, adr: true}}\n"
      "gateways:\n"
      "  - {name: a, position: [200 m, 200 m]}\n"
      "  - {name: b, position: [1800 m, 200 m]}\n"
      "  - {name: c, position: [1000 m, 1800 m]}\n"
      "run:\n"
      "  duration: 1 d\n",
      20);
}

// The same with the ADR devices in more runs of consecutive ids than the server keeps as runs
// (LorawanServer::kMaxAdrRuns): it keeps a slot for every device instead, with the same decisions.
TEST(LorawanServerAdr, DecidesAlikeWithTheAdrDevicesInManyRuns) {
  std::string yaml =
      "city:\n"
      "  districts:\n"
      "    - {name: centre, origin: [0 m, 0 m], size: [2 km, 2 km]}\n"
      "devices:\n";
  for (int i = 0; i < 20; ++i)
    yaml += "  - {name: plain" + std::to_string(i) + ", count: 1, districts: [centre], radio: {sf: 9}}\n" +
            "  - {name: adaptive" + std::to_string(i) +
            ", count: 1, districts: [centre], radio: {sf: 12, adr: true}}\n";
  yaml +=
      "gateways:\n"
      "  - {name: a, position: [200 m, 200 m]}\n"
      "  - {name: b, position: [1800 m, 200 m]}\n"
      "  - {name: c, position: [1000 m, 1800 m]}\n"
      "run:\n"
      "  duration: 1 d\n";
  expect_adr_as_histories(yaml, 10);
}

}  // namespace
}  // namespace citytwin::sim
