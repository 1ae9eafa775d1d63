// What a scenario has that its settings sections (radio, nbiot, wifi, platform, ...) act on: devices and
// stations of each technology, downlinks and LoRaWAN channels, where power cuts switch something off, what
// reads the drivers' quantities, the PONs gateways backhaul over. Sections are written once for a whole
// rollout, so the loader keeps the union over the base and every phase (Scenario::plan_use), and a section
// is said to do nothing (sim/city/section_warnings.hpp) only where it does nothing in any phase.
#pragma once

#include <array>
#include <set>
#include <string>
#include <string_view>

namespace citytwin::sim::scenario {

struct Scenario;

struct SectionUse {
  std::array<bool, 3> devices{};   // by Technology: a population of it with devices (count > 0)
  std::array<bool, 3> stations{};  // by Technology: a gateway (LoRaWAN), cell (NB-IoT) or access point
  // A LoRaWAN population with devices asks for downlinks: confirmed uplinks (ACKs) or ADR (its commands).
  bool lorawan_downlinks = false;
  // The channels (Hz) LoRaWAN populations with devices send on (a jammer on listed channels loses frames
  // only there, access::JammingField).
  std::set<double> lorawan_channels_hz;
  // The districts where a power cut switches something off: where a gateway stands, or an OLT takes its
  // power (fibre.olts[].district). Only for a scenario with drivers.power_outages (empty otherwise).
  std::set<std::string> powered_districts;
  // The driver quantities something in the run reads (quantities_read says what reads each).
  std::set<std::string> read_quantities;
  // The PONs (fibre.pons[].name) some gateway backhauls over (backhaul: {kind: pon, pon: <name>}).
  std::set<std::string> pons_with_gateways;

  SectionUse& operator|=(const SectionUse& other);
};

// What one scenario (the base, or one phase) has.
SectionUse section_use(const Scenario& scenario);
// What its plan has: the scenario's own, and its base's and phases' (Scenario::plan_use).
SectionUse plan_section_use(const Scenario& scenario);

// The quantities drivers.<quantity> may give that something in the scenario's run reads (sim/drivers's
// DriverSet is asked by each of these alone):
//  - a LoRaWAN or NB-IoT population with devices and an event rule samples the quantity it senses, where a
//    driver produces it (sim/engine/fleet.cpp; sim/city/build_city_layout.cpp drops the rule otherwise);
//  - under drivers.traffic, a LoRaWAN or NB-IoT population with devices sensing traffic_volume counts
//    vehicles (traffic_volume, and reports traffic_speed), one sensing parking_occupancy watches a bay, rule
//    or none (scenario::traffic_role), and
//    Wi-Fi cameras read traffic_speed where drivers.traffic.cctv.events_per_hour is above 0
//    (sim/access/cctv_events.cpp); the traffic replay computes both from the traffic_volume given;
//  - a flood (drivers.flood, drivers.inundation_depth) acts by its depth whatever reads it (power cuts,
//    drowned devices: sim/drivers/flood.hpp); drivers.flood computes it from river_level and rainfall,
//    unless drivers.inundation_depth gives it.
// An alert rule reads none of them itself: it judges its population's readings, which only the readers
// above report (a periodic report carries none: sim/platform/analytics.cpp).
std::set<std::string> quantities_read(const Scenario& scenario);

// Whether a power cut may reach the district in the run: one of drivers.power_outages (listed or from
// power_outages_csv) cuts it, or a flood is driven (drivers.flood, drivers.inundation_depth), whose cuts
// follow the depth in each district over the run.
bool power_may_fail(const Scenario& scenario, std::string_view district);

}  // namespace citytwin::sim::scenario
