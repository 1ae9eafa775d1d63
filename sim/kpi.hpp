// The run's key performance indicators, computed from the message log, the fleet and the network.
#pragma once

#include <vector>

#include "output/trace_writer.hpp"
#include "sim/city_layout.hpp"
#include "sim/fleet.hpp"
#include "sim/lorawan_server.hpp"
#include "sim/message_log.hpp"
#include "sim/scenario.hpp"
#include "sim/wifi_access.hpp"
#include "sim/wired_network.hpp"

namespace citytwin::sim {

// Nearest-rank percentile (p in [0, 1]) of values; NaN when empty. Reorders values.
double percentile(std::vector<float>& values, double p);

output::KpiList compute_kpis(const CityLayout& city, const Fleet& fleet, const MessageLog& log,
                             const WiredNetwork& wired, const LorawanServer& server);
output::KpiTable district_kpis(const Scenario& scenario, const CityLayout& city, const Fleet& fleet,
                               const MessageLog& log);
// Per Wi-Fi access point: cameras, offered / carried over the air / through the backhaul, utilisation,
// seconds its streams' route was down.
output::KpiTable access_point_kpis(const Scenario& scenario, const WifiAccess& wifi,
                                   const WiredNetwork& wired);
void add_stream_kpis(output::KpiList& kpis, const WifiAccess& wifi, const output::KpiTable& access_points);
// Per wired failure of the run (its schedule order, the rows /messages/failure points to): when, the
// uplinks and forwarded copies it delayed or lost, and the CCTV stream time it interrupted.
output::KpiTable failure_kpis(const WiredNetwork& wired, const MessageLog& log);

// By device type (populations of the same type are pooled); duration_s is the simulated time, for
// the projected battery lifetime.
output::KpiTable type_kpis(const Scenario& scenario, const CityLayout& city, const Fleet& fleet,
                           const MessageLog& log, double duration_s);

}  // namespace citytwin::sim
