// The spatially correlated shadowing as drawn (sim/city/shadowing_field.hpp): its marginal is N(0, 1) and
// its pairs correlate as the construction's exact covariance says (models/radio/correlated_shadowing.hpp),
// statistically, with tolerances of five standard errors of the sample; a link's value depends on the
// seed, its gateway's name and the position alone; and, end to end, the city layout's links of nearby
// devices to one gateway fade together with a correlation distance and independently without.
#include "sim/city/shadowing_field.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <numbers>
#include <string>
#include <vector>

#include "models/radio/correlated_shadowing.hpp"
#include "sim/city/build_city_layout.hpp"
#include "sim/city/link_index.hpp"
#include "sim/core/rng.hpp"
#include "sim/core/thread_pool.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "tests/sim/rooms.hpp"

namespace citytwin::sim {
namespace {

std::vector<Gateway> named_gateways(size_t count) {
  std::vector<Gateway> gateways(count);
  for (size_t g = 0; g < count; ++g) gateways[g].name = "gw-" + std::to_string(g);
  return gateways;
}

constexpr double kDc = 50.0;
// Base points of one gateway's field on a lattice 500 m apart: farther than the field reaches
// (2 sqrt(2) x 2.8 d_c = 396 m), so that their values are independent.
constexpr int kSide = 7;
constexpr double kLattice = 500.0;

// Over 2,000 gateways x 49 points (98,000 independent values): mean 0 and variance 1 within five standard
// errors (1 / sqrt(N) and sqrt(2 / N) for a Gaussian), and the Gaussian's two-sided tails at 2 and 3
// (4.55 % and 0.27 %) within five binomial standard errors.
TEST(ShadowingField, MarginalIsStandardNormal) {
  const std::vector<Gateway> gateways = named_gateways(2000);
  const ShadowingField field(11, gateways, kDc);
  Stream independent(11, "test independent", 0);
  double sum = 0.0, squares = 0.0;
  size_t beyond2 = 0, beyond3 = 0, n = 0;
  for (uint32_t g = 0; g < gateways.size(); ++g)
    for (int i = 0; i < kSide * kSide; ++i) {
      const double z =
          field.z(g, kLattice * (i % kSide), kLattice * (i / kSide), city::standard_normal_draw(independent));
      sum += z;
      squares += z * z;
      beyond2 += std::abs(z) > 2.0;
      beyond3 += std::abs(z) > 3.0;
      ++n;
    }
  const double count = static_cast<double>(n), mean = sum / count, variance = squares / count - mean * mean;
  std::printf("%zu values: mean %.4f, variance %.4f, P(|z| > 2) %.4f, P(|z| > 3) %.5f\n", n, mean, variance,
              static_cast<double>(beyond2) / count, static_cast<double>(beyond3) / count);
  EXPECT_NEAR(mean, 0.0, 5.0 / std::sqrt(count));
  EXPECT_NEAR(variance, 1.0, 5.0 * std::sqrt(2.0 / count));
  const double p2 = std::erfc(2.0 / std::numbers::sqrt2), p3 = std::erfc(3.0 / std::numbers::sqrt2);
  EXPECT_NEAR(static_cast<double>(beyond2) / count, p2, 5.0 * std::sqrt(p2 * (1.0 - p2) / count));
  EXPECT_NEAR(static_cast<double>(beyond3) / count, p3, 5.0 * std::sqrt(p3 * (1.0 - p3) / count));
}

// Pairs of devices at a distance d (random direction) with their own independent draws: the mean of
// z(p) z(q) over 2,000 gateways x 49 pairs against the mean of the construction's exact covariance
// C_g(p, q) over the same pairs, within five standard errors (a product of two standard normals correlated
// C has variance 1 + C^2). At d = 0, two devices at one place: C = 1 - the nugget's share, 0.93.
TEST(ShadowingField, PairsCorrelateAsTheExactCovariance) {
  const std::vector<Gateway> gateways = named_gateways(2000);
  const ShadowingField field(5, gateways, kDc);
  Stream rng(5, "test pairs", 0);
  for (const double d : {0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0}) {
    double products = 0.0, exact = 0.0, variance = 0.0;
    size_t n = 0;
    for (uint32_t g = 0; g < gateways.size(); ++g)
      for (int i = 0; i < kSide * kSide; ++i) {
        const double px = kLattice * (i % kSide) + 100.0 * rng.uniform(),
                     py = kLattice * (i / kSide) + 100.0 * rng.uniform(),
                     a = 2.0 * std::numbers::pi * rng.uniform();
        const double qx = px + d * kDc * std::cos(a), qy = py + d * kDc * std::sin(a);
        const double zp = field.z(g, px, py, city::standard_normal_draw(rng));
        const double zq = field.z(g, qx, qy, city::standard_normal_draw(rng));
        const double c = models::radio::shadowing_covariance(field.grids(g), px, py, qx, qy);
        products += zp * zq;
        exact += c;
        variance += 1.0 + c * c;
        ++n;
      }
    const double count = static_cast<double>(n);
    EXPECT_NEAR(products / count, exact / count, 5.0 * std::sqrt(variance) / count) << "d = " << d << " d_c";
    std::printf("d = %.2f d_c: empirical %.4f, exact %.4f (+- %.4f at 1 SE), exp(-d/d_c) %.4f\n", d,
                products / count, exact / count, std::sqrt(variance) / count, std::exp(-d));
    if (d == 0.0) {
      EXPECT_NEAR(exact / count, 1.0 - models::radio::kShadowingNuggetShare, 1e-9);
    }
  }
}

// A pure function of (seed, gateway name, position, independent draw): the same with other gateways
// around it or none, and bounded by max_abs_z; another seed, another field.
TEST(ShadowingField, ValueDependsOnSeedNameAndPositionAlone) {
  const std::vector<Gateway> many = named_gateways(5);
  const std::vector<Gateway> one{many[3]};
  const ShadowingField a(7, many, kDc), b(7, one, kDc), other(8, many, kDc);
  size_t differ = 0;
  for (int i = 0; i < 1000; ++i) {
    const double x = 13.7 * i, y = 1000.0 - 7.1 * i, e = std::sin(i);
    EXPECT_EQ(a.z(3, x, y, e), b.z(0, x, y, e));
    differ += a.z(3, x, y, e) != other.z(3, x, y, e);
    EXPECT_LE(std::abs(a.z(3, x, y, e)), ShadowingField::max_abs_z());
  }
  EXPECT_EQ(differ, 1000u);
  EXPECT_NEAR(ShadowingField::max_abs_z(), 30.67, 0.01);
}

// End to end: 2,000 devices within 300 m of one gateway, 8 dB of shadowing. Each link's shadowing is what
// its gain lacks of the median (antenna gain - path loss: no building loss), over sigma. The pairs of
// devices closer than d_c / 4 = 12.5 m correlate (the construction gives 0.85 on average over 0..12.5 m,
// weighted by the pairs' 2 pi d density); without a correlation distance they do not (|r| < 0.1, against
// a standard error of about 1 / sqrt(pairs) = 0.03).
TEST(ShadowingField, NearbyDevicesLinksFadeTogether) {
  const auto pair_correlation = [](const std::string& shadowing) {
    const Scenario sc = load_scenario_text(R"(
city:
  districts:
    - {name: square, origin: [0 m, 0 m], size: [600 m, 600 m]}
devices:
  - {name: meters, type: water_meter, count: 2000, districts: [square], radio: {sf: 12}}
gateways:
  - {name: mast, position: [300 m, 300 m]}
radio: {shadowing: )" + shadowing + R"(}
run: {duration: 1 h, seed: 4}
)");
    core::ThreadPool pool(2);
    const CityLayout city = build_city_layout(sc, sc.run.seed, pool);
    const Gateway& gw = sc.gateways[0];
    std::vector<double> z(city.device_count(), NAN);
    for (size_t d = 0; d < city.device_count(); ++d) {
      if (city.link_offset[d + 1] != city.link_offset[d] + 1) continue;
      const double distance = std::hypot(gw.x_m - city.device_x_m[d], gw.y_m - city.device_y_m[d]);
      const double median = gw.antenna_gain_dbi - sc.channel.path_loss.loss_db(distance);
      z[d] = (median - city.link_gain_db[city.link_offset[d]]) / 8.0;
    }
    double sa = 0.0, sb = 0.0, sab = 0.0, saa = 0.0, sbb = 0.0;
    size_t pairs = 0;
    for (size_t i = 0; i < z.size(); ++i)
      for (size_t j = i + 1; j < z.size(); ++j) {
        if (std::isnan(z[i]) || std::isnan(z[j])) continue;
        if (std::hypot(city.device_x_m[i] - city.device_x_m[j], city.device_y_m[i] - city.device_y_m[j]) >=
            kDc / 4.0)
          continue;
        for (const auto& [a, b] : {std::pair{z[i], z[j]}, std::pair{z[j], z[i]}}) {  // symmetric
          sa += a, sb += b, sab += a * b, saa += a * a, sbb += b * b;
        }
        ++pairs;
      }
    EXPECT_GT(pairs, 500u);
    const double n = 2.0 * static_cast<double>(pairs);
    const double cov = sab / n - (sa / n) * (sb / n);
    return cov / std::sqrt((saa / n - (sa / n) * (sa / n)) * (sbb / n - (sb / n) * (sb / n)));
  };
  const double correlated = pair_correlation("{sigma: 8 dB, correlation_distance: 50 m}");
  const double independent = pair_correlation("{sigma: 8 dB}");
  EXPECT_GT(correlated, 0.7);
  EXPECT_LT(std::abs(independent), 0.1);
  std::printf("links of devices closer than 12.5 m: r = %.3f correlated (50 m), %.3f independent\n",
              correlated, independent);
}

}  // namespace
}  // namespace citytwin::sim
