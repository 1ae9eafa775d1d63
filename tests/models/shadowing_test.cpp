// Tests of log-normal shadowing (Box-Muller draws) and the 3GPP TR 38.901 O2I building penetration loss.
#include "models/radio/shadowing.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>

namespace citytwin::models::radio {
namespace {

// A uniform in [0, 1) from the top 53 bits of a 64-bit word: the same on every standard library
// (std::uniform_real_distribution is not).
double uniform01(std::mt19937_64& gen) { return static_cast<double>(gen() >> 11) * 0x1.0p-53; }

TEST(BoxMuller, HandValues) {
  // z = sqrt(-2 ln(1 - u1)) cos(2 pi u2).
  // 1 - u1 = e^-1/2 -> radius 1; e^-2 -> radius 2; u1 = 0 -> radius 0.
  const double r1 = 1.0 - std::exp(-0.5);
  const double r2 = 1.0 - std::exp(-2.0);
  EXPECT_NEAR(gaussian_from_uniforms(r1, 0.0), 1.0, 1e-12);
  EXPECT_NEAR(gaussian_from_uniforms(r1, 0.5), -1.0, 1e-12);
  EXPECT_NEAR(gaussian_from_uniforms(r1, 0.25), 0.0, 1e-12);
  EXPECT_NEAR(gaussian_from_uniforms(r2, 0.0), 2.0, 1e-12);
  EXPECT_NEAR(gaussian_from_uniforms(r2, 1.0 / 3.0), -1.0, 1e-12);  // 2 cos(2 pi / 3)
  EXPECT_DOUBLE_EQ(gaussian_from_uniforms(0.0, 0.3), 0.0);
  EXPECT_TRUE(std::isfinite(gaussian_from_uniforms(1.0 - 0x1.0p-53, 0.0)));  // largest u1 < 1
}

TEST(BoxMuller, MomentsOfStandardNormal) {
  // 200 000 draws from a fixed seed. Standard errors: mean 1/sqrt(N) = 0.0022, variance
  // sqrt(2/N) = 0.0032, skewness sqrt(6/N) = 0.0055, kurtosis sqrt(24/N) = 0.011, P(|z| < 1)
  // sqrt(p (1 - p) / N) = 0.0010. Tolerances are 5 standard errors.
  std::mt19937_64 gen(20240611);
  const int n = 200000;
  double s1 = 0, s2 = 0, s3 = 0, s4 = 0;
  int within_one = 0;
  int within_two = 0;
  for (int i = 0; i < n; ++i) {
    const double u1 = uniform01(gen);
    const double u2 = uniform01(gen);
    const double z = gaussian_from_uniforms(u1, u2);
    s1 += z;
    s2 += z * z;
    s3 += z * z * z;
    s4 += z * z * z * z;
    within_one += std::abs(z) < 1.0 ? 1 : 0;
    within_two += std::abs(z) < 2.0 ? 1 : 0;
  }
  const double mean = s1 / n;
  const double var = s2 / n - mean * mean;
  EXPECT_NEAR(mean, 0.0, 0.011);
  EXPECT_NEAR(var, 1.0, 0.016);
  EXPECT_NEAR(s3 / n, 0.0, 0.028);
  EXPECT_NEAR(s4 / n, 3.0, 0.055);
  EXPECT_NEAR(static_cast<double>(within_one) / n, 0.682689, 0.0052);  // erf(1 / sqrt 2)
  EXPECT_NEAR(static_cast<double>(within_two) / n, 0.954500, 0.0024);  // erf(2 / sqrt 2); SE 0.00047
}

TEST(LogNormalShadowing, DefaultSigmaIsPetajajarvi) {
  const LogNormalShadowing s;
  EXPECT_DOUBLE_EQ(s.sigma_db, 7.8);
  EXPECT_DOUBLE_EQ(kPetajajarviSigmaDb, 7.8);
  EXPECT_DOUBLE_EQ(kLoraSimSigmaDb, 3.57);
  EXPECT_DOUBLE_EQ(s.sample_db(0.0), 0.0);
  EXPECT_DOUBLE_EQ(s.sample_db(1.0), 7.8);
  EXPECT_DOUBLE_EQ(s.sample_db(-2.0), -15.6);
  const LogNormalShadowing lorasim{kLoraSimSigmaDb};
  EXPECT_DOUBLE_EQ(lorasim.sample_db(1.5), 5.355);
}

TEST(O2iPenetration, MaterialLossesAt868MHz) {
  // 38.901 Table 7.4.3-1 at f = 0.868 GHz: glass 2 + 0.1736, IRR glass 23 + 0.2604, concrete 5 + 3.472.
  EXPECT_NEAR(standard_glass_loss_db(868e6), 2.1736, 1e-12);
  EXPECT_NEAR(irr_glass_loss_db(868e6), 23.2604, 1e-12);
  EXPECT_NEAR(concrete_loss_db(868e6), 8.472, 1e-12);
}

TEST(O2iPenetration, WallLossAt868MHzByHand) {
  // Low loss:  5 - 10 log10(0.3 x 10^-0.21736 + 0.7 x 10^-0.8472)
  //          = 5 - 10 log10(0.3 x 0.606234 + 0.7 x 0.142167) = 5 - 10 log10(0.281387) = 10.5070 dB.
  // High loss: 5 - 10 log10(0.7 x 10^-2.32604 + 0.3 x 10^-0.8472)
  //          = 5 - 10 log10(0.7 x 0.0047202 + 0.3 x 0.142167) = 5 - 10 log10(0.0459544) = 18.3767 dB.
  EXPECT_NEAR(o2i_wall_loss_db(O2iModel::LowLoss, 868e6), 10.5070, 1e-4);
  EXPECT_NEAR(o2i_wall_loss_db(O2iModel::HighLoss, 868e6), 18.3767, 1e-4);
  // US915 band centre: 10.5787 and 18.5520 dB.
  EXPECT_NEAR(o2i_wall_loss_db(O2iModel::LowLoss, 915e6), 10.5787, 1e-4);
  EXPECT_NEAR(o2i_wall_loss_db(O2iModel::HighLoss, 915e6), 18.5520, 1e-4);
}

TEST(O2iPenetration, AtMillimetreWaveTheGlassPathDominates) {
  // At 28 GHz concrete (117 dB) no longer lets anything through: low loss tends to
  // 5 + 10 log10(1 / 0.3) + L_glass = 5 + 5.2288 + 7.6 = 17.8288 dB.
  EXPECT_NEAR(o2i_wall_loss_db(O2iModel::LowLoss, 28e9), 17.8288, 1e-4);
}

TEST(O2iPenetration, HighLossExceedsLowLossAndGrowsWithFrequency) {
  double previous_low = 0.0;
  for (double f = 0.5e9; f <= 6e9; f += 0.25e9) {
    const double low = o2i_wall_loss_db(O2iModel::LowLoss, f);
    EXPECT_GT(o2i_wall_loss_db(O2iModel::HighLoss, f), low) << f;
    EXPECT_GT(low, previous_low) << f;
    previous_low = low;
  }
}

TEST(O2iPenetration, FullLossWithIndoorDistanceAndSigma) {
  EXPECT_DOUBLE_EQ(o2i_sigma_db(O2iModel::LowLoss), 4.4);
  EXPECT_DOUBLE_EQ(o2i_sigma_db(O2iModel::HighLoss), 6.5);
  // Low loss, 10 m inside: 10.5070 + 0.5 x 10 = 15.5070 dB, sigma 4.4 dB.
  const PenetrationLoss low = o2i_penetration_loss(O2iModel::LowLoss, 868e6, 10.0);
  EXPECT_NEAR(low.mean_db, 15.5070, 1e-4);
  EXPECT_DOUBLE_EQ(low.sigma_db, 4.4);
  EXPECT_DOUBLE_EQ(low.sample_db(0.0), low.mean_db);
  EXPECT_NEAR(low.sample_db(1.0), 19.9070, 1e-4);
  EXPECT_NEAR(low.sample_db(-1.5), 8.9070, 1e-4);
  // At the outer wall, the mean is the wall loss alone.
  EXPECT_DOUBLE_EQ(o2i_penetration_loss(O2iModel::HighLoss, 868e6, 0.0).mean_db,
                   o2i_wall_loss_db(O2iModel::HighLoss, 868e6));
  // 38.901's mean indoor distance in UMa/UMi, E[min(U1, U2)] = 25 / 3 m, adds 4.1667 dB.
  EXPECT_NEAR(o2i_penetration_loss(O2iModel::LowLoss, 868e6, 25.0 / 3.0).mean_db, 10.5070 + 4.1667, 1e-4);
}

}  // namespace
}  // namespace citytwin::models::radio
