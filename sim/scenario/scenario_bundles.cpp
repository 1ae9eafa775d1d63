// S-Pole rules and IoT districts (docs/SCENARIO.md "s_poles" and "iot_districts"): items that stand for
// several, expanded into gateway and device population entries as if they had been written in gateways:
// and devices:, so that the section readers validate them like any other.
#include <algorithm>

#include "sim/scenario/scenario_phases.hpp"
#include "sim/scenario/scenario_reader.hpp"

namespace citytwin::sim::scenario {
namespace {

// Devices mounted on an S-Pole are placed in a disc this wide around it (a pole carries them within a few
// metres; a disc keeps them in the population placement the device reader already checks).
constexpr const char* kPoleMountRadius = "5 m";

void set(YamlNode& map, const std::string& key, YamlNode value) {
  for (YamlEntry& entry : map.entries) {
    if (entry.key == key) {
      entry.value = std::move(value);
      return;
    }
  }
  map.entries.push_back(YamlEntry{key, map.location, std::move(value)});
}

// Entries of a list under the bundle (access point keys, devices, gateways) may not set what the bundle
// sets for them: an error each, rather than a silent overwrite.
bool reject_keys(DiagnosticLog& log, const YamlNode& entry, const std::string& path,
                 std::initializer_list<const char*> keys, const std::string& why) {
  bool clean = true;
  for (const char* key : keys) {
    if (const YamlNode* node = entry.find(key)) {
      log.error(node->location, join_path(path, key),
                std::string(key) + ": is set by the " + why + "; remove it");
      clean = false;
    }
  }
  return clean;
}

// The entries of a list of maps that have a name (others reported), with their paths.
std::vector<std::pair<const YamlNode*, std::string>> named_entries(DiagnosticLog& log, const YamlNode* list,
                                                                   const std::string& path,
                                                                   std::string_view what) {
  std::vector<std::pair<const YamlNode*, std::string>> out;
  if (list == nullptr || !expect_sequence(log, *list, path, what)) return out;
  for (std::size_t i = 0; i < list->items.size(); ++i) {
    const YamlNode& entry = list->items[i];
    const std::string at = index_path(path, i);
    const YamlNode* name = entry.find("name");
    if (!entry.is_map() || name == nullptr || !name->is_scalar() || name->scalar.empty()) {
      log.error(entry.location, entry.is_map() ? join_path(at, "name") : at,
                entry.is_map() ? "missing required key" : "expected a map, got " + entry.describe());
      continue;
    }
    out.emplace_back(&entry, at);
  }
  return out;
}

}  // namespace

BundleParts expand_s_poles(DiagnosticLog& log, const YamlNode& item, const std::string& written,
                           const PlacementContext& context) {
  BundleParts parts;
  MapReader map(log, &item, written, {"name", "place", "position", "access_point", "devices"});
  const auto name = map.text("name", Presence::Required);
  if (!map.is_map() || !name) return parts;
  // The poles: one at position:, or those of a placement rule.
  std::vector<std::array<double, 2>> at;
  std::vector<std::string> names;
  if ((map.get("place") != nullptr) == (map.get("position") != nullptr)) {
    log.error(map.location(), map.path(),
              "an S-Pole rule needs either position: (one pole) or place: (many)");
    return parts;
  }
  if (map.get("place") != nullptr) {
    at = placed_points(log, item, written, context, *name, &names);
  } else if (const auto p = map.point("position")) {
    at.push_back(*p);
    names.push_back(*name);
  }
  // The access point each pole carries: gateways[] keys; Wi-Fi unless technology: says otherwise.
  YamlNode access_point;
  access_point.kind = YamlNode::Kind::Map;
  access_point.location = item.location;
  const std::string access_point_path =
      map.get("access_point") != nullptr ? map.path("access_point") : written;
  if (const YamlNode* given = map.get("access_point")) {
    if (!given->is_map()) {
      log.error(given->location, map.path("access_point"),
                "expected a map of gateway keys, got " + given->describe());
      return parts;
    }
    if (!reject_keys(log, *given, map.path("access_point"), {"name", "position", "place"},
                     "S-Pole (one per pole)"))
      return parts;
    access_point = *given;
  }
  if (access_point.find("technology") == nullptr)
    set(access_point, "technology", scalar_node("wifi", item.location));
  const auto devices = named_entries(log, map.get("devices"), map.path("devices"), "device populations");
  for (const auto& [entry, path] : devices) {
    if (!reject_keys(log, *entry, path, {"districts", "disc"}, "S-Pole (its devices are on the pole)"))
      return parts;
  }
  for (std::size_t k = 0; k < at.size(); ++k) {
    YamlNode gateway = access_point;
    set(gateway, "name", scalar_node(names[k], item.location));
    set(gateway, "position", point_node(at[k][0], at[k][1], item.location));
    parts.gateways.push_back(std::move(gateway));
    parts.gateway_paths.push_back(access_point_path);
    for (const auto& [entry, path] : devices) {
      YamlNode population = *entry;
      set(population, "name", scalar_node(names[k] + "-" + entry->find("name")->scalar, entry->location));
      YamlNode disc;
      disc.kind = YamlNode::Kind::Map;
      disc.location = entry->location;
      set(disc, "centre", point_node(at[k][0], at[k][1], entry->location));
      set(disc, "radius", scalar_node(kPoleMountRadius, entry->location));
      set(population, "disc", std::move(disc));
      parts.devices.push_back(std::move(population));
      parts.device_paths.push_back(path);
    }
  }
  parts.units = static_cast<int64_t>(at.size());
  return parts;
}

BundleParts expand_iot_district(DiagnosticLog& log, const YamlNode& item, const std::string& written,
                                const PlacementContext& context) {
  BundleParts parts;
  MapReader map(log, &item, written, {"name", "districts", "gateways", "devices"});
  const auto name = map.text("name", Presence::Required);
  const YamlNode* list = map.require("districts");
  if (!map.is_map() || !name || list == nullptr) return parts;
  if (!expect_sequence(log, *list, map.path("districts"), "district names")) return parts;
  if (list->items.empty()) {
    log.error(list->location, map.path("districts"), "an IoT district item needs at least one district");
    return parts;
  }
  std::vector<std::string> districts;
  std::vector<std::string_view> known;
  for (const District& d : context.city.districts) known.push_back(d.name);
  for (std::size_t i = 0; i < list->items.size(); ++i) {
    const YamlNode& district = list->items[i];
    const bool exists = std::find(known.begin(), known.end(), district.scalar) != known.end();
    if (context.city_complete && (!district.is_scalar() || !exists)) {
      const auto hint = closest_match(district.scalar, known);
      log.error(district.location, index_path(map.path("districts"), i),
                "no district named '" + excerpt(district.scalar) + "' in city.districts" +
                    (hint ? " (did you mean '" + *hint + "'?)" : ""));
      continue;
    }
    districts.push_back(district.scalar);
  }
  if (districts.size() != list->items.size()) return parts;
  const auto gateways = named_entries(log, map.get("gateways"), map.path("gateways"), "gateways");
  const auto devices = named_entries(log, map.get("devices"), map.path("devices"), "device populations");
  if (gateways.empty() && devices.empty()) {
    log.error(map.location(), map.path(),
              "an IoT district needs gateways: or devices: (it would add nothing)");
    return parts;
  }
  // Gateways: a placement rule over the item's districts, or one at position:.
  for (const auto& [entry, path] : gateways) {
    YamlNode gateway = *entry;
    set(gateway, "name", scalar_node(*name + "-" + entry->find("name")->scalar, entry->location));
    if (YamlNode* place = gateway.find("place"); place != nullptr && place->is_map()) {
      if (!reject_keys(log, *place, join_path(path, "place"), {"districts"}, "IoT district (its districts:)"))
        continue;
      set(*place, "districts", *list);
    }
    for (YamlNode& g : expand_gateway(log, gateway, path, context)) {
      parts.gateways.push_back(std::move(g));
      parts.gateway_paths.push_back(path);
    }
  }
  // Device populations: count: per district, one population per district.
  for (const auto& [entry, path] : devices) {
    if (!reject_keys(log, *entry, path, {"districts", "disc"}, "IoT district (its districts:)")) continue;
    for (const std::string& district : districts) {
      YamlNode population = *entry;
      set(population, "name",
          scalar_node(*name + "-" + district + "-" + entry->find("name")->scalar, entry->location));
      YamlNode where;
      where.kind = YamlNode::Kind::Sequence;
      where.location = entry->location;
      where.items.push_back(scalar_node(district, entry->location));
      set(population, "districts", std::move(where));
      parts.devices.push_back(std::move(population));
      parts.device_paths.push_back(path);
    }
  }
  parts.units = static_cast<int64_t>(districts.size());
  return parts;
}

}  // namespace citytwin::sim::scenario
