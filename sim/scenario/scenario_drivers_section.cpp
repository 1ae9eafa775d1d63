// The `drivers` section of a scenario as a whole: its keys, each quantity's source and the flood handed to
// scenario_drivers.cpp and the traffic replay to scenario_traffic.cpp, and what it reads itself: the power
// outages and failures (listed, or from CSV files), the check of fibre.olts[].district (the district whose
// power cuts switch an OLT off) and the list form of drivers.river_level. Internal to the loader
// (sim/scenario_loader.cpp).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "sim/scenario/quantities.hpp"
#include "sim/scenario/scenario_reader.hpp"
#include "sim/scenario/scenario_sections.hpp"
#include "sim/scenario/units.hpp"

namespace citytwin::sim::scenario {
namespace {

// "no district named 'x'", with the closest name as the devices' districts have it (a power cut's district
// misspelt in YAML or in power_outages_csv).
std::string no_district(const City& city, const std::string& name) {
  std::string message = "no district named '" + excerpt(name) + "'";
  if (const auto hint = closest_match(name, DistrictIndex{city, true}.names()))
    message += " (did you mean '" + *hint + "'?)";
  return message;
}

void read_outages(DiagnosticLog& log, const YamlNode* node, const std::string& path, const City& city,
                  std::vector<PowerOutage>& outages) {
  if (node == nullptr || !expect_sequence(log, *node, path, "power outages")) return;
  for (std::size_t i = 0; i < node->items.size(); ++i) {
    const std::string item_path = index_path(path, i);
    MapReader map(log, &node->items[i], item_path, {"districts", "start", "end"});
    PowerOutage outage;
    outage.written = {log.mark(node->items[i].location), item_path, ""};
    set_if(outage.start_s, map.quantity("start", Dimension::Time, Bound::non_negative(), Presence::Required));
    set_if(outage.end_s, map.quantity("end", Dimension::Time, Bound::non_negative(), Presence::Required));
    if (outage.end_s < outage.start_s) log.error(map.location(), item_path, "end is before start");
    const YamlNode* list = map.get("districts");
    if (list == nullptr) {
      log.error(map.location(), item_path, "missing required key 'districts'");
    } else if (expect_sequence(log, *list, map.path("districts"), "district names")) {
      for (std::size_t k = 0; k < list->items.size(); ++k) {
        const auto name = read_text(log, list->items[k], index_path(map.path("districts"), k));
        if (!name) continue;
        if (!DistrictIndex{city, true}.has(*name))
          log.error(list->items[k].location, map.path("districts"), no_district(city, *name));
        outage.districts.push_back(*name);
      }
    }
    outages.push_back(outage);
  }
}

// Every name a failure may target: the links of the gateways' routes, PONs, OLTs (their backbone),
// the CCC link when there is one, and the network server.
std::vector<std::string> failure_targets(const Scenario& scenario) {
  std::vector<std::string> targets = {"network_server"};
  const auto add = [&targets](const std::string& name) {
    if (std::find(targets.begin(), targets.end(), name) == targets.end()) targets.push_back(name);
  };
  for (const Gateway& g : scenario.gateways)
    for (const std::string& name : route_link_names(scenario, g)) add(name);
  for (const Pon& p : scenario.fibre.pons) add("pon:" + p.name);
  for (const Olt& o : scenario.fibre.olts) {
    add("backbone:" + o.name);
    add("olt:" + o.name);
  }
  if (scenario.platform.ccc_link_length_m > 0.0) add("ccc");
  return targets;
}

// An error naming the closest target when `target` is not one; "olt:X" becomes its backbone link.
void check_target(DiagnosticLog& log, const std::vector<std::string>& targets, std::string& target,
                  const Location& at, const std::string& path, const std::string& prefix = "") {
  if (!target.empty() && std::find(targets.begin(), targets.end(), target) == targets.end()) {
    std::vector<std::string_view> views(targets.begin(), targets.end());
    std::string message = prefix + "no link or server named '" + target + "'";
    if (auto hint = closest_match(target, views)) message += " (did you mean '" + *hint + "'?)";
    log.error(at, path, message);
  }
  if (target.rfind("olt:", 0) == 0) target = "backbone:" + target.substr(4);
}

// drivers.failures: [{target: pon:pon-1, start: 2 h, end: 3 h}, {target: network_server, mtbf: 30 d,
// mttr: 4 h}, ...]; targets must exist.
void read_failures(DiagnosticLog& log, const YamlNode* node, const std::string& path,
                   const Scenario& scenario, std::vector<Failure>& failures) {
  if (node == nullptr || !expect_sequence(log, *node, path, "failures")) return;
  const std::vector<std::string> targets = failure_targets(scenario);
  for (std::size_t i = 0; i < node->items.size(); ++i) {
    const std::string item_path = index_path(path, i);
    MapReader map(log, &node->items[i], item_path, {"target", "start", "end", "mtbf", "mttr"});
    Failure failure;
    failure.written = {log.mark(node->items[i].location), item_path, ""};
    set_if(failure.target, map.text("target", Presence::Required));
    const bool profile = map.get("mtbf") != nullptr || map.get("mttr") != nullptr;
    if (profile && (map.get("start") != nullptr || map.get("end") != nullptr)) {
      log.error(map.location(), item_path, "give start and end, or mtbf and mttr (a profile), not both");
    } else if (profile) {
      set_if(failure.mtbf_s, map.quantity("mtbf", Dimension::Time, Bound::positive(), Presence::Required));
      set_if(failure.mttr_s, map.quantity("mttr", Dimension::Time, Bound::positive(), Presence::Required));
    } else {
      set_if(failure.start_s,
             map.quantity("start", Dimension::Time, Bound::non_negative(), Presence::Required));
      set_if(failure.end_s, map.quantity("end", Dimension::Time, Bound::non_negative(), Presence::Required));
      if (failure.end_s < failure.start_s) log.error(map.location(), item_path, "end is before start");
    }
    if (const YamlNode* at = map.get("target"))
      check_target(log, targets, failure.target, at->location, map.path("target"));
    failures.push_back(failure);
  }
}

// A CSV profile (`<first>,start,end` per line, times with units, # comments, an optional header line
// `<header>,start,end` before the first row), relative to the scenario file. Calls row(first, start, end,
// where) per line; problems name the CSV line. (Any line starting with `header` was skipped: a district
// named district_a lost its cuts without a word.)
template <typename Row>
void read_interval_csv(DiagnosticLog& log, const YamlNode* node, const std::string& path,
                       const std::string& header, Row row) {
  if (node == nullptr) return;
  const auto name = read_text(log, *node, path);
  if (!name) return;
  std::filesystem::path file;
  std::optional<std::ifstream> opened = open_data_file(log, node->location, path, *name, &file);
  if (!opened) return;
  std::ifstream& in = *opened;
  std::string line;
  bool first_row = true;
  for (int number = 1; std::getline(in, line); ++number) {
    if (number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // a UTF-8 byte order mark
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const auto where = file.string() + ":" + std::to_string(number) + ": ";
    const std::vector<std::string> cells = comma_cells(line);
    const bool header_row =
        first_row && cells.size() == 3 && cells[0] == header && cells[1] == "start" && cells[2] == "end";
    first_row = false;
    if (header_row) continue;
    if (cells.size() != 3) {
      log.error(node->location, path, where + "expected '" + header + ",start,end', got '" + line + "'");
      continue;
    }
    std::string error;
    const auto start = parse_quantity(cells[1], Dimension::Time, &error);
    const auto end = start ? parse_quantity(cells[2], Dimension::Time, &error) : std::nullopt;
    if (!start || !end) {
      log.error(node->location, path, where + error);
      continue;
    }
    if (*start < 0.0) {
      log.error(node->location, path,
                where + "start is before the run's start (0 s), got '" + cells[1] + "'");
      continue;
    }
    if (*end < *start) log.error(node->location, path, where + "end is before start");
    row(cells[0], *start, *end, where);
  }
}

// A CSV row's place as the row callback's `where` gives it ("data/cuts.csv:3: "): "data/cuts.csv:3".
std::string csv_row(const std::string& where) { return where.substr(0, where.size() - 2); }

}  // namespace

void read_drivers(DiagnosticLog& log, const YamlNode* node, Scenario& scenario) {
  const City& city = scenario.city;
  Drivers& drivers = scenario.drivers;
  std::vector<std::string_view> keys = {
      "power_outages", "power_outages_csv", "failures", "failures_csv", "flood", "traffic"};
  for (std::string_view name : quantity_names()) keys.push_back(name);
  MapReader map(log, node, "drivers", keys);
  for (const QuantityKind& kind : quantity_kinds()) {
    const YamlNode* source = map.get(kind.name);
    if (source == nullptr || (kind.name == "river_level" && !source->is_map())) continue;
    drivers.quantities.emplace_back();
    read_quantity_source(log, *source, map.path(kind.name), kind, city, drivers.quantities.back());
  }
  if (const YamlNode* flood = map.get("flood")) {
    read_flood(log, *flood, map.path("flood"), city, drivers.flood);
    if (map.get("inundation_depth") == nullptr) {
      if (!scenario.drives("river_level") && !scenario.drives("rainfall") && !map.get("river_level"))
        log.error(flood->location, map.path("flood"),
                  "a flood needs drivers.river_level or drivers.rainfall (to compute its depth from), or "
                  "drivers.inundation_depth (the depth itself)");
    } else if (flood->is_map()) {
      // A given depth floods by the flood's power_depth, restore and submerged_depth; what computes a
      // depth would be ignored.
      for (const char* key : {"elevation", "elevation_csv", "delay", "drainage", "step"})
        if (const YamlNode* k = flood->find(key))
          log.error(k->location, map.path("flood") + "." + key,
                    "computes inundation_depth, which drivers.inundation_depth gives: give one or the other "
                    "(with a given depth, drivers.flood takes power_depth, restore and submerged_depth)");
    }
  }
  if (const YamlNode* traffic = map.get("traffic")) {
    read_traffic(log, *traffic, map.path("traffic"), city, drivers.traffic);
    const bool demand = std::any_of(drivers.quantities.begin(), drivers.quantities.end(),
                                    [](const QuantitySource& q) { return q.quantity == "traffic_volume"; });
    if (!demand && drivers.traffic.sumo_network.empty())
      log.error(traffic->location, map.path("traffic"),
                "a traffic replay needs its demand: drivers.traffic_volume or drivers.traffic.sumo");
    if (map.get("traffic_speed") != nullptr)
      log.error(map.get("traffic_speed")->location, map.path("traffic_speed"),
                "give traffic_speed, or drivers.traffic to compute it, not both");
  }
  read_outages(log, map.get("power_outages"), map.path("power_outages"), city, drivers.power_outages);
  for (std::size_t i = 0; i < scenario.fibre.olts.size();
       ++i) {  // fibre.olts[].district (read before the city)
    const Olt& olt = scenario.fibre.olts[i];
    if (!olt.district.empty() && !DistrictIndex{city, true}.has(olt.district))
      log.error(Location{olt.mark.line, olt.mark.column, -1}, index_path("fibre.olts", i) + ".district",
                "no district named '" + excerpt(olt.district) + "'");
  }
  const YamlNode* outage_csv = map.get("power_outages_csv");
  read_interval_csv(log, outage_csv, map.path("power_outages_csv"), "district",
                    [&](const std::string& district, double start, double end, const std::string& where) {
                      if (!DistrictIndex{city, true}.has(district))
                        log.error(outage_csv->location, map.path("power_outages_csv"),
                                  where + no_district(city, district));
                      const WrittenEntry written{log.mark(outage_csv->location),
                                                 map.path("power_outages_csv"), csv_row(where)};
                      drivers.power_outages.push_back({{district}, start, end, written});
                    });
  read_failures(log, map.get("failures"), map.path("failures"), scenario, drivers.failures);
  const YamlNode* failure_csv = map.get("failures_csv");
  const std::vector<std::string> targets =
      failure_csv != nullptr ? failure_targets(scenario) : std::vector<std::string>{};
  read_interval_csv(
      log, failure_csv, map.path("failures_csv"), "target",
      [&](const std::string& target, double start, double end, const std::string& where) {
        const WrittenEntry written{log.mark(failure_csv->location), map.path("failures_csv"), csv_row(where)};
        Failure failure{target, start, end, 0.0, 0.0, written};
        check_target(log, targets, failure.target, failure_csv->location, map.path("failures_csv"), where);
        drivers.failures.push_back(failure);
      });
  // drivers.river_level: [[0 h, 1.2 m], [6 h, 4.8 m], ...], times increasing.
  const YamlNode* series = map.get("river_level");
  const std::string path = map.path("river_level");
  if (series == nullptr || series->is_map() || !expect_sequence(log, *series, path, "[time, level] points"))
    return;
  if (series->items.empty()) log.error(series->location, path, "expected at least one [time, level] point");
  for (std::size_t i = 0; i < series->items.size(); ++i) {
    const YamlNode& point = series->items[i];
    const std::string point_path = index_path(path, i);
    if (!expect_sequence(log, point, point_path, "a [time, level] pair")) continue;
    if (point.items.size() != 2) {
      log.error(point.location, point_path,
                "expected [time, level], got " + std::to_string(point.items.size()) + " values");
      continue;
    }
    const auto t =
        read_quantity(log, point.items[0], point_path + "[0]", Dimension::Time, Bound::non_negative());
    // The river level's range (sim/scenario/quantities.cpp), as its map form and its CSV are read.
    const QuantityKind& river_kind = *find_quantity("river_level");
    const auto level = read_quantity(log, point.items[1], point_path + "[1]", Dimension::Length,
                                     Bound::between(river_kind.lo, river_kind.hi, "m"));
    if (!t || !level) continue;
    if (!drivers.river_level_m.points.empty() && *t <= drivers.river_level_m.points.back().first) {
      log.error(point.location, point_path, "times must increase");
      continue;
    }
    drivers.river_level_m.points.emplace_back(*t, *level);
  }
  // The list form is a points source with linear interpolation, first among the quantities.
  QuantitySource river;
  river.quantity = "river_level";
  river.kind = QuantitySource::Kind::Points;
  river.mark = log.mark(series->location);
  for (const auto& [t, level] : drivers.river_level_m.points) {
    river.series.t_s.push_back(t);
    river.series.value.push_back(level);
  }
  drivers.quantities.insert(drivers.quantities.begin(), std::move(river));
}

}  // namespace citytwin::sim::scenario
