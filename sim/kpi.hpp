// The run's key performance indicators, computed from the message log, the fleet and the network.
#pragma once

#include <vector>

#include "output/trace_writer.hpp"
#include "sim/city_layout.hpp"
#include "sim/fleet.hpp"
#include "sim/lorawan_server.hpp"
#include "sim/message_log.hpp"
#include "sim/scenario.hpp"
#include "sim/wired_network.hpp"

namespace citytwin::sim {

// Nearest-rank percentile (p in [0, 1]) of values; NaN when empty. Reorders values.
double percentile(std::vector<float>& values, double p);

output::KpiList compute_kpis(const CityLayout& city, const Fleet& fleet, const MessageLog& log,
                             const WiredNetwork& wired, const LorawanServer& server);
output::KpiTable district_kpis(const Scenario& scenario, const CityLayout& city, const Fleet& fleet,
                               const MessageLog& log);
// By device type (populations of the same type are pooled); duration_s is the simulated time, for
// the projected battery lifetime.
output::KpiTable type_kpis(const Scenario& scenario, const CityLayout& city, const Fleet& fleet,
                           const MessageLog& log, double duration_s);

}  // namespace citytwin::sim
