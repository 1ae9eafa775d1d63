// city.districts_geojson: districts from the polygons of a GeoJSON FeatureCollection (RFC 7946), the
// format open-data portals publish district boundaries in. Read with nlohmann::json (Debian's
// nlohmann-json3-dev, header-only, maintained, already the project's JSON library for the CLI's --json);
// every problem names the file and the feature (index and name). Internal to the loader.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/scenario/scenario_reader.hpp"
#include "sim/scenario/scenario_sections.hpp"

namespace citytwin::sim::scenario {
namespace {

using nlohmann::json;

// A city's local frame is for a city: beyond this from city.origin the projection's error grows past a
// metre per kilometre and a coordinate is more likely a mistake (swapped latitude and longitude).
constexpr double kMaxFromOrigin_m = 200e3;
// Projected coordinates: no CRS in metres reaches beyond the Earth's circumference.
constexpr double kMaxProjected_m = 4.1e7;

struct GeojsonSource {
  std::string file;  // as shown in messages
  std::string name_property = "name";
  bool projected = false;  // crs: projected (metres) instead of WGS84 longitude/latitude
  std::array<double, 2> projected_origin{0.0, 0.0};  // the projected coordinates of the local (0 m, 0 m)
  GeoOrigin origin;
};

// Throws std::runtime_error with the problem; the caller prefixes the file and feature.
std::array<double, 2> position(const GeojsonSource& source, const json& p) {
  if (!p.is_array() || p.size() < 2 || !p[0].is_number() || !p[1].is_number())
    throw std::runtime_error("expected a position [x, y] of numbers, got " + p.dump().substr(0, 60));
  const double a = p[0].get<double>(), b = p[1].get<double>();
  if (!std::isfinite(a) || !std::isfinite(b)) throw std::runtime_error("a coordinate is not finite");
  if (source.projected) {
    if (std::abs(a) > kMaxProjected_m || std::abs(b) > kMaxProjected_m)
      throw std::runtime_error("coordinate " + p.dump() + " out of range for a projected CRS in metres");
    return {a - source.projected_origin[0], b - source.projected_origin[1]};
  }
  // RFC 7946 section 3.1.1: longitude first, then latitude.
  if (a < -180.0 || a > 180.0 || b < -90.0 || b > 90.0)
    throw std::runtime_error("coordinate " + p.dump() +
                             " out of range: expected [longitude -180..180, latitude -90..90] in degrees" +
                             " (a projected CRS in metres needs districts_geojson.crs: projected)");
  const auto xy = to_local_m(source.origin, b, a);
  const double from_origin_m = std::hypot(xy[0], xy[1]);
  if (!(from_origin_m <= kMaxFromOrigin_m))
    throw std::runtime_error("coordinate " + p.dump() + " lies " +
                             format_number(std::round(from_origin_m / 1e3)) + " km from city.origin (" +
                             format_number(source.origin.lat_deg) + ", " +
                             format_number(source.origin.lon_deg) + "): expected within " +
                             format_number(kMaxFromOrigin_m / 1e3) + " km (longitude and latitude swapped?)");
  return xy;
}

Ring ring(const GeojsonSource& source, const json& r) {
  if (!r.is_array()) throw std::runtime_error("expected a ring (an array of positions)");
  Ring out;
  for (const json& p : r) out.push_back(position(source, p));
  if (out.size() < 4)
    throw std::runtime_error("a ring needs at least 4 positions (closed: the last repeats the first), got " +
                             std::to_string(out.size()));
  return out;
}

PolygonRings polygon(const GeojsonSource& source, const json& rings) {
  if (!rings.is_array() || rings.empty())
    throw std::runtime_error("expected a polygon (an array of rings: the outer ring, then holes)");
  PolygonRings out;
  out.outer = ring(source, rings[0]);
  for (std::size_t i = 1; i < rings.size(); ++i) out.holes.push_back(ring(source, rings[i]));
  return out;
}

std::string feature_name(const json& feature, const std::string& property) {
  if (!feature.is_object() || !feature.contains("properties") || !feature["properties"].is_object())
    return "";
  const json& props = feature["properties"];
  if (!props.contains(property)) return "";
  const json& value = props[property];
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return std::to_string(value.get<int64_t>());
  return "";
}

District district(const GeojsonSource& source, const json& feature, const std::string& name) {
  if (!feature.is_object() || feature.value("type", "") != "Feature")
    throw std::runtime_error("expected a Feature object");
  if (name.empty())
    throw std::runtime_error("no district name: expected a string property '" + source.name_property +
                             "' (districts_geojson.name_property)");
  const json geometry = feature.contains("geometry") ? feature["geometry"] : json();
  if (!geometry.is_object()) throw std::runtime_error("no geometry");
  const std::string type = geometry.value("type", "");
  if (!geometry.contains("coordinates")) throw std::runtime_error("geometry without coordinates");
  const json& coordinates = geometry["coordinates"];
  std::vector<PolygonRings> polygons;
  if (type == "Polygon") {
    polygons.push_back(polygon(source, coordinates));
  } else if (type == "MultiPolygon") {
    if (!coordinates.is_array() || coordinates.empty())
      throw std::runtime_error("expected a MultiPolygon's coordinates: an array of polygons");
    for (const json& p : coordinates) polygons.push_back(polygon(source, p));
  } else {
    throw std::runtime_error("geometry type '" + type + "': expected Polygon or MultiPolygon");
  }
  std::string why;
  District out;
  out.name = name;
  out.shape = DistrictShape::make(std::move(polygons), &why);
  if (!out.shape) throw std::runtime_error("invalid polygon: " + why);
  if (!(out.shape->area_m2() > 0.0)) throw std::runtime_error("polygon of zero area");
  const auto& b = out.shape->bounds();
  out.x_min_m = b[0];
  out.y_min_m = b[1];
  out.x_max_m = b[2];
  out.y_max_m = b[3];
  return out;
}

// "urn:ogc:def:crs:OGC:1.3:CRS84" and its aliases name WGS84 longitude/latitude (GeoJSON 2008, 3.1).
bool names_wgs84(const json& doc) {
  if (!doc.contains("crs")) return true;
  const json& crs = doc["crs"];
  if (!crs.is_object() || !crs.contains("properties") || !crs["properties"].is_object()) return false;
  const json& name = crs["properties"].contains("name") ? crs["properties"]["name"] : json();
  if (!name.is_string()) return false;
  const std::string text = name.get<std::string>();
  return text.find("CRS84") != std::string::npos || text.find("4326") != std::string::npos;
}

}  // namespace

void read_districts_geojson(DiagnosticLog& log, const YamlNode& node, const std::string& path,
                            const GeoOrigin& origin, const YamlNode* origin_node, std::vector<District>& out,
                            bool& complete) {
  GeojsonSource source;
  source.origin = origin;
  const YamlNode* file_node = &node;
  std::string file_path = path;
  if (!node.is_scalar()) {
    MapReader map(log, &node, path, {"file", "name_property", "crs", "projected_origin"});
    if (!map.is_map()) {
      complete = false;
      return;
    }
    file_node = map.require("file");
    file_path = map.path("file");
    set_if(source.name_property, map.text("name_property"));
    if (const auto crs = map.choice("crs", {"wgs84", "projected"})) source.projected = *crs == "projected";
    if (const auto at = map.point("projected_origin")) {
      source.projected_origin = *at;
      if (!source.projected)
        log.error(map.get("projected_origin")->location, map.path("projected_origin"),
                  "only with crs: projected");
    }
    if (file_node == nullptr || !file_node->is_scalar()) {
      complete = false;
      return;
    }
  }
  if (!source.projected && !origin.given) {
    log.error(origin_node != nullptr ? origin_node->location : node.location, "city.origin",
              "districts in WGS84 longitude/latitude need city.origin: {lat: .., lon: ..} (the point of "
              "(0 m, 0 m)), or districts_geojson.crs: projected for coordinates in metres");
    complete = false;
    return;
  }
  std::filesystem::path file;
  std::optional<std::ifstream> opened =
      open_data_file(log, file_node->location, file_path, file_node->scalar, &file);
  source.file = file.string();
  const auto fail = [&](const std::string& message) {
    log.error(file_node->location, file_path, source.file + ": " + message);
    complete = false;
  };
  if (!opened) {
    complete = false;
    return;
  }
  std::ifstream& in = *opened;
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    if (const auto at = what.find("] "); at != std::string::npos) what = what.substr(at + 2);
    return fail("malformed JSON: " + what);
  }
  if (!doc.is_object() || doc.value("type", "") != "FeatureCollection" || !doc.contains("features") ||
      !doc["features"].is_array())
    return fail(
        "expected a GeoJSON FeatureCollection ({\"type\": \"FeatureCollection\", \"features\": [...]})");
  if (!source.projected && !names_wgs84(doc))
    return fail(
        "the file declares crs " + doc["crs"].dump() +
        ", not WGS84 longitude/latitude: set districts_geojson.crs: projected (and projected_origin)");
  if (doc["features"].empty()) return fail("no features: expected at least one district polygon");
  for (std::size_t i = 0; i < doc["features"].size(); ++i) {
    const json& feature = doc["features"][i];
    const std::string name = feature_name(feature, source.name_property);
    try {
      out.push_back(district(source, feature, name));
    } catch (const std::exception& e) {
      fail("features[" + std::to_string(i) + "]" + (name.empty() ? "" : " ('" + name + "')") + ": " +
           e.what());
    }
  }
}

}  // namespace citytwin::sim::scenario
