#include "sim/plan/rollout_cost.hpp"

#include <algorithm>
#include <set>

namespace citytwin::sim::plan {

const std::vector<std::string>& inventory_kinds() {
  static const std::vector<std::string> kinds = {
      "lorawan_gateway", "nbiot_cell", "wifi_ap", "olt",    "pon",
      "fibre_km",        "sensor",     "camera",  "s_pole", "iot_district"};
  return kinds;
}

const scenario::CostEntry& catalogue_entry(const scenario::CostCatalogue& c, const std::string& kind) {
  if (kind == "lorawan_gateway") return c.lorawan_gateway;
  if (kind == "nbiot_cell") return c.nbiot_cell;
  if (kind == "wifi_ap") return c.wifi_ap;
  if (kind == "olt") return c.olt;
  if (kind == "pon") return c.pon;
  if (kind == "fibre_km") return c.fibre_km;
  if (kind == "sensor") return c.sensor;
  if (kind == "s_pole") return c.s_pole;
  if (kind == "iot_district") return c.iot_district;
  return c.camera;
}

namespace {

const char* gateway_kind(const scenario::Gateway& gw) {
  return gw.technology == scenario::Technology::LoRaWAN ? "lorawan_gateway"
         : gw.technology == scenario::Technology::NbIot ? "nbiot_cell"
                                                        : "wifi_ap";
}

}  // namespace

Inventory inventory(const scenario::Scenario& sc) {
  Inventory inv;
  for (const std::string& kind : inventory_kinds()) inv.count[kind] = 0.0;
  // What S-Poles carry is in their price.
  std::set<std::string> on_poles;
  for (const scenario::Bundle& b : sc.bundles) {
    const char* kind = b.kind == scenario::Bundle::Kind::SPole ? "s_pole" : "iot_district";
    inv.count[kind] += static_cast<double>(b.units);
    inv.sized[kind][b.name] += static_cast<double>(b.units);
    if (b.kind != scenario::Bundle::Kind::SPole) continue;
    on_poles.insert(b.gateways.begin(), b.gateways.end());
    on_poles.insert(b.devices.begin(), b.devices.end());
  }
  double fibre_m = 0.0;
  for (const scenario::Gateway& gw : sc.gateways) {
    inv.backhaul_monthly += gw.backhaul_monthly_cost;
    if (gw.backhaul == scenario::BackhaulKind::Fibre || gw.backhaul == scenario::BackhaulKind::Pon ||
        gw.backhaul == scenario::BackhaulKind::WifiMesh)
      fibre_m += gw.fibre_length_m;
    if (on_poles.count(gw.name)) continue;
    inv.named[gateway_kind(gw)].insert(gw.name);
    inv.count[gateway_kind(gw)] += 1.0;
  }
  for (const scenario::Olt& olt : sc.fibre.olts) {
    inv.named["olt"].insert(olt.name);
    fibre_m += olt.backbone_length_m;
  }
  for (const scenario::Pon& pon : sc.fibre.pons) {
    inv.named["pon"].insert(pon.name);
    fibre_m += pon.length_m;
  }
  for (const scenario::CoreLink& link : sc.fibre.core.links) fibre_m += link.length_m;
  fibre_m += sc.platform.ccc_link_length_m;
  inv.count["olt"] = static_cast<double>(sc.fibre.olts.size());
  inv.count["pon"] = static_cast<double>(sc.fibre.pons.size());
  inv.count["fibre_km"] = fibre_m / 1000.0;
  for (const scenario::DevicePopulation& pop : sc.devices) {
    if (on_poles.count(pop.name)) continue;
    const char* kind = pop.stream_bps > 0.0 ? "camera" : "sensor";
    inv.count[kind] += static_cast<double>(pop.count);
    inv.sized[kind][pop.name] += static_cast<double>(pop.count);
  }
  return inv;
}

namespace {

// What `now` adds to `before` of one kind: new names (gateways, OLTs, PONs), the growth of each sized item
// by name (device populations, S-Pole rules, IoT districts), the growth of the fibre length.
double added(const Inventory& now, const Inventory& before, const std::string& kind) {
  if (kind == "fibre_km") return std::max(0.0, now.count.at(kind) - before.count.at(kind));
  double sum = 0.0;
  if (const auto named = now.named.find(kind); named != now.named.end()) {
    const auto old = before.named.find(kind);
    for (const std::string& name : named->second)
      sum += old == before.named.end() || !old->second.count(name) ? 1.0 : 0.0;
  }
  if (const auto sized = now.sized.find(kind); sized != now.sized.end()) {
    const auto old = before.sized.find(kind);
    for (const auto& [name, size] : sized->second) {
      const double was = old == before.sized.end() || !old->second.count(name) ? 0.0 : old->second.at(name);
      sum += std::max(0.0, size - was);
    }
  }
  return sum;
}

}  // namespace

std::vector<PhaseCost> rollout_costs(const std::vector<scenario::Scenario>& phases) {
  std::vector<PhaseCost> rows;
  Inventory before;  // the base is compared with nothing: it adds all it has
  for (const std::string& kind : inventory_kinds()) before.count[kind] = 0.0;
  double cumulative = 0.0;
  for (std::size_t k = 0; k < phases.size(); ++k) {
    const scenario::Scenario& sc = phases[k];
    const Inventory now = inventory(sc);
    PhaseCost row;
    row.phase = sc.run.phase;
    for (const std::string& kind : inventory_kinds()) {
      row.added[kind] = added(now, before, kind);
      const scenario::CostEntry& entry = catalogue_entry(sc.costs, kind);
      row.capital += row.added[kind] * entry.capital;
      row.running_yearly += now.count.at(kind) * entry.yearly;
    }
    row.running_yearly += 12.0 * now.backhaul_monthly;
    row.catalogue = row.capital + row.running_yearly;
    if (sc.phase_index >= 0) row.investment = sc.phases[static_cast<std::size_t>(sc.phase_index)].investment;
    row.cost = k == 0 ? 0.0 : row.investment.value_or(row.catalogue);
    cumulative += row.cost;
    row.cumulative = cumulative;
    rows.push_back(row);
    before = now;
  }
  return rows;
}

}  // namespace citytwin::sim::plan
