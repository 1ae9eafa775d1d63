// Coverage (sim/plan/coverage.hpp) against a link budget worked by hand, and against the devices' own radio:
// a place is covered where a device of the population, at its SF, power and building penetration, is heard
// with 90 % location probability; a device is covered when its own links reach the sensitivity at its SF.
#include "sim/plan/coverage.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <string>

#include "sim/city/build_city_layout.hpp"
#include "sim/plan/coverage_reach.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "tests/sim/rooms.hpp"

namespace citytwin::sim {
namespace {

// Gateway sensitivity at 125 kHz, SF7..SF12: the Semtech SX1301 figures ns-3's lorawan module uses
// (GatewayLoraPhy::sensitivity), as models/radio/reception.hpp has them.
constexpr std::array<double, 6> kSensitivityDbm = {-130.0, -132.5, -135.0, -137.5, -140.0, -142.5};
// The scenarios' log-distance path loss (Magrin et al., ICC 2017; ns-3): PL(d) = 7.7 + 37.6 log10(d / 1 m).
double hand_distance_m(double loss_db) { return std::pow(10.0, (loss_db - 7.7) / 37.6); }

// One LoRaWAN gateway in the middle of a 10 km square, devices in a 5 km disc around it.
std::string toy_city(const std::string& radio, const std::string& channel,
                     const std::string& antenna = "3 dBi") {
  return "city:\n"
         "  districts:\n"
         "    - {name: a, origin: [0 km, 0 km], size: [10 km, 10 km]}\n"
         "devices:\n"
         "  - name: meters\n"
         "    count: 2000\n"
         "    disc: {centre: [5 km, 5 km], radius: 5 km}\n"
         "    interval: 15 min\n"
         "    radio: " +
         radio +
         "\n"
         "gateways:\n"
         "  - {name: gw, position: [5 km, 5 km], antenna_gain: " +
         antenna +
         "}\n"
         "radio:\n"
         "  path_loss: {reference_distance: 1 m, reference_loss: 7.7 dB, exponent: 3.76}\n" +
         channel + "run: {duration: 1 h, seed: 7}\n";
}

TEST(Coverage, ReachIsTheHandLinkBudgetAtTheDevicesOwnRadio) {
  const Scenario sc = load_scenario_text(toy_city("{sf: 7}", "  shadowing: {sigma: 7.8 dB}\n"));
  const scenario::Gateway& gw = sc.gateways[0];
  // 14 dBm + 3 dBi - sensitivity - 10 dB of wall - 1.2816 x sqrt(7.8^2 + 6^2) dB (90 % of locations).
  const double margin_db = 1.2815515655446004 * std::sqrt(7.8 * 7.8 + 6.0 * 6.0);
  for (int sf = 7; sf <= 12; ++sf) {
    plan::CoverageRadio radio;
    radio.sf = sf;
    radio.penetration_mean_db = 10.0;
    radio.penetration_sigma_db = 6.0;
    const double loss = 14.0 + 3.0 - kSensitivityDbm[sf - 7] - 10.0 - margin_db;
    EXPECT_NEAR(plan::location_margin_db(7.8, radio), margin_db, 1e-9);
    EXPECT_NEAR(plan::covered_path_loss_db(sc, radio, gw), loss, 1e-9) << "SF" << sf;
    EXPECT_NEAR(plan::covered_reach_m(sc, radio, gw), hand_distance_m(loss), 1e-6 * hand_distance_m(loss))
        << "SF" << sf;
  }
  // Outdoors, median (no shadowing): SF12 at 14 dBm and 0 dBi loses 156.5 dB at 9,067 m; SF7 144 dB at 4,217
  // m.
  const Scenario plain = load_scenario_text(toy_city("{sf: 7}", ""));
  scenario::Gateway bare = gw;
  bare.antenna_gain_dbi = 0.0;
  EXPECT_NEAR(plan::covered_reach_m(plain, plan::reference_radio(scenario::Technology::LoRaWAN), bare),
              9067.0, 1.0);
  plan::CoverageRadio sf7;
  sf7.sf = 7;
  EXPECT_NEAR(plan::covered_reach_m(plain, sf7, bare), 4217.0, 1.0);
  // A budget short of the loss at the reference distance covers nowhere.
  sf7.penetration_mean_db = 140.0;
  EXPECT_LT(plan::covered_reach_m(plain, sf7, bare), 0.0);
}

TEST(Coverage, ThePopulationsSfNotSf12DecidesWhatIsCovered) {
  // No shadowing: SF7 at 14 dBm reaches 144 dB, 4,217 m; SF12 (156.5 dB, 9,067 m) the whole square.
  const Scenario sc = load_scenario_text(toy_city("{sf: 7}", "", "0 dBi"));
  ThreadPool pool(2);
  const CityLayout city = build_city_layout(sc, sc.run.seed, pool);
  const plan::Coverage cov = plan::compute_coverage(sc, city);
  const double reach = hand_distance_m(14.0 + 130.0);
  const plan::CoverageGrid& g = cov.grid;
  int inside = 0, outside = 0;
  for (int j = 0; j < g.ny; ++j) {
    for (int i = 0; i < g.nx; ++i) {
      const double d =
          std::hypot(g.x0_m + (i + 0.5) * g.cell_m - 5000.0, g.y0_m + (j + 0.5) * g.cell_m - 5000.0);
      const float share = g.covered[0][static_cast<size_t>(j) * g.nx + i];
      if (d + g.cell_m < reach) {
        EXPECT_EQ(share, 1.0F) << i << "," << j;
        ++inside;
      } else if (d - g.cell_m > reach) {
        EXPECT_EQ(share, 0.0F) << i << "," << j;
        ++outside;
      }
    }
  }
  EXPECT_GT(inside, 1000);
  EXPECT_GT(outside, 1000);  // the ring and the corners, 4.3 to 7 km away

  // Devices: those within the SF7 reach, counted by hand from their positions.
  double within = 0.0;
  for (size_t d = 0; d < city.device_count(); ++d)
    within += std::hypot(city.device_x_m[d] - 5000.0, city.device_y_m[d] - 5000.0) <= reach ? 1.0 : 0.0;
  const double share = within / static_cast<double>(city.device_count());
  ASSERT_LT(share, 0.8);  // (4.2 / 5)^2: the disc reaches 5 km
  double kpi = -1.0;
  for (const auto& [name, value] : cov.kpis)
    if (name == "coverage_devices_lorawan") kpi = value;
  EXPECT_NEAR(kpi, share, 1e-12);
  ASSERT_EQ(cov.by_population.keys.size(), 1u);
  EXPECT_EQ(cov.by_population.columns[0].first, "sf");
  EXPECT_EQ(cov.by_population.columns[0].second[0], 7.0);
  EXPECT_NEAR(cov.by_population.columns[3].second[0], share, 1e-12);  // devices_covered
}

TEST(Coverage, AdrIsJudgedAtTheLargestSfItMayUse) {
  const Scenario sc = load_scenario_text(toy_city("{sf: 7, adr: true}", "  shadowing: {sigma: 7.8 dB}\n"));
  ThreadPool pool(2);
  const CityLayout city = build_city_layout(sc, sc.run.seed, pool);
  const plan::Coverage cov = plan::compute_coverage(sc, city);
  EXPECT_EQ(cov.by_population.columns[0].second[0], 12.0);
  // SF12 reaches 159.5 dB less 10 dB of margin: 6.3 km, beyond the 5 km disc: all of its area.
  EXPECT_EQ(cov.by_population.columns[4].second[0], 1.0);                               // area_covered
  EXPECT_NEAR(cov.by_population.columns[1].second[0], 1.2815515655446004 * 7.8, 1e-9);  // margin_db
}

}  // namespace
}  // namespace citytwin::sim
