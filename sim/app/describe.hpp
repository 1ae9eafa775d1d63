// `citytwin describe FILE`: a summary of the city a scenario builds: districts, devices by population
// and radio, gateways by radio and backhaul, the fibre plant (km, PONs and their splits, capacities).
#pragma once

#include <string>

#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::app {

std::string describe_topology(const scenario::Scenario& scenario);

}  // namespace citytwin::sim::app
