// Warnings about keys of the settings sections (radio, nbiot, wifi, platform, run), of fibre's OLTs and PONs,
// and drivers' series that do nothing in the scenario (no silent no-op): keys for a technology or feature the
// city does not have, in its base or any phase (scenario::SectionUse). Part of resolve() (resolve.hpp),
// which issues them.
#pragma once

#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace citytwin::sim::city {

// Appends a warning (severity Warning, "ignored: ..."), once per section, at the first of its idle keys as
// written (file:line, or --set), naming every idle key of the section with why it does nothing, for
//  - radio: with no LoRaWAN or NB-IoT device, gateway or cell, every key (a Wi-Fi camera's link budget is
//    fixed); else capture, inter_sf, interference, receptions and strongest_k without LoRaWAN devices
//    (receptions: strongest_only also trims NB-IoT devices' links), gateway_sensitivity without LoRaWAN
//    devices or gateways, noise_figure without LoRaWAN or NB-IoT devices (or a jammer near a LoRaWAN
//    gateway), capture.threshold with capture.enabled false;
//  - nbiot: every key without NB-IoT devices; paging_time_window with eDRX off;
//  - wifi: every key without Wi-Fi devices (cameras);
//  - platform: ns_downlink_delay without a LoRaWAN population asking for downlinks (confirmed, ADR); the
//    processing stages' keys (server_speed, server_cores, ns_cost, ns_capacity, forward_message,
//    broker_capacity, broker_cost, analytics_cost, storage_write, storage_record) with no LoRaWAN or NB-IoT
//    device and no platform flood reaching them; command_centre.link_bandwidth without a command centre
//    (link_length) or without cameras;
//  - run: trace_every unless run.trace is sample;
// and, once per OLT, its backup without a district, or its district and backup where no power cut can
// reach the district; once per PON, its split and upstream where no gateway backhauls over it; and once per
// drivers.<quantity> series, where nothing in the run reads it (scenario::quantities_read): it is then only
// recorded in the trace (/drivers).
void check_idle_sections(const scenario::Scenario& scenario, std::vector<scenario::Diagnostic>& out);

}  // namespace citytwin::sim::city
