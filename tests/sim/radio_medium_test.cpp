// The radio medium: collisions and capture at each gateway, across window boundaries.
#include "sim/radio_medium.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <vector>

namespace citytwin::sim {
namespace {

// A city of `rssi.size()` devices; device d is heard by gateway g at rssi[d][g] (NaN: not heard).
CityLayout layout(const std::vector<std::vector<float>>& rssi, size_t gateways) {
  CityLayout city;
  city.gateway_district.assign(gateways, 0);
  city.link_offset.push_back(0);
  for (size_t d = 0; d < rssi.size(); ++d) {
    city.device_population.push_back(0);
    city.device_district.push_back(0);
    city.device_x_m.push_back(0);
    city.device_y_m.push_back(0);
    for (size_t g = 0; g < gateways; ++g) {
      if (std::isnan(rssi[d][g])) continue;
      city.link_gateway.push_back(static_cast<uint32_t>(g));
      city.link_rssi_dbm.push_back(rssi[d][g]);
    }
    city.link_offset.push_back(city.link_gateway.size());
  }
  return city;
}

Transmission tx(uint32_t device, double start, double end, uint32_t channel = 868100000, uint8_t sf = 7) {
  return {start, end, device, channel, sf, 0.0};
}

struct Outcome {
  uint64_t seq;
  std::vector<uint32_t> gateways;
};

class Medium {
 public:
  Medium(const CityLayout& city, bool capture) : medium_(city, {capture, 6.0}), pool_(2) {}
  // Feeds the transmissions for the window ending at t; returns outcomes by device.
  std::map<uint32_t, Outcome> step(std::vector<Transmission> produced, double t) {
    std::map<uint32_t, Outcome> out;
    medium_.step(produced, t, pool_, [&](const ResolvedFrame& f) {
      out[f.tx.device] = {f.seq, {f.gateways_received.begin(), f.gateways_received.end()}};
    });
    return out;
  }
  bool idle() const { return medium_.idle(); }

 private:
  RadioMedium medium_;
  ThreadPool pool_;
};

const float kNone = std::numeric_limits<float>::quiet_NaN();

TEST(RadioMedium, OverlappingFramesOnTheSameChannelAndSfBothDieWithoutCapture) {
  const CityLayout city = layout({{-100}, {-90}, {-100}}, 1);
  Medium m(city, false);
  auto out = m.step({tx(0, 0.0, 0.1), tx(1, 0.05, 0.15), tx(2, 0.5, 0.6)}, 1.0);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_TRUE(out[0].gateways.empty());
  EXPECT_TRUE(out[1].gateways.empty());
  EXPECT_EQ(out[2].gateways, std::vector<uint32_t>{0});
  EXPECT_TRUE(m.idle());
}

TEST(RadioMedium, CaptureKeepsTheFrameSixDbStronger) {
  const CityLayout city = layout({{-100}, {-94}, {-96}}, 1);
  Medium m(city, true);
  auto out = m.step({tx(0, 0.0, 0.1), tx(1, 0.05, 0.15)}, 1.0);
  EXPECT_TRUE(out[0].gateways.empty());
  EXPECT_EQ(out[1].gateways, std::vector<uint32_t>{0});  // exactly 6 dB stronger
  // 4 dB is not enough: both lost.
  out = m.step({tx(1, 2.0, 2.1), tx(2, 2.05, 2.15)}, 3.0);
  EXPECT_TRUE(out[1].gateways.empty());
  EXPECT_TRUE(out[2].gateways.empty());
}

TEST(RadioMedium, OtherChannelOtherSfAndTouchingFramesDoNotCollide) {
  const CityLayout city = layout({{-100}, {-100}, {-100}, {-100}}, 1);
  Medium m(city, false);
  auto out = m.step({tx(0, 0.0, 0.1), tx(1, 0.05, 0.15, 868300000), tx(2, 0.05, 0.15, 868100000, 8),
                     tx(3, 0.1, 0.2)},
                    1.0);
  for (uint32_t d = 0; d < 4; ++d) EXPECT_EQ(out[d].gateways, std::vector<uint32_t>{0}) << d;
}

TEST(RadioMedium, EachGatewayDecidesForItself) {
  // Device 0 is far stronger at gateway 1 (capture), equal at gateway 0 (both lost), device 2 is only
  // heard by gateway 2.
  const CityLayout city = layout({{-100, -80, kNone}, {-100, -100, kNone}, {kNone, kNone, -120}}, 3);
  Medium m(city, true);
  auto out = m.step({tx(0, 0.0, 0.1), tx(1, 0.02, 0.12), tx(2, 0.0, 0.1)}, 1.0);
  EXPECT_EQ(out[0].gateways, std::vector<uint32_t>{1});
  EXPECT_TRUE(out[1].gateways.empty());
  EXPECT_EQ(out[2].gateways, std::vector<uint32_t>{2});
}

TEST(RadioMedium, AFrameSpanningAWindowWaitsAndCollidesWithTheNextWindow) {
  const CityLayout city = layout({{-100}, {-100}}, 1);
  Medium m(city, false);
  auto out = m.step({tx(0, 0.9, 1.4)}, 1.0);
  EXPECT_TRUE(out.empty());  // still on the air at the window's end
  EXPECT_FALSE(m.idle());
  out = m.step({tx(1, 1.2, 1.3)}, 2.0);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(out[0].gateways.empty());
  EXPECT_TRUE(out[1].gateways.empty());
  EXPECT_LT(out[0].seq, out[1].seq);
}

TEST(RadioMedium, TransmissionsStartingAfterTheWindowAreHeldBackAndSequencedInStartOrder) {
  const CityLayout city = layout({{-100}, {-100}}, 1);
  Medium m(city, false);
  // Produced in window 1 but starting in window 2 (a long wake-to-transmit time), while device 1's
  // frame, produced in window 2, starts earlier than it.
  auto out = m.step({tx(0, 1.5, 1.6)}, 1.0);
  EXPECT_TRUE(out.empty());
  out = m.step({tx(1, 1.2, 1.3)}, 2.0);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].seq, 0u);
  EXPECT_EQ(out[0].seq, 1u);
  EXPECT_EQ(out[0].gateways.size(), 1u);
  EXPECT_EQ(out[1].gateways.size(), 1u);
}

}  // namespace
}  // namespace citytwin::sim
