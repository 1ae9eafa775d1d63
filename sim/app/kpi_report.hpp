// Human-readable summaries for the terminal: the KPI table printed at the end of a run, and a
// one-line description of a scenario.
#pragma once

#include <string>

#include "sim/app/run.hpp"
#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::app {

std::string format_kpi_report(const RunSummary& summary);
std::string describe_briefly(const scenario::Scenario& scenario);

}  // namespace citytwin::sim::app
