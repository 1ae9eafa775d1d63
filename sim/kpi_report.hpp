// Human-readable summaries for the terminal: the KPI table printed at the end of a run, and a
// one-line description of a scenario.
#pragma once

#include <string>

#include "sim/run.hpp"
#include "sim/scenario.hpp"

namespace citytwin::sim {

std::string format_kpi_report(const RunSummary& summary);
std::string describe_briefly(const Scenario& scenario);

}  // namespace citytwin::sim
