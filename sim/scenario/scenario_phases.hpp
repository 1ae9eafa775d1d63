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

// One scenario tree of the plan (the base, or a phase) and where each of its items was written.
struct ComposedTree {
  YamlNode root;
  // Per item sequence ("gateways", "devices", "fibre.olts", "fibre.pons", "fibre.core.links"): for each
  // item, the key path it was written at.
  std::map<std::string, std::vector<std::string>> origins;
  // The key path of a diagnostic about this tree, as written in the file ("gateways[12].position" ->
  // "phases[1].add.gateways[0].position").
  std::string written_path(const std::string& key_path) const;
};

// Reads phases: (names, investments) into phases, and composes the base tree and one tree per phase.
// Gateway placement rules are expanded in every tree (districts from city:, random ones from run.seed).
// Structural problems (unknown item kind, retiring a missing item, duplicate phase names) go to log.
std::vector<ComposedTree> compose_phases(DiagnosticLog& log, const YamlNode& root,
                                         std::vector<Phase>& phases);

// costs: -> catalogue.
void read_costs(DiagnosticLog& log, const YamlNode* node, CostCatalogue& catalogue);

}  // namespace citytwin::sim::scenario
