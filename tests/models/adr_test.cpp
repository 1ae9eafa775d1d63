// Tests of the network-server ADR algorithm (Semtech's recommended algorithm as in ns-3 lorawan and
// ChirpStack), link SNR and SF assignment by link budget.
#include "models/radio/adr.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

namespace citytwin::models::radio {
namespace {

TEST(RequiredSnr, Sx1276Table) {
  // SX1276 datasheet: SF7 -7.5 dB ... SF12 -20 dB, 2.5 dB per SF.
  EXPECT_DOUBLE_EQ(required_snr_db(7), -7.5);
  EXPECT_DOUBLE_EQ(required_snr_db(8), -10.0);
  EXPECT_DOUBLE_EQ(required_snr_db(9), -12.5);
  EXPECT_DOUBLE_EQ(required_snr_db(10), -15.0);
  EXPECT_DOUBLE_EQ(required_snr_db(11), -17.5);
  EXPECT_DOUBLE_EQ(required_snr_db(12), -20.0);
  EXPECT_THROW(required_snr_db(6), std::out_of_range);
  EXPECT_THROW(required_snr_db(13), std::out_of_range);
}

TEST(NoiseFloor, At125kHzWithNf6IsMinus117_03dBm) {
  // -174 + 10 log10(125000) + 6 = -174 + 50.9691 + 6 = -117.0309 dBm.
  EXPECT_NEAR(noise_floor_dbm(125e3), -117.0309, 1e-4);
  EXPECT_NEAR(noise_floor_dbm(125e3, 6.0), -117.03, 0.005);
  // 500 kHz: +6.0206 dB; 1 Hz, NF 0: kT at 290 K.
  EXPECT_NEAR(noise_floor_dbm(500e3), -111.0103, 1e-4);
  EXPECT_DOUBLE_EQ(noise_floor_dbm(1.0, 0.0), -174.0);
}

TEST(NoiseFloor, SnrIsRssiOverNoiseFloor) {
  // -120 dBm at 125 kHz: -120 + 117.0309 = -2.9691 dB (ns-3 RxPowerToSNR: P + 174 - 10 log10(B) - NF).
  EXPECT_NEAR(snr_db(-120.0, 125e3), -2.9691, 1e-4);
  EXPECT_NEAR(snr_db(-120.0, 125e3), -120.0 + 174.0 - 10.0 * std::log10(125e3) - 6.0, 1e-12);
  // The SX1301 SF12 sensitivity (-142.5 dBm) sits 25.5 dB below the NF-6 floor, 5.5 dB under the SF12
  // demodulation floor (-20 dB): the two tables (both in ns-3) imply different noise figures.
  EXPECT_NEAR(snr_db(-142.5, 125e3), -25.4691, 1e-4);
}

TEST(SpreadingFactorForLink, SmallestSfWhoseSensitivityIsMet) {
  // SX1301 table: -130, -132.5, -135, -137.5, -140, -142.5 dBm.
  EXPECT_EQ(spreading_factor_for_link(-100.0), 7);
  EXPECT_EQ(spreading_factor_for_link(-130.0), 7);  // equal to the sensitivity
  EXPECT_EQ(spreading_factor_for_link(-130.1), 8);
  EXPECT_EQ(spreading_factor_for_link(-136.0), 10);
  EXPECT_EQ(spreading_factor_for_link(-142.5), 12);
  EXPECT_EQ(spreading_factor_for_link(-150.0), 12);  // out of range: SF12 anyway
  // 10 dB margin: -125 dBm needs sensitivity <= -135 dBm: SF9.
  EXPECT_EQ(spreading_factor_for_link(-125.0, kSx1301SensitivityDbm, 10.0), 9);
  const std::array<double, 6> sx1272 = {-124.0, -127.0, -130.0, -133.0, -135.0, -137.0};
  EXPECT_EQ(spreading_factor_for_link(-128.0, sx1272), 9);
}

TEST(SpreadingFactorForLink, NonIncreasingInRssi) {
  int previous = 12;
  for (double rssi = -150.0; rssi <= -100.0; rssi += 0.25) {
    const int sf = spreading_factor_for_link(rssi);
    EXPECT_LE(sf, previous) << rssi;
    previous = sf;
  }
}

// --- ADR steps, by hand ------------------------------------------------------------------------

TEST(AdrSteps, Sf12AtMinus5dBGainsOneStep) {
  // margin = -5 - (-20) - 10 = 5 dB; NStep = floor(5 / 3) = 1: SF12 -> SF11, power unchanged.
  const AdrParams p;
  EXPECT_EQ(adr_steps(-5.0, 12, p), 1);
  EXPECT_EQ(adr_apply_steps(1, {12, 14.0}, p), (AdrSetting{11, 14.0}));
}

TEST(AdrSteps, Sf12AtPlus10dBGoesToSf7AndLowersPowerOnce) {
  // margin = 10 + 20 - 10 = 20 dB; NStep = 6: five SF steps (12 -> 7), one power step (14 -> 12 dBm).
  const AdrParams p;
  EXPECT_EQ(adr_steps(10.0, 12, p), 6);
  EXPECT_EQ(adr_apply_steps(6, {12, 14.0}, p), (AdrSetting{7, 12.0}));
}

TEST(AdrSteps, LeftoverStepsAreDroppedAtMinimumPower) {
  // margin = 30 + 20 - 10 = 40 dB; NStep = 13: 5 SF steps, 6 power steps (14 -> 2 dBm), 2 unused.
  const AdrParams p;
  EXPECT_EQ(adr_steps(30.0, 12, p), 13);
  EXPECT_EQ(adr_apply_steps(13, {12, 14.0}, p), (AdrSetting{7, 2.0}));
}

TEST(AdrSteps, NegativeMarginRaisesPowerUpToMaximumButNeverTheSf) {
  // SF7 at 8 dBm, SNRmax -10 dB: margin = -10 + 7.5 - 10 = -12.5 dB; floor(-4.17) = -5; power rises
  // 8 -> 10 -> 12 -> 14 dBm and stops at the maximum; SF stays 7.
  const AdrParams p;
  EXPECT_EQ(adr_steps(-10.0, 7, p), -5);
  EXPECT_EQ(adr_apply_steps(-5, {7, 8.0}, p), (AdrSetting{7, 14.0}));
  EXPECT_EQ(adr_apply_steps(-1, {9, 14.0}, p), (AdrSetting{9, 14.0}));
}

TEST(AdrSteps, FloorVersusTruncation) {
  AdrParams floor_p;
  AdrParams trunc_p;
  trunc_p.rounding = StepRounding::TowardZero;
  // margin -12.5 dB: floor -5, truncation -4.
  EXPECT_EQ(adr_steps(-10.0, 7, floor_p), -5);
  EXPECT_EQ(adr_steps(-10.0, 7, trunc_p), -4);
  // margin -4 dB (SF10, SNR -9): floor -2, truncation -1.
  EXPECT_EQ(adr_steps(-9.0, 10, floor_p), -2);
  EXPECT_EQ(adr_steps(-9.0, 10, trunc_p), -1);
  // Positive margins agree: 5.9 dB -> 1, exactly 3 dB -> 1, 2.9 dB -> 0.
  for (const AdrParams& p : {floor_p, trunc_p}) {
    EXPECT_EQ(adr_steps(-4.1, 12, p), 1);
    EXPECT_EQ(adr_steps(-7.0, 12, p), 1);
    EXPECT_EQ(adr_steps(-7.1, 12, p), 0);
  }
}

TEST(AdrSteps, Ns3DefaultMarginOfZero) {
  // ns-3 AdrComponent SNRDeviceMargin = 0: SF12 at -5 dB has 15 dB margin, 5 steps -> SF7.
  AdrParams ns3;
  ns3.installation_margin_db = 0.0;
  EXPECT_EQ(adr_steps(-5.0, 12, ns3), 5);
  EXPECT_EQ(adr_apply_steps(5, {12, 14.0}, ns3), (AdrSetting{7, 14.0}));
}

// --- History and decision ----------------------------------------------------------------------

TEST(AdrHistory, KeepsTheLast20AndTakesTheMaximum) {
  AdrHistory h;
  EXPECT_EQ(h.size(), 0);
  EXPECT_THROW(h.max_snr_db(), std::logic_error);
  h.add(30.0);  // the oldest: evicted by the 21st uplink
  for (int n = 0; n < 19; ++n) h.add(-5.0 - n * 0.1);
  EXPECT_TRUE(h.full());
  EXPECT_DOUBLE_EQ(h.max_snr_db(), 30.0);
  h.add(-7.0);
  EXPECT_EQ(h.size(), 20);
  EXPECT_DOUBLE_EQ(h.max_snr_db(), -5.0);
  for (int n = 0; n < 40; ++n) h.add(-8.0);
  EXPECT_DOUBLE_EQ(h.max_snr_db(), -8.0);
  h.clear();
  EXPECT_EQ(h.size(), 0);
}

// RecentMax keeps the maximum of the last 20 in one line: against the ring of the last 20 values, uplink by
// uplink, over sequences that spill (long decreasing runs), tie, wrap its uplink numbers and clear.
TEST(RecentMax, IsTheRingsMaximumUplinkByUplink) {
  static_assert(sizeof(RecentMax) == 64 && alignof(RecentMax) == 64);
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<float> level(-130.0f, -60.0f);
  int spills = 0;
  for (int sequence = 0; sequence < 400; ++sequence) {
    RecentUplinks<float> ring;
    RecentMax recent;
    EXPECT_THROW((void)recent.max(), std::logic_error);
    const int kind = sequence % 4;
    float v = -60.0f;
    for (int n = 0; n < 700; ++n) {
      float value = level(rng);
      if (kind == 1) value = (v -= 0.25f);  // falling: spills, ages out one a time
      if (kind == 2) value = static_cast<float>(-100 + static_cast<int>(rng() % 3));     // ties
      if (kind == 3 && n % 50 < 25) value = -60.0f - 0.5f * static_cast<float>(n % 50);  // falls, then noise
      if (rng() % 97 == 0) {  // ADR's command: the history starts again
        ring.clear();
        recent.clear();
        ASSERT_FALSE(recent.spilled());
      }
      ring.add(value);
      recent.add(value);
      spills += recent.spilled() ? 1 : 0;
      ASSERT_EQ(recent.size(), ring.size()) << sequence << " " << n;
      ASSERT_EQ(recent.full(), ring.full());
      ASSERT_EQ(recent.max(), ring.max()) << sequence << " " << n;
    }
  }
  EXPECT_GT(spills, 0);  // the falling sequences went past the line's 10 values
}

TEST(AdrHistory, UplinkSnrIsTheBestGateway) {
  AdrHistory h;
  const std::vector<double> gateways = {-12.0, -3.5, -8.0};
  h.add_gateways(gateways);
  EXPECT_DOUBLE_EQ(h.max_snr_db(), -3.5);
  EXPECT_THROW(h.add_gateways(std::vector<double>{}), std::invalid_argument);
}

TEST(AdrDecide, WaitsForTwentyUplinksByDefault) {
  AdrHistory h;
  const AdrSetting current{12, 14.0};
  for (int n = 0; n < 19; ++n) {
    h.add(10.0);
    EXPECT_FALSE(adr_decide(h, current).has_value()) << n + 1 << " uplinks";
  }
  h.add(10.0);
  const auto decision = adr_decide(h, current);
  ASSERT_TRUE(decision.has_value());
  EXPECT_EQ(*decision, (AdrSetting{7, 12.0}));  // as Sf12AtPlus10dBGoesToSf7AndLowersPowerOnce
}

TEST(AdrDecide, UseAvailableHistoryRaisesPowerOnlyWhenFull) {
  AdrParams p;
  p.require_full_history = false;
  AdrHistory h;
  EXPECT_FALSE(adr_decide(h, {12, 14.0}, p).has_value());  // nothing to go on
  h.add(-5.0);
  EXPECT_EQ(adr_decide(h, {12, 14.0}, p), (AdrSetting{11, 14.0}));
  // Weak link, partial history: no power increase yet (ChirpStack).
  AdrHistory weak;
  for (int n = 0; n < 19; ++n) weak.add(-10.0);
  EXPECT_EQ(adr_decide(weak, {7, 8.0}, p), (AdrSetting{7, 8.0}));
  weak.add(-10.0);
  EXPECT_EQ(adr_decide(weak, {7, 8.0}, p), (AdrSetting{7, 14.0}));
}

TEST(AdrDecide, ConvergesAndStaysPut) {
  // Feed the decision back: the setting reaches a fixed point where margin / 3 < 1 or nothing is left.
  AdrHistory h;
  for (int n = 0; n < 20; ++n) h.add(-12.0);
  AdrSetting s{12, 14.0};
  // margin at SF12: -12 + 20 - 10 = -2 -> floor(-0.67) = -1 -> power already at max: unchanged.
  EXPECT_EQ(*adr_decide(h, s), s);
  AdrHistory good;
  for (int n = 0; n < 20; ++n) good.add(0.0);
  // SF12: margin 10 -> 3 steps -> SF9. At SF9: margin 0 + 12.5 - 10 = 2.5 -> 0 steps: fixed point.
  s = *adr_decide(good, s);
  EXPECT_EQ(s, (AdrSetting{9, 14.0}));
  EXPECT_EQ(*adr_decide(good, s), s);
}

// The gateways receive at the bandwidth-adjusted sensitivity (gateway_sensitivity_dbm): the SF chosen
// for a link must clear that one. At 250 / 500 kHz it is 3.01 / 6.02 dB higher than at 125 kHz.
TEST(SpreadingFactorForLink, UsesTheBandwidthAdjustedSensitivity) {
  EXPECT_EQ(spreading_factor_for_link(-130.0, 125e3), 7);
  EXPECT_EQ(spreading_factor_for_link(-130.0, 250e3), 9);   // SF8 at 250 kHz: -129.49 dBm
  EXPECT_EQ(spreading_factor_for_link(-130.0, 500e3), 10);  // SF9 at 500 kHz: -128.98 dBm
  EXPECT_EQ(spreading_factor_for_link(-124.0, 500e3), 8);   // SF7 at 500 kHz: -123.98 dBm
  EXPECT_EQ(spreading_factor_for_link(-123.9, 500e3), 7);
  // With a margin, and with another table.
  EXPECT_EQ(spreading_factor_for_link(-125.0, 500e3, kSx1301SensitivityDbm, 5.0), 10);  // -131.48 + 5
  const std::array<double, 6> sx1272 = {-124.0, -127.0, -130.0, -133.0, -135.0, -137.0};
  EXPECT_EQ(spreading_factor_for_link(-124.0, 250e3, sx1272), 9);  // SF9: -126.99 dBm
  // The same as the 125 kHz form at 125 kHz.
  for (double rssi = -150.0; rssi <= -100.0; rssi += 0.1)
    EXPECT_EQ(spreading_factor_for_link(rssi, 125e3), spreading_factor_for_link(rssi)) << rssi;
}

TEST(SpreadingFactorForLink, ChosenSfIsReceivedAtItsBandwidth) {
  for (const double bw : {125e3, 250e3, 500e3}) {
    for (double rssi = -150.0; rssi <= -100.0; rssi += 0.01) {
      const int sf = spreading_factor_for_link(rssi, bw);
      if (sf < 12) {
        EXPECT_LE(gateway_sensitivity_dbm(sf, bw), rssi) << bw << " " << rssi;
      }
      if (sf > 7 && rssi >= gateway_sensitivity_dbm(12, bw)) {  // and it is the smallest
        EXPECT_GT(gateway_sensitivity_dbm(sf - 1, bw), rssi) << bw << " " << rssi;
      }
    }
  }
}

// Theory: the sensitivity steps 2.5 dB per SF, so a rise of 10 log10(BW / 125 kHz) dB moves a link
// that needs SF s (8..9) at 125 kHz to s + 2 or s + 3 at 500 kHz (6.02 dB: s + 2 when the link clears
// SF s's 125 kHz sensitivity by 1.02 dB or more), and to s + 1 or s + 2 at 250 kHz (3.01 dB: s + 1
// from 0.51 dB). Over a uniform spread of RSSI the share that moves least is (2.5 - 1.02) / 2.5 at
// 500 kHz and (2.5 - 0.51) / 2.5 at 250 kHz.
TEST(SpreadingFactorForLink, BandwidthShiftsTheSfAsTheSensitivityRises) {
  for (const double bw : {250e3, 500e3}) {
    const double rise_db = 10.0 * std::log10(bw / 125e3);
    const int least = static_cast<int>(std::floor(rise_db / 2.5));
    int links = 0, moved_least = 0;
    for (double rssi = -135.0; rssi < -130.0; rssi += 0.001) {  // SF8..SF9 at 125 kHz
      const int at_125 = spreading_factor_for_link(rssi);
      const int shift = spreading_factor_for_link(rssi, bw) - at_125;
      ASSERT_TRUE(shift == least || shift == least + 1) << bw << " " << rssi;
      const double clears_db = rssi - kSx1301SensitivityDbm[static_cast<size_t>(at_125 - 7)];
      EXPECT_EQ(shift == least, clears_db >= rise_db - 2.5 * least) << bw << " " << rssi;
      ++links;
      moved_least += shift == least ? 1 : 0;
    }
    EXPECT_NEAR(static_cast<double>(moved_least) / links, (2.5 * (least + 1) - rise_db) / 2.5, 0.002) << bw;
  }
}

}  // namespace
}  // namespace citytwin::models::radio
