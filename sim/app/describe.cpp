#include "sim/app/describe.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

#include "sim/app/run.hpp"
#include "sim/app/run_budget.hpp"

namespace citytwin::sim::app {
namespace {

const char* technology_name(scenario::Technology t) {
  switch (t) {
    case scenario::Technology::LoRaWAN:
      return "LoRaWAN";
    case scenario::Technology::NbIot:
      return "NB-IoT";
    case scenario::Technology::WiFi:
      return "Wi-Fi";
  }
  return "?";
}

const char* backhaul_name(scenario::BackhaulKind k) {
  switch (k) {
    case scenario::BackhaulKind::Fibre:
      return "fibre (point to point)";
    case scenario::BackhaulKind::Pon:
      return "GPON";
    case scenario::BackhaulKind::Cellular:
      return "cellular";
    case scenario::BackhaulKind::LeasedLine:
      return "leased line";
    case scenario::BackhaulKind::WifiMesh:
      return "Wi-Fi mesh";
  }
  return "?";
}

std::string rate(double bps) {
  char buf[32];
  if (bps >= 1e9)
    std::snprintf(buf, sizeof buf, "%.3g Gbit/s", bps / 1e9);
  else if (bps >= 1e6)
    std::snprintf(buf, sizeof buf, "%.3g Mbit/s", bps / 1e6);
  else
    std::snprintf(buf, sizeof buf, "%.3g kbit/s", bps / 1e3);
  return buf;
}

}  // namespace

std::string describe_topology(const scenario::Scenario& sc) {
  std::ostringstream out;
  char line[256];
  double area_km2 = 0.0;
  for (const scenario::District& d : sc.city.districts) area_km2 += d.area_m2() / 1e6;
  std::snprintf(line, sizeof line, "%s: %zu districts, %.3g km2\n", sc.city.name.c_str(),
                sc.city.districts.size(), area_km2);
  out << line;

  std::map<std::string, long long> devices_by_radio;
  long long devices = 0;
  for (const scenario::DevicePopulation& p : sc.devices) {
    devices += p.count;
    devices_by_radio[technology_name(p.technology)] += p.count;
  }
  out << "devices: " << devices << " in " << sc.devices.size() << " populations (";
  bool first = true;
  for (const auto& [radio, n] : devices_by_radio) {
    out << (first ? "" : ", ") << radio << " " << n;
    first = false;
  }
  out << ")\n";
  // A stream (a camera) sends at its bitrate, not a report an interval: its rate is what it loads the
  // access point and the backhaul with.
  for (const scenario::DevicePopulation& p : sc.devices)
    if (p.stream_bps > 0.0)
      out << "  " << p.name << ": " << p.count << " " << technology_name(p.technology) << " stream"
          << (p.count == 1 ? "" : "s") << " of " << rate(p.stream_bps) << " ("
          << rate(p.stream_bps * static_cast<double>(p.count)) << " in all)\n";

  std::map<std::string, int> gateways_by_radio, gateways_by_backhaul;
  double p2p_km = 0.0, drop_km = 0.0, leased_km = 0.0, monthly_cost = 0.0;
  for (const scenario::Gateway& g : sc.gateways) {
    ++gateways_by_radio[technology_name(g.technology)];
    ++gateways_by_backhaul[backhaul_name(g.backhaul)];
    if (g.backhaul == scenario::BackhaulKind::Fibre) p2p_km += g.fibre_length_m / 1e3;
    if (g.backhaul == scenario::BackhaulKind::Pon) drop_km += g.fibre_length_m / 1e3;
    if (g.backhaul == scenario::BackhaulKind::LeasedLine) leased_km += g.fibre_length_m / 1e3;
    monthly_cost += g.backhaul_monthly_cost;
  }
  out << "gateways: " << sc.gateways.size() << " (";
  first = true;
  for (const auto& [radio, n] : gateways_by_radio) {
    out << (first ? "" : ", ") << radio << " " << n;
    first = false;
  }
  out << "); backhaul: ";
  first = true;
  for (const auto& [kind, n] : gateways_by_backhaul) {
    out << (first ? "" : ", ") << kind << " " << n;
    first = false;
  }
  out << "\n";

  double feeder_km = 0.0, backbone_km = 0.0;
  for (const scenario::Pon& p : sc.fibre.pons) feeder_km += p.length_m / 1e3;
  for (const scenario::Olt& o : sc.fibre.olts) backbone_km += o.backbone_length_m / 1e3;
  for (const scenario::CoreLink& l : sc.fibre.core.links) backbone_km += l.length_m / 1e3;
  std::snprintf(line, sizeof line,
                "fibre: %.4g km in all: backbone %.4g km, PON feeders %.4g km, drops %.4g km, point-to-point "
                "%.4g km%s\n",
                backbone_km + feeder_km + drop_km + p2p_km, backbone_km, feeder_km, drop_km, p2p_km,
                leased_km > 0.0 ? (", plus leased lines " + std::to_string(leased_km) + " km").c_str() : "");
  out << line;
  if (!sc.fibre.core.links.empty()) {
    std::map<std::string, int> degree;
    double core_km = 0.0;
    for (const scenario::CoreLink& l : sc.fibre.core.links) {
      ++degree[l.a];
      ++degree[l.b];
      core_km += l.length_m / 1e3;
    }
    const bool ring = degree.size() == sc.fibre.core.links.size() &&
                      std::all_of(degree.begin(), degree.end(), [](const auto& d) { return d.second == 2; });
    out << "  core: " << degree.size() << " nodes, " << sc.fibre.core.links.size() << " links, " << core_km
        << " km (" << (ring ? "ring" : "mesh") << "), data centre at " << sc.fibre.core.data_centre << "\n";
  }
  for (const scenario::Olt& o : sc.fibre.olts) {
    out << "  OLT " << o.name << (o.node.empty() ? "" : " at " + o.node) << ": backbone "
        << o.backbone_length_m / 1e3 << " km, " << rate(o.backbone_bandwidth_bps);
    if (!o.core_route.empty()) {
      double km = 0.0;
      for (const scenario::CoreLink& l : sc.fibre.core.links)
        if (std::find(o.core_route.begin(), o.core_route.end(), l.name()) != o.core_route.end())
          km += l.length_m / 1e3;
      out << ", then " << o.core_route.size() << " core link" << (o.core_route.size() == 1 ? "" : "s") << " ("
          << km << " km) to the data centre";
    }
    out << "\n";
    for (const scenario::Pon& p : sc.fibre.pons) {
      if (p.olt != o.name) continue;
      const auto onts =
          std::count_if(sc.gateways.begin(), sc.gateways.end(), [&](const scenario::Gateway& g) {
            return g.backhaul == scenario::BackhaulKind::Pon && g.pon == p.name;
          });
      out << "    PON " << p.name << " (" << p.service << "): " << p.length_m / 1e3 << " km, 1:" << p.split
          << " splitter, " << onts << " ONT" << (onts == 1 ? "" : "s") << ", " << rate(p.upstream_bps)
          << " up / " << rate(p.downstream_bps) << " down";
      // What the upstream carries once the GTC layer's overheads are paid (models/fibre/gpon_framing.hpp).
      const scenario::PonUpstreamCapacity up = scenario::pon_upstream_capacity(sc, p);
      out << "; upstream payload " << rate(up.payload_bps) << " (" << up.frame_bytes << "-byte frames)\n";
    }
  }
  if (monthly_cost > 0.0)
    out << "backhaul cost: " << monthly_cost << " " << sc.costs.currency << " per month\n";

  // The SimGrid platform as sim/wired_network.cpp builds it: a core zone and a zone per district.
  std::map<int, int> per_district;
  for (const scenario::Gateway& g : sc.gateways) ++per_district[scenario::district_of(sc.city, g.x_m, g.y_m)];
  out << "SimGrid zones: core (platform" << (sc.platform.ccc_link_length_m > 0.0 ? ", ccc" : "") << ")";
  for (const auto& [d, n] : per_district)
    out << ", district:" << (d < 0 ? "(outside)" : sc.city.districts[static_cast<size_t>(d)].name) << " ("
        << n << " gateway" << (n == 1 ? "" : "s") << ")";
  out << "\n";

  // What `run` checks against its budget (sim/app/run_budget.hpp), before building anything.
  const RunEstimate e = estimate_run(sc);
  const int threads = default_run_threads(e, default_thread_count());
  std::snprintf(line, sizeof line, "; ~%.0f receptions a window; without --threads: %d thread%s\n",
                receptions_per_window(e), threads, threads == 1 ? "" : "s");
  out << "run estimate: " << e.describe() << line;
  return out.str();
}

}  // namespace citytwin::sim::app
