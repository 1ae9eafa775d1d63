// Gateway placement rules (`place:` in a gateways[] entry, and the rules of S-Poles and IoT districts): the
// lattices over a district (square or hexagonal, by spacing or by count, clipped to polygon districts),
// random points, and points read from a CSV file; each point a named gateway entry of the YAML tree, before
// the sections are read (sim/scenario/scenario_phases.hpp; the format is in docs/SCENARIO.md, "gateway
// placement rules").
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>

#include "sim/core/rng.hpp"
#include "sim/scenario/scenario_phases.hpp"
#include "sim/scenario/scenario_reader.hpp"
#include "sim/scenario/scenario_sections.hpp"

namespace citytwin::sim::scenario {
namespace {

// The most gateways one placement rule may generate (a spacing typed in metres instead of km).
constexpr std::size_t kMaxPlacedGateways = 1000000;

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
    const std::vector<std::string> cells = comma_cells(line);
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

}  // namespace

YamlNode scalar_node(std::string text, const Location& at) {
  YamlNode node;
  node.kind = YamlNode::Kind::Scalar;
  node.scalar = std::move(text);
  node.location = at;
  return node;
}

YamlNode point_node(double x_m, double y_m, const Location& at) {
  YamlNode point;
  point.kind = YamlNode::Kind::Sequence;
  point.location = at;
  point.items = {scalar_node(format_number(x_m) + " m", at), scalar_node(format_number(y_m) + " m", at)};
  return point;
}

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

}  // namespace citytwin::sim::scenario
