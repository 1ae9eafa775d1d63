// What a rollout plan states beside the city (docs/SCENARIO.md "costs", "s_poles", "iot_districts",
// "phases"): the cost catalogue, the items that stand for several, and the plan's phases, in
// costs.currency. Part of Scenario (sim/scenario/scenario.hpp); every default lives here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/source_mark.hpp"

namespace citytwin::sim::scenario {

// The capital cost of one item (or one km of fibre) and its yearly running cost, in costs.currency.
struct CostEntry {
  double capital = 0.0;
  double yearly = 0.0;
};

// The cost catalogue (docs/SCENARIO.md "costs"). The defaults are PLACEHOLDERS of plausible order of
// magnitude in EUR, not sourced prices (citytwin compare says so when it uses one): a plan sets its own
// figures (and its currency) in the scenario. fibre_km lies within the 13,000-59,000 EUR per km of duct
// laid that the European Commission's 2016 cost study (Analysys Mason, SMART 2015/0068) found across EU
// countries; unit costs from a published plan are in scenarios/seoul_rollout.yaml (KRW, Smart Seoul plan).
// Gateway backhaul monthly costs (gateways[].backhaul.monthly_cost) add 12 per year to the running cost.
struct CostCatalogue {
  std::string currency = "EUR";
  CostEntry lorawan_gateway{1500.0, 150.0};  // outdoor 8-channel gateway, mast and installation
  CostEntry nbiot_cell{20000.0, 3000.0};     // an operator's eNodeB sector upgrade for NB-IoT
  CostEntry wifi_ap{2000.0, 200.0};          // outdoor public Wi-Fi access point, installed
  CostEntry olt{15000.0, 1500.0};
  CostEntry pon{3000.0, 100.0};             // splitters and cabinets of one PON
  CostEntry fibre_km{30000.0, 500.0};       // urban fibre laid in ducts, per km (all wired lengths)
  CostEntry sensor{150.0, 10.0};            // one device of a population without a stream
  CostEntry camera{2500.0, 150.0};          // one device of a population with a stream (CCTV)
  CostEntry s_pole{5000.0, 300.0};          // one S-Pole with everything it carries (access point, devices)
  CostEntry iot_district{20000.0, 2000.0};  // one IoT district's planning and integration (parts extra)
};

// An item that stands for several (docs/SCENARIO.md "s_poles" and "iot_districts"): an S-Pole rule (poles,
// each carrying an access point and devices) or an IoT district (districts, each with its gateways and
// sensor populations). The loader expands it into gateways and device populations, named here so that
// the cost catalogue can price the item as a whole.
struct Bundle {
  enum class Kind : uint8_t { SPole, IotDistrict };
  Kind kind = Kind::SPole;
  std::string name;
  int64_t units = 0;  // poles, or districts
  std::vector<std::string> gateways, devices;
};

// One phase of a rollout plan (phases: in the scenario): its name, the investment the plan gives for
// it (in costs.currency), and where it was written.
struct Phase {
  std::string name;
  std::optional<double> investment;
  SourceMark mark;
};

}  // namespace citytwin::sim::scenario
