// Power cuts (drivers.power_outages): when each gateway, cell or access point is without power.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::drivers {

// When a gateway is without power: for each cut in its district (index into city.districts, -1 for
// none), from the end of its backup to the return of power.
std::vector<scenario::TimeInterval> power_off_intervals(const scenario::Scenario& scenario, uint32_t gateway,
                                                        int district);

}  // namespace citytwin::sim::drivers
