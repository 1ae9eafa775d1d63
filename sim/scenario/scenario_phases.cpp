// Rollout phases composed on the YAML tree, gateway placement rules, and the cost catalogue.
#include "sim/scenario/scenario_phases.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/core/rng.hpp"
#include "sim/scenario/scenario_reader.hpp"
#include "sim/scenario/scenario_sections.hpp"

namespace citytwin::sim::scenario {
namespace {

// The most gateways one placement rule may generate (a spacing typed in metres instead of km).
constexpr std::size_t kMaxPlacedGateways = 1000000;

YamlNode scalar_node(std::string text, const Location& at) {
  YamlNode node;
  node.kind = YamlNode::Kind::Scalar;
  node.scalar = std::move(text);
  node.location = at;
  return node;
}

YamlNode length_node(double metres, const Location& at) {
  return scalar_node(format_number(metres) + " m", at);
}

YamlNode point_node(double x_m, double y_m, const Location& at) {
  YamlNode point;
  point.kind = YamlNode::Kind::Sequence;
  point.location = at;
  point.items = {length_node(x_m, at), length_node(y_m, at)};
  return point;
}

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

struct PlacedPoint {
  std::string name;
  double x_m = 0.0, y_m = 0.0;
};

// Row by row from the south-west corner: a lattice of the given spacing centred in the district
// (hexagonal: rows spacing * sqrt(3)/2 apart, every other row shifted by half a spacing).
std::vector<std::array<double, 2>> lattice(const District& d, double spacing_m, bool hex) {
  const double w = d.x_max_m - d.x_min_m, h = d.y_max_m - d.y_min_m;
  const double row_step = hex ? spacing_m * std::sqrt(3.0) / 2.0 : spacing_m;
  const auto across = [](double extent, double step) {
    return std::max<std::size_t>(1, static_cast<std::size_t>(std::floor(extent / step + 1e-9)));
  };
  const std::size_t rows = across(h, row_step), cols = across(w, spacing_m);
  if (static_cast<double>(rows) * static_cast<double>(cols) > static_cast<double>(kMaxPlacedGateways))
    return {};
  const double y0 = d.y_min_m + (h - static_cast<double>(rows - 1) * row_step) / 2.0;
  const double x0 = d.x_min_m + (w - static_cast<double>(cols - 1) * spacing_m) / 2.0;
  std::vector<std::array<double, 2>> points;
  for (std::size_t j = 0; j < rows; ++j) {
    const double shift = hex && j % 2 == 1 ? spacing_m / 2.0 : 0.0;
    for (std::size_t i = 0; i < cols; ++i) {
      const double x = x0 + static_cast<double>(i) * spacing_m + shift;
      const double y = y0 + static_cast<double>(j) * row_step;
      if (x <= d.x_max_m && (!d.shape || d.shape->covers(x, y))) points.push_back({x, y});
    }
  }
  return points;
}

// A polygon district: the lattice over its bounding box, clipped to the polygons; when none of its
// points falls inside (a district smaller than the spacing), the inside point of the finest lattice
// nearest the box's centre, so that every district gets a gateway as a rectangle does.
std::vector<std::array<double, 2>> polygon_lattice(const District& d, double spacing_m, bool hex) {
  std::vector<std::array<double, 2>> points = lattice(d, spacing_m, hex);
  for (double s = spacing_m / 2.0; points.empty() && s > spacing_m / 4096.0; s /= 2.0) {
    std::vector<std::array<double, 2>> finer = lattice(d, s, hex);
    if (finer.empty()) continue;
    const double cx = (d.x_min_m + d.x_max_m) / 2.0, cy = (d.y_min_m + d.y_max_m) / 2.0;
    points.push_back(*std::min_element(finer.begin(), finer.end(), [&](const auto& a, const auto& b) {
      return std::hypot(a[0] - cx, a[1] - cy) < std::hypot(b[0] - cx, b[1] - cy);
    }));
  }
  return points;
}

// count points in a polygon district: the lattice whose spacing puts at least count points inside
// (from sqrt(area / count) down by 5 % steps), thinned evenly to count.
std::vector<std::array<double, 2>> counted_polygon_lattice(const District& d, std::size_t count, bool hex) {
  std::vector<std::array<double, 2>> points;
  for (double s = std::sqrt(d.area_m2() / static_cast<double>(count)); s > 0.0; s *= 0.95) {
    points = lattice(d, s, hex);
    if (points.size() >= count) break;
    if (points.empty() && s < 1e-3) return {};
  }
  std::vector<std::array<double, 2>> out;
  for (std::size_t k = 0; k < count; ++k)
    out.push_back(points[static_cast<std::size_t>(
        (static_cast<double>(k) + 0.5) * static_cast<double>(points.size()) / static_cast<double>(count))]);
  return out;
}

// count points on a grid of near-square cells covering the district, row by row from the south-west
// (the last row may be partial); hexagonal: every other row shifted by half a cell.
std::vector<std::array<double, 2>> counted_lattice(const District& d, std::size_t count, bool hex) {
  const double w = d.x_max_m - d.x_min_m, h = d.y_max_m - d.y_min_m;
  const auto cols = std::max<std::size_t>(
      1, static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(count) * w / h))));
  const std::size_t rows = (count + cols - 1) / cols;
  const double cw = w / static_cast<double>(cols), ch = h / static_cast<double>(rows);
  std::vector<std::array<double, 2>> points;
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t i = k % cols, j = k / cols;
    const double offset = hex ? (j % 2 == 1 ? 0.75 : 0.25) : 0.5;
    points.push_back({d.x_min_m + (static_cast<double>(i) + offset) * cw,
                      d.y_min_m + (static_cast<double>(j) + 0.5) * ch});
  }
  return points;
}

// `name,x,y` or `x,y` per line (lengths with units), # comments, a header line starting with "name" or "x".
std::vector<PlacedPoint> read_points_csv(DiagnosticLog& log, const YamlNode& node, const std::string& path,
                                         const std::string& prefix) {
  std::vector<PlacedPoint> points;
  std::filesystem::path file;
  std::optional<std::ifstream> opened = open_data_file(log, node.location, path, node.scalar, &file);
  if (!opened) return points;
  std::ifstream& in = *opened;
  std::string line;
  bool first_line = true;  // the header, if any, is the first line that is not a comment
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    const bool header = first_line && (line.rfind("name", 0) == 0 || line.rfind("x", 0) == 0);
    first_line = false;
    if (header) continue;
    std::vector<std::string> cells;
    std::stringstream stream(line);
    for (std::string cell; std::getline(stream, cell, ',');) {
      cell.erase(0, cell.find_first_not_of(" \t\r"));
      cell.erase(cell.find_last_not_of(" \t\r") + 1);
      cells.push_back(cell);
    }
    const std::string where = file.string() + ":" + std::to_string(number) + ": ";
    if (cells.size() != 2 && cells.size() != 3) {
      log.error(node.location, path, where + "expected 'name,x,y' or 'x,y', got '" + excerpt(line) + "'");
      continue;
    }
    std::string error;
    const std::size_t first = cells.size() - 2;
    const auto x = parse_quantity(cells[first], Dimension::Length, &error);
    const auto y = x ? parse_quantity(cells[first + 1], Dimension::Length, &error) : std::nullopt;
    if (!x || !y) {
      log.error(node.location, path, where + error);
      continue;
    }
    points.push_back({first == 1 ? cells[0] : prefix + "-" + std::to_string(points.size() + 1), *x, *y});
    if (points.size() > kMaxPlacedGateways) {
      log.error(node.location, path, where + "more than " + std::to_string(kMaxPlacedGateways) + " gateways");
      return {};
    }
  }
  if (points.empty())
    log.error(node.location, path, "'" + file.string() + "' has no points: the rule places nothing");
  return points;
}

// The gateways a placement rule (`place:`) stands for.
std::vector<PlacedPoint> place(DiagnosticLog& log, const YamlNode& rule, const std::string& path,
                               const PlacementContext& context, const std::string& prefix) {
  MapReader map(log, rule.find("place"), join_path(path, "place"),
                {"layout", "districts", "spacing", "count", "csv"});
  const auto layout = map.choice("layout", {"grid", "hex", "random", "csv"}, Presence::Required);
  const auto spacing = map.quantity("spacing", Dimension::Length, Bound::positive());
  const auto count = map.integer("count", Bound::between(1, static_cast<double>(kMaxPlacedGateways)));
  if (!layout) return {};
  // A key the layout does not use is an error rather than silently dropped.
  const auto reject = [&](const char* key, const char* why) {
    if (const YamlNode* node = map.get(key))
      log.error(node->location, map.path(key),
                "layout " + *layout + " does not use " + key + ": (" + why + "); remove it");
  };
  if (*layout == "csv") {
    for (const char* key : {"districts", "spacing", "count"}) reject(key, "the points come from the file");
  } else {
    reject("csv", "only layout csv reads a file");
    if (*layout == "random") reject("spacing", "it places count: gateways per district");
  }
  if (*layout == "csv") {
    const YamlNode* csv = map.get("csv");
    if (csv == nullptr || !csv->is_scalar()) {
      log.error(map.location(), map.path("csv"), "layout csv needs csv: FILE (name,x,y per line)");
      return {};
    }
    return read_points_csv(log, *csv, map.path("csv"), prefix);
  }
  if (*layout == "random" ? !count : (spacing.has_value() == count.has_value())) {
    log.error(map.location(), map.path(),
              *layout == "random" ? "layout random needs count: (gateways per district)"
                                  : "layout " + *layout + " needs either spacing: or count: (per district)");
    return {};
  }
  if (!context.city_complete) return {};
  // The districts: those listed, or every district.
  std::vector<const District*> districts;
  if (const YamlNode* list = map.get("districts")) {
    if (!expect_sequence(log, *list, map.path("districts"), "district names")) return {};
    if (list->items.empty()) {
      log.error(list->location, map.path("districts"),
                "no districts: the rule would place nothing (leave districts: out for every district)");
      return {};
    }
    std::vector<std::string_view> names;
    for (const District& d : context.city.districts) names.push_back(d.name);
    for (std::size_t i = 0; i < list->items.size(); ++i) {
      const YamlNode& item = list->items[i];
      const auto found = std::find_if(context.city.districts.begin(), context.city.districts.end(),
                                      [&](const District& d) { return d.name == item.scalar; });
      if (found == context.city.districts.end()) {
        const auto hint = closest_match(item.scalar, names);
        log.error(item.location, index_path(map.path("districts"), i),
                  "unknown district '" + excerpt(item.scalar) + "'" +
                      (hint ? " (did you mean '" + *hint + "'?)" : ""));
        continue;
      }
      districts.push_back(&*found);
    }
  } else {
    for (const District& d : context.city.districts) districts.push_back(&d);
  }
  std::vector<PlacedPoint> points;
  for (const District* d : districts) {
    std::vector<std::array<double, 2>> at;
    if (*layout == "random") {
      core::Stream rng(context.seed, "gateway_placement", core::purpose_tag(prefix + "/" + d->name));
      // Uniform in the district: in its bounding box, rejecting points outside a polygon district.
      for (int64_t draws = 0; at.size() < static_cast<std::size_t>(*count); ++draws) {
        const double x = rng.uniform(d->x_min_m, d->x_max_m), y = rng.uniform(d->y_min_m, d->y_max_m);
        if (!d->shape || d->shape->covers(x, y)) at.push_back({x, y});
        if (draws > 1000 * (*count + 100)) {
          log.error(map.location(), map.path(),
                    "district '" + d->name + "' fills too little of its bounding box");
          return {};
        }
      }
    } else if (count) {
      at = d->shape ? counted_polygon_lattice(*d, static_cast<std::size_t>(*count), *layout == "hex")
                    : counted_lattice(*d, static_cast<std::size_t>(*count), *layout == "hex");
    } else {
      at = d->shape ? polygon_lattice(*d, *spacing, *layout == "hex")
                    : lattice(*d, *spacing, *layout == "hex");
      if (at.empty()) {
        log.error(map.get("spacing")->location, map.path("spacing"),
                  "spacing " + format_number(*spacing) + " m puts more than " +
                      std::to_string(kMaxPlacedGateways) + " gateways in district '" + d->name + "'");
        return {};
      }
    }
    for (std::size_t k = 0; k < at.size(); ++k)
      points.push_back({prefix + "-" + d->name + "-" + std::to_string(k + 1), at[k][0], at[k][1]});
    if (points.size() > kMaxPlacedGateways) {
      log.error(map.location(), map.path(), "more than " + std::to_string(kMaxPlacedGateways) + " gateways");
      return {};
    }
  }
  return points;
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
  Items gateways = items_of(tree, rules, "gateways");
  for (YamlNode& gateway : parts.gateways) {
    bundle.gateways.push_back(gateway.find("name")->scalar);
    push(gateways, std::move(gateway), written, tag);
  }
  Items devices = items_of(tree, rules, "devices");
  for (YamlNode& device : parts.devices) {
    bundle.devices.push_back(device.find("name")->scalar);
    push(devices, std::move(device), written, tag);
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

std::vector<YamlNode> expand_gateway(DiagnosticLog& log, const YamlNode& item, const std::string& written,
                                     const PlacementContext& context) {
  if (!item.is_map() || item.find("place") == nullptr) return {item};
  if (const YamlNode* position = item.find("position"))
    log.error(position->location, join_path(written, "position"),
              "a gateway with place: stands for many: its positions come from the rule; remove position:");
  const YamlNode* name = item.find("name");
  const std::string prefix = name != nullptr && name->is_scalar() ? name->scalar : "gw";
  std::vector<YamlNode> gateways;
  for (const PlacedPoint& point : place(log, item, written, context, prefix)) {
    YamlNode gateway = item;
    gateway.entries.clear();
    gateway.entries.push_back(YamlEntry{"name", item.location, scalar_node(point.name, item.location)});
    gateway.entries.push_back(
        YamlEntry{"position", item.location, point_node(point.x_m, point.y_m, item.location)});
    for (const YamlEntry& entry : item.entries) {
      if (entry.key != "name" && entry.key != "place" && entry.key != "position")
        gateway.entries.push_back(entry);
    }
    gateways.push_back(std::move(gateway));
  }
  return gateways;
}

std::vector<std::array<double, 2>> placed_points(DiagnosticLog& log, const YamlNode& rule,
                                                 const std::string& path, const PlacementContext& context,
                                                 const std::string& prefix, std::vector<std::string>* names) {
  std::vector<std::array<double, 2>> at;
  for (const PlacedPoint& point : place(log, rule, path, context, prefix)) {
    at.push_back({point.x_m, point.y_m});
    if (names != nullptr) names->push_back(point.name);
  }
  return at;
}

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
