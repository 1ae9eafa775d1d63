// Tests of the log-distance path loss: PL(d) = PL(d0) + 10 n log10(d / d0) for d >= d0, never below the
// free-space loss.
#include "models/radio/path_loss.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

namespace citytwin::models::radio {
namespace {

constexpr double kLossTolDb = 1e-9;

// LoRaSim (Bor et al., MSWiM 2016, loraDir.py): d0 = 40 m, PL(d0) = 127.41 dB, gamma = 2.08.
LogDistancePathLoss lorasim() {
  LogDistancePathLoss pl;
  pl.reference_distance_m = 40.0;
  pl.reference_loss_db = 127.41;
  pl.exponent = 2.08;
  return pl;
}

// The default without its free-space floor: the bare line.
LogDistancePathLoss line_only() {
  LogDistancePathLoss pl;
  pl.free_space_frequency_hz = 0.0;
  return pl;
}

TEST(LogDistancePathLoss, DefaultsAreTheNs3UrbanSetUp) {
  const LogDistancePathLoss pl;
  EXPECT_DOUBLE_EQ(pl.reference_distance_m, 1.0);
  EXPECT_DOUBLE_EQ(pl.reference_loss_db, 7.7);
  EXPECT_DOUBLE_EQ(pl.exponent, 3.76);
  EXPECT_DOUBLE_EQ(pl.free_space_frequency_hz, 868e6);
  // By hand: 7.7 + 37.6 * log10(1000) = 7.7 + 112.8 = 120.5 dB at 1 km.
  EXPECT_NEAR(pl.loss_db(1000.0), 120.5, kLossTolDb);
}

// The default is 3GPP TR 36.942's macro-cell model for urban areas (subclause 4.5.2), L = 40 (1 - 4e-3
// Dhb) log10(R / km) - 18 log10(Dhb) + 21 log10(f / MHz) + 80, at Dhb = 15 m, f = 868 MHz. By hand:
// 40 x 0.94 = 37.6 dB per decade; -18 x 1.176091 = -21.16964; 21 x 2.938520 = 61.70892; so at 1 km
// 80 - 21.16964 + 61.70892 = 120.5393 dB, and PL(1 m) = 120.5393 - 37.6 x 3 = 7.7393 dB (ns-3 and Magrin
// et al. round it to 7.7).
TEST(LogDistancePathLoss, DefaultIsTr36942UrbanMacroCellAt868MHz) {
  const double dhb_m = 15.0, f_mhz = 868.0;
  const auto tr36942 = [&](double r_km) {
    return 40.0 * (1.0 - 4e-3 * dhb_m) * std::log10(r_km) - 18.0 * std::log10(dhb_m) +
           21.0 * std::log10(f_mhz) + 80.0;
  };
  EXPECT_NEAR(tr36942(1.0), 120.5393, 1e-4);
  const LogDistancePathLoss pl;
  for (double d_m : {100.0, 1000.0, 5000.0}) EXPECT_NEAR(pl.loss_db(d_m), tr36942(d_m / 1000.0), 0.04) << d_m;
}

// Friis at 868 MHz: lambda = c / f = 299792458 / 868e6 = 0.3453830 m, 20 log10(4 pi / lambda) =
// 20 log10(36.38387) = 31.21818 dB at 1 m; at 5 m + 20 log10(5) = 13.97940: 45.19758 dB, where the line
// gives 7.7 + 37.6 log10(5) = 33.98 dB. They cross at log10(d) = (31.21818 - 7.7) / (37.6 - 20) = 1.336260:
// 21.69 m.
TEST(LogDistancePathLoss, NeverBelowFreeSpaceNearTheTransmitter) {
  EXPECT_NEAR(free_space_loss_db(1.0, 868e6), 31.21818, 1e-4);
  EXPECT_NEAR(free_space_loss_db(5.0, 868e6), 45.19758, 1e-4);
  const LogDistancePathLoss pl;
  EXPECT_NEAR(pl.loss_db(5.0), 45.19758, 1e-4);
  EXPECT_NEAR(line_only().loss_db(5.0), 7.7 + 37.6 * std::log10(5.0), kLossTolDb);
  EXPECT_NEAR(pl.loss_db(1.0), 31.21818, 1e-4);
  EXPECT_NEAR(pl.loss_db(0.2), 31.21818, 1e-4);  // held at d0 below it
  const double crossing_m = std::pow(10.0, (31.21818 - 7.7) / 17.6);
  EXPECT_NEAR(crossing_m, 21.69, 0.01);
  EXPECT_NEAR(pl.loss_db(0.99 * crossing_m), free_space_loss_db(0.99 * crossing_m, 868e6), kLossTolDb);
  EXPECT_GT(pl.loss_db(0.99 * crossing_m), line_only().loss_db(0.99 * crossing_m));
  EXPECT_DOUBLE_EQ(pl.loss_db(1.01 * crossing_m), line_only().loss_db(1.01 * crossing_m));
  for (double d = 1.0; d < 20000.0; d *= 1.07)
    EXPECT_GE(pl.loss_db(d), free_space_loss_db(d, 868e6) - kLossTolDb) << d << " m";
  // The floor's frequency: 20 log10(915 / 868) = 0.458 dB more at 915 MHz (US915's band).
  LogDistancePathLoss us915;
  us915.free_space_frequency_hz = 915e6;
  EXPECT_NEAR(us915.loss_db(5.0) - pl.loss_db(5.0), 20.0 * std::log10(915.0 / 868.0), 1e-9);
}

TEST(LogDistancePathLoss, ReferenceDistanceGivesReferenceLoss) {
  EXPECT_NEAR(lorasim().loss_db(40.0), 127.41, kLossTolDb);
  EXPECT_NEAR(line_only().loss_db(1.0), 7.7, kLossTolDb);
}

TEST(LogDistancePathLoss, TenNDecibelsPerDecade) {
  for (const LogDistancePathLoss& pl : {lorasim(), line_only()}) {
    const double d0 = pl.reference_distance_m;
    const double per_decade = 10.0 * pl.exponent;  // 20.8 dB for LoRaSim, 37.6 dB for ns-3
    EXPECT_NEAR(pl.loss_db(10.0 * d0) - pl.loss_db(d0), per_decade, kLossTolDb);
    EXPECT_NEAR(pl.loss_db(100.0 * d0) - pl.loss_db(d0), 2.0 * per_decade, kLossTolDb);
    // Any decade, not only from d0.
    EXPECT_NEAR(pl.loss_db(37.0 * d0) - pl.loss_db(3.7 * d0), per_decade, kLossTolDb);
  }
  // Doubling the distance, LoRaSim: 127.41 + 20.8 log10(2) = 127.41 + 6.2614 = 133.6714 dB at 80 m.
  EXPECT_NEAR(lorasim().loss_db(80.0), 133.6714, 1e-4);
}

TEST(LogDistancePathLoss, ClampsBelowReferenceDistance) {
  const LogDistancePathLoss pl = lorasim();
  for (double d : {0.0, 1.0, 20.0, 39.999}) {
    EXPECT_DOUBLE_EQ(pl.loss_db(d), pl.reference_loss_db) << d << " m";
  }
}

TEST(LogDistancePathLoss, NonDecreasingWithDistance) {
  const LogDistancePathLoss pl = lorasim();
  double previous = pl.loss_db(0.0);
  for (double d = 1.0; d < 20000.0; d *= 1.1) {
    const double loss = pl.loss_db(d);
    EXPECT_GE(loss, previous) << d << " m";
    previous = loss;
  }
}

TEST(LogDistancePathLoss, DistanceForLossInvertsLoss) {
  for (const LogDistancePathLoss& pl : {lorasim(), LogDistancePathLoss{}}) {
    const double d0 = pl.reference_distance_m;
    for (double d : {d0, 1.5 * d0, 10.0 * d0, 123.4 * d0, 5000.0 * d0}) {
      EXPECT_NEAR(pl.distance_for_loss_m(pl.loss_db(d)), d, 1e-9 * d) << d << " m";
    }
    for (double extra_db : {0.0, 0.5, 10.0, 33.3, 80.0}) {
      const double loss = pl.loss_db(d0) + extra_db;  // on the floor near d0 (default), the line beyond
      EXPECT_NEAR(pl.loss_db(pl.distance_for_loss_m(loss)), loss, kLossTolDb) << loss << " dB";
    }
  }
}

TEST(LogDistancePathLoss, DistanceForLossBelowReferenceIsReferenceDistance) {
  const LogDistancePathLoss pl = lorasim();
  EXPECT_DOUBLE_EQ(pl.distance_for_loss_m(127.41), 40.0);
  EXPECT_DOUBLE_EQ(pl.distance_for_loss_m(100.0), 40.0);
  EXPECT_DOUBLE_EQ(pl.distance_for_loss_m(-5.0), 40.0);
}

TEST(LogDistancePathLoss, LoraSimMaximumRangeAtSf12) {
  // Budget: 14 dBm - (-137 dBm, the SX1272/76 datasheet SF12/125 kHz sensitivity) = 151 dB.
  // d = 40 * 10^((151 - 127.41) / (10 * 2.08)) = 40 * 10^(23.59 / 20.8) = 40 * 10^1.134135
  //   = 40 * 13.61867 = 544.747 m.
  // (LoRaSim's loraDir.py computes maxDist with math.e instead of 10, giving 124.3 m; the 10^ form
  // is the inverse of its own loss formula.)
  const double tx_power_dbm = 14.0;
  const double sensitivity_dbm = -137.0;
  const double budget_db = tx_power_dbm - sensitivity_dbm;
  ASSERT_DOUBLE_EQ(budget_db, 151.0);
  const LogDistancePathLoss pl = lorasim();
  const double range_m = pl.distance_for_loss_m(budget_db);
  EXPECT_NEAR(range_m, 544.747, 1e-3);
  EXPECT_NEAR(pl.loss_db(range_m), 151.0, kLossTolDb);
}

}  // namespace
}  // namespace citytwin::models::radio
