// The spatially correlated shadowing as drawn (sim/city/shadowing_field.hpp): its marginal is N(0, 1) and
// its pairs correlate as the construction's exact covariance says (models/radio/correlated_shadowing.hpp),
// statistically, with tolerances of five standard errors of the sample; a link's value depends on the
// seed, its gateway's name and the position alone; and, end to end, the city layout's links of nearby
// devices to one gateway fade together with a correlation distance and independently without.
#include "sim/city/shadowing_field.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <string>
#include <vector>

#include "models/radio/correlated_shadowing.hpp"
#include "models/radio/shadowing.hpp"
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

// The bound on a draw's lift -z whatever its sign (ShadowingLiftBound::max_lift, which the correlated
// field's nodes are bounded by): never below the lift, for random hashes and at every corner of the
// tables' buckets (the radius's top and bottom, -cos's rise and fall, its sign); and tight, a few
// thousandths of a standard deviation above it on average (the buckets' width), so that the set-up's skip
// refuses nearly what the exact values would.
TEST(ShadowingField, DrawsLiftBoundHoldsWhateverItsSign) {
  const ShadowingLiftBound bound;
  const auto lift = [](uint64_t b1, uint64_t b2) {
    return -models::radio::gaussian_from_uniforms(core::to_unit(b1), core::to_unit(b2));
  };
  core::Stream rng(3, "test", 0);
  double gap = 0.0;
  const int draws = 1000000;
  for (int i = 0; i < draws; ++i) {
    const uint64_t b1 = rng.next_u64(), b2 = rng.next_u64();
    ASSERT_GE(bound.max_lift(b1, b2), lift(b1, b2)) << b1 << " " << b2;
    gap += bound.max_lift(b1, b2) - lift(b1, b2);
  }
  for (uint64_t i = 0; i < 4096; ++i)
    for (uint64_t j = 0; j < 1024; ++j)
      for (const uint64_t b1 : {i << 52, ((i + 1) << 52) - 1})
        for (const uint64_t b2 : {j << 54, ((j + 1) << 54) - 1})
          ASSERT_GE(bound.max_lift(b1, b2), lift(b1, b2)) << b1 << " " << b2;
  EXPECT_LT(gap / draws, 0.01);
  std::printf("the draw's lift bound: %.4f sigma above the lift on average\n", gap / draws);
}

// The bounds of the layers' lift (ShadowingField::max_lifts) over 2,000 points of a 20 km city and 40
// gateways: never below the lift the layers give (z with no independent draw; the set-up compares with a
// margin of 1e-9 sigma for the sums' rounding, allowed here as 1e-12), within a few hundredths of it on
// average; and the vector path's bounds are the scalar path's, bit for bit, for every lane count.
TEST(ShadowingField, MaxLiftsBoundTheLayersLift) {
  const std::vector<Gateway> gateways = named_gateways(40);
  const ShadowingField field(5, gateways, kDc);
  const ShadowingLiftBound lift;
  core::Stream rng(4, "test", 0);
  double gap = 0.0;
  size_t bounded = 0, below_three = 0;
  std::vector<double> scalar, vector;
  for (int p = 0; p < 2000; ++p) {
    const double x = 20000.0 * rng.uniform(), y = 20000.0 * rng.uniform();
    std::vector<std::pair<uint32_t, double>> links(static_cast<size_t>(1 + p % 40));
    for (auto& [g, d2] : links) g = rng.below(static_cast<uint32_t>(gateways.size())), d2 = 0.0;
    field.max_lifts(links, x, y, lift, scalar, false);
    ASSERT_EQ(scalar.size(), links.size());
    for (size_t i = 0; i < links.size(); ++i) {
      const double layers_lift = -field.z(links[i].first, x, y, 0.0);
      ASSERT_GE(scalar[i] + 1e-12, layers_lift) << "point " << p << ", link " << i;
      gap += scalar[i] - layers_lift;
      below_three += scalar[i] < 3.0 ? 1 : 0;
      ++bounded;
    }
    if (!GatewayGrid::vector_available()) continue;
    field.max_lifts(links, x, y, lift, vector, true);
    ASSERT_EQ(vector, scalar) << "point " << p;
  }
  EXPECT_LT(gap / static_cast<double>(bounded), 0.05);
  // Useful: the layers' lift is N(0, 0.93), above 3 sigma at 0.05 % of points; the bound, a little more.
  EXPECT_GT(static_cast<double>(below_three) / static_cast<double>(bounded), 0.99);
  std::printf(
      "the layers' lift bound: %.4f sigma above the lift on average, %.2f %% of bounds below 3 sigma\n",
      gap / static_cast<double>(bounded),
      100.0 * static_cast<double>(below_three) / static_cast<double>(bounded));
  if (!GatewayGrid::vector_available())
    GTEST_SKIP() << "no AVX-512 here: only the scalar bounds were checked";
}

// A link's nodes as the set-up takes them (hash_nodes, standard_normals, then correlated_standard_normal
// on its corners and values) give z(...) exactly on the scalar path; the vector path gives the same
// corners and hashes bit for bit, and values within a few ulp (libmvec's logarithm and cosine).
TEST(ShadowingField, NodesGiveTheFieldsValue) {
  const std::vector<Gateway> gateways = named_gateways(30);
  const ShadowingField field(6, gateways, kDc);
  core::Stream rng(5, "test", 0);
  ShadowingField::Nodes scalar, vector;
  std::vector<double> scalar_value, vector_value;
  for (int p = 0; p < 2000; ++p) {
    const double x = 5000.0 * rng.uniform() - 2500.0, y = 5000.0 * rng.uniform(), e = rng.uniform() - 0.5;
    std::vector<std::pair<uint32_t, double>> links(static_cast<size_t>(1 + p % 30));
    for (auto& [g, d2] : links) g = rng.below(static_cast<uint32_t>(gateways.size())), d2 = 0.0;
    field.hash_nodes(links, x, y, scalar, false);
    ASSERT_EQ(scalar.corners.size(), links.size());
    ASSERT_EQ(scalar.u1_bits.size(), 12 * links.size());
    scalar_value.resize(scalar.u1_bits.size());
    ShadowingField::standard_normals(scalar.u1_bits, scalar.u2_bits, scalar_value.data(), false);
    for (size_t i = 0; i < links.size(); ++i)
      ASSERT_EQ(models::radio::correlated_standard_normal(scalar.corners[i], scalar_value.data() + 12 * i, e),
                field.z(links[i].first, x, y, e))
          << "point " << p << ", link " << i;
    if (!GatewayGrid::vector_available()) continue;
    field.hash_nodes(links, x, y, vector, true);
    ASSERT_EQ(vector.u1_bits, scalar.u1_bits);
    ASSERT_EQ(vector.u2_bits, scalar.u2_bits);
    for (size_t i = 0; i < links.size(); ++i)
      for (size_t l = 0; l < scalar.corners[i].size(); ++l) {
        ASSERT_EQ(vector.corners[i][l].ix, scalar.corners[i][l].ix);
        ASSERT_EQ(vector.corners[i][l].iy, scalar.corners[i][l].iy);
        ASSERT_EQ(vector.corners[i][l].weight, scalar.corners[i][l].weight);
      }
    vector_value.resize(vector.u1_bits.size());
    ShadowingField::standard_normals(vector.u1_bits, vector.u2_bits, vector_value.data(), true);
    for (size_t n = 0; n < scalar_value.size(); ++n)
      ASSERT_NEAR(vector_value[n], scalar_value[n], 1e-12 * std::max(1.0, std::abs(scalar_value[n])));
  }
  if (!GatewayGrid::vector_available()) GTEST_SKIP() << "no AVX-512 here: only the scalar path was checked";
}

}  // namespace
}  // namespace citytwin::sim
