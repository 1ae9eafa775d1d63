// The steps of a run before its first window: its settings (seed, threads, output), its /meta, and the
// city laid out and written (/devices, /gateways).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "output/trace_writer.hpp"
#include "sim/app/run.hpp"
#include "sim/city/city_layout.hpp"
#include "sim/core/thread_pool.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace citytwin::sim::app {

// The summary's seed and thread count from the options (else the scenario, the cores); RunError when
// the thread count is out of range or no output path is given.
RunSummary run_settings(const scenario::Scenario& scenario, const RunOptions& options);
output::RunMeta run_meta(const scenario::Scenario& scenario, const RunSummary& summary,
                         const std::vector<scenario::Diagnostic>& warnings);
// Lays out the city into `city`, then writes /devices, /gateways and an empty /messages on a thread of
// its own while meanwhile() runs on the caller's (the run's assembly: it makes no HDF5 call, and nothing
// else touches the trace until both are done; an error of meanwhile() is thrown once the tables are
// written). A stop request meanwhile abandons the set-up: the trace is finished as stopped (complete = 0,
// under its final name as a stop between windows leaves it) and RunStopped is thrown (the CLI exits 130).
// progress: show a long set-up's progress on stderr (SetUpProgress, progress.hpp); on_set_up: told the
// same (RunOptions::on_set_up), may be empty.
void set_up_city(city::CityLayout& city, const scenario::Scenario& scenario, uint64_t seed,
                 core::ThreadPool& pool, output::TraceWriter& writer, bool progress = false,
                 const std::function<void(const std::string&, double)>& on_set_up = {},
                 const std::function<void()>& meanwhile = {});

}  // namespace citytwin::sim::app
