// Tests of the inter-SF interference model: the Goursaud (ns-3 lorawan) and Croce et al. (2018) SIR
// threshold matrices and the ns-3 energy-based survival rule.
#include "models/radio/interference.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <limits>
#include <optional>
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

// --- Energy form and the receiver's threshold table -------------------------------------------

TEST(SirThresholds, TableIsTheMatrix) {
  for (const auto m : {InterferenceMatrix::Goursaud, InterferenceMatrix::Croce}) {
    const SirThresholds table = sir_thresholds_db(m);
    for (int t = 7; t <= 12; ++t)
      for (int i = 7; i <= 12; ++i)
        EXPECT_DOUBLE_EQ(table[static_cast<size_t>(t - 7)][static_cast<size_t>(i - 7)],
                         sir_threshold_db(m, t, i));
  }
  EXPECT_DOUBLE_EQ(sir_thresholds_db(InterferenceMatrix::Goursaud)[5][0], -36.0);  // ns-3 [SF12][SF7]
  EXPECT_DOUBLE_EQ(sir_thresholds_db(InterferenceMatrix::Croce)[0][5], -9.0);      // Croce [SF7][SF12]
}

TEST(SirThresholds, GatewayTableTakesTheCaptureRuleOnTheDiagonal) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  // Capture at 6 dB with Goursaud's matrix is exactly ns-3's table.
  EXPECT_EQ(sir_thresholds_db(CaptureRule{true, 6.0}, InterferenceMatrix::Goursaud),
            sir_thresholds_db(InterferenceMatrix::Goursaud));
  const SirThresholds croce = sir_thresholds_db(CaptureRule{true, 6.0}, InterferenceMatrix::Croce);
  const SirThresholds no_capture = sir_thresholds_db(CaptureRule{false, 6.0}, InterferenceMatrix::Croce);
  const SirThresholds orthogonal = sir_thresholds_db(CaptureRule{true, 4.0}, std::nullopt);
  for (size_t t = 0; t < 6; ++t) {
    for (size_t i = 0; i < 6; ++i) {
      if (t == i) {
        EXPECT_DOUBLE_EQ(croce[t][i], 6.0);  // the capture rule's, not Croce's 1 dB
        EXPECT_EQ(no_capture[t][i], inf);
        EXPECT_DOUBLE_EQ(orthogonal[t][i], 4.0);
      } else {
        EXPECT_DOUBLE_EQ(croce[t][i], kCroceSirDb[t][i]);
        EXPECT_DOUBLE_EQ(no_capture[t][i], kCroceSirDb[t][i]);
        EXPECT_EQ(orthogonal[t][i], -inf);
      }
    }
  }
}

TEST(Overlap, FourTimesForm) {
  EXPECT_DOUBLE_EQ(overlap_s(1.0, 2.0, 2.0, 3.0), 0.0);    // touching
  EXPECT_DOUBLE_EQ(overlap_s(1.0, 2.0, 1.5, 3.0), 0.5);    // partial
  EXPECT_DOUBLE_EQ(overlap_s(1.0, 2.0, 0.0, 5.0), 1.0);    // containing
  EXPECT_DOUBLE_EQ(overlap_s(1.0, 2.0, 3.0, 4.0), 0.0);    // disjoint
  EXPECT_DOUBLE_EQ(overlap_s(1.25, 1.5, 1.0, 2.0), 0.25);  // contained
}

TEST(Energy, PowerTimesTime) {
  EXPECT_DOUBLE_EQ(energy_mws(0.0, 1.0), 1.0);  // 1 mW for 1 s
  EXPECT_NEAR(energy_mws(-100.0, 0.5), 5e-11, 1e-24);
  EXPECT_NEAR(energy_sir_db(energy_mws(-100.0, 1.0), energy_mws(-106.0, 1.0)), 6.0, 1e-9);
  EXPECT_TRUE(std::isinf(energy_sir_db(1.0, 0.0)));
}

// The energy form on the cases above (the published thresholds), one SF group per case.
TEST(EnergyForm, ReproducesTheFrameFormCases) {
  const SirThresholds goursaud = sir_thresholds_db(InterferenceMatrix::Goursaud);
  const SirThresholds croce = sir_thresholds_db(InterferenceMatrix::Croce);
  const auto group = [](int sf, double mws) {
    std::array<double, 6> g{};
    g[static_cast<size_t>(sf - 7)] = mws;
    return g;
  };
  const double target = energy_mws(-100.0, 1.0);
  // Co-SF capture at 6 dB.
  EXPECT_EQ(destroying_spreading_factor(7, target, group(7, energy_mws(-106.1, 1.0)), goursaud), 0);
  EXPECT_EQ(destroying_spreading_factor(7, target, group(7, energy_mws(-105.9, 1.0)), goursaud), 7);
  EXPECT_EQ(destroying_spreading_factor(7, target, group(7, energy_mws(-102.0, 1.0)), croce), 0);
  // Partial overlap: an equal-power interferer over 0.2 (6.99 dB) or 0.3 (5.23 dB) of an SF8 frame.
  const double sf8 = energy_mws(-110.0, 1.0);
  EXPECT_EQ(destroying_spreading_factor(8, sf8, group(8, energy_mws(-110.0, 0.2)), goursaud), 0);
  EXPECT_EQ(destroying_spreading_factor(8, sf8, group(8, energy_mws(-110.0, 0.3)), goursaud), 8);
  // Two SF7 interferers 9 dB weaker add up to 5.99 dB.
  EXPECT_EQ(destroying_spreading_factor(7, target, group(7, 2.0 * energy_mws(-109.0, 1.0)), goursaud), 7);
  // Groups of different SFs are judged apart: SF9 at -120 dBm, SF7 and SF8 at -95 dBm (-25 dB each,
  // Goursaud -27 dB).
  std::array<double, 6> mixed{};
  mixed[0] = energy_mws(-95.0, 1.0);
  mixed[1] = energy_mws(-95.0, 1.0);
  EXPECT_EQ(destroying_spreading_factor(9, energy_mws(-120.0, 1.0), mixed, goursaud), 0);
  // The lowest destroying SF: SF10 at -120 dBm, SF8 at -89 (-31 < -30) and SF11 at -93 (-27 < -26).
  std::array<double, 6> both{};
  both[1] = energy_mws(-89.0, 1.0);
  both[4] = energy_mws(-93.0, 1.0);
  EXPECT_EQ(destroying_spreading_factor(10, energy_mws(-120.0, 1.0), both, goursaud), 8);
  // SF7 at -100 dBm for 50 ms under an SF12 frame 15 dB stronger: Goursaud -20 keeps it, Croce -9 not.
  const double short_sf7 = energy_mws(-100.0, 0.05);
  EXPECT_EQ(destroying_spreading_factor(7, short_sf7, group(12, energy_mws(-85.0, 0.05)), goursaud), 0);
  EXPECT_EQ(destroying_spreading_factor(7, short_sf7, group(12, energy_mws(-85.0, 0.05)), croce), 12);
}

TEST(EnergyForm, WithoutCaptureAnyCoSfEnergyDestroysAndOrthogonalSfsNever) {
  const SirThresholds no_capture = sir_thresholds_db(CaptureRule{false, 6.0}, InterferenceMatrix::Goursaud);
  const SirThresholds orthogonal = sir_thresholds_db(CaptureRule{true, 6.0}, std::nullopt);
  std::array<double, 6> faint{};
  faint[2] = energy_mws(-160.0, 0.001);  // 60 dB below, briefly
  EXPECT_EQ(destroying_spreading_factor(9, energy_mws(-100.0, 1.0), faint, no_capture), 9);
  EXPECT_EQ(destroying_spreading_factor(9, energy_mws(-100.0, 1.0), std::array<double, 6>{}, no_capture), 0);
  std::array<double, 6> loud{};  // every other SF 60 dB stronger
  for (size_t k = 0; k < 6; ++k) loud[k] = k == 2 ? 0.0 : energy_mws(-40.0, 1.0);
  EXPECT_EQ(destroying_spreading_factor(9, energy_mws(-100.0, 1.0), loud, orthogonal), 0);
  EXPECT_EQ(destroying_spreading_factor(9, energy_mws(-100.0, 1.0), loud,
                                        sir_thresholds_db(InterferenceMatrix::Goursaud)),
            7);
}

}  // namespace
}  // namespace citytwin::models::radio
