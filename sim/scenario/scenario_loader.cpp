// The scenario loader: parse, apply overrides, read each section, check what refers across sections,
// and throw every diagnostic at once.
#include "sim/scenario/scenario_loader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>
#include <stdexcept>
#include <tuple>

#include "sim/scenario/csv_table.hpp"
#include "sim/scenario/scenario_phases.hpp"
#include "sim/scenario/scenario_reader.hpp"
#include "sim/scenario/scenario_sections.hpp"

namespace citytwin::sim::scenario {
namespace {

const std::vector<std::string_view> kSections = {"city",   "devices", "gateways", "fibre",         "radio",
                                                 "nbiot",  "wifi",    "drivers",  "platform",      "run",
                                                 "phases", "costs",   "s_poles",  "iot_districts", "attacks"};
const std::vector<std::string_view> kRequiredSections = {"city", "devices", "gateways", "run"};

std::string join_messages(const std::vector<Diagnostic>& diagnostics) {
  std::string text;
  for (const Diagnostic& diagnostic : diagnostics) {
    if (!text.empty()) text += '\n';
    text += diagnostic.to_string();
  }
  return text;
}

Gateway read_gateway(DiagnosticLog& log, const YamlNode& node, const std::string& path,
                     const DistrictIndex& districts) {
  Gateway gateway;
  gateway.mark = log.mark(node.location);
  if (node.kind == YamlNode::Kind::Null) {
    log.error(node.location, path, "expected a gateway (a map), got nothing");
    return gateway;
  }
  MapReader map(log, &node, path,
                {"name", "technology", "position", "antenna_gain", "forward_delay", "demodulators",
                 "tx_power", "backup", "buffer", "backhaul"});
  if (!map.is_map()) return gateway;
  for (const YamlEntry& entry : node.entries)
    gateway.written_keys.push_back({entry.key, log.mark(entry.value.location)});
  set_if(gateway.name, map.text("name", Presence::Required));
  if (const auto technology = map.technology("technology")) gateway.technology = *technology;
  if (const auto position = map.point("position", {}, Presence::Required)) {
    gateway.x_m = (*position)[0];
    gateway.y_m = (*position)[1];
    if (districts.complete && !districts.covers(gateway.x_m, gateway.y_m)) {
      log.error(
          map.get("position")->location, map.path("position"),
          "gateway position " + format_point_m(gateway.x_m, gateway.y_m) + " lies outside every district");
    }
  }
  set_if(gateway.antenna_gain_dbi, map.quantity("antenna_gain", Dimension::Gain));
  set_if(gateway.forward_delay_s, map.quantity("forward_delay", Dimension::Time, Bound::non_negative()));
  set_if(gateway.demodulators, map.integer("demodulators", Bound::between(1, 64)));
  set_if(gateway.backup_s, map.quantity("backup", Dimension::Time, Bound::non_negative()));
  set_if(gateway.buffer_frames, map.integer("buffer", Bound::between(0, 100000000)));
  set_if(gateway.tx_power_dbm,
         map.quantity("tx_power", Dimension::PowerLevel, Bound::between(-10, 36, "dBm")));
  MapReader backhaul(
      log, map.get("backhaul"), map.path("backhaul"),
      {"kind", "fibre_length", "bandwidth", "pon", "drop_length", "latency", "hops", "monthly_cost"});
  if (const auto kind = backhaul.choice("kind", {"fibre", "pon", "cellular", "leased_line", "wifi_mesh"})) {
    gateway.backhaul = *kind == "pon"           ? BackhaulKind::Pon
                       : *kind == "cellular"    ? BackhaulKind::Cellular
                       : *kind == "leased_line" ? BackhaulKind::LeasedLine
                       : *kind == "wifi_mesh"   ? BackhaulKind::WifiMesh
                                                : BackhaulKind::Fibre;
  }
  set_if(gateway.fibre_length_m, backhaul.quantity("fibre_length", Dimension::Length, Bound::cable_length()));
  set_if(gateway.fibre_length_m, backhaul.quantity("drop_length", Dimension::Length, Bound::cable_length()));
  set_if(gateway.fibre_bandwidth_bps, backhaul.quantity("bandwidth", Dimension::Bitrate, Bound::link_rate()));
  set_if(gateway.backhaul_latency_s, backhaul.quantity("latency", Dimension::Time, Bound::non_negative()));
  if (gateway.backhaul_latency_s > 0.0 && gateway.backhaul_latency_s < kMinLatency_s)
    log.error(backhaul.get("latency")->location, backhaul.path("latency"),
              "expected 0 or >= 1 us (below, SimGrid cannot time it), got " +
                  excerpt(backhaul.get("latency")->scalar));
  set_if(gateway.mesh_hops, backhaul.integer("hops", Bound::between(1, 16)));
  set_if(gateway.backhaul_monthly_cost, backhaul.number("monthly_cost", Bound::non_negative()));
  set_if(gateway.pon, backhaul.text("pon", gateway.backhaul == BackhaulKind::Pon ? Presence::Required
                                                                                 : Presence::Optional));
  if (gateway.backhaul != BackhaulKind::Pon && backhaul.get("pon") != nullptr)
    log.error(backhaul.get("pon")->location, backhaul.path("pon"),
              "only a 'kind: pon' backhaul attaches to a PON");
  return gateway;
}

}  // namespace

void read_gateways(DiagnosticLog& log, const YamlNode* node, const DistrictIndex& districts,
                   std::vector<Gateway>& gateways) {
  if (node == nullptr || !expect_sequence(log, *node, "gateways", "gateways")) return;
  // (Where a district has an error, the placement rules (place:) have placed nothing yet: no follow-on
  // error.)
  if (node->items.empty() && districts.complete)
    log.error(node->location, "gateways", "expected at least one gateway");
  std::vector<NamedAt> names;
  for (std::size_t i = 0; i < node->items.size(); ++i) {
    const std::string path = index_path("gateways", i);
    gateways.push_back(read_gateway(log, node->items[i], path, districts));
    const YamlNode* name = node->items[i].find("name");
    if (name != nullptr && name->is_scalar()) names.push_back({name->scalar, name->location, path + ".name"});
  }
  report_duplicates(log, names, "gateway");
}

std::string Diagnostic::to_string() const {
  std::string text = mark.file;
  if (mark.line > 0) text += ":" + std::to_string(mark.line) + ":" + std::to_string(mark.column);
  if (!key_path.empty()) text += ": " + key_path;
  return text + (severity == Severity::Warning ? ": warning: " : ": ") + message;
}

ScenarioError::ScenarioError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(join_messages(diagnostics)), diagnostics_(std::move(diagnostics)) {}

namespace {

// Where each population and gateway of a tree was written, for the checks that name them (run.window
// below, sim/city/resolve.hpp): a placement rule's gateways, a bundle's parts and a phase's additions are not
// at their index.
template <typename Items>
void note_written(const ComposedTree& tree, Items& items, const std::string& sequence) {
  const auto origins = tree.origins.find(sequence);
  for (std::size_t i = 0; i < items.size(); ++i)
    items[i].written_path = origins != tree.origins.end() && i < origins->second.size()
                                ? origins->second[i]
                                : index_path(sequence, i);
}

// The leaves of a settings section as written: a map's entries by their paths, a scalar, list or empty
// value as one key (Scenario::written_settings).
void note_settings(const DiagnosticLog& log, const YamlNode& node, const std::string& path,
                   std::vector<WrittenKey>& out) {
  if (!node.is_map()) {
    out.push_back({path, log.mark(node.location)});
    return;
  }
  for (const YamlEntry& entry : node.entries) note_settings(log, entry.value, path + "." + entry.key, out);
}

// Every section of one scenario tree (a phased scenario's base or one of its phases).
void read_sections(DiagnosticLog& log, const ComposedTree& tree, Scenario& scenario) {
  const YamlNode& root = tree.root;
  bool city_complete = false;
  read_city(log, root.find("city"), scenario.city, city_complete);
  const DistrictIndex districts{scenario.city, city_complete};
  read_devices(log, root.find("devices"), districts, scenario.devices);
  read_gateways(log, root.find("gateways"), districts, scenario.gateways);
  note_written(tree, scenario.devices, "devices");
  note_written(tree, scenario.gateways, "gateways");
  read_channel(log, root.find("radio"), scenario.channel);
  check_us915_channels(log, scenario);
  read_nbiot(log, root.find("nbiot"), scenario.nbiot);
  read_wifi(log, root.find("wifi"), scenario.wifi);
  read_fibre(log, root.find("fibre"), scenario.gateways, root.find("gateways"), scenario.fibre);
  note_written(tree, scenario.fibre.olts, "fibre.olts");
  note_written(tree, scenario.fibre.pons, "fibre.pons");
  read_platform(log, root.find("platform"), scenario.devices,
                scenario.platform);  // before drivers: failures may target "ccc"
  read_drivers(log, root.find("drivers"), scenario);
  for (std::size_t i = 0; i < scenario.devices.size(); ++i) {
    const DevicePopulation& pop = scenario.devices[i];
    if ((pop.event_in_scenario || (pop.senses_in_scenario && pop.event)) && !scenario.drives(pop.senses))
      log.error(Location{pop.mark.line, pop.mark.column, -1},
                index_path("devices", i) + (pop.event_in_scenario ? ".event" : ".senses"),
                "event-driven reporting needs a value to watch: no driver produces " + pop.senses +
                    ": add drivers." + pop.senses);
  }
  read_run(log, root.find("run"), scenario.devices, scenario.run);
  read_attacks(log, root.find("attacks"), scenario);  // sim/scenario/scenario_attacks.cpp
  for (const char* section : {"radio", "nbiot", "wifi", "platform", "run"})
    if (const YamlNode* node = root.find(section); node != nullptr && node->is_map())
      note_settings(log, *node, section, scenario.written_settings);
}

}  // namespace

Scenario load_scenario_text(const std::string& yaml_text, const std::string& source_name,
                            const std::vector<std::string>& overrides) {
  Scenario scenario;
  scenario.source_name = source_name;
  scenario.text = yaml_text;
  scenario.overrides = overrides;
  DiagnosticLog log(source_name, overrides);
  std::optional<YamlNode> root = parse_yaml(yaml_text, log);
  if (!root) throw ScenarioError(log.sorted());
  apply_overrides(*root, log);

  MapReader top(log, &*root, "", kSections);
  if (top.is_map()) {
    // S-Poles and IoT districts bring their own gateways and devices: a base made only of them needs no
    // gateways: or devices: list (each composed phase is still checked for at least one of each).
    const bool bundles = top.get("s_poles") != nullptr || top.get("iot_districts") != nullptr;
    for (std::string_view section : kRequiredSections) {
      if (bundles && (section == "gateways" || section == "devices")) continue;
      if (top.get(section) == nullptr)
        log.error(Location{1, 1, -1}, std::string(section), "missing required section");
    }
  }
  std::vector<Phase> phases;
  const std::vector<ComposedTree> trees = compose_phases(log, *root, phases);
  read_costs(log, top.get("costs"), scenario.costs);
  int selected = -1;  // run.phase: which tree this scenario is
  const YamlNode* run = top.get("run");
  if (const YamlNode* phase = run != nullptr ? run->find("phase") : nullptr) {
    std::vector<std::string_view> names;
    for (std::size_t k = 0; k < phases.size(); ++k) {
      names.push_back(phases[k].name);
      if (phases[k].name == phase->scalar) selected = static_cast<int>(k);
    }
    if (selected < 0 &&
        !(phase->kind == YamlNode::Kind::Null || (phase->is_scalar() && phase->scalar.empty()))) {
      const auto hint = closest_match(phase->scalar, names);
      log.error(phase->location, "run.phase",
                phases.empty() ? "the scenario has no phases"
                               : "no phase named '" + excerpt(phase->scalar) + "'" +
                                     (hint ? " (did you mean '" + *hint + "'?)" : ""));
    }
  }
  // Every phase is a full scenario, read on its own; a diagnostic names the place it was written (and a
  // phase's, its phase), once.
  std::vector<Diagnostic> diagnostics = log.sorted();
  std::vector<std::string> data_files = log.data_files();
  const auto add_data_files = [&](const DiagnosticLog& from) {
    for (const std::string& file : from.data_files())
      if (std::find(data_files.begin(), data_files.end(), file) == data_files.end())
        data_files.push_back(file);
  };
  std::set<std::string> seen;
  SectionUse plan_use;  // what the base and every phase have, for the settings sections written for all
  auto read_tree = [&](std::size_t k, Scenario& into) {
    DiagnosticLog tree_log(source_name, overrides);
    read_sections(tree_log, trees[k], into);
    plan_use |= section_use(into);
    add_data_files(tree_log);
    for (Diagnostic d : tree_log.sorted()) {
      d.key_path = trees[k].written_path(d.key_path);
      const std::string key = d.to_string();
      if (!seen.insert(key).second) continue;
      if (k > 0) d.message = "phase '" + phases[k - 1].name + "': " + d.message;
      diagnostics.push_back(std::move(d));
    }
    return tree_log.empty();
  };
  bool base_ok = true;
  if (selected < 0) {
    base_ok = read_tree(0, scenario);
  } else {
    Scenario base;
    base_ok = read_tree(0, base);
  }
  for (std::size_t k = 1; base_ok && k < trees.size(); ++k) {
    if (static_cast<int>(k) == selected + 1) {
      read_tree(k, scenario);
    } else {
      Scenario other;
      read_tree(k, other);
    }
  }
  if (!diagnostics.empty()) {
    // As DiagnosticLog::sorted: overrides first (in their order), then by line and column.
    const auto key = [&](const Diagnostic& d) {
      int override_index = static_cast<int>(overrides.size());
      for (std::size_t i = 0; i < overrides.size(); ++i)
        if (d.mark.file == "--set " + overrides[i]) override_index = static_cast<int>(i);
      return std::make_tuple(override_index == static_cast<int>(overrides.size()) ? 1 : 0, override_index,
                             d.mark.line, d.mark.column);
    };
    std::stable_sort(diagnostics.begin(), diagnostics.end(),
                     [&](const Diagnostic& a, const Diagnostic& b) { return key(a) < key(b); });
    throw ScenarioError(diagnostics);
  }
  scenario.data_files = std::move(data_files);
  scenario.plan_use = std::move(plan_use);
  scenario.phases = std::move(phases);
  scenario.phase_index = selected;
  const ComposedTree& tree = trees[static_cast<std::size_t>(selected + 1)];
  scenario.bundles = tree.bundles;
  scenario.run.phase = selected < 0 ? "" : scenario.phases[static_cast<std::size_t>(selected)].name;
  return scenario;
}

Scenario load_scenario_file(const std::string& path, const std::vector<std::string>& overrides) {
  // The file refused, with why (no line: the file as a whole).
  const auto refuse = [&](const std::string& why) {
    throw ScenarioError({Diagnostic{SourceMark{path, 0, 0}, "", why, Diagnostic::Severity::Error}});
  };
  auto fail = [&](int error) {
    refuse("cannot open scenario file (" + std::string(std::strerror(error)) + ")");
  };
  // A directory or a device (/dev/zero, /dev/urandom) refused before a byte is read, as a data file is.
  if (const std::string problem = data_file_problem(path); !problem.empty()) refuse(problem);
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) fail(errno);
  // At most kMaxScenarioBytes: a scenario is a text of a few KB to a few MB (a 10 M-device city from
  // bench/gen_city.py: ~2 MB); data belongs in the CSV and GeoJSON files it names. Read on, /dev/zero or a
  // mistaken binary would fill the memory first.
  std::string text;
  char buffer[65536];
  std::size_t read = 0;
  while ((read = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) {
    text.append(buffer, read);
    if (text.size() > kMaxScenarioBytes)
      refuse("larger than " + std::to_string(kMaxScenarioBytes >> 20) +
             " MiB: not a scenario (data belongs in the CSV and GeoJSON files a scenario names)");
  }
  if (std::ferror(file.get())) fail(errno);
  return load_scenario_text(text, path, overrides);
}

}  // namespace citytwin::sim::scenario
