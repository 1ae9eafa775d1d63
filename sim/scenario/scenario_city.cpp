// The city section: its districts (written, or from GeoJSON), checked for duplicate names and overlaps;
// the district index the other sections place things with; the shared formats of points and areas.
#include <algorithm>
#include <cstdio>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/scenario/district_overlaps.hpp"
#include "sim/scenario/scenario_reader.hpp"
#include "sim/scenario/scenario_sections.hpp"

namespace citytwin::sim::scenario {
namespace {

District read_district(DiagnosticLog& log, const YamlNode& node, const std::string& path, bool& complete) {
  District district;
  if (node.kind == YamlNode::Kind::Null) {
    log.error(node.location, path, "expected a district (a map), got nothing");
    complete = false;
    return district;
  }
  MapReader map(log, &node, path, {"name", "origin", "size"});
  const auto name = map.text("name", Presence::Required);
  const auto origin = map.point("origin", {}, Presence::Required);
  const auto size = map.point("size", Bound::positive(), Presence::Required);
  if (!map.is_map() || !name || !origin || !size) complete = false;
  set_if(district.name, name);
  if (origin && size) {
    district.x_min_m = (*origin)[0];
    district.y_min_m = (*origin)[1];
    district.x_max_m = (*origin)[0] + (*size)[0];
    district.y_max_m = (*origin)[1] + (*size)[1];
  }
  return district;
}

}  // namespace

std::vector<std::string_view> DistrictIndex::names() const {
  std::vector<std::string_view> out;
  for (const District& district : city.districts) out.push_back(district.name);
  return out;
}

bool DistrictIndex::has(std::string_view name) const {
  for (const District& district : city.districts) {
    if (district.name == name) return true;
  }
  return false;
}

bool DistrictIndex::covers(double x_m, double y_m) const {
  for (const District& district : city.districts) {
    if (district.contains(x_m, y_m)) return true;
  }
  return false;
}

// Linear in the names (a map of first occurrences): a rollout's placement rules make thousands of
// gateways, and the pairwise scan took seconds per phase (the fuzzer's timeout on seoul_rollout.yaml).
void report_duplicates(DiagnosticLog& log, const std::vector<NamedAt>& names, std::string_view what) {
  std::unordered_map<std::string_view, std::size_t> first_of;
  first_of.reserve(names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto [it, inserted] = first_of.emplace(names[i].name, i);
    if (inserted) continue;
    const SourceMark first = log.mark(names[it->second].location);
    const std::string where = first.line > 0 ? "line " + std::to_string(first.line) : first.file;
    log.error(names[i].location, names[i].path,
              "duplicate " + std::string(what) + " name '" + names[i].name + "' (first at " + where + ")");
  }
}

std::string format_point_m(double x_m, double y_m) {
  return "(" + format_number(x_m) + " m, " + format_number(y_m) + " m)";
}

std::string format_area(double area_m2) {
  char text[32];
  if (area_m2 >= 1e5)
    std::snprintf(text, sizeof text, "%.3g km2", area_m2 / 1e6);
  else
    std::snprintf(text, sizeof text, "%.3g m2", area_m2);
  return text;
}

namespace {

// Districts that overlap (sim/scenario/district_overlaps.hpp), each pair reported at the later one.
void report_overlaps(DiagnosticLog& log, const std::vector<District>& districts,
                     const std::vector<NamedAt>& written) {
  for (const DistrictOverlap& o : district_overlaps(districts)) {
    const District& a = districts[o.first];
    const District& b = districts[o.second];
    const SourceMark first = log.mark(written[o.first].location);
    const SourceMark second = log.mark(written[o.second].location);
    std::string where;
    if (first.file != second.file)
      where = " (" + first.file + ")";
    else if (first.line != second.line)
      where = " (line " + std::to_string(first.line) + ")";
    char share[32];
    std::snprintf(share, sizeof share, "%.3g", 100.0 * o.area_m2 / std::min(a.area_m2(), b.area_m2()));
    const std::string name_a = "'" + excerpt(a.name) + "'", name_b = "'" + excerpt(b.name) + "'";
    log.error(written[o.second].location, written[o.second].path,
              "district " + name_b + " overlaps district " + name_a + where + " by " +
                  format_area(o.area_m2) + " (" + share +
                  " % of the smaller): a point in both would count twice (the city's area, " +
                  "a population's density) and belong to " + name_a + " alone (a power cut in " + name_b +
                  " would miss it); districts may share edges, not area");
  }
}

}  // namespace

void read_city(DiagnosticLog& log, const YamlNode* node, City& city, bool& complete) {
  complete = false;
  MapReader map(log, node, "city", {"name", "origin", "districts", "districts_geojson"});
  if (node == nullptr || !map.is_map()) return;
  set_if(city.name, map.text("name"));
  const YamlNode* origin = map.get("origin");
  if (origin != nullptr) {
    MapReader at(log, origin, map.path("origin"), {"lat", "lon"});
    const auto lat = at.number("lat", Bound::between(-89.0, 89.0, "degrees"), Presence::Required);
    const auto lon = at.number("lon", Bound::between(-180.0, 180.0, "degrees"), Presence::Required);
    if (lat && lon) city.origin = GeoOrigin{*lat, *lon, true};
  }
  const YamlNode* geojson = map.get("districts_geojson");
  const YamlNode* list = geojson != nullptr ? map.get("districts") : map.require("districts");
  if (list == nullptr && geojson == nullptr) return;
  if (list != nullptr && !expect_sequence(log, *list, "city.districts", "districts")) return;
  if (list != nullptr && list->items.empty() && geojson == nullptr) {
    log.error(list->location, "city.districts", "expected at least one district");
    return;
  }
  complete = origin == nullptr || city.origin.given;
  std::vector<NamedAt> names;
  std::vector<NamedAt> written;  // per district: where it was written
  for (std::size_t i = 0; list != nullptr && i < list->items.size(); ++i) {
    const std::string path = index_path("city.districts", i);
    city.districts.push_back(read_district(log, list->items[i], path, complete));
    written.push_back({city.districts.back().name, list->items[i].location, path});
    const YamlNode* name = list->items[i].find("name");
    if (name != nullptr && name->is_scalar()) names.push_back({name->scalar, name->location, path + ".name"});
  }
  if (geojson != nullptr) {
    const std::size_t first = city.districts.size();
    if (origin == nullptr || city.origin.given)
      read_districts_geojson(log, *geojson, map.path("districts_geojson"), city.origin, origin,
                             city.districts, complete);
    for (std::size_t i = first; i < city.districts.size(); ++i) {
      names.push_back({city.districts[i].name, geojson->location,
                       map.path("districts_geojson") + ": '" + city.districts[i].name + "'"});
      written.push_back(names.back());
    }
  }
  report_duplicates(log, names, "district");
  report_overlaps(log, city.districts, written);
}

}  // namespace citytwin::sim::scenario
