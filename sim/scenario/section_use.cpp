#include "sim/scenario/section_use.hpp"

#include <algorithm>
#include <cstddef>

#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::scenario {

SectionUse& SectionUse::operator|=(const SectionUse& other) {
  for (std::size_t t = 0; t < devices.size(); ++t) {
    devices[t] = devices[t] || other.devices[t];
    stations[t] = stations[t] || other.stations[t];
  }
  lorawan_downlinks = lorawan_downlinks || other.lorawan_downlinks;
  lorawan_channels_hz.insert(other.lorawan_channels_hz.begin(), other.lorawan_channels_hz.end());
  powered_districts.insert(other.powered_districts.begin(), other.powered_districts.end());
  read_quantities.insert(other.read_quantities.begin(), other.read_quantities.end());
  pons_with_gateways.insert(other.pons_with_gateways.begin(), other.pons_with_gateways.end());
  return *this;
}

SectionUse section_use(const Scenario& scenario) {
  SectionUse use;
  for (const DevicePopulation& pop : scenario.devices) {
    if (pop.count <= 0) continue;
    use.devices.at(static_cast<std::size_t>(pop.technology)) = true;
    // The network server answers a confirmed uplink (an ACK) or an ADR device (its LinkADRReq) alone
    // (sim/access/lorawan_server.cpp).
    if (pop.technology == Technology::LoRaWAN && (pop.confirmation.confirmed || pop.radio.adr))
      use.lorawan_downlinks = true;
    if (pop.technology == Technology::LoRaWAN)
      use.lorawan_channels_hz.insert(pop.radio.channels_hz.begin(), pop.radio.channels_hz.end());
  }
  for (const Gateway& gateway : scenario.gateways) {
    use.stations.at(static_cast<std::size_t>(gateway.technology)) = true;
    if (gateway.backhaul == BackhaulKind::Pon) use.pons_with_gateways.insert(gateway.pon);
  }
  use.read_quantities = quantities_read(scenario);
  // Power cuts switch off the gateways of a district (sim/drivers/gateway_timeline.cpp) and the backbone of
  // an OLT powered there (sim/drivers/failure_schedule.cpp), nothing else. Looked up only where there are
  // cuts to judge (a gateway's district is a search of the districts).
  if (scenario.drivers.power_outages.empty()) return use;
  for (const Gateway& gateway : scenario.gateways) {
    const int district = district_of(scenario.city, gateway.x_m, gateway.y_m);
    if (district >= 0)
      use.powered_districts.insert(scenario.city.districts[static_cast<std::size_t>(district)].name);
  }
  for (const Olt& olt : scenario.fibre.olts)
    if (!olt.district.empty()) use.powered_districts.insert(olt.district);
  return use;
}

SectionUse plan_section_use(const Scenario& scenario) {
  SectionUse use = section_use(scenario);
  use |= scenario.plan_use;
  return use;
}

std::set<std::string> quantities_read(const Scenario& scenario) {
  const TrafficSpec& traffic = scenario.drivers.traffic;
  std::set<std::string> read;
  bool cameras = false;
  for (const DevicePopulation& pop : scenario.devices) {
    if (pop.count <= 0) continue;
    if (pop.technology == Technology::WiFi) {  // streams: never samples nor reports (sim/engine/fleet.cpp)
      cameras = true;
      continue;
    }
    const bool driven = scenario.drives(pop.senses);
    switch (traffic_role(traffic, pop.technology, pop.senses, driven)) {
      case TrafficRole::Counter:  // its report rate follows the volume; its reading is the speed
        read.insert({"traffic_volume", "traffic_speed"});
        break;
      case TrafficRole::Parking:
        read.insert("parking_occupancy");
        break;
      case TrafficRole::None:
        if (pop.event && driven) read.insert(pop.senses);
        break;
    }
  }
  if (traffic.enabled && traffic.cctv_events_per_h > 0.0 && cameras) read.insert("traffic_speed");
  // The traffic replay turns the demand given into the volume and speed read above.
  if (traffic.enabled && (read.contains("traffic_volume") || read.contains("traffic_speed")))
    read.insert("traffic_volume");
  if (scenario.drives("inundation_depth")) {
    read.insert("inundation_depth");
    const bool depth_given =
        std::any_of(scenario.drivers.quantities.begin(), scenario.drivers.quantities.end(),
                    [](const QuantitySource& q) { return q.quantity == "inundation_depth"; });
    if (!depth_given) read.insert({"river_level", "rainfall"});
  }
  return read;
}

bool power_may_fail(const Scenario& scenario, std::string_view district) {
  if (scenario.drives("inundation_depth")) return true;
  return std::any_of(scenario.drivers.power_outages.begin(), scenario.drivers.power_outages.end(),
                     [&](const PowerOutage& cut) {
                       return std::find(cut.districts.begin(), cut.districts.end(), district) !=
                              cut.districts.end();
                     });
}

}  // namespace citytwin::sim::scenario
