#include "sim/scenario/scenario.hpp"

#include <algorithm>
#include <string>
#include <tuple>

#include "models/fibre/gpon_framing.hpp"

namespace citytwin::sim::scenario {

bool Scenario::drives(std::string_view quantity) const {
  if (quantity == "inundation_depth" && drivers.flood.enabled) return true;
  if ((quantity == "traffic_speed" || quantity == "traffic_volume") && drivers.traffic.enabled) return true;
  return std::any_of(drivers.quantities.begin(), drivers.quantities.end(),
                     [&](const QuantitySource& q) { return q.quantity == quantity; });
}

double Series::at(double t_s) const {
  if (points.empty()) return 0.0;
  if (t_s <= points.front().first) return points.front().second;
  if (t_s >= points.back().first) return points.back().second;
  const auto next =
      std::upper_bound(points.begin(), points.end(), t_s,
                       [](double t, const std::pair<double, double>& p) { return t < p.first; });
  const auto prev = next - 1;
  const double w = (t_s - prev->first) / (next->first - prev->first);
  return prev->second + w * (next->second - prev->second);
}

namespace {

// Each link of a gateway's route to the platform in order, by name and propagation latency: its own
// links (own_link_latency_s each), and on a PON the shared PON, OLT backbone and core links after its
// drop. route_link_names and route_latency_s both walk the route through this.
template <class Visit>
void for_each_route_link(const Scenario& scenario, const Gateway& g, Visit&& visit) {
  const double own_s = own_link_latency_s(g);
  switch (g.backhaul) {
    case BackhaulKind::Fibre:
      return visit("fibre:" + g.name, own_s);
    case BackhaulKind::Pon:
      visit("drop:" + g.name, own_s);
      for (const Pon& pon : scenario.fibre.pons) {
        if (pon.name != g.pon) continue;
        visit("pon:" + pon.name, pon.length_m * kFibreDelayPerMetre_s);
        for (const Olt& olt : scenario.fibre.olts) {
          if (olt.name != pon.olt) continue;
          visit("backbone:" + pon.olt, olt.backbone_length_m * kFibreDelayPerMetre_s);
          for (const std::string& name : olt.core_route) {
            double core_s = 0.0;
            for (const CoreLink& link : scenario.fibre.core.links)
              if (link.name() == name) core_s = link.length_m * kFibreDelayPerMetre_s;
            visit(name, core_s);
          }
        }
        return;
      }
      return;
    case BackhaulKind::Cellular:
      return visit("cellular:" + g.name, own_s);
    case BackhaulKind::LeasedLine:
      return visit("leased:" + g.name, own_s);
    case BackhaulKind::WifiMesh:
      for (int hop = 0; hop < g.mesh_hops; ++hop) visit("mesh:" + g.name + ":" + std::to_string(hop), own_s);
      return;
  }
}

}  // namespace

std::vector<std::string> route_link_names(const Scenario& scenario, const Gateway& g) {
  std::vector<std::string> names;
  for_each_route_link(scenario, g, [&](std::string name, double) { names.push_back(std::move(name)); });
  return names;
}

double own_link_latency_s(const Gateway& g) {
  switch (g.backhaul) {
    case BackhaulKind::Fibre:
    case BackhaulKind::Pon:
      return g.fibre_length_m * kFibreDelayPerMetre_s;
    case BackhaulKind::LeasedLine:
      return g.backhaul_latency_s + g.fibre_length_m * kFibreDelayPerMetre_s;
    case BackhaulKind::Cellular:
    case BackhaulKind::WifiMesh:
      return g.backhaul_latency_s;
  }
  return 0.0;
}

double route_latency_s(const Scenario& scenario, const Gateway& g) {
  double latency = 0.0;
  for_each_route_link(scenario, g, [&](const std::string&, double link_s) { latency += link_s; });
  return latency;
}

PonUpstreamCapacity pon_upstream_capacity(const Scenario& scenario, const Pon& pon) {
  PonUpstreamCapacity c;
  int onts = 0;
  bool streams = false;
  for (const Gateway& g : scenario.gateways) {
    if (g.backhaul != BackhaulKind::Pon || g.pon != pon.name) continue;
    ++onts;
    streams = streams || g.technology == Technology::WiFi;
  }
  c.onts = std::max(onts, 1);
  c.frame_bytes = streams ? kStreamFrameBytes : scenario.platform.forward_message_bytes;
  models::fibre::GponUpstream upstream;
  upstream.line_rate_bps = pon.upstream_bps;
  upstream.onus = c.onts;
  c.efficiency = models::fibre::gpon_upstream_efficiency(upstream, c.frame_bytes);
  c.payload_bps = c.efficiency * pon.upstream_bps;
  return c;
}

int district_of(const City& city, double x_m, double y_m) {
  for (size_t i = 0; i < city.districts.size(); ++i)
    if (city.districts[i].contains(x_m, y_m)) return static_cast<int>(i);
  return -1;
}

}  // namespace citytwin::sim::scenario
