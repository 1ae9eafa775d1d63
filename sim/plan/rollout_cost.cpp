#include "sim/plan/rollout_cost.hpp"

#include <algorithm>
#include <set>

namespace citytwin::sim::plan {

const std::vector<std::string>& inventory_kinds() {
  static const std::vector<std::string> kinds = {"lorawan_gateway", "nbiot_cell", "wifi_ap", "olt", "pon",
                                                 "fibre_km",        "sensor",     "camera"};
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
  return c.camera;
}

Inventory inventory(const scenario::Scenario& sc) {
  Inventory inv;
  for (const std::string& kind : inventory_kinds()) inv.count[kind] = 0.0;
  double fibre_m = 0.0;
  for (const scenario::Gateway& gw : sc.gateways) {
    inv.gateways.push_back(gw.name);
    inv.count[gw.technology == scenario::Technology::LoRaWAN ? "lorawan_gateway"
              : gw.technology == scenario::Technology::NbIot ? "nbiot_cell"
                                                             : "wifi_ap"] += 1.0;
    inv.backhaul_monthly += gw.backhaul_monthly_cost;
    if (gw.backhaul == scenario::BackhaulKind::Fibre || gw.backhaul == scenario::BackhaulKind::Pon ||
        gw.backhaul == scenario::BackhaulKind::WifiMesh)
      fibre_m += gw.fibre_length_m;
  }
  for (const scenario::Olt& olt : sc.fibre.olts) {
    inv.olts.push_back(olt.name);
    fibre_m += olt.backbone_length_m;
  }
  for (const scenario::Pon& pon : sc.fibre.pons) {
    inv.pons.push_back(pon.name);
    fibre_m += pon.length_m;
  }
  for (const scenario::CoreLink& link : sc.fibre.core.links) fibre_m += link.length_m;
  fibre_m += sc.platform.ccc_link_length_m;
  inv.count["olt"] = static_cast<double>(sc.fibre.olts.size());
  inv.count["pon"] = static_cast<double>(sc.fibre.pons.size());
  inv.count["fibre_km"] = fibre_m / 1000.0;
  for (const scenario::DevicePopulation& pop : sc.devices) {
    inv.count[pop.stream_bps > 0.0 ? "camera" : "sensor"] += static_cast<double>(pop.count);
    inv.population[pop.name] += static_cast<double>(pop.count);
  }
  return inv;
}

namespace {

// Items of `now` whose name `before` does not have.
double new_names(const std::vector<std::string>& now, const std::vector<std::string>& before) {
  const std::set<std::string> old(before.begin(), before.end());
  return static_cast<double>(
      std::count_if(now.begin(), now.end(), [&](const std::string& n) { return !old.count(n); }));
}

}  // namespace

std::vector<PhaseCost> rollout_costs(const std::vector<scenario::Scenario>& phases) {
  std::vector<PhaseCost> rows;
  Inventory before;
  double cumulative = 0.0;
  for (std::size_t k = 0; k < phases.size(); ++k) {
    const scenario::Scenario& sc = phases[k];
    const Inventory now = inventory(sc);
    PhaseCost row;
    row.phase = sc.run.phase;
    // What the phase adds: new names for named items; growth of each population (by name) for devices;
    // growth of the fibre length.
    const auto count = [&](const std::string& kind) { return now.count.at(kind); };
    if (k == 0) {
      for (const std::string& kind : inventory_kinds()) row.added[kind] = count(kind);
    } else {
      for (const char* kind : {"lorawan_gateway", "nbiot_cell", "wifi_ap"}) row.added[kind] = 0.0;
      const std::set<std::string> old_gateways(before.gateways.begin(), before.gateways.end());
      for (const scenario::Gateway& gw : sc.gateways) {
        if (old_gateways.count(gw.name)) continue;
        row.added[gw.technology == scenario::Technology::LoRaWAN ? "lorawan_gateway"
                  : gw.technology == scenario::Technology::NbIot ? "nbiot_cell"
                                                                 : "wifi_ap"] += 1.0;
      }
      row.added["olt"] = new_names(now.olts, before.olts);
      row.added["pon"] = new_names(now.pons, before.pons);
      row.added["fibre_km"] = std::max(0.0, count("fibre_km") - before.count.at("fibre_km"));
      row.added["sensor"] = row.added["camera"] = 0.0;
      for (const scenario::DevicePopulation& pop : sc.devices) {
        const auto was = before.population.find(pop.name);
        const double grown =
            static_cast<double>(pop.count) - (was == before.population.end() ? 0.0 : was->second);
        row.added[pop.stream_bps > 0.0 ? "camera" : "sensor"] += std::max(0.0, grown);
      }
    }
    for (const std::string& kind : inventory_kinds()) {
      const scenario::CostEntry& entry = catalogue_entry(sc.costs, kind);
      row.capital += row.added[kind] * entry.capital;
      row.running_yearly += count(kind) * entry.yearly;
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
