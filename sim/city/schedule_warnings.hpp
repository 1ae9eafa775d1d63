// Warnings about what a scenario schedules that would never act in the run (no silent no-op): part of
// resolve() (resolve.hpp), which issues them.
#pragma once

#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace citytwin::sim::city {

// Appends a warning (severity Warning, at the entry where it was written; a CSV profile's row named by
// the CSV's file:line) for
//  - a driver event (drivers.<quantity>.events), a traffic incident (drivers.traffic.incidents), a power
//    cut (drivers.power_outages, power_outages_csv), a failure interval (drivers.failures, failures_csv) or
//    an attack window that starts at or after the run's end, run.duration (a run's reports, failures and
//    attacks are all before it): it never acts;
//  - a power cut in districts where no gateway stands and no OLT takes its power, in the base or any phase:
//    it switches nothing off;
//  - a jammer on no channel a LoRaWAN device uses (on every channel: no LoRaWAN device in the base or any
//    phase), and a compromised share of a population that rounds to no device.
void check_schedule(const scenario::Scenario& scenario, std::vector<scenario::Diagnostic>& out);

}  // namespace citytwin::sim::city
