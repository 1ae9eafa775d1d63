// Warnings about keys a scenario writes that do nothing (no silent no-op): a key a population's or a
// gateway's technology or traffic ignores, and a device type that misspells a catalogue type (a free-text
// type gets the generic defaults). Part of resolve() (resolve.hpp), which issues them.
#pragma once

#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace citytwin::sim::city {

// Appends a warning (severity Warning, at the key where it was written, once per written entry) for
//  - a population's key its technology or traffic ignores: LoRaWAN's radio settings, confirmed,
//    max_transmissions, mac_overhead and the LoRa radio's firmware.rx1_delay, rx_window, tx_current and
//    rx_current on NB-IoT; every key of a report, firmware, battery, solar and building_penetration on a
//    Wi-Fi stream; jitter with Poisson traffic; max_transmissions without confirmed uplinks;
//    battery.service_life on a mains-powered population or one with a solar panel (no lifetime projected);
//    battery.max_pulse_current on a mains-powered population (its bursts come from the mains);
//  - a gateway's key its technology ignores: demodulators and tx_power on an NB-IoT cell or a Wi-Fi access
//    point, buffer, forward_delay and antenna_gain on an access point;
//  - a gateway's backup where no power cut can reach its district (no drivers.power_outages there, no flood
//    driven), once per written entry;
//  - a population's type that is not in the catalogue but close to a catalogue type's name.
void check_written_keys(const scenario::Scenario& scenario, std::vector<scenario::Diagnostic>& out);

}  // namespace citytwin::sim::city
