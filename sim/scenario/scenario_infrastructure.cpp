// The infrastructure and driver sections of a scenario: `fibre` (OLTs and PONs, and the gateways on
// them) and `drivers` (river level, power outages, failures of the wired network). Internal to the
// loader (sim/scenario_loader.cpp).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "models/fibre/gpon_framing.hpp"
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

// fibre.core: {data_centre: dc, links: [{between: [dc, north], length: 30 km, bandwidth: 100 Gbps}]}
void read_core(DiagnosticLog& log, const YamlNode* node, Core& core) {
  if (node == nullptr) return;
  MapReader map(log, node, "fibre.core", {"data_centre", "links"});
  set_if(core.data_centre, map.text("data_centre", Presence::Required));
  const YamlNode* links = map.get("links");
  if (links == nullptr) {
    log.error(map.location(), "fibre.core", "missing required key 'links'");
    return;
  }
  if (!expect_sequence(log, *links, "fibre.core.links", "core links")) return;
  for (std::size_t i = 0; i < links->items.size(); ++i) {
    const std::string path = index_path("fibre.core.links", i);
    MapReader l(log, &links->items[i], path, {"between", "length", "bandwidth"});
    CoreLink link;
    set_if(link.length_m, l.quantity("length", Dimension::Length, Bound::cable_length()));
    set_if(link.bandwidth_bps, l.quantity("bandwidth", Dimension::Bitrate, Bound::link_rate()));
    const YamlNode* ends = l.get("between");
    if (ends == nullptr) {
      log.error(l.location(), path, "missing required key 'between'");
    } else if (expect_sequence(log, *ends, l.path("between"), "two node names")) {
      if (ends->items.size() != 2) {
        log.error(ends->location, l.path("between"), "expected two node names");
        continue;
      }
      const auto a = read_text(log, ends->items[0], l.path("between") + "[0]");
      const auto b = read_text(log, ends->items[1], l.path("between") + "[1]");
      if (!a || !b) continue;
      if (*a == *b) log.error(ends->location, l.path("between"), "a link needs two different nodes");
      link.a = *a;
      link.b = *b;
      for (const CoreLink& other : core.links)
        if ((other.a == link.a && other.b == link.b) || (other.a == link.b && other.b == link.a))
          log.error(ends->location, l.path("between"),
                    "duplicate link between '" + link.a + "' and '" + link.b + "'");
    }
    core.links.push_back(link);
  }
  const bool known = std::any_of(core.links.begin(), core.links.end(), [&](const CoreLink& l) {
    return l.a == core.data_centre || l.b == core.data_centre;
  });
  if (!core.data_centre.empty() && !known)
    log.error(map.get("data_centre")->location, map.path("data_centre"),
              "no core link reaches '" + core.data_centre + "'");
}

// Shortest paths (by length) from every core node to the data centre: Dijkstra on a small graph.
// Returns, per node name, the link names from that node to the data centre.
std::map<std::string, std::vector<std::string>> core_routes(const Core& core) {
  std::map<std::string, double> distance;
  std::map<std::string, const CoreLink*> via;  // the link towards the data centre
  for (const CoreLink& l : core.links) {
    distance.emplace(l.a, std::numeric_limits<double>::infinity());
    distance.emplace(l.b, std::numeric_limits<double>::infinity());
  }
  std::map<std::string, std::vector<std::string>> routes;
  if (!distance.contains(core.data_centre)) return routes;
  distance[core.data_centre] = 0.0;
  std::set<std::string> done;
  for (;;) {
    std::string next;
    for (const auto& [name, d] : distance)
      if (!done.contains(name) && std::isfinite(d) && (next.empty() || d < distance[next])) next = name;
    if (next.empty()) break;
    done.insert(next);
    for (const CoreLink& l : core.links) {
      if (l.a != next && l.b != next) continue;
      const std::string& other = l.a == next ? l.b : l.a;
      if (distance[next] + l.length_m < distance[other]) {
        distance[other] = distance[next] + l.length_m;
        via[other] = &l;
      }
    }
  }
  for (const std::string& name : done) {
    std::vector<std::string>& route = routes[name];
    for (std::string at = name; at != core.data_centre;) {
      const CoreLink* l = via.at(at);
      route.push_back(l->name());
      at = l->a == at ? l->b : l->a;
    }
  }
  return routes;
}

}  // namespace

// fibre: {core: {...}, olts: [...], pons: [...]}; PONs name existing OLTs, gateways existing PONs within the
// split.
void read_fibre(DiagnosticLog& log, const YamlNode* node, const std::vector<Gateway>& gateways,
                const YamlNode* gateways_node, Fibre& fibre) {
  MapReader map(log, node, "fibre", {"core", "olts", "pons"});
  read_core(log, map.get("core"), fibre.core);
  const auto routes = core_routes(fibre.core);
  if (const YamlNode* olts = map.get("olts");
      olts != nullptr && expect_sequence(log, *olts, "fibre.olts", "OLTs")) {
    for (std::size_t i = 0; i < olts->items.size(); ++i) {
      MapReader o(log, &olts->items[i], index_path("fibre.olts", i),
                  {"name", "backbone_length", "backbone_bandwidth", "node", "district", "backup"});
      Olt olt;
      olt.mark = log.mark(olts->items[i].location);
      set_if(olt.name, o.text("name", Presence::Required));
      set_if(olt.node,
             o.text("node", fibre.core.data_centre.empty() ? Presence::Optional : Presence::Required));
      if (!olt.node.empty()) {
        if (fibre.core.data_centre.empty())
          log.error(o.get("node")->location, o.path("node"), "no fibre.core to put the OLT on");
        else if (const auto route = routes.find(olt.node); route != routes.end())
          olt.core_route = route->second;
        else
          log.error(o.get("node")->location, o.path("node"),
                    "no core node '" + olt.node + "' connected to the data centre '" +
                        fibre.core.data_centre + "'");
      }
      set_if(olt.district, o.text("district"));
      set_if(olt.backup_s, o.quantity("backup", Dimension::Time, Bound::non_negative()));
      set_if(olt.backbone_length_m, o.quantity("backbone_length", Dimension::Length, Bound::cable_length()));
      set_if(olt.backbone_bandwidth_bps,
             o.quantity("backbone_bandwidth", Dimension::Bitrate, Bound::link_rate()));
      if (std::any_of(fibre.olts.begin(), fibre.olts.end(), [&](const Olt& x) { return x.name == olt.name; }))
        log.error(olts->items[i].location, index_path("fibre.olts", i) + ".name",
                  "duplicate OLT name '" + olt.name + "'");
      fibre.olts.push_back(olt);
    }
  }
  if (const YamlNode* pons = map.get("pons");
      pons != nullptr && expect_sequence(log, *pons, "fibre.pons", "PONs")) {
    for (std::size_t i = 0; i < pons->items.size(); ++i) {
      const std::string path = index_path("fibre.pons", i);
      MapReader p(log, &pons->items[i], path,
                  {"name", "olt", "length", "split", "upstream", "downstream", "service"});
      Pon pon;
      pon.mark = log.mark(pons->items[i].location);
      set_if(pon.name, p.text("name", Presence::Required));
      set_if(pon.olt, p.text("olt", Presence::Required));
      set_if(pon.length_m, p.quantity("length", Dimension::Length, Bound::cable_length()));
      if (const auto split = p.integer("split", Bound::between(2, 128))) {
        if (*split != 8 && *split != 16 && *split != 32 && *split != 64)
          log.error(p.get("split")->location, p.path("split"),
                    "expected a splitter ratio of 8, 16, 32 or 64");
        pon.split = static_cast<int>(*split);
      }
      set_if(pon.upstream_bps, p.quantity("upstream", Dimension::Bitrate, Bound::link_rate()));
      set_if(pon.downstream_bps, p.quantity("downstream", Dimension::Bitrate, Bound::link_rate()));
      // One burst per splitter port in every 125 us GTC frame must leave payload (gpon_framing.hpp).
      if (const YamlNode* upstream = p.get("upstream")) {
        models::fibre::GponUpstream gtc;
        gtc.line_rate_bps = pon.upstream_bps;
        gtc.onus = pon.split;
        const double frame_bytes = models::fibre::gtc_frame_bytes(gtc.line_rate_bps);
        const double overheads = models::fibre::gpon_upstream_overhead_bytes(gtc);
        if (!(overheads < frame_bytes))
          log.error(upstream->location, p.path("upstream"),
                    "a GPON upstream this slow leaves no payload: the " + std::to_string(pon.split) +
                        " bursts of a 1:" + std::to_string(pon.split) + " splitter need " +
                        format_number(overheads) + " bytes of each 125 us frame, which holds " +
                        format_number(frame_bytes));
      }
      set_if(pon.service, p.choice("service", {"metering", "smart"}));
      const bool known =
          std::any_of(fibre.olts.begin(), fibre.olts.end(), [&](const Olt& o) { return o.name == pon.olt; });
      if (!pon.olt.empty() && !known)
        log.error(p.get("olt")->location, p.path("olt"), "no OLT named '" + pon.olt + "'");
      if (std::any_of(fibre.pons.begin(), fibre.pons.end(), [&](const Pon& x) { return x.name == pon.name; }))
        log.error(pons->items[i].location, path + ".name", "duplicate PON name '" + pon.name + "'");
      fibre.pons.push_back(pon);
    }
  }
  // Gateways on PONs: the PON must exist and its splitter must have a port for each.
  for (std::size_t g = 0; g < gateways.size(); ++g) {
    if (gateways[g].backhaul != BackhaulKind::Pon) continue;
    const auto it = std::find_if(fibre.pons.begin(), fibre.pons.end(),
                                 [&](const Pon& p) { return p.name == gateways[g].pon; });
    const Location at = gateways_node != nullptr && g < gateways_node->items.size()
                            ? gateways_node->items[g].location
                            : Location{1, 1, -1};
    if (it == fibre.pons.end()) {
      log.error(at, index_path("gateways", g) + ".backhaul.pon",
                "no PON named '" + gateways[g].pon + "' in fibre.pons");
      continue;
    }
    const auto used =
        std::count_if(gateways.begin(), gateways.begin() + static_cast<std::ptrdiff_t>(g) + 1,
                      [&](const Gateway& o) { return o.backhaul == BackhaulKind::Pon && o.pon == it->name; });
    if (used > it->split)
      log.error(at, index_path("gateways", g) + ".backhaul.pon",
                "PON '" + it->name + "' has a 1:" + std::to_string(it->split) + " splitter: no port left");
  }
}

// drivers.river_level: [[0 h, 1.2 m], [6 h, 4.8 m], ...], times increasing.

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
  river.line = series->location.line;
  river.column = series->location.column;
  for (const auto& [t, level] : drivers.river_level_m.points) {
    river.series.t_s.push_back(t);
    river.series.value.push_back(level);
  }
  drivers.quantities.insert(drivers.quantities.begin(), std::move(river));
}

}  // namespace citytwin::sim::scenario
