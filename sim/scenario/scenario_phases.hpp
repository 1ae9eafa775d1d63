// Rollout phases and placement rules, worked on the YAML tree before the sections are read (internal
// to the loader; the format is in docs/SCENARIO.md, "phases" and "gateway placement rules").
//
// A phased scenario is a base city and an ordered list of phases, each adding items (gateways, device
// populations, OLTs, PONs, core links) or retiring them by name. Phase k's scenario is the base tree
// with the additions and retirements of phases 1..k applied in order: a full tree, read by the same
// section readers as any scenario, so each phase is validated on its own. The tree's items remember
// where they were written (phases[2].add.gateways[0]), so that a diagnostic about the composed
// tree names the place in the file.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_yaml.hpp"

namespace citytwin::sim::scenario {

// The kinds of items a phase adds or retires, and the sequence of the tree each lives in.
struct ItemKind {
  const char* key;       // under add: / retire:
  const char* sequence;  // "gateways", "fibre.olts", ...
  const char* noun;      // for messages
};
const std::vector<ItemKind>& item_kinds();

// What the placement rules need from the rest of the tree.
struct PlacementContext {
  City city;
  bool city_complete = false;
  uint64_t seed = 1;
};

// Nodes the composition writes into the tree, as if written at `at`: a scalar, and a position [x m, y m].
YamlNode scalar_node(std::string text, const Location& at);
YamlNode point_node(double x_m, double y_m, const Location& at);

// The gateways one gateways[] entry stands for: the entry itself, or (with place:) one per point of its
// placement rule, named and positioned (the rules: sim/scenario/scenario_placement.cpp).
std::vector<YamlNode> expand_gateway(DiagnosticLog& log, const YamlNode& item, const std::string& written,
                                     const PlacementContext& context);

// The points of a place: rule (in rule), named "<prefix>-<district>-<n>" (or the CSV's names) into names.
std::vector<std::array<double, 2>> placed_points(DiagnosticLog& log, const YamlNode& rule,
                                                 const std::string& path, const PlacementContext& context,
                                                 const std::string& prefix, std::vector<std::string>* names);

// What an S-Pole rule or an IoT district stands for (sim/scenario/scenario_bundles.cpp): gateway and
// device population entries, as if written in gateways: and devices:, each with the key path of the entry
// of the item it came from (s_poles[0].devices[1], iot_districts[0].gateways[0]), and how many poles or
// districts.
struct BundleParts {
  std::vector<YamlNode> gateways, devices;
  std::vector<std::string> gateway_paths, device_paths;  // per entry of gateways and devices
  int64_t units = 0;
};
BundleParts expand_s_poles(DiagnosticLog& log, const YamlNode& item, const std::string& written,
                           const PlacementContext& context);
BundleParts expand_iot_district(DiagnosticLog& log, const YamlNode& item, const std::string& written,
                                const PlacementContext& context);

// One scenario tree of the plan (the base, or a phase) and where each of its items was written.
struct ComposedTree {
  YamlNode root;
  // Per item sequence ("gateways", "devices", "fibre.olts", "fibre.pons", "fibre.core.links"): for each
  // item, the key path it was written at.
  std::map<std::string, std::vector<std::string>> origins;
  // The key path of a diagnostic about this tree, as written in the file ("gateways[12].position" ->
  // "phases[1].add.gateways[0].position").
  std::string written_path(const std::string& key_path) const;
  // The S-Poles and IoT districts in the tree (their parts are in its gateways and devices).
  std::vector<Bundle> bundles;
};

// Reads phases: (names, investments) into phases, and composes the base tree and one tree per phase.
// Gateway placement rules are expanded in every tree (districts from city:, random ones from run.seed).
// Structural problems (unknown item kind, retiring a missing item, duplicate phase names) go to log.
std::vector<ComposedTree> compose_phases(DiagnosticLog& log, const YamlNode& root,
                                         std::vector<Phase>& phases);

// The catalogue's entries by key (costs.<key>), in the order of docs/SCENARIO.md.
std::vector<std::pair<const char*, CostEntry*>> cost_entries(CostCatalogue& catalogue);

// costs: -> catalogue.
void read_costs(DiagnosticLog& log, const YamlNode* node, CostCatalogue& catalogue);

}  // namespace citytwin::sim::scenario
