// Tests of the per-sub-band duty-cycle regulator: T_off = T (1/d - 1) from the end of the transmission
// (LoRaWAN T_off_subband; Semtech LoRaMac-node), EU868 sub-band limits from EN 300 220-2.
#include "models/radio/duty_cycle.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace citytwin::models::radio {
namespace {

constexpr double kTimeTolS = 1e-9;
// 10 B at SF7/125 kHz/CR 4/5 (lora_phy_test, ns-3 TimeOnAirTest): 41.216 ms.
constexpr double kSf7AirtimeS = 0.041216;
// 50 B at SF12/125 kHz/CR 4/5 with LDRO: 2.301952 s.
constexpr double kSf12AirtimeS = 2.301952;

TEST(OffTime, IsAirtimeTimesInverseDutyMinusOne) {
  EXPECT_NEAR(off_time_s(1.0, 0.01), 99.0, kTimeTolS);
  EXPECT_NEAR(off_time_s(1.0, 0.1), 9.0, kTimeTolS);
  EXPECT_NEAR(off_time_s(1.0, 0.001), 999.0, 1e-9);
  EXPECT_DOUBLE_EQ(off_time_s(1.0, 1.0), 0.0);
  // 41.216 ms x 99 = 4.080384 s; 2.301952 s x 99 = 227.893248 s.
  EXPECT_NEAR(off_time_s(kSf7AirtimeS, 0.01), 4.080384, kTimeTolS);
  EXPECT_NEAR(off_time_s(kSf12AirtimeS, 0.01), 227.893248, kTimeTolS);
  EXPECT_THROW(off_time_s(1.0, 0.0), std::invalid_argument);
  EXPECT_THROW(off_time_s(1.0, 1.5), std::invalid_argument);
}

TEST(DutyCycleRegulator, FreshRegulatorIsOpenEverywhereAllowed) {
  const DutyCycleRegulator r;
  EXPECT_EQ(r.region(), Region::EU868);
  for (double f : {868.1e6, 868.3e6, 868.5e6, 869.525e6, 864.0e6}) {
    EXPECT_DOUBLE_EQ(r.earliest_start_s(f), 0.0) << f;
    EXPECT_TRUE(r.is_open(f, 0.0));
  }
  EXPECT_TRUE(std::isinf(r.earliest_start_s(868.65e6)));  // gap between M and N
  EXPECT_FALSE(r.is_open(868.65e6, 1e12));
}

TEST(DutyCycleRegulator, Sf7FrameClosesSubBandMFor4_080384s) {
  // Frame on 868.1 MHz from 9.958784 s to 10.0 s (41.216 ms): sub-band M (1 %) closes until
  // 10.0 + 0.041216 x 99 = 14.080384 s, for all three default channels; P and N stay open.
  DutyCycleRegulator r;
  r.record(868.1e6, 10.0, kSf7AirtimeS);
  for (double f : {868.1e6, 868.3e6, 868.5e6}) EXPECT_NEAR(r.earliest_start_s(f), 14.080384, kTimeTolS);
  EXPECT_DOUBLE_EQ(r.earliest_start_s(869.525e6), 0.0);
  EXPECT_DOUBLE_EQ(r.earliest_start_s(868.85e6), 0.0);
  EXPECT_FALSE(r.is_open(868.3e6, 14.08));
  EXPECT_TRUE(r.is_open(868.3e6, 14.080385));
}

TEST(DutyCycleRegulator, SubBandPTenPercentAndNTenthOfAPercent) {
  DutyCycleRegulator r;
  r.record(869.525e6, 100.0, 1.0);  // P, 10 %: 100 + 1 x 9 = 109 s
  r.record(868.85e6, 50.0, 0.5);    // N, 0.1 %: 50 + 0.5 x 999 = 549.5 s
  EXPECT_NEAR(r.earliest_start_s(869.525e6), 109.0, kTimeTolS);
  EXPECT_NEAR(r.earliest_start_s(868.85e6), 549.5, 1e-9);
  EXPECT_DOUBLE_EQ(r.earliest_start_s(868.1e6), 0.0);
}

TEST(DutyCycleRegulator, SaturatedDeviceUsesExactlyTheLimit) {
  // A device that always sends as soon as its sub-band opens: each cycle lasts T + T (1/d - 1) = T / d,
  // so the long-run airtime fraction is exactly d (1 %). Under ns-3's rule (closed until
  // t_start + T (1/d - 1)) the cycle would be T / d - T and the fraction 1 / 99 = 1.0101 %.
  DutyCycleRegulator r;
  double t_start = 0.0;
  double airtime_total = 0.0;
  const int frames = 1000;
  for (int n = 0; n < frames; ++n) {
    t_start = std::max(t_start, r.earliest_start_s(868.1e6));
    const double t_end = t_start + kSf12AirtimeS;
    r.record(868.1e6, t_end, kSf12AirtimeS);
    airtime_total += kSf12AirtimeS;
    t_start = t_end;
  }
  const double elapsed = r.earliest_start_s(868.1e6);  // end of the last cycle
  EXPECT_NEAR(airtime_total / elapsed, 0.01, 1e-12);
  EXPECT_NEAR(elapsed, frames * kSf12AirtimeS / 0.01, 1e-6);
}

TEST(DutyCycleRegulator, SendingBeforeTheSubBandOpensIsALogicError) {
  DutyCycleRegulator r;
  r.record(868.1e6, 10.0, kSf7AirtimeS);  // M closed until 14.080384 s
  EXPECT_THROW(r.record(868.3e6, 12.0, kSf7AirtimeS), std::logic_error);
  // Starting exactly when it opens is fine.
  EXPECT_NO_THROW(r.record(868.3e6, 14.080384 + kSf7AirtimeS, kSf7AirtimeS));
}

TEST(DutyCycleRegulator, RecordingOutsideEverySubBandThrows) {
  DutyCycleRegulator r;
  EXPECT_THROW(r.record(868.65e6, 1.0, 0.1), std::invalid_argument);
  EXPECT_THROW(r.record(871.0e6, 1.0, 0.1), std::invalid_argument);
}

TEST(DutyCycleRegulator, Us915HasNoDutyCycle) {
  DutyCycleRegulator r(Region::US915);
  r.record(902.3e6, 10.0, 0.4);
  EXPECT_DOUBLE_EQ(r.earliest_start_s(902.3e6), 0.0);
  EXPECT_TRUE(r.is_open(902.3e6, 10.0));
}

TEST(DutyCycleRegulator, ResetOpensEverything) {
  DutyCycleRegulator r;
  r.record(868.1e6, 10.0, 1.0);
  r.record(869.525e6, 10.0, 1.0);
  r.reset();
  EXPECT_DOUBLE_EQ(r.earliest_start_s(868.1e6), 0.0);
  EXPECT_DOUBLE_EQ(r.earliest_start_s(869.525e6), 0.0);
}

TEST(DutyCycleRegulator, IsSmall) {
  // Six doubles and the region: every device holds one.
  EXPECT_LE(sizeof(DutyCycleRegulator), 56u);
}

const std::vector<double> kChannels = {868.1e6, 868.3e6, 868.5e6, 869.525e6};

TEST(PickChannel, UniformAmongOpenChannels) {
  const DutyCycleRegulator r;
  // Four open channels: floor(u x 4).
  EXPECT_EQ(pick_channel(r, kChannels, 5.0, 0.0).index, 0);
  EXPECT_EQ(pick_channel(r, kChannels, 5.0, 0.24).index, 0);
  EXPECT_EQ(pick_channel(r, kChannels, 5.0, 0.25).index, 1);
  EXPECT_EQ(pick_channel(r, kChannels, 5.0, 0.6).index, 2);
  EXPECT_EQ(pick_channel(r, kChannels, 5.0, 0.999).index, 3);
  EXPECT_EQ(pick_channel(r, kChannels, 5.0, 1.0).index, 3);  // clamped
  EXPECT_DOUBLE_EQ(pick_channel(r, kChannels, 5.0, 0.5).start_s, 5.0);
  // Each channel is picked for a quarter of a fine grid of draws.
  std::vector<int> counts(kChannels.size(), 0);
  for (int k = 0; k < 1000; ++k) {
    ++counts[static_cast<size_t>(pick_channel(r, kChannels, 0.0, k / 1000.0).index)];
  }
  for (int c : counts) EXPECT_EQ(c, 250);
}

TEST(PickChannel, SkipsClosedSubBand) {
  DutyCycleRegulator r;
  r.record(868.1e6, 10.0, kSf7AirtimeS);  // M closed until 14.080384 s: only 869.525 MHz is open
  for (double u : {0.0, 0.3, 0.7, 0.99}) {
    const ChannelChoice c = pick_channel(r, kChannels, 11.0, u);
    EXPECT_EQ(c.index, 3) << u;
    EXPECT_DOUBLE_EQ(c.start_s, 11.0);
  }
}

TEST(PickChannel, NoneOpenGivesEarliestOpening) {
  DutyCycleRegulator r;
  r.record(868.1e6, 10.0, kSf7AirtimeS);    // M until 14.080384 s
  r.record(869.525e6, 10.0, kSf7AirtimeS);  // P until 10 + 0.041216 x 9 = 10.370944 s
  const ChannelChoice c = pick_channel(r, kChannels, 10.1, 0.0);
  EXPECT_EQ(c.index, 3);
  EXPECT_NEAR(c.start_s, 10.370944, kTimeTolS);
  // Only M channels: the first of the tied channels.
  const std::vector<double> m_only = {868.3e6, 868.5e6};
  const ChannelChoice m = pick_channel(r, m_only, 10.1, 0.9);
  EXPECT_EQ(m.index, 0);
  EXPECT_NEAR(m.start_s, 14.080384, kTimeTolS);
}

TEST(PickChannel, NothingUsable) {
  const DutyCycleRegulator r;
  EXPECT_EQ(pick_channel(r, std::vector<double>{}, 0.0, 0.5).index, -1);
  EXPECT_EQ(pick_channel(r, std::vector<double>{868.65e6}, 0.0, 0.5).index, -1);
}

// The compact regulator (two sub-bands' closing times held by the caller) against the full one: the same
// channel sets, the same wanted times and draws, busy enough that most transmissions wait. Every choice,
// start and closing time is the same to the bit (EXPECT_EQ on doubles), over channels in one sub-band
// (EU868's three defaults), in two (L and M: the eight-channel plan) and in US915.
TEST(CompactDutyCycle, ChoosesAndClosesAsTheFullRegulatorToTheBit) {
  struct Case {
    Region region;
    std::vector<double> channels;
  };
  const std::vector<Case> cases = {
      {Region::EU868, {868.1e6, 868.3e6, 868.5e6}},
      {Region::EU868, {867.1e6, 867.3e6, 867.5e6, 867.7e6, 867.9e6, 868.1e6, 868.3e6, 868.5e6}},
      {Region::EU868, {868.1e6, 869.525e6}},
      {Region::US915, {902.3e6, 902.5e6, 902.7e6}},
  };
  for (const Case& c : cases) {
    SubBandSlots slots;
    ASSERT_TRUE(slots.assign(c.region, c.channels));
    DutyCycleRegulator full(c.region);
    double closed[kCompactSubBands] = {};
    CompactDutyCycle compact(slots, closed);
    double t = 0.0, u = 0.137;
    int waited = 0;
    for (int i = 0; i < 2000; ++i) {
      const double airtime = i % 3 == 0 ? kSf12AirtimeS : kSf7AirtimeS;
      const ChannelChoice a = pick_channel(full, c.channels, t, u);
      const ChannelChoice b = pick_channel(compact, c.channels, t, u);
      ASSERT_EQ(a.index, b.index) << i;
      ASSERT_EQ(a.start_s, b.start_s) << i;
      waited += a.start_s > t ? 1 : 0;
      const double f = c.channels[static_cast<size_t>(a.index)];
      full.record(f, a.start_s + airtime, airtime);
      compact.record(f, a.start_s + airtime, airtime);
      for (double g : c.channels) {
        ASSERT_EQ(full.earliest_start_s(g), compact.earliest_start_s(g)) << i;
      }
      t = a.start_s + 0.5 * (i % 7);  // often before the sub-band opens again
      u = std::fmod(u * 7.31 + 0.123, 1.0);
    }
    if (c.region == Region::EU868) {
      EXPECT_GT(waited, 100);
    }
  }
}

TEST(CompactDutyCycle, MoreSubBandsThanPlacesAreRefusedAndForeignChannelsAreErrors) {
  SubBandSlots slots;
  // K, L and M: three sub-bands, two places.
  EXPECT_FALSE(slots.assign(Region::EU868, std::vector<double>{864.0e6, 867.1e6, 868.1e6}));
  ASSERT_TRUE(slots.assign(Region::EU868, std::vector<double>{868.1e6, 868.3e6}));
  double closed[kCompactSubBands] = {};
  CompactDutyCycle compact(slots, closed);
  EXPECT_EQ(compact.earliest_start_s(868.65e6), std::numeric_limits<double>::infinity());  // in no sub-band
  EXPECT_THROW(compact.record(868.65e6, 1.0, kSf7AirtimeS), std::invalid_argument);
  EXPECT_THROW((void)compact.earliest_start_s(869.525e6), std::logic_error);  // P: not one of its channels'
  compact.record(868.1e6, 10.0, kSf7AirtimeS);
  EXPECT_NEAR(compact.earliest_start_s(868.3e6), 14.080384, kTimeTolS);
  EXPECT_THROW(compact.record(868.3e6, 11.0, kSf7AirtimeS), std::logic_error);  // before M opens again
}

}  // namespace
}  // namespace citytwin::models::radio
