// /drivers: what the run's drivers (sim/drivers/driver_set.hpp) produced, as the trace stores it.
#pragma once

#include "output/trace_writer.hpp"
#include "sim/drivers/driver_set.hpp"
#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::record {

// Every field over [0, end_s], at its knots and at least every grid_s (60 s by default).
output::DriverTable driver_table(const scenario::Scenario& scenario, const drivers::DriverSet& drivers,
                                 double end_s, double grid_s = 60.0);

}  // namespace citytwin::sim::record
