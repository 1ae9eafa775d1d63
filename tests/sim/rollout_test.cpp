// Rollouts (phases:), gateway placement rules, costs and coverage (sim/scenario/scenario_phases.hpp,
// sim/plan/).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "sim/city/build_city_layout.hpp"
#include "sim/core/thread_pool.hpp"
#include "sim/plan/coverage.hpp"
#include "sim/plan/rollout_cost.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "tests/sim/rooms.hpp"

namespace citytwin::sim {
namespace {

const std::string kRollout = R"(city:
  districts:
    - {name: a, origin: [0 m, 0 m], size: [2 km, 1 km]}
    - {name: b, origin: [2 km, 0 m], size: [2 km, 1 km]}
devices:
  - {name: meters, count: 50, districts: [a, b]}
gateways:
  - {name: gw-0, position: [1 km, 500 m]}
fibre:
  core: {data_centre: dc, links: [{between: [dc, n1], length: 4 km}]}
costs:
  lorawan_gateway: {capital: 10, yearly: 1}
  nbiot_cell: {capital: 100, yearly: 7}
  wifi_ap: {capital: 3, yearly: 0.5}
  olt: {capital: 50, yearly: 2}
  pon: {capital: 20, yearly: 1}
  fibre_km: {capital: 5, yearly: 0.25}
  sensor: {capital: 0.1, yearly: 0.01}
  camera: {capital: 2, yearly: 0.2}
run: {duration: 10 min, seed: 7}
phases:
  - name: p1
    add:
      gateways: [{name: lg, place: {layout: grid, count: 2, districts: [b]}}]
      devices: [{name: parking, count: 20, districts: [b]}]
      olts: [{name: olt-1, node: n1, backbone_length: 3 km}]
  - name: p2
    investment: 1000
    retire: {gateways: [gw-0]}
    add:
      gateways: [{name: ap, technology: wifi, place: {layout: random, count: 3}}]
  - name: p3
    add:
      pons: [{name: pon-1, olt: olt-1, length: 2 km}]
)";

Scenario phase(const std::string& text, const std::string& name, std::vector<std::string> overrides = {}) {
  overrides.push_back("run.phase=" + name);
  return load_scenario_text(text, "<rollout>", overrides);
}

std::map<std::string, double> counts(const Scenario& s) {
  std::map<std::string, double> out;
  for (const Gateway& g : s.gateways) out[models::radio::to_string(g.technology)] += 1;
  out["populations"] = static_cast<double>(s.devices.size());
  out["olts"] = static_cast<double>(s.fibre.olts.size());
  out["pons"] = static_cast<double>(s.fibre.pons.size());
  return out;
}

std::set<std::string> gateway_names(const Scenario& s) {
  std::set<std::string> out;
  for (const Gateway& g : s.gateways) out.insert(g.name);
  return out;
}

TEST(Rollout, PhaseKHoldsExactlyTheItemsOfPhasesOneToK) {
  // What each phase adds and retires, counted by hand from kRollout.
  const std::map<std::string, std::map<std::string, double>> expected = {
      {"", {{"lorawan", 1}, {"populations", 1}, {"olts", 0}, {"pons", 0}}},
      {"p1", {{"lorawan", 3}, {"populations", 2}, {"olts", 1}, {"pons", 0}}},
      {"p2", {{"lorawan", 2}, {"wifi", 6}, {"populations", 2}, {"olts", 1}, {"pons", 0}}},
      {"p3", {{"lorawan", 2}, {"wifi", 6}, {"populations", 2}, {"olts", 1}, {"pons", 1}}},
  };
  for (const auto& [name, want] : expected) {
    const Scenario s = phase(kRollout, name);
    EXPECT_EQ(counts(s), want) << "phase '" << name << "'";
    EXPECT_EQ(s.run.phase, name);
    EXPECT_EQ(s.phases.size(), 3u);
  }
  EXPECT_EQ(gateway_names(phase(kRollout, "p1")), (std::set<std::string>{"gw-0", "lg-b-1", "lg-b-2"}));
  const std::set<std::string> p3 = gateway_names(phase(kRollout, "p3"));
  EXPECT_EQ(p3, (std::set<std::string>{"lg-b-1", "lg-b-2", "ap-a-1", "ap-a-2", "ap-a-3", "ap-b-1", "ap-b-2",
                                       "ap-b-3"}));
  // A later phase keeps an earlier phase's items as they were, random places included.
  const Scenario s2 = phase(kRollout, "p2"), s3 = phase(kRollout, "p3");
  ASSERT_EQ(s2.gateways.size(), s3.gateways.size());
  for (std::size_t i = 0; i < s2.gateways.size(); ++i) {
    EXPECT_EQ(s2.gateways[i].name, s3.gateways[i].name);
    EXPECT_EQ(s2.gateways[i].x_m, s3.gateways[i].x_m);
    EXPECT_EQ(s2.gateways[i].y_m, s3.gateways[i].y_m);
  }
  // load_rollout_file gives the base and every phase, in order.
  const auto path = std::filesystem::temp_directory_path() / "citytwin_rollout_test.yaml";
  std::ofstream(path) << kRollout;
  const std::vector<Scenario> all = load_rollout_file(path.string());
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].phase_index, -1);
  EXPECT_EQ(all[3].run.phase, "p3");
  EXPECT_EQ(counts(all[3]), counts(s3));
  std::filesystem::remove(path);
}

const std::string kCity = R"(city:
  districts:
    - {name: a, origin: [0 m, 0 m], size: [2 km, 1 km]}
    - {name: b, origin: [2 km, 0 m], size: [2 km, 1 km]}
devices:
  - {name: meters, count: 5, districts: [a]}
run: {duration: 10 min, seed: 7}
)";

Scenario with_gateways(const std::string& gateways, std::vector<std::string> overrides = {}) {
  return load_scenario_text(kCity + "gateways:\n" + gateways, "<placement>", overrides);
}

TEST(Placement, GridAndHexLatticesHaveTheirSpacingInsideTheirDistrict) {
  for (const char* layout : {"grid", "hex"}) {
    const Scenario s = with_gateways(std::string("  - {name: g, place: {layout: ") + layout +
                                     ", spacing: 500 m, districts: [a]}}\n");
    // 2 km x 1 km at 500 m: 4 across; grid 2 rows, hex floor(1000 / 433) = 2 rows.
    ASSERT_EQ(s.gateways.size(), 8u) << layout;
    double nearest = 1e9;
    for (std::size_t i = 0; i < s.gateways.size(); ++i) {
      EXPECT_TRUE(s.city.districts[0].contains(s.gateways[i].x_m, s.gateways[i].y_m)) << layout;
      for (std::size_t j = 0; j < i; ++j)
        nearest = std::min(nearest, std::hypot(s.gateways[i].x_m - s.gateways[j].x_m,
                                               s.gateways[i].y_m - s.gateways[j].y_m));
    }
    EXPECT_NEAR(nearest, 500.0, 1e-6) << layout;
  }
  // A thousand gateways in one line: count per district.
  const Scenario many = with_gateways("  - {name: g, place: {layout: hex, count: 500}}\n");
  EXPECT_EQ(many.gateways.size(), 1000u);
}

TEST(Placement, RandomFollowsTheSeedAndCsvReadsPoints) {
  const std::string rule = "  - {name: r, place: {layout: random, count: 4}}\n";
  const Scenario a = with_gateways(rule), b = with_gateways(rule), c = with_gateways(rule, {"run.seed=8"});
  ASSERT_EQ(a.gateways.size(), 8u);
  EXPECT_EQ(a.gateways[3].x_m, b.gateways[3].x_m);
  EXPECT_NE(a.gateways[3].x_m, c.gateways[3].x_m);
  for (const Gateway& g : a.gateways) EXPECT_GE(scenario::district_of(a.city, g.x_m, g.y_m), 0);
  const auto csv = std::filesystem::temp_directory_path() / "citytwin_points.csv";
  std::ofstream(csv) << "name,x,y\n# a comment\nnorth,100 m,900 m\nsouth, 3 km, 0.1 km\n";
  const Scenario d =
      with_gateways("  - {name: c, technology: nbiot, place: {layout: csv, csv: " + csv.string() + "}}\n");
  ASSERT_EQ(d.gateways.size(), 2u);
  EXPECT_EQ(d.gateways[1].name, "south");
  EXPECT_DOUBLE_EQ(d.gateways[1].x_m, 3000.0);
  EXPECT_EQ(d.gateways[1].technology, Technology::NbIot);
  std::filesystem::remove(csv);
}

// The first diagnostic of loading text (with overrides), or "" when it loads.
Diagnostic first_error(const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    load_scenario_text(text, "plan.yaml", overrides);
  } catch (const ScenarioError& e) {
    return e.diagnostics().front();
  }
  return {};
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

// The 1-based line of text where marker first appears.
int line_of(const std::string& text, const std::string& marker) {
  const std::size_t at = text.find(marker);
  EXPECT_NE(at, std::string::npos) << marker;
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

TEST(Rollout, BadPhasesAreLocatedErrors) {
  // An unknown item kind.
  std::string text = replaced(kRollout, "      pons: [", "      lamps: [");
  Diagnostic d = first_error(text);
  EXPECT_EQ(d.mark.file, "plan.yaml");
  EXPECT_EQ(d.mark.line, line_of(text, "lamps"));
  EXPECT_EQ(d.key_path, "phases[2].add.lamps");
  EXPECT_NE(d.message.find("unknown key 'lamps'"), std::string::npos) << d.to_string();
  // Retiring what does not exist.
  text = replaced(kRollout, "retire: {gateways: [gw-0]}", "retire: {gateways: [gw-9]}");
  d = first_error(text);
  EXPECT_EQ(d.mark.line, line_of(text, "gw-9"));
  EXPECT_EQ(d.key_path, "phases[1].retire.gateways[0]");
  EXPECT_NE(d.message.find("phase 'p2': no gateway named 'gw-9' to retire"), std::string::npos)
      << d.to_string();
  // Retiring twice: the second phase finds it gone.
  d = first_error(replaced(kRollout, "    add:\n      pons: [",
                           "    retire: {gateways: [gw-0]}\n    add:\n      pons: ["));
  EXPECT_EQ(d.key_path, "phases[2].retire.gateways[0]") << d.to_string();
  // A district that does not exist, in a phase's population.
  text = replaced(kRollout, "count: 20, districts: [b]", "count: 20, districts: [c]");
  d = first_error(text);
  EXPECT_EQ(d.mark.line, line_of(text, "districts: [c]"));
  EXPECT_EQ(d.key_path, "phases[0].add.devices[0].districts");
  EXPECT_NE(d.message.find("phase 'p1': no district named 'c'"), std::string::npos) << d.to_string();
  // A placement rule's district.
  d = first_error(replaced(kRollout, "count: 2, districts: [b]", "count: 2, districts: [bb]"));
  EXPECT_EQ(d.key_path, "phases[0].add.gateways[0].place.districts[0]") << d.to_string();
  // A phase's scenario that is wrong on its own: a PON on a retired OLT.
  d = first_error(
      replaced(kRollout, "    add:\n      pons: [", "    retire: {olts: [olt-1]}\n    add:\n      pons: ["));
  EXPECT_NE(d.message.find("phase 'p3'"), std::string::npos) << d.to_string();
  EXPECT_EQ(d.key_path.rfind("phases[2].add.pons[0]", 0), 0u) << d.to_string();
  // run.phase that is not a phase.
  d = first_error(kRollout, {"run.phase=p4"});
  EXPECT_EQ(d.key_path, "run.phase");
}

TEST(RolloutCost, SumsAreTheCatalogueArithmetic) {
  std::vector<Scenario> phases;
  for (const char* name : {"", "p1", "p2", "p3"}) phases.push_back(phase(kRollout, name));
  const std::vector<plan::PhaseCost> costs = plan::rollout_costs(phases);
  ASSERT_EQ(costs.size(), 4u);
  // Fibre: base core link 4 km + gw-0's 1 km; p1: + 2 x 1 km (lg) + 3 km (olt-1); p2: -1 km (gw-0) + 6 x 1 km
  // (ap); p3: + 2 km (pon-1).
  const double fibre[] = {5, 10, 15, 17};
  // p1 adds 2 LoRaWAN gateways, an OLT, 20 sensors, 5 km of fibre.
  EXPECT_DOUBLE_EQ(costs[1].capital, 2 * 10 + 50 + 20 * 0.1 + 5 * 5);
  EXPECT_DOUBLE_EQ(costs[1].running_yearly, 3 * 1 + 2 + 70 * 0.01 + fibre[1] * 0.25);
  EXPECT_DOUBLE_EQ(costs[1].cost, costs[1].capital + costs[1].running_yearly);
  // p2 retires gw-0, adds 6 access points and 5 km of fibre net; the plan gives its investment.
  EXPECT_DOUBLE_EQ(costs[2].capital, 6 * 3 + 5 * 5);
  EXPECT_DOUBLE_EQ(costs[2].running_yearly, 2 * 1 + 6 * 0.5 + 2 + 70 * 0.01 + fibre[2] * 0.25);
  EXPECT_DOUBLE_EQ(costs[2].cost, 1000.0);
  // p3 adds a PON and 2 km.
  EXPECT_DOUBLE_EQ(costs[3].capital, 20 + 2 * 5);
  EXPECT_DOUBLE_EQ(costs[3].running_yearly, 2 * 1 + 6 * 0.5 + 2 + 1 + 70 * 0.01 + fibre[3] * 0.25);
  EXPECT_DOUBLE_EQ(costs[0].cost, 0.0);
  EXPECT_DOUBLE_EQ(costs[3].cumulative, costs[1].cost + 1000.0 + costs[3].cost);
  EXPECT_DOUBLE_EQ(costs[3].added.at("pon"), 1.0);
}

// S-Poles and IoT districts: one item each, expanded into gateways and populations.
const std::string kBundles = R"(city:
  districts:
    - {name: a, origin: [0 m, 0 m], size: [2 km, 1 km]}
    - {name: b, origin: [2 km, 0 m], size: [2 km, 1 km]}
devices:
  - {name: meters, count: 50, districts: [a, b]}
gateways:
  - {name: gw-0, position: [1 km, 500 m]}
s_poles:
  - name: pole-0
    position: [500 m, 500 m]
    devices: [{name: cam, technology: wifi, stream: 2 Mbps, power: mains, count: 2}]
costs:
  lorawan_gateway: {capital: 10, yearly: 1}
  nbiot_cell: {capital: 100, yearly: 7}
  wifi_ap: {capital: 3, yearly: 0.5}
  olt: {capital: 50, yearly: 2}
  pon: {capital: 20, yearly: 1}
  fibre_km: {capital: 5, yearly: 0.25}
  sensor: {capital: 0.1, yearly: 0.01}
  camera: {capital: 2, yearly: 0.2}
  s_pole: {capital: 40, yearly: 3}
  iot_district: {capital: 200, yearly: 20}
run: {duration: 10 min, seed: 7}
phases:
  - name: p1
    add:
      s_poles:
        - name: sp
          place: {layout: grid, count: 2, districts: [a, b]}
          access_point: {backhaul: {fibre_length: 100 m}}
          devices:
            - {name: cam, technology: wifi, stream: 2 Mbps, power: mains, count: 1}
            - {name: air, count: 3}
      iot_districts:
        - name: iot
          districts: [b]
          gateways: [{name: lora, place: {layout: grid, count: 2}}]
          devices: [{name: meters, type: water_meter, count: 30}]
  - name: p2
    retire: {s_poles: [pole-0]}
    add:
      iot_districts: [{name: iot2, districts: [a], devices: [{name: parking, count: 10}]}]
  - name: p3
    retire: {iot_districts: [iot]}
)";

std::map<std::string, double> bundle_counts(const Scenario& s) {
  std::map<std::string, double> out = counts(s);
  out.erase("olts");
  out.erase("pons");
  for (const scenario::Bundle& b : s.bundles)
    out[b.kind == scenario::Bundle::Kind::SPole ? "s_poles" : "iot_districts"] +=
        static_cast<double>(b.units);
  int64_t devices = 0;
  for (const DevicePopulation& p : s.devices) devices += p.count;
  out["devices"] = static_cast<double>(devices);
  return out;
}

// The fuzzer's finding: a base whose only gateways and devices come from an IoT district or an S-Pole
// rule (no gateways: or devices: list of its own). Creating those lists moved the bundle's own list while
// it was being written to (a heap use-after-free under ASan; without it the bundle was lost, so retiring
// it by name failed).
TEST(Rollout, BundlesInABaseWithoutGatewayOrDeviceListsAreKeptAndRetirable) {
  const std::string city = R"(city:
  districts:
    - {name: a, origin: [0 m, 0 m], size: [2 km, 1 km]}
run: {duration: 10 min, seed: 7}
)";
  const std::string iot = city + R"(iot_districts:
  - name: iot
    districts: [a]
    gateways: [{name: lora, place: {layout: grid, count: 2}}]
    devices: [{name: meters, type: water_meter, count: 30}]
phases:
  - name: p1
    retire: {iot_districts: [iot]}
    add:
      iot_districts:
        - name: iot2
          districts: [a]
          gateways: [{name: lora2, place: {layout: grid, count: 1}}]
          devices: [{name: parking, count: 10}]
)";
  const Scenario base = load_scenario_text(iot, "<rollout>", {});
  ASSERT_EQ(base.bundles.size(), 1u);
  EXPECT_EQ(base.bundles[0].name, "iot");
  EXPECT_EQ(base.gateways.size(), 2u);
  const Scenario retired = phase(iot, "p1");
  ASSERT_EQ(retired.bundles.size(), 1u);
  EXPECT_EQ(retired.bundles[0].name, "iot2");
  ASSERT_EQ(retired.devices.size(), 1u);
  EXPECT_EQ(retired.devices[0].count, 10);
  EXPECT_EQ(retired.gateways.size(), 1u);

  const std::string pole = city + R"(s_poles:
  - name: pole
    position: [500 m, 500 m]
    devices: [{name: cam, technology: wifi, stream: 2 Mbps, power: mains, count: 2}]
phases:
  - name: p1
    retire: {s_poles: [pole]}
    add:
      s_poles: [{name: pole2, position: [1 km, 500 m], devices: [{name: air, count: 3}]}]
)";
  const Scenario pole_base = load_scenario_text(pole, "<rollout>", {});
  ASSERT_EQ(pole_base.bundles.size(), 1u);
  EXPECT_EQ(pole_base.gateways.size(), 1u);
  const Scenario pole_p1 = phase(pole, "p1");
  ASSERT_EQ(pole_p1.gateways.size(), 1u);
  EXPECT_EQ(pole_p1.gateways[0].name, "pole2");
}

TEST(Rollout, SPolesAndIotDistrictsAreItemsCountedAcrossPhases) {
  // Counted by hand: the base has gw-0 and pole-0's access point (Wi-Fi), meters and pole-0's 2 cameras.
  // p1: 4 poles (2 per district) with an access point, a camera and 3 sensors each; an IoT district b with
  // 2 LoRaWAN gateways and 30 meters. p2 retires pole-0 (its AP and cameras) and adds IoT district a (10
  // parking sensors). p3 retires IoT district b (its 2 gateways and 30 meters).
  const std::map<std::string, std::map<std::string, double>> expected = {
      {"", {{"lorawan", 1}, {"wifi", 1}, {"populations", 2}, {"devices", 52}, {"s_poles", 1}}},
      {"p1",
       {{"lorawan", 3},
        {"wifi", 5},
        {"populations", 11},
        {"devices", 52 + 16 + 30},
        {"s_poles", 5},
        {"iot_districts", 1}}},
      {"p2",
       {{"lorawan", 3},
        {"wifi", 4},
        {"populations", 11},
        {"devices", 50 + 16 + 30 + 10},
        {"s_poles", 4},
        {"iot_districts", 2}}},
      {"p3",
       {{"lorawan", 1},
        {"wifi", 4},
        {"populations", 10},
        {"devices", 50 + 16 + 10},
        {"s_poles", 4},
        {"iot_districts", 1}}},
  };
  for (const auto& [name, want] : expected) EXPECT_EQ(bundle_counts(phase(kBundles, name)), want) << name;
  // The parts: named after the item, devices on their pole.
  const Scenario p1 = phase(kBundles, "p1");
  EXPECT_EQ(gateway_names(p1), (std::set<std::string>{"gw-0", "pole-0", "sp-a-1", "sp-a-2", "sp-b-1",
                                                      "sp-b-2", "iot-lora-b-1", "iot-lora-b-2"}));
  for (const DevicePopulation& pop : p1.devices) {
    if (pop.name.rfind("sp-", 0) != 0) continue;
    const auto pole = std::find_if(p1.gateways.begin(), p1.gateways.end(),
                                   [&](const Gateway& g) { return pop.name.rfind(g.name + "-", 0) == 0; });
    ASSERT_NE(pole, p1.gateways.end()) << pop.name;
    EXPECT_EQ(pole->technology, Technology::WiFi);
    EXPECT_DOUBLE_EQ(pole->fibre_length_m, 100.0);
    EXPECT_EQ(pop.placement.disc_x_m, pole->x_m) << pop.name;
    EXPECT_EQ(pop.placement.disc_y_m, pole->y_m) << pop.name;
    EXPECT_DOUBLE_EQ(pop.placement.disc_radius_m, 5.0);
  }
  const auto iot = std::find_if(p1.devices.begin(), p1.devices.end(),
                                [](const DevicePopulation& p) { return p.name == "iot-b-meters"; });
  ASSERT_NE(iot, p1.devices.end());
  EXPECT_EQ(iot->placement.districts, std::vector<std::string>{"b"});
  EXPECT_EQ(iot->type, "water_meter");
}

TEST(RolloutCost, SPolesArePricedWholeAndIotDistrictsOnTopOfTheirParts) {
  std::vector<Scenario> phases;
  for (const char* name : {"", "p1", "p2", "p3"}) phases.push_back(phase(kBundles, name));
  const std::vector<plan::PhaseCost> costs = plan::rollout_costs(phases);
  // Base: gw-0 (1 km fibre), pole-0 (1 km default fibre, priced as a pole), 50 meters.
  EXPECT_DOUBLE_EQ(costs[0].capital, 10 + 40 + 50 * 0.1 + 2 * 5);
  EXPECT_DOUBLE_EQ(costs[0].added.at("wifi_ap"), 0.0);
  EXPECT_DOUBLE_EQ(costs[0].added.at("camera"), 0.0);
  // p1: 4 poles (each 100 m of fibre; their AP, camera and sensors in the pole's price), one IoT district
  // with 2 LoRaWAN gateways (1 km of fibre each) and 30 sensors.
  EXPECT_DOUBLE_EQ(costs[1].added.at("s_pole"), 4.0);
  EXPECT_DOUBLE_EQ(costs[1].added.at("iot_district"), 1.0);
  EXPECT_DOUBLE_EQ(costs[1].added.at("sensor"), 30.0);
  EXPECT_NEAR(costs[1].added.at("fibre_km"), 2.4, 1e-12);
  EXPECT_NEAR(costs[1].capital, 4 * 40 + 200 + 2 * 10 + 30 * 0.1 + 2.4 * 5, 1e-9);
  EXPECT_NEAR(costs[1].running_yearly, 5 * 3 + 20 + 3 * 1 + 80 * 0.01 + 4.4 * 0.25, 1e-9);
  // p2: IoT district a (10 sensors, no gateways); pole-0 retired.
  EXPECT_NEAR(costs[2].capital, 200 + 10 * 0.1, 1e-9);
  EXPECT_NEAR(costs[2].running_yearly, 4 * 3 + 2 * 20 + 3 * 1 + 90 * 0.01 + 3.4 * 0.25, 1e-9);
  // p3 only retires.
  EXPECT_DOUBLE_EQ(costs[3].capital, 0.0);
  EXPECT_NEAR(costs[3].running_yearly, 4 * 3 + 20 + 1 + 60 * 0.01 + 1.4 * 0.25, 1e-9);
}

TEST(Rollout, BadSPolesAndIotDistrictsAreLocatedErrors) {
  // Retiring a part alone.
  std::string text = replaced(kBundles, "retire: {iot_districts: [iot]}", "retire: {gateways: [sp-a-1]}");
  Diagnostic d = first_error(text);
  EXPECT_EQ(d.mark.line, line_of(text, "sp-a-1]"));
  EXPECT_EQ(d.key_path, "phases[2].retire.gateways[0]");
  EXPECT_NE(d.message.find("is part of S-Pole rule 'sp'"), std::string::npos) << d.to_string();
  // An IoT district in a district that does not exist.
  text = replaced(kBundles, "districts: [a], devices", "districts: [c], devices");
  d = first_error(text);
  EXPECT_EQ(d.key_path, "phases[1].add.iot_districts[0].districts[0]") << d.to_string();
  EXPECT_NE(d.message.find("no district named 'c'"), std::string::npos) << d.to_string();
  // Retiring an S-Pole rule that is not there.
  d = first_error(replaced(kBundles, "retire: {s_poles: [pole-0]}", "retire: {s_poles: [pole-9]}"));
  EXPECT_EQ(d.key_path, "phases[1].retire.s_poles[0]") << d.to_string();
  EXPECT_NE(d.message.find("no S-Pole rule named 'pole-9'"), std::string::npos) << d.to_string();
  // A pole with both position and place; a pole's device with its own districts; an empty IoT district.
  d = first_error(replaced(kBundles, "    position: [500 m, 500 m]\n",
                           "    position: [500 m, 500 m]\n    place: {layout: random, count: 1}\n"));
  EXPECT_EQ(d.key_path, "s_poles[0]") << d.to_string();
  EXPECT_NE(d.message.find("either position:"), std::string::npos) << d.to_string();
  d = first_error(replaced(kBundles, "{name: air, count: 3}", "{name: air, count: 3, districts: [a]}"));
  EXPECT_EQ(d.key_path, "phases[0].add.s_poles[0].devices[1].districts") << d.to_string();
  d = first_error(
      replaced(kBundles, "districts: [a], devices: [{name: parking, count: 10}]", "districts: [a]"));
  EXPECT_EQ(d.key_path, "phases[1].add.iot_districts[0]") << d.to_string();
  // A part that is wrong on its own names the item it came from (a camera count that is not a number).
  d = first_error(replaced(kBundles, "{name: air, count: 3}", "{name: air, count: many}"));
  EXPECT_EQ(d.key_path.rfind("phases[0].add.s_poles[0]", 0), 0u) << d.to_string();
  EXPECT_NE(d.message.find("phase 'p1'"), std::string::npos) << d.to_string();
}

TEST(Placement, KeysARuleDoesNotUseAreErrorsNotSilentlyDropped) {
  const auto csv = std::filesystem::temp_directory_path() / "citytwin_points_unused.csv";
  std::ofstream(csv) << "x,y\n100 m,900 m\n";
  // The rule's diagnostic (a rule that places nothing also leaves the scenario without gateways: another).
  const auto error_of = [](const std::string& gateways) {
    try {
      load_scenario_text(kCity + "gateways:\n" + gateways, "plan.yaml");
    } catch (const ScenarioError& e) {
      for (const Diagnostic& d : e.diagnostics())
        if (d.key_path.rfind("gateways[0]", 0) == 0) return d;
      return e.diagnostics().front();
    }
    return Diagnostic{};
  };
  const std::string rule = "  - {name: c, place: {layout: csv, csv: " + csv.string();
  for (const char* key : {"districts: [a]", "spacing: 1 km", "count: 3"}) {
    const Diagnostic d = error_of(rule + ", " + key + "}}\n");
    const std::string name = std::string(key).substr(0, std::string(key).find(':'));
    EXPECT_EQ(d.key_path, "gateways[0].place." + name) << key;
    EXPECT_NE(d.message.find("layout csv does not use " + name), std::string::npos) << d.to_string();
  }
  Diagnostic d = error_of("  - {name: r, place: {layout: random, count: 2, spacing: 1 km}}\n");
  EXPECT_EQ(d.key_path, "gateways[0].place.spacing") << d.to_string();
  d = error_of("  - {name: g, place: {layout: grid, count: 2, csv: " + csv.string() + "}}\n");
  EXPECT_EQ(d.key_path, "gateways[0].place.csv") << d.to_string();
  d = error_of("  - {name: g, place: {layout: grid, count: 2, districts: []}}\n");
  EXPECT_EQ(d.key_path, "gateways[0].place.districts") << d.to_string();
  d = error_of("  - {name: g, position: [1 km, 1 km], place: {layout: grid, count: 2}}\n");
  EXPECT_EQ(d.key_path, "gateways[0].position") << d.to_string();
  std::ofstream(csv) << "x,y\n# nothing\n";
  d = error_of(rule + "}}\n");
  EXPECT_EQ(d.key_path, "gateways[0].place.csv") << d.to_string();
  EXPECT_NE(d.message.find("has no points"), std::string::npos) << d.to_string();
  // Only the first line can be a header: a point named "x1" is a point.
  std::ofstream(csv) << "name,x,y\nx1,100 m,900 m\n";
  EXPECT_EQ(with_gateways(rule + "}}\n").gateways.size(), 1u);
  std::filesystem::remove(csv);
}

TEST(Coverage, AddingGatewaysNeverLowersItAndNoChangeKeepsIt) {
  core::ThreadPool pool(1);
  std::vector<plan::Coverage> coverage;
  // p4 adds LoRaWAN gateways, p5 changes nothing.
  const std::string text =
      kRollout +
      "  - name: p4\n    add: {gateways: [{name: more, place: {layout: grid, count: 2}}]}\n"
      "  - name: p5\n";
  // Two chains of phases that only add: base -> p1, and p3 -> p4 -> p5 (p2 retires a gateway).
  for (const char* name : {"", "p1", "p3", "p4", "p5"}) {
    // A steep path loss, so that one gateway does not cover the city.
    const Scenario s = phase(text, name, {"radio={path_loss: {exponent: 5}}"});
    coverage.push_back(plan::compute_coverage(s, city::build_city_layout(s, s.run.seed, pool)));
  }
  for (std::size_t k = 1; k < coverage.size(); ++k) {
    if (k == 2) continue;  // p1 -> p3 crosses p2's retirement
    for (std::size_t i = 0; i < coverage[k].kpis.size(); ++i) {
      const auto& [name, value] = coverage[k].kpis[i];
      const double before = coverage[k - 1].kpis[i].second;
      if (std::isnan(before)) continue;
      EXPECT_GE(value, before) << name << " at step " << k;
    }
    for (std::size_t t = 0; t < plan::kTechnologies; ++t)
      for (std::size_t c = 0; c < coverage[k].grid.covered[t].size(); ++c)
        EXPECT_GE(coverage[k].grid.covered[t][c], coverage[k - 1].grid.covered[t][c]);
  }
  EXPECT_GT(coverage[1].kpis[0].second, coverage[0].kpis[0].second);  // the LoRaWAN area grew
  EXPECT_GT(coverage[3].kpis[0].second, coverage[2].kpis[0].second);
  // p5 changes nothing (NaN, no devices of a technology, compares equal to NaN here).
  const auto same = [](double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); };
  ASSERT_EQ(coverage[4].kpis.size(), coverage[3].kpis.size());
  for (std::size_t i = 0; i < coverage[4].kpis.size(); ++i)
    EXPECT_TRUE(same(coverage[4].kpis[i].second, coverage[3].kpis[i].second)) << coverage[4].kpis[i].first;
  for (std::size_t c = 0; c < coverage[4].by_district.columns.size(); ++c)
    for (std::size_t r = 0; r < 2; ++r)
      EXPECT_TRUE(
          same(coverage[4].by_district.columns[c].second[r], coverage[3].by_district.columns[c].second[r]));
}

}  // namespace
}  // namespace citytwin::sim
