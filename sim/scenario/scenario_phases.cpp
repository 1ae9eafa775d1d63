// Rollout phases composed on the YAML tree, and the cost catalogue. The gateway placement rules that the
// composition expands are in scenario_placement.cpp.
#include "sim/scenario/scenario_phases.hpp"

#include <charconv>
#include <sstream>

#include "sim/scenario/scenario_reader.hpp"
#include "sim/scenario/scenario_sections.hpp"

namespace citytwin::sim::scenario {
namespace {

// The node at a dotted path of maps, created (as an empty map or sequence) where missing; null when
// something of another kind is in the way (the section reader reports it).
YamlNode* node_at(YamlNode& root, const std::string& dotted, YamlNode::Kind leaf) {
  YamlNode* node = &root;
  std::stringstream parts(dotted);
  std::vector<std::string> keys;
  for (std::string key; std::getline(parts, key, '.');) keys.push_back(key);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const YamlNode::Kind kind = i + 1 == keys.size() ? leaf : YamlNode::Kind::Map;
    if (node->kind == YamlNode::Kind::Null) node->kind = YamlNode::Kind::Map;
    if (!node->is_map()) return nullptr;
    YamlNode* child = node->find(keys[i]);
    if (child == nullptr) {
      node->entries.push_back(YamlEntry{keys[i], node->location, YamlNode{}});
      child = &node->entries.back().value;
      child->location = node->location;
    }
    if (child->kind == YamlNode::Kind::Null) child->kind = kind;
    if (child->kind != kind) return nullptr;
    node = child;
  }
  return node;
}

std::string item_name(const YamlNode& item, const ItemKind& kind) {
  if (std::string(kind.key) == "core_links") {
    const YamlNode* ends = item.find("between");
    if (ends == nullptr || !ends->is_sequence() || ends->items.size() != 2) return "";
    return ends->items[0].scalar + "-" + ends->items[1].scalar;
  }
  const YamlNode* name = item.find("name");
  return name != nullptr && name->is_scalar() ? name->scalar : "";
}

// One entry of the tree's item sequences, with where it was written and, for placed gateways, the
// rule that placed it (retiring the rule's name retires them all), for an S-Pole's or IoT district's
// parts, "s_poles:NAME" or "iot_districts:NAME".
struct Items {
  YamlNode* sequence = nullptr;
  std::vector<std::string>* origins = nullptr;
  std::vector<std::string>* rules = nullptr;
};

bool is_bundle(const ItemKind& kind) {
  return std::string(kind.key) == "s_poles" || std::string(kind.key) == "iot_districts";
}

std::string part_tag(const ItemKind& kind, const std::string& name) {
  return std::string(kind.key) + ":" + name;
}

// What the tree's item sequences need for an addition: the sequences, and the per-sequence origins and rules.
struct TreeItems {
  std::map<std::string, std::vector<std::string>> rules;
};

Items items_of(ComposedTree& tree, TreeItems& rules, const std::string& sequence) {
  return Items{node_at(tree.root, sequence, YamlNode::Kind::Sequence), &tree.origins[sequence],
               &rules.rules[sequence]};
}

void erase_item(YamlNode* sequence, std::vector<std::string>& origins, std::vector<std::string>& rules,
                std::size_t k) {
  sequence->items.erase(sequence->items.begin() + static_cast<std::ptrdiff_t>(k));
  origins.erase(origins.begin() + static_cast<std::ptrdiff_t>(k));
  rules.erase(rules.begin() + static_cast<std::ptrdiff_t>(k));
}

// Removes an S-Pole rule's or IoT district's parts (tagged "s_poles:NAME") from the tree.
void erase_parts(ComposedTree& tree, TreeItems& rules, const std::string& tag) {
  for (const char* sequence : {"gateways", "devices"}) {
    YamlNode* items = node_at(tree.root, sequence, YamlNode::Kind::Sequence);
    std::vector<std::string>& rule_of = rules.rules[sequence];
    for (std::size_t k = 0; items != nullptr && k < items->items.size();) {
      if (rule_of[k] == tag)
        erase_item(items, tree.origins[sequence], rule_of, k);
      else
        ++k;
    }
  }
}

// The section readers do not know s_poles: and iot_districts: (their parts are in gateways and devices).
void strip_bundles(std::vector<ComposedTree>& trees) {
  for (ComposedTree& tree : trees)
    std::erase_if(tree.root.entries,
                  [](const YamlEntry& e) { return e.key == "s_poles" || e.key == "iot_districts"; });
}

void push(Items& items, YamlNode node, const std::string& written, const std::string& rule) {
  if (items.sequence == nullptr) return;  // not a list: the section reader reports it
  items.sequence->items.push_back(std::move(node));
  items.origins->push_back(written);
  items.rules->push_back(rule);
}

void append_item(const YamlNode& item, const std::string& written, const ItemKind& kind, ComposedTree& tree,
                 TreeItems& rules, DiagnosticLog& log, const PlacementContext& context) {
  // Items point into tree.root's entries, which creating another sequence may move: each is fetched
  // just before it is pushed to (the fuzzer found the stale pointer).
  if (std::string(kind.key) == "gateways") {
    Items items = items_of(tree, rules, kind.sequence);
    const bool placed = item.is_map() && item.find("place") != nullptr;
    const YamlNode* name = item.find("name");
    const std::string rule = placed ? (name != nullptr && name->is_scalar() ? name->scalar : "gw") : "";
    for (YamlNode& gateway : expand_gateway(log, item, written, context))
      push(items, std::move(gateway), written, rule);
    return;
  }
  if (!is_bundle(kind)) {
    Items items = items_of(tree, rules, kind.sequence);
    push(items, item, written, "");
    return;
  }
  // An S-Pole rule or an IoT district: kept in its own sequence (retired by name), its parts added to the
  // tree's gateways and devices.
  const bool pole = std::string(kind.key) == "s_poles";
  BundleParts parts =
      pole ? expand_s_poles(log, item, written, context) : expand_iot_district(log, item, written, context);
  Bundle bundle;
  bundle.kind = pole ? Bundle::Kind::SPole : Bundle::Kind::IotDistrict;
  bundle.name = item_name(item, kind);
  bundle.units = parts.units;
  const std::string tag = part_tag(kind, bundle.name);
  // Each part is named in diagnostics by the entry of the item it came from (a phase's item:
  // phases[1].add.s_poles[0].devices[1]).
  Items gateways = items_of(tree, rules, "gateways");
  for (std::size_t k = 0; k < parts.gateways.size(); ++k) {
    bundle.gateways.push_back(parts.gateways[k].find("name")->scalar);
    push(gateways, std::move(parts.gateways[k]), parts.gateway_paths[k], tag);
  }
  Items devices = items_of(tree, rules, "devices");
  for (std::size_t k = 0; k < parts.devices.size(); ++k) {
    bundle.devices.push_back(parts.devices[k].find("name")->scalar);
    push(devices, std::move(parts.devices[k]), parts.device_paths[k], tag);
  }
  Items items = items_of(tree, rules, kind.sequence);
  push(items, item, written, "");
  tree.bundles.push_back(std::move(bundle));
}

PlacementContext placement_context(const YamlNode& root, const std::string& file,
                                   const std::vector<std::string>& overrides) {
  PlacementContext context;
  DiagnosticLog scratch(file, overrides);  // the section readers report these problems
  read_city(scratch, root.find("city"), context.city, context.city_complete);
  if (const YamlNode* run = root.find("run")) {
    if (const YamlNode* seed = run->find("seed"); seed != nullptr && seed->is_scalar())
      std::from_chars(seed->scalar.data(), seed->scalar.data() + seed->scalar.size(), context.seed);
  }
  return context;
}

}  // namespace

const std::vector<ItemKind>& item_kinds() {
  static const std::vector<ItemKind> kinds = {
      {"gateways", "gateways", "gateway"},
      {"devices", "devices", "device population"},
      {"olts", "fibre.olts", "OLT"},
      {"pons", "fibre.pons", "PON"},
      {"core_links", "fibre.core.links", "core link"},
      {"s_poles", "s_poles", "S-Pole rule"},
      {"iot_districts", "iot_districts", "IoT district"},
  };
  return kinds;
}

std::string ComposedTree::written_path(const std::string& key_path) const {
  for (const auto& [sequence, written] : origins) {
    if (key_path.rfind(sequence + "[", 0) != 0) continue;
    const std::size_t close = key_path.find(']', sequence.size());
    if (close == std::string::npos) continue;
    std::size_t index = 0;
    const char* begin = key_path.data() + sequence.size() + 1;
    if (std::from_chars(begin, key_path.data() + close, index).ptr != key_path.data() + close) continue;
    if (index < written.size()) return written[index] + key_path.substr(close + 1);
  }
  return key_path;
}

std::vector<ComposedTree> compose_phases(DiagnosticLog& log, const YamlNode& root,
                                         std::vector<Phase>& phases) {
  const PlacementContext context = placement_context(root, log.file(), log.overrides());
  std::vector<ComposedTree> trees(1);
  ComposedTree& base = trees[0];
  base.root = root;
  std::erase_if(base.root.entries, [](const YamlEntry& e) { return e.key == "phases"; });
  TreeItems base_rules;
  // The base's own items, placement rules expanded.
  for (const ItemKind& kind : item_kinds()) {
    // Navigate without creating: only existing sequences are rewritten.
    const YamlNode* written = &root;
    std::stringstream parts(kind.sequence);
    for (std::string key; written != nullptr && std::getline(parts, key, '.');)
      written = written->is_map() ? written->find(key) : nullptr;
    if (written == nullptr || !written->is_sequence()) continue;
    node_at(base.root, kind.sequence, YamlNode::Kind::Sequence)->items.clear();
    for (std::size_t i = 0; i < written->items.size(); ++i)
      append_item(written->items[i], index_path(kind.sequence, i), kind, base, base_rules, log, context);
  }

  const YamlNode* list = root.find("phases");
  if (list == nullptr || !expect_sequence(log, *list, "phases", "phases")) {
    strip_bundles(trees);
    return trees;
  }
  std::vector<NamedAt> names;
  TreeItems rules = base_rules;
  for (std::size_t p = 0; p < list->items.size(); ++p) {
    const std::string path = index_path("phases", p);
    ComposedTree tree = trees.back();
    MapReader map(log, &list->items[p], path, {"name", "investment", "add", "retire"});
    Phase phase;
    phase.mark = log.mark(list->items[p].location);
    set_if(phase.name, map.text("name", Presence::Required));
    if (const YamlNode* name = map.get("name"); name != nullptr && name->is_scalar())
      names.push_back({name->scalar, name->location, map.path("name")});
    if (const auto investment = map.number("investment", Bound::non_negative()))
      phase.investment = investment;
    std::vector<std::string_view> kind_keys;
    for (const ItemKind& kind : item_kinds()) kind_keys.push_back(kind.key);
    MapReader retire(log, map.get("retire"), map.path("retire"), kind_keys);
    MapReader add(log, map.get("add"), map.path("add"), kind_keys);
    for (const ItemKind& kind : item_kinds()) {
      // Retirements first: a phase may replace an item by one of the same name.
      const YamlNode* gone = retire.get(kind.key);
      if (gone != nullptr && expect_sequence(log, *gone, retire.path(kind.key), "names")) {
        YamlNode* sequence = node_at(tree.root, kind.sequence, YamlNode::Kind::Sequence);
        auto& origins = tree.origins[kind.sequence];
        auto& rule_of = rules.rules[kind.sequence];
        for (std::size_t i = 0; i < gone->items.size(); ++i) {
          const YamlNode& name = gone->items[i];
          std::vector<std::string_view> known;
          bool found = false;
          std::string part_of;  // the S-Pole or IoT district a matching item belongs to
          for (std::size_t k = 0; sequence != nullptr && k < sequence->items.size();) {
            const std::string item = item_name(sequence->items[k], kind);
            if (name.is_scalar() && (item == name.scalar || rule_of[k] == name.scalar)) {
              if (rule_of[k].find(':') != std::string::npos) {
                part_of = rule_of[k];
                ++k;
                continue;
              }
              erase_item(sequence, origins, rule_of, k);
              if (is_bundle(kind)) {
                erase_parts(tree, rules, part_tag(kind, item));
                std::erase_if(tree.bundles, [&](const Bundle& b) { return b.name == item; });
                // erase_parts may create the gateways or devices list, moving this one.
                sequence = node_at(tree.root, kind.sequence, YamlNode::Kind::Sequence);
              }
              found = true;
              continue;
            }
            ++k;
          }
          if (found) continue;
          if (!part_of.empty()) {
            const std::size_t colon = part_of.find(':');
            log.error(name.location, index_path(retire.path(kind.key), i),
                      "phase '" + phase.name + "': " + kind.noun + " '" + excerpt(name.scalar) +
                          "' is part of " +
                          (part_of.rfind("s_poles", 0) == 0 ? "S-Pole rule '" : "IoT district '") +
                          part_of.substr(colon + 1) + "': retire that (retire." + part_of.substr(0, colon) +
                          ") instead");
            continue;
          }
          std::vector<std::string> candidates;
          for (std::size_t k = 0; sequence != nullptr && k < sequence->items.size(); ++k)
            candidates.push_back(item_name(sequence->items[k], kind));
          for (const std::string& c : candidates) known.push_back(c);
          const auto hint = closest_match(name.scalar, known);
          log.error(name.location, index_path(retire.path(kind.key), i),
                    "phase '" + phase.name + "': no " + kind.noun + " named '" + excerpt(name.scalar) +
                        "' to retire (not in the base or an earlier phase, or already retired)" +
                        (hint ? "; did you mean '" + *hint + "'?" : ""));
        }
      }
      const YamlNode* added = add.get(kind.key);
      if (added != nullptr &&
          expect_sequence(log, *added, add.path(kind.key), std::string(kind.noun) + "s")) {
        YamlNode* sequence = node_at(tree.root, kind.sequence, YamlNode::Kind::Sequence);
        if (sequence == nullptr) {
          log.error(added->location, add.path(kind.key),
                    std::string("the base's ") + kind.sequence + " is not a list: cannot add to it");
          continue;
        }
        for (std::size_t i = 0; i < added->items.size(); ++i)
          append_item(added->items[i], index_path(add.path(kind.key), i), kind, tree, rules, log, context);
      }
    }
    phases.push_back(phase);
    trees.push_back(std::move(tree));
  }
  report_duplicates(log, names, "phase");
  strip_bundles(trees);
  return trees;
}

std::vector<Scenario> load_rollout_file(const std::string& path, const std::vector<std::string>& overrides) {
  std::vector<std::string> base_overrides = overrides;
  base_overrides.push_back("run.phase=");
  std::vector<Scenario> out{load_scenario_file(path, base_overrides)};
  for (const Phase& phase : out.front().phases) {
    std::vector<std::string> with_phase = overrides;
    with_phase.push_back("run.phase=" + phase.name);
    out.push_back(load_scenario_file(path, with_phase));
  }
  return out;
}

std::vector<std::pair<const char*, CostEntry*>> cost_entries(CostCatalogue& c) {
  return {{"lorawan_gateway", &c.lorawan_gateway},
          {"nbiot_cell", &c.nbiot_cell},
          {"wifi_ap", &c.wifi_ap},
          {"olt", &c.olt},
          {"pon", &c.pon},
          {"fibre_km", &c.fibre_km},
          {"sensor", &c.sensor},
          {"camera", &c.camera},
          {"s_pole", &c.s_pole},
          {"iot_district", &c.iot_district}};
}

void read_costs(DiagnosticLog& log, const YamlNode* node, CostCatalogue& catalogue) {
  const auto entries = cost_entries(catalogue);
  std::vector<std::string_view> keys = {"currency"};
  for (const auto& [key, entry] : entries) keys.push_back(key);
  MapReader map(log, node, "costs", keys);
  set_if(catalogue.currency, map.text("currency"));
  std::string missing;  // entries not given in full
  for (const auto& [key, entry] : entries) {
    MapReader e(log, map.get(key), map.path(key), {"capital", "yearly"});
    const auto capital = e.number("capital", Bound::non_negative());
    const auto yearly = e.number("yearly", Bound::non_negative());
    if (!capital || !yearly) missing += std::string(missing.empty() ? "" : ", ") + key;
    set_if(entry->capital, capital);
    set_if(entry->yearly, yearly);
  }
  // The defaults are EUR placeholders: in another currency they would be silently wrong.
  if (catalogue.currency != "EUR" && !missing.empty()) {
    log.error(map.get("currency")->location, map.path("currency"),
              "the default catalogue is in EUR: with currency '" + excerpt(catalogue.currency) +
                  "' give every entry's capital and yearly cost (missing: " + missing + ")");
  }
}

}  // namespace citytwin::sim::scenario
