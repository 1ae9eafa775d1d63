// Failures of the wired network (drivers.failures, drivers.failures_csv): the intervals of a run.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::drivers {

// The failure intervals of a run: drivers.failures as written, and each availability profile drawn
// from `seed` over the run (its own stream per entry: adding one leaves the others' draws alone).
// Sorted by start, then target; a failure's index in this list identifies it in the trace.
std::vector<scenario::Failure> failure_schedule(const scenario::Scenario& scenario, uint64_t seed);

}  // namespace citytwin::sim::drivers
