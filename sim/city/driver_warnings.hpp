// Warnings about drivers.<quantity> series whose times say something other than the run's clock (no
// silent no-op, no silent misalignment): part of resolve() (resolve.hpp), which issues them.
#pragma once

#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace citytwin::sim::city {

// Appends a warning (severity Warning, at drivers.<quantity>) for
//  - a points or CSV series lying wholly outside [0, run.duration]: every time at or after the run's end
//    (its first value holds throughout) or before its start (its last value does);
//  - a CSV of date-times whose t = 0 (its `start`, else its first row) is another date-time than the
//    first such CSV's, where either took its first row (the same instant would be at two times of the
//    run). Two explicit `start`s that differ are taken as meant (a series replayed shifted).
void check_driver_times(const scenario::Scenario& scenario, std::vector<scenario::Diagnostic>& out);

}  // namespace citytwin::sim::city
