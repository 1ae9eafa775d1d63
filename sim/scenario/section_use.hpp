// What a scenario has that its settings sections (radio, nbiot, wifi, platform, ...) act on: devices and
// stations of each technology, downlinks, where power cuts switch something off. Sections are written
// once for a whole rollout, so the loader keeps the union over the base and every phase (Scenario::plan_use),
// and a section is said to do nothing (sim/city/section_warnings.hpp) only where it does nothing in any
// phase.
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

  SectionUse& operator|=(const SectionUse& other);
};

// What one scenario (the base, or one phase) has.
SectionUse section_use(const Scenario& scenario);
// What its plan has: the scenario's own, and its base's and phases' (Scenario::plan_use).
SectionUse plan_section_use(const Scenario& scenario);

// Whether a power cut may reach the district in the run: one of drivers.power_outages (listed or from
// power_outages_csv) cuts it, or a flood is driven (drivers.flood, drivers.inundation_depth), whose cuts
// follow the depth in each district over the run.
bool power_may_fail(const Scenario& scenario, std::string_view district);

}  // namespace citytwin::sim::scenario
