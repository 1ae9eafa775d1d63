// The `fibre` section of a scenario: the core network (fibre.core) and the shortest routes over it, the
// OLTs, the PONs (whose upstream must leave payload once the bursts of its splitter's ports are paid:
// models/fibre/gpon_framing.hpp) and the gateways on them (a port of the splitter each). Internal to the
// loader (sim/scenario_loader.cpp).
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "models/fibre/gpon_framing.hpp"
#include "sim/scenario/scenario_reader.hpp"
#include "sim/scenario/scenario_sections.hpp"
#include "sim/scenario/units.hpp"

namespace citytwin::sim::scenario {
namespace {

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

// fibre.olts: [{name: olt-1, node: north, backbone_length: 10 km, ...}]; each OLT on a core node takes
// that node's route to the data centre (routes: core_routes).
void read_olts(DiagnosticLog& log, const YamlNode* olts,
               const std::map<std::string, std::vector<std::string>>& routes, Fibre& fibre) {
  if (olts == nullptr || !expect_sequence(log, *olts, "fibre.olts", "OLTs")) return;
  for (std::size_t i = 0; i < olts->items.size(); ++i) {
    MapReader o(log, &olts->items[i], index_path("fibre.olts", i),
                {"name", "backbone_length", "backbone_bandwidth", "node", "district", "backup"});
    Olt olt;
    olt.mark = log.mark(olts->items[i].location);
    if (o.is_map())
      for (const YamlEntry& entry : olts->items[i].entries)
        olt.written_keys.push_back({entry.key, log.mark(entry.value.location)});
    set_if(olt.name, o.text("name", Presence::Required));
    set_if(olt.node,
           o.text("node", fibre.core.data_centre.empty() ? Presence::Optional : Presence::Required));
    if (!olt.node.empty()) {
      if (fibre.core.data_centre.empty())
        log.error(o.get("node")->location, o.path("node"), "no fibre.core to put the OLT on");
      else if (const auto route = routes.find(olt.node); route != routes.end())
        olt.core_route = route->second;
      else
        log.error(
            o.get("node")->location, o.path("node"),
            "no core node '" + olt.node + "' connected to the data centre '" + fibre.core.data_centre + "'");
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

// One burst per splitter port in every 125 us GTC frame must leave payload (gpon_framing.hpp).
void check_pon_upstream(DiagnosticLog& log, const MapReader& p, const Pon& pon) {
  const YamlNode* upstream = p.get("upstream");
  if (upstream == nullptr) return;
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

// fibre.pons: [{name: pon-1, olt: olt-1, split: 32, upstream: 1.24416 Gbps, ...}]; each names an OLT.
void read_pons(DiagnosticLog& log, const YamlNode* pons, Fibre& fibre) {
  if (pons == nullptr || !expect_sequence(log, *pons, "fibre.pons", "PONs")) return;
  for (std::size_t i = 0; i < pons->items.size(); ++i) {
    const std::string path = index_path("fibre.pons", i);
    MapReader p(log, &pons->items[i], path,
                {"name", "olt", "length", "split", "upstream", "downstream", "service"});
    Pon pon;
    pon.mark = log.mark(pons->items[i].location);
    if (p.is_map())
      for (const YamlEntry& entry : pons->items[i].entries)
        pon.written_keys.push_back({entry.key, log.mark(entry.value.location)});
    set_if(pon.name, p.text("name", Presence::Required));
    set_if(pon.olt, p.text("olt", Presence::Required));
    set_if(pon.length_m, p.quantity("length", Dimension::Length, Bound::cable_length()));
    if (const auto split = p.integer("split", Bound::between(2, 128))) {
      if (*split != 8 && *split != 16 && *split != 32 && *split != 64)
        log.error(p.get("split")->location, p.path("split"), "expected a splitter ratio of 8, 16, 32 or 64");
      pon.split = static_cast<int>(*split);
    }
    set_if(pon.upstream_bps, p.quantity("upstream", Dimension::Bitrate, Bound::link_rate()));
    set_if(pon.downstream_bps, p.quantity("downstream", Dimension::Bitrate, Bound::link_rate()));
    check_pon_upstream(log, p, pon);
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
void check_pon_ports(DiagnosticLog& log, const std::vector<Gateway>& gateways, const YamlNode* gateways_node,
                     const Fibre& fibre) {
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

}  // namespace

// fibre: {core: {...}, olts: [...], pons: [...]}; PONs name existing OLTs, gateways existing PONs within the
// split.
void read_fibre(DiagnosticLog& log, const YamlNode* node, const std::vector<Gateway>& gateways,
                const YamlNode* gateways_node, Fibre& fibre) {
  MapReader map(log, node, "fibre", {"core", "olts", "pons"});
  read_core(log, map.get("core"), fibre.core);
  read_olts(log, map.get("olts"), core_routes(fibre.core), fibre);
  read_pons(log, map.get("pons"), fibre);
  check_pon_ports(log, gateways, gateways_node, fibre);
}

}  // namespace citytwin::sim::scenario
