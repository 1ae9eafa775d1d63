// A warning about LoRaWAN downlinks a gateway's backhaul is too slow for (a planner's check before the run
// counts them in downlinks_rx1_late): part of resolve() (resolve.hpp), which issues it.
#pragma once

#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace citytwin::sim::city {

// Appends a warning (severity Warning, at the gateway's entry) for each LoRaWAN gateway through which no
// downlink could make RX1 (or RX2) of a population that needs downlinks (confirmed uplinks or ADR), timed as
// sim/access/lorawan_server.hpp times it when that gateway alone heard the frame
// (models::radio::downlink_at_gateway_s): forward_delay, its route's latency up (scenario::route_latency_s),
// platform.ns_downlink_delay and its route's latency down, against the smallest firmware.rx1_delay among
// those populations (RX2 one second later).
void check_downlink_timing(const scenario::Scenario& scenario, std::vector<scenario::Diagnostic>& out);

}  // namespace citytwin::sim::city
