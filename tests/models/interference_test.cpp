// Tests of the inter-SF interference model: the Goursaud (ns-3 lorawan) and Croce et al. (2018) SIR
// threshold matrices and the ns-3 energy-based survival rule.
#include "models/radio/interference.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

namespace citytwin::models::radio {
namespace {

constexpr double kF = 868.1e6;

FrameOnAir frame(int sf, double rssi_dbm, double start_s, double end_s, double f = kF) {
  return FrameOnAir{start_s, end_s, rssi_dbm, sf, f};
}

// --- Matrices ----------------------------------------------------------------------------------

TEST(SirThreshold, GoursaudSpotValuesMatchNs3) {
  // ns-3 lorawan LoraInterferenceHelper::collisionSnirGoursaud, [target][interferer].
  EXPECT_DOUBLE_EQ(sir_threshold_db(InterferenceMatrix::Goursaud, 7, 7), 6.0);
  EXPECT_DOUBLE_EQ(sir_threshold_db(InterferenceMatrix::Goursaud, 7, 8), -16.0);
  EXPECT_DOUBLE_EQ(sir_threshold_db(InterferenceMatrix::Goursaud, 7, 12), -20.0);
  EXPECT_DOUBLE_EQ(sir_threshold_db(InterferenceMatrix::Goursaud, 8, 7), -24.0);
  EXPECT_DOUBLE_EQ(sir_threshold_db(InterferenceMatrix::Goursaud, 9, 10), -23.0);
  EXPECT_DOUBLE_EQ(sir_threshold_db(InterferenceMatrix::Goursaud, 10, 12), -28.0);
  EXPECT_DOUBLE_EQ(sir_threshold_db(InterferenceMatrix::Goursaud, 11, 12), -29.0);
  EXPECT_DOUBLE_EQ(sir_threshold_db(InterferenceMatrix::Goursaud, 12, 7), -36.0);
  EXPECT_DOUBLE_EQ(sir_threshold_db(InterferenceMatrix::Goursaud, 12, 11), -36.0);
}

TEST(SirThreshold, CroceSpotValuesMatchThePaperTable) {
  // Croce et al., IEEE Commun. Lett. 22(4), 2018 (as FLoRa's nonOrthDelta), [target][interferer].
  EXPECT_DOUBLE_EQ(sir_threshold_db(InterferenceMatrix::Croce, 7, 7), 1.0);
  EXPECT_DOUBLE_EQ(sir_threshold_db(InterferenceMatrix::Croce, 7, 8), -8.0);
  EXPECT_DOUBLE_EQ(sir_threshold_db(InterferenceMatrix::Croce, 7, 12), -9.0);
  EXPECT_DOUBLE_EQ(sir_threshold_db(InterferenceMatrix::Croce, 8, 7), -11.0);
  EXPECT_DOUBLE_EQ(sir_threshold_db(InterferenceMatrix::Croce, 9, 12), -15.0);
  EXPECT_DOUBLE_EQ(sir_threshold_db(InterferenceMatrix::Croce, 10, 9), -17.0);
  EXPECT_DOUBLE_EQ(sir_threshold_db(InterferenceMatrix::Croce, 11, 10), -20.0);
  EXPECT_DOUBLE_EQ(sir_threshold_db(InterferenceMatrix::Croce, 12, 7), -25.0);
  EXPECT_DOUBLE_EQ(sir_threshold_db(InterferenceMatrix::Croce, 12, 11), -23.0);
}

TEST(SirThreshold, DiagonalIsCoSfCaptureAndOffDiagonalIsNegative) {
  for (int t = 7; t <= 12; ++t) {
    for (int i = 7; i <= 12; ++i) {
      const double g = sir_threshold_db(InterferenceMatrix::Goursaud, t, i);
      const double c = sir_threshold_db(InterferenceMatrix::Croce, t, i);
      if (t == i) {
        EXPECT_DOUBLE_EQ(g, 6.0);
        EXPECT_DOUBLE_EQ(c, 1.0);
      } else {
        EXPECT_LT(g, 0.0) << t << "/" << i;
        EXPECT_LT(c, 0.0) << t << "/" << i;
        // Croce finds the SFs less orthogonal than Goursaud: a higher threshold everywhere.
        EXPECT_GT(c, g) << t << "/" << i;
      }
    }
  }
}

TEST(SirThreshold, MatricesAreAsymmetric) {
  // A slow SF12 target withstands an SF7 interferer far better than the reverse.
  EXPECT_DOUBLE_EQ(sir_threshold_db(InterferenceMatrix::Goursaud, 12, 7), -36.0);
  EXPECT_DOUBLE_EQ(sir_threshold_db(InterferenceMatrix::Goursaud, 7, 12), -20.0);
  EXPECT_DOUBLE_EQ(sir_threshold_db(InterferenceMatrix::Croce, 12, 7), -25.0);
  EXPECT_DOUBLE_EQ(sir_threshold_db(InterferenceMatrix::Croce, 7, 12), -9.0);
  // Below the diagonal, Goursaud's thresholds fall 3 dB per target SF step (column SF7: -24 .. -36).
  for (int t = 8; t < 12; ++t) {
    EXPECT_DOUBLE_EQ(sir_threshold_db(InterferenceMatrix::Goursaud, t + 1, 7) -
                         sir_threshold_db(InterferenceMatrix::Goursaud, t, 7),
                     -3.0);
  }
  // In both, a higher target SF is at least as robust against an SF7 interferer.
  for (int t = 8; t < 12; ++t) {
    EXPECT_LT(sir_threshold_db(InterferenceMatrix::Croce, t + 1, 7),
              sir_threshold_db(InterferenceMatrix::Croce, t, 7));
  }
}

TEST(SirThreshold, OutOfRangeSfThrows) {
  EXPECT_THROW(sir_threshold_db(InterferenceMatrix::Goursaud, 6, 7), std::out_of_range);
  EXPECT_THROW(sir_threshold_db(InterferenceMatrix::Croce, 7, 13), std::out_of_range);
}

// --- Overlap -----------------------------------------------------------------------------------

TEST(Overlap, CasesOfNs3GetOverlapTime) {
  const FrameOnAir a = frame(7, -100, 1.0, 2.0);
  EXPECT_DOUBLE_EQ(overlap_s(a, frame(7, -100, 2.0, 3.0)), 0.0);    // touching
  EXPECT_DOUBLE_EQ(overlap_s(a, frame(7, -100, 3.0, 4.0)), 0.0);    // disjoint
  EXPECT_DOUBLE_EQ(overlap_s(a, frame(7, -100, 1.5, 3.0)), 0.5);    // partial, after
  EXPECT_DOUBLE_EQ(overlap_s(a, frame(7, -100, 0.0, 1.25)), 0.25);  // partial, before
  EXPECT_DOUBLE_EQ(overlap_s(a, frame(7, -100, 1.25, 1.5)), 0.25);  // contained
  EXPECT_DOUBLE_EQ(overlap_s(a, frame(7, -100, 0.0, 5.0)), 1.0);    // containing
  EXPECT_DOUBLE_EQ(overlap_s(frame(7, -100, 1.25, 1.5), a), 0.25);  // symmetric
}

// --- Survival rule -----------------------------------------------------------------------------

TEST(Survival, NoInterferenceSurvives) {
  const FrameOnAir t = frame(9, -130, 0.0, 1.0);
  EXPECT_EQ(destroying_spreading_factor(t, {}), 0);
  const std::array<double, 6> sir = energy_sir_db(t, {});
  for (double s : sir) EXPECT_TRUE(std::isinf(s) && s > 0);
}

TEST(Survival, CoSfCaptureAtSixDecibels) {
  const FrameOnAir t = frame(7, -100, 0.0, 1.0);
  const std::vector<FrameOnAir> weaker_by_6_1 = {frame(7, -106.1, 0.0, 1.0)};
  const std::vector<FrameOnAir> weaker_by_5_9 = {frame(7, -105.9, 0.0, 1.0)};
  EXPECT_TRUE(survives_interference(t, weaker_by_6_1));
  EXPECT_EQ(destroying_spreading_factor(t, weaker_by_5_9), 7);
  EXPECT_NEAR(energy_sir_db(t, weaker_by_5_9)[0], 5.9, 1e-9);
  // Equal powers: both lost under Goursaud (6 dB) and Croce (1 dB).
  const std::vector<FrameOnAir> equal = {frame(7, -100, 0.0, 1.0)};
  EXPECT_FALSE(survives_interference(t, equal, InterferenceMatrix::Goursaud));
  EXPECT_FALSE(survives_interference(t, equal, InterferenceMatrix::Croce));
  // 2 dB stronger: survives Croce's 1 dB but not Goursaud's 6 dB.
  const std::vector<FrameOnAir> weaker_by_2 = {frame(7, -102, 0.0, 1.0)};
  EXPECT_TRUE(survives_interference(t, weaker_by_2, InterferenceMatrix::Croce));
  EXPECT_FALSE(survives_interference(t, weaker_by_2, InterferenceMatrix::Goursaud));
}

TEST(Survival, PartialOverlapWeighsInterfererByOverlapFraction) {
  // Equal powers, the interferer covers a fraction x of the target: SIR = 10 log10(1 / x).
  //   x = 0.2: 6.990 dB >= 6 -> survives;  x = 0.3: 5.229 dB < 6 -> destroyed.
  const FrameOnAir t = frame(8, -110, 10.0, 11.0);
  const std::vector<FrameOnAir> fifth = {frame(8, -110, 10.8, 12.0)};
  const std::vector<FrameOnAir> three_tenths = {frame(8, -110, 9.0, 10.3)};
  EXPECT_NEAR(energy_sir_db(t, fifth)[1], 6.989700, 1e-6);
  EXPECT_NEAR(energy_sir_db(t, three_tenths)[1], 5.228787, 1e-6);
  EXPECT_TRUE(survives_interference(t, fifth));
  EXPECT_EQ(destroying_spreading_factor(t, three_tenths), 8);
}

TEST(Survival, SameSfInterferersAddUp) {
  // Each SF7 interferer alone is 9 dB weaker: survives. Two together: 9 - 10 log10(2) = 5.99 dB < 6.
  const FrameOnAir t = frame(7, -100, 0.0, 1.0);
  const std::vector<FrameOnAir> one = {frame(7, -109, 0.0, 1.0)};
  const std::vector<FrameOnAir> two = {frame(7, -109, 0.0, 1.0), frame(7, -109, 0.0, 1.0)};
  EXPECT_TRUE(survives_interference(t, one));
  EXPECT_NEAR(energy_sir_db(t, two)[0], 9.0 - 3.0103, 1e-4);
  EXPECT_FALSE(survives_interference(t, two));
}

TEST(Survival, DifferentSfGroupsAreNotAdded) {
  // Target SF9; an SF7 and an SF8 interferer, each 25 dB stronger. Goursaud [SF9][SF7] = [SF9][SF8] =
  // -27 dB: each group has SIR -25 dB >= -27 -> survives. Added together they would give
  // -25 - 3.01 = -28.01 dB < -27, but ns-3 checks each SF group on its own.
  const FrameOnAir t = frame(9, -120, 0.0, 1.0);
  const std::vector<FrameOnAir> mixed = {frame(7, -95, 0.0, 1.0), frame(8, -95, 0.0, 1.0)};
  EXPECT_TRUE(survives_interference(t, mixed));
  const std::array<double, 6> sir = energy_sir_db(t, mixed);
  EXPECT_NEAR(sir[0], -25.0, 1e-9);
  EXPECT_NEAR(sir[1], -25.0, 1e-9);
  EXPECT_TRUE(std::isinf(sir[2]));
}

TEST(Survival, MatricesDisagreeOnStrongInterSfInterferer) {
  // Target SF7 at -100 dBm, SF12 interferer 15 dB stronger: SIR -15 dB. Goursaud [7][12] = -20 ->
  // survives; Croce [7][12] = -9 -> destroyed by SF12.
  const FrameOnAir t = frame(7, -100, 0.0, 0.05);
  const std::vector<FrameOnAir> strong_sf12 = {frame(12, -85, -1.0, 1.0)};
  EXPECT_TRUE(survives_interference(t, strong_sf12, InterferenceMatrix::Goursaud));
  EXPECT_EQ(destroying_spreading_factor(t, strong_sf12, InterferenceMatrix::Croce), 12);
}

TEST(Survival, ReportsLowestDestroyingSf) {
  const FrameOnAir t = frame(10, -120, 0.0, 1.0);
  // SF8 group at SIR -31 dB (< -30 Goursaud [10][8]) and SF11 group at SIR -27 (< -26 [10][11]).
  const std::vector<FrameOnAir> both = {frame(11, -93, 0.0, 1.0), frame(8, -89, 0.0, 1.0)};
  EXPECT_EQ(destroying_spreading_factor(t, both), 8);
  const std::vector<FrameOnAir> only_sf11 = {frame(11, -93, 0.0, 1.0)};
  EXPECT_EQ(destroying_spreading_factor(t, only_sf11), 11);
}

TEST(Survival, OtherChannelsAndTheTargetItselfAreIgnored) {
  std::vector<FrameOnAir> on_air = {frame(7, -100, 0.0, 1.0), frame(7, -60, 0.0, 1.0, 868.3e6),
                                    frame(7, -60, 1.0, 2.0)};
  // Target is on_air[0]: the strong frame on 868.3 MHz and the one after it do not count, nor does
  // the target itself (same object).
  EXPECT_TRUE(survives_interference(on_air[0], on_air));
  // A copy of the target is a different frame: equal power, destroyed.
  const FrameOnAir copy = on_air[0];
  EXPECT_FALSE(survives_interference(copy, on_air));
}

}  // namespace
}  // namespace citytwin::models::radio
