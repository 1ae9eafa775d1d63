// Tests of the gateway reception rules: sensitivity per SF and bandwidth, and the capture rule.
#include "models/radio/reception.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace citytwin::models::radio {
namespace {

TEST(GatewaySensitivity, TableAt125kHz) {
  // SX1301 figures as in ns-3 GatewayLoraPhy::sensitivity, SF7..SF12.
  EXPECT_DOUBLE_EQ(gateway_sensitivity_dbm(7, 125e3), -130.0);
  EXPECT_DOUBLE_EQ(gateway_sensitivity_dbm(8, 125e3), -132.5);
  EXPECT_DOUBLE_EQ(gateway_sensitivity_dbm(9, 125e3), -135.0);
  EXPECT_DOUBLE_EQ(gateway_sensitivity_dbm(10, 125e3), -137.5);
  EXPECT_DOUBLE_EQ(gateway_sensitivity_dbm(11, 125e3), -140.0);
  EXPECT_DOUBLE_EQ(gateway_sensitivity_dbm(12, 125e3), -142.5);
}

TEST(GatewaySensitivity, RisesWithBandwidth) {
  // 10 log10(250/125) = 10 log10(2) = 3.0103 dB; 10 log10(4) = 6.0206 dB.
  for (int sf = 7; sf <= 12; ++sf) {
    const double at_125 = gateway_sensitivity_dbm(sf, 125e3);
    EXPECT_NEAR(gateway_sensitivity_dbm(sf, 250e3) - at_125, 3.0103, 1e-4) << "SF" << sf;
    EXPECT_NEAR(gateway_sensitivity_dbm(sf, 500e3) - at_125, 6.0206, 1e-4) << "SF" << sf;
  }
  EXPECT_NEAR(gateway_sensitivity_dbm(7, 250e3), -126.9897, 1e-4);
  EXPECT_NEAR(gateway_sensitivity_dbm(12, 500e3), -136.4794, 1e-4);
}

TEST(GatewaySensitivity, UsesTheGivenTable) {
  const std::array<double, 6> table = {-124.0, -127.0, -130.0, -133.0, -135.0, -137.0};
  EXPECT_DOUBLE_EQ(gateway_sensitivity_dbm(7, 125e3, table), -124.0);
  EXPECT_DOUBLE_EQ(gateway_sensitivity_dbm(12, 125e3, table), -137.0);
  EXPECT_NEAR(gateway_sensitivity_dbm(12, 250e3, table), -133.9897, 1e-4);
}

TEST(GatewaySensitivity, SpreadingFactorOutsideTableThrows) {
  EXPECT_THROW(gateway_sensitivity_dbm(6, 125e3), std::out_of_range);
  EXPECT_THROW(gateway_sensitivity_dbm(13, 125e3), std::out_of_range);
}

// The end device's (downlink) sensitivity is the SX1272/73 datasheet's table itself (Rev. 2, July 2014,
// RFS_L125 / RFS_L250 / RFS_L500; the same in FLoRa's LoRaReceiver), not its 125 kHz row shifted by
// 10 log10(BW / 125 kHz): at SF7/500 kHz -116 dBm, where the shift gives -124 + 6.02 = -117.98.
TEST(EndDeviceSensitivity, IsTheSx1272DatasheetsTableAtEachBandwidth) {
  const std::array<double, 6> at_125 = {-124, -127, -130, -133, -135, -137};
  const std::array<double, 6> at_250 = {-122, -125, -128, -130, -132, -135};
  const std::array<double, 6> at_500 = {-116, -119, -122, -125, -128, -129};
  for (int sf = 7; sf <= 12; ++sf) {
    const size_t i = static_cast<size_t>(sf - 7);
    EXPECT_DOUBLE_EQ(end_device_sensitivity_dbm(sf, 125e3), at_125[i]) << "SF" << sf;
    EXPECT_DOUBLE_EQ(end_device_sensitivity_dbm(sf, 250e3), at_250[i]) << "SF" << sf;
    EXPECT_DOUBLE_EQ(end_device_sensitivity_dbm(sf, 500e3), at_500[i]) << "SF" << sf;
  }
  EXPECT_THROW(end_device_sensitivity_dbm(7, 62.5e3), std::out_of_range);
  EXPECT_THROW(end_device_sensitivity_dbm(6, 125e3), std::out_of_range);
}

// The SX1301 gateway keeps the noise-floor shift at 250 / 500 kHz (no per-SF table of its own: see
// models/radio/reception.hpp). The RAK2247 concentrator card (SX1301) lists SF7 -125 / -123 / -120 dBm
// and SF12 -139 / -136 / -134 dBm at 125 / 250 / 500 kHz, in whole dB: its steps over 125 kHz (+2 / +3,
// +5 / +5) are within 1.02 dB of the shift's 3.01 and 6.02 dB.
TEST(GatewaySensitivity, BandwidthStepsAgreeWithAnSx1301CardWithinADecibel) {
  const std::array<std::array<double, 3>, 2> rak2247 = {{{-125, -123, -120}, {-139, -136, -134}}};
  const std::array<int, 2> sfs = {7, 12};
  for (size_t k = 0; k < 2; ++k) {
    const double base = gateway_sensitivity_dbm(sfs[k], 125e3);
    EXPECT_NEAR(gateway_sensitivity_dbm(sfs[k], 250e3) - base, rak2247[k][1] - rak2247[k][0], 1.03);
    EXPECT_NEAR(gateway_sensitivity_dbm(sfs[k], 500e3) - base, rak2247[k][2] - rak2247[k][0], 1.03);
  }
}

TEST(CaptureRule, DefaultsAreLoraSimSixDecibels) {
  const CaptureRule rule;
  EXPECT_TRUE(rule.enabled);
  EXPECT_DOUBLE_EQ(rule.threshold_db, 6.0);
}

TEST(CaptureRule, WithoutCaptureNoFrameEverSurvives) {
  CaptureRule rule;
  rule.enabled = false;
  for (double margin_db : {-50.0, 0.0, 5.9, 6.0, 6.1, 30.0, 100.0}) {
    EXPECT_FALSE(survives_overlap(-80.0, -80.0 - margin_db, rule)) << margin_db << " dB";
  }
}

TEST(CaptureRule, ThresholdBoundary) {
  const CaptureRule rule;  // 6 dB
  // Differences chosen to be exact in binary floating point: -100 - (-106) == 6 exactly.
  EXPECT_TRUE(survives_overlap(-100.0, -106.0, rule));   // exactly 6 dB: survives
  EXPECT_FALSE(survives_overlap(-100.0, -105.9, rule));  // 5.9 dB: lost
  EXPECT_TRUE(survives_overlap(-100.0, -106.1, rule));   // 6.1 dB: survives
  EXPECT_TRUE(survives_overlap(-100.0, -140.0, rule));
}

TEST(CaptureRule, EqualOrWeakerFramesAreLost) {
  const CaptureRule rule;
  EXPECT_FALSE(survives_overlap(-100.0, -100.0, rule));
  EXPECT_FALSE(survives_overlap(-110.0, -100.0, rule));
}

TEST(CaptureRule, AtMostOneOfTwoFramesSurvives) {
  // With a positive threshold the weaker frame can never capture the stronger one.
  const CaptureRule rule;
  for (double a : {-120.0, -110.0, -104.0, -100.0}) {
    for (double b : {-120.0, -110.0, -104.0, -100.0}) {
      EXPECT_FALSE(survives_overlap(a, b, rule) && survives_overlap(b, a, rule)) << a << " vs " << b;
    }
  }
}

TEST(CaptureRule, CustomThreshold) {
  CaptureRule rule;
  rule.threshold_db = 1.0;
  EXPECT_TRUE(survives_overlap(-100.0, -101.0, rule));
  EXPECT_FALSE(survives_overlap(-100.0, -100.5, rule));
  rule.threshold_db = 0.0;  // the stronger-or-equal frame survives
  EXPECT_TRUE(survives_overlap(-100.0, -100.0, rule));
}

// The comparison every rule ends in, and the capture rule's threshold as the medium applies it.
TEST(SirRule, ReachingTheThresholdIsEnough) {
  EXPECT_TRUE(sir_suffices(6.0, 6.0));
  EXPECT_FALSE(sir_suffices(5.9, 6.0));
  EXPECT_TRUE(sir_suffices(-35.0, -36.0));  // inter-SF thresholds are negative (Goursaud SF12/SF7)
  EXPECT_FALSE(sir_suffices(-37.0, -36.0));
  constexpr double inf = std::numeric_limits<double>::infinity();
  EXPECT_FALSE(sir_suffices(100.0, inf));  // no SIR reaches +infinity
  EXPECT_TRUE(sir_suffices(inf, inf));     // no interference at all: nothing to survive
  EXPECT_TRUE(sir_suffices(-100.0, -inf));
}

TEST(SirRule, CoSfThresholdIsTheCaptureRule) {
  CaptureRule rule;
  EXPECT_DOUBLE_EQ(co_sf_threshold_db(rule), 6.0);
  rule.threshold_db = 1.0;
  EXPECT_DOUBLE_EQ(co_sf_threshold_db(rule), 1.0);
  rule.enabled = false;
  EXPECT_TRUE(std::isinf(co_sf_threshold_db(rule)) && co_sf_threshold_db(rule) > 0.0);
  // survives_overlap is the SIR rule with that threshold, with or without capture.
  for (const bool enabled : {true, false}) {
    rule = {enabled, 6.0};
    for (double margin_db : {-50.0, 0.0, 5.9, 6.0, 6.1, 30.0})
      EXPECT_EQ(survives_overlap(-100.0, -100.0 - margin_db, rule),
                sir_suffices(margin_db, co_sf_threshold_db(rule)))
          << enabled << " " << margin_db;
  }
}

}  // namespace
}  // namespace citytwin::models::radio
