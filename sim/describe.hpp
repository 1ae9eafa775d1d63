// `citytwin describe FILE`: a summary of the city a scenario builds: districts, devices by population
// and radio, gateways by radio and backhaul, the fibre plant (km, PONs and their splits, capacities).
#pragma once

#include <string>

#include "sim/scenario.hpp"

namespace citytwin::sim {

std::string describe_topology(const Scenario& scenario);

}  // namespace citytwin::sim
