// Coverage (sim/plan/coverage.hpp) against a link budget worked by hand, and against the devices' own radio:
// a place is covered where a device of the population, at its SF, power and building penetration, is heard
// with 90 % location probability (radio.location_probability); a device is covered when its own links reach
// the sensitivity at its SF.
#include "sim/plan/coverage.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

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

const std::vector<double>& column(const output::KpiTable& table, const std::string& name) {
  for (const auto& [column_name, values] : table.columns)
    if (column_name == name) return values;
  ADD_FAILURE() << "no column " << name;
  static const std::vector<double> none(1, std::nan(""));
  return none;
}

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
    EXPECT_NEAR(plan::location_margin_db(sc.channel, radio), margin_db, 1e-9);
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
  EXPECT_NEAR(column(cov.by_population, "devices_covered")[0], share, 1e-12);
}

TEST(Coverage, AdrIsJudgedAtTheLargestSfItMayUse) {
  const Scenario sc = load_scenario_text(toy_city("{sf: 7, adr: true}", "  shadowing: {sigma: 7.8 dB}\n"));
  ThreadPool pool(2);
  const CityLayout city = build_city_layout(sc, sc.run.seed, pool);
  const plan::Coverage cov = plan::compute_coverage(sc, city);
  EXPECT_EQ(cov.by_population.columns[0].second[0], 12.0);
  // SF12 reaches 159.5 dB less 10 dB of margin: 6.3 km, beyond the 5 km disc: all of its area.
  EXPECT_EQ(column(cov.by_population, "area_covered")[0], 1.0);
  EXPECT_NEAR(column(cov.by_population, "margin_db")[0], 1.2815515655446004 * 7.8, 1e-9);
}

// radio.location_probability sets the margin a place is judged with: z sigma, z the standard normal quantile
// (the standard normal quantiles Phi^-1(0.95) = 1.6449, Phi^-1(0.99) = 2.3263, Phi^-1(0.5) = 0), and so
// the distance out to which the area is covered; the devices, judged on their own draws, are not touched.
TEST(Coverage, TheLocationProbabilitySetsThePlacesMargin) {
  ThreadPool pool(2);
  const double sigma = 7.8;  // no penetration: the margin is z x the shadowing sigma alone
  double last_area = 2.0, devices = -1.0;
  for (const auto& [probability, z] :
       std::vector<std::pair<std::string, double>>{{"50 %", 0.0},
                                                   {"90 %", 1.2815515655446004},
                                                   {"95 %", 1.6448536269514722},
                                                   {"99 %", 2.3263478740408408}}) {
    const Scenario sc = load_scenario_text(
        toy_city("{sf: 7, tx_power: 14 dBm}",
                 "  shadowing: {sigma: 7.8 dB}\n  location_probability: " + probability + "\n", "0 dBi"));
    plan::CoverageRadio radio;
    radio.sf = 7;
    EXPECT_NEAR(plan::location_margin_db(sc.channel, radio), z * sigma, 1e-9) << probability;
    const CityLayout city = build_city_layout(sc, sc.run.seed, pool);
    const plan::Coverage cov = plan::compute_coverage(sc, city);
    EXPECT_NEAR(column(cov.by_population, "margin_db")[0], z * sigma, 1e-9) << probability;
    EXPECT_DOUBLE_EQ(column(cov.by_population, "location_probability")[0], sc.channel.location_probability);
    // The population is placed in the 5 km disc; the SF7 reach (144 dB less the margin) is inside it, so
    // the share of the disc covered is (reach / 5 km)^2, within the grid's sampling.
    const double reach = hand_distance_m(14.0 + 130.0 - z * sigma);
    const double area = column(cov.by_population, "area_covered")[0];
    EXPECT_NEAR(area, std::pow(reach / 5000.0, 2), 0.02) << probability;
    EXPECT_LT(area, last_area) << probability;
    last_area = area;
    const double heard = column(cov.by_population, "devices_covered")[0];
    if (devices >= 0.0) {
      EXPECT_EQ(heard, devices) << probability;
    }
    devices = heard;
  }
}

TEST(Coverage, TheLocationProbabilityIsRefusedOutsideTheMedianToCertainty) {
  // A percentage, as every share of the scenario given with a unit (battery.self_discharge): from the median
  // up to, not including, certainty (an infinite margin).
  for (const auto& [bad, why] : std::vector<std::pair<std::string, std::string>>{
           {"40 %", "expected"}, {"100 %", "expected"}, {"0.95", "missing unit"}}) {
    try {
      load_scenario_text(toy_city("{sf: 7}", "  location_probability: " + bad + "\n"));
      ADD_FAILURE() << bad << " was accepted";
    } catch (const scenario::ScenarioError& e) {
      EXPECT_NE(std::string(e.what()).find(":14:25: radio.location_probability: " + why), std::string::npos)
          << e.what();
    }
  }
}

}  // namespace
}  // namespace citytwin::sim
