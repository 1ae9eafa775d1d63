// The links of the city layout, built with a spatial index and a distance cut-off
// (sim/city/link_index.hpp), against the plain scan of every (device, gateway) pair with the shadowing
// drawn in gateway order: the same gateways, the same gains, the same SF at join, bit for bit; and one
// device's links (sim/city/device_links.hpp) computed alone, in any order.
#include "sim/city/link_index.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "models/radio/lora_phy.hpp"
#include "models/radio/reception.hpp"
#include "models/radio/shadowing.hpp"
#include "sim/city/build_city_layout.hpp"
#include "sim/city/device_links.hpp"
#include "sim/city/shadowing_field.hpp"
#include "sim/core/rng.hpp"
#include "sim/core/thread_pool.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "tests/sim/rooms.hpp"

namespace citytwin::sim {
namespace {

struct Links {
  std::vector<uint64_t> offset{0};
  std::vector<uint32_t> gateway;
  std::vector<float> gain_db;
};

// A standard-normal draw: Box-Muller on the stream's next two values, the second as u1 (the order GCC gave
// the layout's draws before it was written out).
double normal(Stream& rng) {
  const double u2 = rng.uniform();
  const double u1 = rng.uniform();
  return models::radio::gaussian_from_uniforms(u1, u2);
}

// Every pair, in gateway order, as the layout did before the index; kept down to the sensitivity of the
// largest SF the device can send with (less 0.01 dB), or, for a LoRa device with none there, down to the
// SF12 floor (what the coverage counts). With radio.shadowing.correlation_distance, the link's z is the
// gateway's correlated field at the device, the draw its nugget (sim/city/shadowing_field.hpp).
Links scan_every_pair(const Scenario& sc, const CityLayout& city, uint64_t seed) {
  Links out;
  std::optional<city::ShadowingField> field;
  if (sc.channel.shadowing_sigma_db > 0.0 && sc.channel.shadowing_correlation_m > 0.0)
    field.emplace(seed, sc.gateways, sc.channel.shadowing_correlation_m);
  for (size_t d = 0; d < city.device_count(); ++d) {
    const DevicePopulation& pop = sc.devices[city.device_population[d]];
    const bool nbiot = pop.technology == Technology::NbIot;
    const double floor = nbiot ? pop.radio.tx_power_dbm - kNbiotMaxCouplingLossDb
                               : models::radio::gateway_sensitivity_dbm(12, pop.radio.phy.bandwidth_hz,
                                                                        sc.channel.gateway_sensitivity_dbm);
    Stream shadow_rng(seed, "shadowing", d);
    Stream wall_rng(seed, "penetration", d);
    const double wall_db = pop.penetration.sigma_db > 0.0 || pop.penetration.mean_db > 0.0
                               ? pop.penetration.mean_db + pop.penetration.sigma_db * normal(wall_rng)
                               : 0.0;
    const double keep =
        nbiot || pop.radio.adr || city.device_sf[d] >= 12
            ? floor
            : models::radio::gateway_sensitivity_dbm(city.device_sf[d], pop.radio.phy.bandwidth_hz,
                                                     sc.channel.gateway_sensitivity_dbm) -
                  0.01;
    const size_t first = out.gateway.size();
    std::vector<std::pair<uint32_t, float>> sf12;  // every link down to the SF12 floor
    for (size_t g = 0; g < sc.gateways.size(); ++g) {
      const Gateway& gw = sc.gateways[g];
      if (gw.technology != pop.technology || pop.technology == Technology::WiFi) continue;
      const double dist = std::hypot(gw.x_m - city.device_x_m[d], gw.y_m - city.device_y_m[d]);
      double gain = gw.antenna_gain_dbi - sc.channel.path_loss.loss_db(dist) - std::max(0.0, wall_db);
      if (sc.channel.shadowing_sigma_db > 0.0) {
        const double z = normal(shadow_rng);
        gain -= sc.channel.shadowing_sigma_db *
                (field ? field->z(static_cast<uint32_t>(g), city.device_x_m[d], city.device_y_m[d], z) : z);
      }
      if (pop.radio.tx_power_dbm + gain < floor) continue;
      sf12.emplace_back(static_cast<uint32_t>(g), static_cast<float>(gain));
      if (pop.radio.tx_power_dbm + gain < keep) continue;
      out.gateway.push_back(static_cast<uint32_t>(g));
      out.gain_db.push_back(static_cast<float>(gain));
    }
    if (out.gateway.size() == first && !nbiot) {
      for (const auto& [g, gain] : sf12) {
        out.gateway.push_back(g);
        out.gain_db.push_back(gain);
      }
    }
    out.offset.push_back(out.gateway.size());
  }
  return out;
}

// The layout says its links are in increasing gateway order per device (the radio medium splits a frame's
// links among its threads by gateway on that promise), and they are.
void expect_links_by_gateway(const CityLayout& city, const std::string& what) {
  ASSERT_TRUE(city.links_by_gateway) << what;
  for (size_t d = 0; d < city.device_count(); ++d)
    for (uint64_t k = city.link_offset[d] + 1; k < city.link_offset[d + 1]; ++k)
      ASSERT_LT(city.link_gateway[k - 1], city.link_gateway[k]) << what << ": device " << d;
}

void expect_same_links(const Scenario& sc, const std::string& what) {
  ThreadPool pool(2);
  const CityLayout city = build_city_layout(sc, sc.run.seed, pool);
  expect_links_by_gateway(city, what);
  const Links ref = scan_every_pair(sc, city, sc.run.seed);
  EXPECT_GT(ref.gateway.size(), 0u) << what;
  EXPECT_EQ(city.link_offset, ref.offset) << what;
  EXPECT_EQ(std::vector<uint32_t>(city.link_gateway.begin(), city.link_gateway.end()), ref.gateway) << what;
  ASSERT_EQ(city.link_gain_db.size(), ref.gain_db.size()) << what;
  for (size_t k = 0; k < ref.gain_db.size(); ++k)
    ASSERT_EQ(city.link_gain_db[k], ref.gain_db[k]) << what << ": link " << k;
  // One device's links depend on that device alone (the set-up computes blocks of devices on any thread):
  // the devices linked one by one in reverse order, into one scratch, get the city's links and SF.
  const DeviceLinks device_links(sc, sc.run.seed, city);
  DeviceLinks::Scratch scratch;
  for (size_t d = city.device_count(); d-- > 0;) {
    scratch.clear();
    EXPECT_EQ(device_links.append(d, scratch), city.device_sf[d]) << what << ": device " << d;
    ASSERT_EQ(scratch.count, std::vector<uint32_t>{static_cast<uint32_t>(ref.offset[d + 1] - ref.offset[d])})
        << what << ": device " << d;
    for (size_t i = 0; i < scratch.gateway.size(); ++i) {
      ASSERT_EQ(scratch.gateway[i], ref.gateway[ref.offset[d] + i]) << what << ": device " << d;
      ASSERT_EQ(scratch.gain[i], ref.gain_db[ref.offset[d] + i]) << what << ": device " << d;
    }
  }
}

// radio.receptions: strongest_only: each device keeps its K strongest links alone, found without judging
// every link (the nearest gateways' K-th strongest is a threshold the others must beat): the links the
// radio medium chose before from every link (strongest_positions over the plain scan), bit for bit, and
// the same SF at join as the exact model's layout.
void expect_strongest_links(Scenario sc, const std::string& what) {
  ThreadPool pool(2);
  const CityLayout every = build_city_layout(sc, sc.run.seed, pool);
  const Links ref = scan_every_pair(sc, every, sc.run.seed);
  sc.channel.receptions = RadioChannel::Receptions::StrongestOnly;
  size_t cut = 0;  // devices with more than K links
  for (const int k : {1, 3, 8}) {
    sc.channel.strongest_k = k;
    const CityLayout city = build_city_layout(sc, sc.run.seed, pool);
    EXPECT_EQ(city.links_strongest_k, static_cast<uint32_t>(k)) << what;
    expect_links_by_gateway(city, what);
    ASSERT_EQ(city.device_sf, every.device_sf) << what << ", K " << k;
    ASSERT_EQ(city.link_offset.size(), ref.offset.size()) << what;
    std::vector<uint32_t> chosen;
    for (size_t d = 0; d + 1 < ref.offset.size(); ++d) {
      const uint64_t begin = ref.offset[d], end = ref.offset[d + 1];
      strongest_positions({ref.gain_db.data() + begin, static_cast<size_t>(end - begin)}, k, chosen);
      if (end - begin > static_cast<uint64_t>(k)) ++cut;
      ASSERT_EQ(city.link_offset[d + 1] - city.link_offset[d], chosen.size())
          << what << ", K " << k << ", device " << d;
      for (size_t i = 0; i < chosen.size(); ++i) {
        ASSERT_EQ(city.link_gateway[city.link_offset[d] + i], ref.gateway[begin + chosen[i]])
            << what << ", K " << k << ", device " << d;
        ASSERT_EQ(city.link_gain_db[city.link_offset[d] + i], ref.gain_db[begin + chosen[i]])
            << what << ", K " << k << ", device " << d;
      }
    }
  }
  EXPECT_GT(cut, 0u) << what << ": no device had more than K links, nothing was left out";
}

class LinkIndexScenarios : public ::testing::TestWithParam<std::string> {};

TEST_P(LinkIndexScenarios, SameLinksAsScanningEveryPair) {
  expect_same_links(load_scenario_file(std::string(CITYTWIN_SOURCE_DIR) + "/scenarios/" + GetParam()),
                    GetParam());
}

TEST_P(LinkIndexScenarios, StrongestOnlyKeepsTheKStrongestOfEveryLink) {
  expect_strongest_links(load_scenario_file(std::string(CITYTWIN_SOURCE_DIR) + "/scenarios/" + GetParam()),
                         GetParam());
}

// The shipped shadowed city with spatially correlated shadowing (radio.shadowing.correlation_distance):
// the cut-off allows the field's largest lift and no pair is skipped on the draw's hashes, so that every
// link the plain scan keeps is kept, and the K strongest are the plain scan's.
TEST(LinkIndex, CorrelatedShadowingKeepsTheLinksOfScanningEveryPair) {
  const std::string path = std::string(CITYTWIN_SOURCE_DIR) + "/scenarios/lorawan_city.yaml";
  const Scenario sc = load_scenario_file(path, {"radio.shadowing.correlation_distance=50 m"});
  ASSERT_GT(sc.channel.shadowing_sigma_db, 0.0);
  expect_same_links(sc, "lorawan_city.yaml, correlated");
  expect_strongest_links(sc, "lorawan_city.yaml, correlated");
}

INSTANTIATE_TEST_SUITE_P(Scenarios, LinkIndexScenarios,
                         ::testing::Values("quickstart.yaml", "lorawan_city.yaml", "nbiot_metering.yaml",
                                           "river_flood.yaml", "flood_outage.yaml"));

// A city wider than the SF12 range, gateways of two technologies interleaved (the shadowing draws of
// one technology skip the other's gateways), strong shadowing, building loss, fixed and chosen SFs.
TEST(LinkIndex, SameLinksInAWideShadowedCityOfTwoTechnologies) {
  for (const char* sigma : {"0 dB", "3 dB", "12 dB"}) {
    std::string yaml = R"(
city:
  districts:
    - {name: a, origin: [0 km, 0 km], size: [30 km, 20 km]}
devices:
  - {name: sf7, type: water_meter, count: 600, districts: [a], radio: {sf: 7}}
  - {name: sf10, type: water_meter, count: 300, districts: [a], radio: {sf: 10}, building_penetration: {mean: 15 dB, sigma: 5 dB}}
  - {name: auto, type: water_meter, count: 300, districts: [a], radio: {sf: auto}}
  - {name: adr, type: water_meter, count: 200, districts: [a], radio: {sf: auto, adr: true}}
  - {name: nb, type: water_meter, count: 300, districts: [a], technology: nbiot}
gateways:
)";
    for (int g = 0; g < 48; ++g) {
      const double x = 0.3 + 29.4 * ((g * 37) % 48) / 48.0, y = 0.2 + 19.6 * ((g * 11) % 48) / 48.0;
      yaml += "  - {name: g" + std::to_string(g) + ", position: [" + std::to_string(x) + " km, " +
              std::to_string(y) + " km]" + (g % 3 == 2 ? ", technology: nbiot" : "") +
              (g % 5 == 0 ? ", antenna_gain: 6 dBi" : "") + "}\n";
    }
    for (const char* correlation : {"", ", correlation_distance: 300 m"}) {
      const std::string text =
          yaml + "radio: {shadowing: {sigma: " + sigma + correlation + "}}\nrun: {duration: 1 h, seed: 7}\n";
      expect_same_links(load_scenario_text(text), std::string("sigma ") + sigma + correlation);
      expect_strongest_links(load_scenario_text(text),
                             std::string("strongest_only, sigma ") + sigma + correlation);
    }
  }
}

// A population no SF can carry (242 B after a 20-symbol preamble under US915's 400 ms dwell limit, found
// by the fuzzer): resolve() refuses it before a run, but the layout alone must not fail on it (it once
// indexed the sensitivity table at SF 0 and threw from a worker thread).
TEST(LinkIndex, APopulationNoSpreadingFactorCarriesStillLaysOut) {
  const Scenario sc = load_scenario_text(R"(
city:
  districts:
    - {name: centre, origin: [0 m, 0 m], size: [1 km, 1 km]}
devices:
  - {name: meters, count: 20, districts: [centre], radio: {sf: auto, preamble: 20}, payload: 242 B}
gateways:
  - {name: gw, position: [500 m, 500 m]}
radio: {region: US915}
run: {duration: 1 h, seed: 3}
)");
  ThreadPool pool(1);
  const CityLayout city = build_city_layout(sc, 3, pool);
  EXPECT_EQ(city.device_count(), 20u);
  EXPECT_LT(city.populations[0].max_sf, 7);
}

TEST(LinkIndex, TheGaussianBoundHoldsAtTheExtremeUniform) {
  const double u_max = 1.0 - 0x1.0p-53;  // the largest uniform a named stream gives
  EXPECT_LE(std::abs(models::radio::gaussian_from_uniforms(u_max, 0.0)), kMaxStandardNormal);
  EXPECT_GT(std::abs(models::radio::gaussian_from_uniforms(u_max, 0.0)), kMaxStandardNormal - 1e-3);
}

TEST(LinkIndex, CutoffBoundsEveryKeepableLink) {
  const models::radio::LogDistancePathLoss pl;  // ns-3 urban defaults
  const double max_loss = 151.0, sigma = 7.8;
  for (const double max_distance :
       {double{INFINITY}, 3000.0}) {  // the table over the whole radius, or a city's span
    const LinkCutoff cut(pl, max_loss, sigma, max_distance);
    EXPECT_GE(pl.loss_db(cut.radius_m()), max_loss + sigma * kMaxStandardNormal);
    EXPECT_NEAR(pl.loss_db(cut.radius_m()), max_loss + sigma * kMaxStandardNormal, 1e-3);
    // lift_z is a lower bound of (PL(d) - max_loss) / sigma, and a close one (within 0.01 sigma where it
    // is tabled past the first quarter of the span) when the table spans a city.
    Stream rng(1, "test", 0);
    for (int i = 0; i < 200000; ++i) {
      const double d = rng.uniform() * std::min(cut.radius_m(), 2.0 * max_distance);
      const double exact = (pl.loss_db(d) - max_loss) / sigma;
      ASSERT_LE(cut.lift_z(d * d), exact) << "d " << d;
      if (std::isfinite(max_distance) && d > 0.25 * max_distance) {
        ASSERT_GT(cut.lift_z(d * d), exact - 0.01) << "d " << d;
      }
    }
  }
  // A link that must come closer by t dB (a threshold above the floor, a building loss): the radius
  // where even the largest draw no longer lifts it that far; never shorter than that, and 0 dB changes
  // nothing.
  const LinkCutoff cut(pl, max_loss, sigma, 3000.0);
  EXPECT_EQ(cut.radius_m(0.0), cut.radius_m());
  for (const double t : {5.0, 20.0, 40.0}) {
    EXPECT_LT(cut.radius_m(t), cut.radius_m());
    EXPECT_GE(pl.loss_db(cut.radius_m(t)), max_loss - t + sigma * kMaxStandardNormal);
    EXPECT_NEAR(pl.loss_db(cut.radius_m(t)), max_loss - t + sigma * kMaxStandardNormal, 1e-3);
  }
  // Without shadowing the radius is the unshadowed range, and no lift is ever asked.
  const LinkCutoff plain(pl, max_loss, 0.0);
  EXPECT_NEAR(plain.radius_m(), pl.distance_for_loss_m(max_loss), 1e-3);
  EXPECT_EQ(plain.lift_z(plain.radius_m() * plain.radius_m() / 4.0), -INFINITY);
}

// The bound on a draw's lift is never below the lift the draw gives: for random hashes, at the tables'
// bucket edges and at the extreme uniform. And it skips nearly every pair that needs a large lift.
TEST(LinkIndex, ShadowingLiftBoundHoldsForEveryDraw) {
  const ShadowingLiftBound bound;
  const auto lift = [](uint64_t b1, uint64_t b2) {
    return -models::radio::gaussian_from_uniforms(to_unit(b1), to_unit(b2));
  };
  const auto check = [&](uint64_t b1, uint64_t b2) {
    const double z = lift(b1, b2);
    if (z <= 0.0) return;
    ASSERT_TRUE(bound.can_lift(b1, b2, z)) << b1 << " " << b2;
  };
  Stream rng(2, "test", 0);
  for (int i = 0; i < 1000000; ++i) check(rng.next_u64(), rng.next_u64());
  // The top of each u1 bucket (its largest radius) with u2 at the edges of each u2 bucket, and 1/2.
  const uint64_t half = uint64_t{1} << 63;
  for (uint64_t i = 0; i < 4096; ++i) {
    const uint64_t top1 = ((i + 1) << 52) - 1;
    for (uint64_t j = 0; j < 1024; ++j) {
      check(top1, j << 54);
      check(top1, ((j + 1) << 54) - 1);
    }
    check(top1, half);
  }
  check(~uint64_t{0}, half);  // the largest lift any draw gives: kMaxStandardNormal
  EXPECT_NEAR(lift(~uint64_t{0}, half), kMaxStandardNormal, 1e-3);
  // Useful: a lift of 5 sigma (a draw gives it with probability 2.9e-7) passes the bound for few pairs
  // (the top u1 bucket, 1/4096, times the u2 that point down).
  int passed = 0;
  for (int i = 0; i < 1000000; ++i) passed += bound.can_lift(rng.next_u64(), rng.next_u64(), 5.0) ? 1 : 0;
  EXPECT_LT(passed, 300);
  // No lift from a draw whose cosine points up.
  EXPECT_FALSE(bound.can_lift(~uint64_t{0}, 0, 1e-6));
}

// The inverse of lift_z's table brackets the last bucket at or below a limit: at_least's never below it,
// at_most's never above it, and both within the buckets of a grid step (1/256) of it.
TEST(LinkIndex, InverseBucketsBracketTheTable) {
  const models::radio::LogDistancePathLoss pl;
  const LinkCutoff cut(pl, 151.0, 7.8, 6000.0);
  const LinkCutoff::Table table = cut.table();
  const auto buckets = static_cast<int64_t>(table.buckets);
  const auto last_at_most = [&](double limit) {  // by a scan
    int64_t last = -1;
    while (last + 1 < buckets && static_cast<double>(table.z[last + 1]) <= limit) ++last;
    return last;
  };
  Stream rng(3, "test", 0);
  for (int i = 0; i < 20000; ++i) {
    const double limit = -30.0 + 45.0 * rng.uniform();
    const int64_t exact = last_at_most(limit);
    const int64_t above = cut.last_bucket_at_least(limit), below = cut.last_bucket_at_most(limit);
    ASSERT_GE(above, exact) << limit;
    ASSERT_LE(below, exact) << limit;
    if (limit > static_cast<double>(table.z[1]) + 0.01) {  // on the grid (bucket 0 is d = 0: -inf)
      ASSERT_LE(above, last_at_most(limit + 1.0 / 128.0)) << limit;
      ASSERT_GE(below, last_at_most(limit - 1.0 / 128.0)) << limit;
    }
  }
  EXPECT_EQ(cut.last_bucket_at_least(1e9), buckets - 1);
  EXPECT_EQ(cut.last_bucket_at_most(1e9), buckets - 1);
  EXPECT_EQ(cut.last_bucket_at_most(-1e9), -1);
  EXPECT_EQ(cut.last_bucket_at_most(std::numeric_limits<double>::quiet_NaN()), -1);
  // Without shadowing: one bucket of -inf, every limit holds it.
  const LinkCutoff plain(pl, 151.0, 0.0);
  EXPECT_EQ(plain.last_bucket_at_least(-5.0), 0);
  EXPECT_EQ(plain.last_bucket_at_most(-5.0), 0);
}

// GatewayGrid::candidates' AVX-512 path keeps the pairs its scalar path keeps, in the same order, with the
// same squared distances: random devices in and around a city of 700 gateways, with and without shadowing,
// lifts asked from none to several sigmas, inner discs, finite and infinite radii.
TEST(LinkIndex, VectorCandidatesAreTheScalarOnes) {
  if (!GatewayGrid::vector_available())
    GTEST_SKIP() << "this processor has no AVX-512 (F, DQ, CD): candidates runs its scalar path alone here";
  Stream rng(4, "test", 0);
  std::vector<Gateway> gateways(700);
  for (size_t g = 0; g < gateways.size(); ++g) {
    gateways[g].technology = g % 5 == 0 ? Technology::NbIot : Technology::LoRaWAN;
    gateways[g].x_m = 20000.0 * rng.uniform();
    gateways[g].y_m = 15000.0 * rng.uniform();
  }
  const GatewayGrid grid(gateways, Technology::LoRaWAN);
  const ShadowingLiftBound lift;
  const models::radio::LogDistancePathLoss pl;
  size_t kept = 0, asked = 0;
  for (const double sigma : {7.8, 3.0, 0.0}) {
    const LinkCutoff cut(pl, 140.0, sigma, 26000.0);
    for (int i = 0; i < 3000; ++i) {
      const double x = -2000.0 + 24000.0 * rng.uniform(), y = -2000.0 + 19000.0 * rng.uniform();
      const PairFilter filter{&cut, &lift, rng.next_u64(), i % 4 == 0 ? 0.0 : 4.0 * rng.uniform() - 0.5};
      const double radius = i % 3 == 0 ? cut.radius_m() : 20000.0 * rng.uniform();
      const double inner = i % 2 == 0 ? -1.0 : 3000.0 * rng.uniform();
      std::vector<std::pair<uint32_t, double>> scalar, vector;
      grid.candidates(x, y, radius, inner, filter, scalar, false);
      grid.candidates(x, y, radius, inner, filter, vector, true);
      ASSERT_EQ(vector, scalar) << "sigma " << sigma << ", device " << i;
      kept += scalar.size();
      for (const auto& [g, d2] : scalar) asked += cut.lift_z(d2) + filter.extra_z > 0.0 ? 1 : 0;
    }
  }
  EXPECT_GT(kept, 100000u);  // the comparison had pairs to compare
  EXPECT_GT(asked, 10000u);  // among them, pairs kept on their draw's lift
}

// The gains eight at a time (libmvec's logarithms and cosine) against one at a time (libm's): within a
// few ulp of the double, and the same float (what a link keeps) for all but a rare pair whose double lies
// that close to a float's rounding boundary (none of these 144k on the AMD EPYC of bench/RESULTS.md; the
// worst 8.5e-14 dB). Every lane count of a last vector, with shadowing and without, near (d < d0) and far
// pairs.
TEST(LinkIndex, VectorGainsAreTheScalarOnesToTheirLastBits) {
  if (!LinkGains::vector_available())
    GTEST_SKIP() << "no AVX-512 or no libmvec here: LinkGains::compute runs its scalar path alone";
  Stream rng(7, "test", 0);
  const size_t gateways = 500;
  std::vector<double> antenna(gateways);
  std::vector<uint32_t> rank(gateways);
  for (size_t g = 0; g < gateways; ++g) {
    antenna[g] = 2.0 + 4.0 * rng.uniform();
    rank[g] = static_cast<uint32_t>(g / 2 + (g % 2) * 300);
  }
  models::radio::LogDistancePathLoss pl;
  pl.reference_distance_m = 2.0;
  size_t compared = 0, other_float = 0;
  double worst = 0.0;
  for (const double sigma : {7.8, 0.0}) {
    for (int device = 0; device < 4000; ++device) {
      const LinkGains gains{&pl, antenna.data(), rank.data(), rng.next_u64(), sigma, 20.0 * rng.uniform()};
      std::vector<std::pair<uint32_t, double>> candidates(static_cast<size_t>(device % 37));
      for (auto& [g, d2] : candidates) {
        g = static_cast<uint32_t>(rng.below(static_cast<uint32_t>(gateways)));
        const double d = device % 5 == 0 ? 3.0 * rng.uniform() : 20000.0 * rng.uniform();
        d2 = d * d;
      }
      std::vector<double> scalar, vector;
      gains.compute(candidates, scalar, false);
      gains.compute(candidates, vector, true);
      ASSERT_EQ(vector.size(), candidates.size());
      for (size_t i = 0; i < candidates.size(); ++i) {
        ASSERT_EQ(scalar[i], gains.one(candidates[i].first, candidates[i].second));
        const double error = std::abs(vector[i] - scalar[i]);
        ASSERT_LE(error, 1e-12 * std::max(1.0, std::abs(scalar[i]))) << "device " << device << ", pair " << i;
        worst = std::max(worst, error);
        other_float += static_cast<float>(vector[i]) != static_cast<float>(scalar[i]) ? 1 : 0;
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 100000u);
  EXPECT_LE(other_float, compared / 100000) << "worst difference " << worst << " dB";
}

}  // namespace
}  // namespace citytwin::sim
