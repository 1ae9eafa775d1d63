// What a scenario holds, by the kinds of the cost catalogue, and what a rollout's phases cost
// (docs/SCENARIO.md, "costs" and "phases").
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::plan {

// Counts per catalogue kind: lorawan_gateway, nbiot_cell, wifi_ap, olt, pon, sensor, camera, s_pole,
// iot_district, and fibre_km (the city's own fibre: gateways' fibre, PON drop and wifi-mesh fibre lengths,
// PON feeders, OLT backbones, core links, the command-centre link; leased lines and cellular backhaul are
// rented). An S-Pole is priced as one item with what it carries: its access point and devices are not
// counted again (its fibre is); an IoT district's gateways and sensors are counted as such, its
// catalogue entry is what the district adds on top (planning, integration).
struct Inventory {
  std::map<std::string, double> count;
  // Named items per kind, to tell new items from kept ones: gateways (by kind), OLTs, PONs; and for
  // device populations (by kind) and S-Pole rules and IoT districts, how many each holds.
  std::map<std::string, std::set<std::string>> named;
  std::map<std::string, std::map<std::string, double>> sized;
  double backhaul_monthly = 0.0;
};
Inventory inventory(const scenario::Scenario& scenario);

// The catalogue entry of each inventory kind.
const scenario::CostEntry& catalogue_entry(const scenario::CostCatalogue& catalogue, const std::string& kind);
const std::vector<std::string>& inventory_kinds();

struct PhaseCost {
  std::string phase;                    // "" for the base
  double capital = 0.0;                 // the catalogue's capital cost of what the phase adds
  double running_yearly = 0.0;          // yearly running cost of everything in place after the phase
  double catalogue = 0.0;               // capital + one year of running
  std::optional<double> investment;     // the plan's own figure for the phase
  double cost = 0.0;                    // investment where the plan gives it, else catalogue
  double cumulative = 0.0;              // sum of cost over the phases so far (the base counts nothing)
  std::map<std::string, double> added;  // per kind, how many the phase adds (fibre in km)
};

// One row per scenario: the base first (its capital is what already stands, not counted in the
// cumulative cost), then each phase. Each phase lasts one year of running.
std::vector<PhaseCost> rollout_costs(const std::vector<scenario::Scenario>& phases);

}  // namespace citytwin::sim::plan
