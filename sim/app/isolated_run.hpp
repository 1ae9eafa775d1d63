// Runs a scenario in a forked child process. SimGrid keeps one engine per process and does not reset
// its clock or models between engines, and a crash in a simulation must not take down a Python
// interpreter: so Python, the tests and sweeps run each simulation in its own child. The parent only
// waits (and can cancel); the child loads the scenario, runs it, writes the trace and reports its
// KPIs, or its error text, through a pipe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/app/run.hpp"

namespace citytwin::sim::app {

struct IsolatedOutcome {
  enum class Status { Ok, ScenarioError, RunError, Crashed } status = Status::Crashed;
  std::string error;   // the same text the CLI prints, when status != Ok
  RunSummary summary;  // when status == Ok (complete is false if cancelled)
};

struct ScenarioSource {
  std::string text_or_path;
  bool is_text = false;
  std::vector<std::string> overrides;
};

// Where the child's run is, reported to the parent at most ten times a second.
struct IsolatedProgress {
  double sim_s = 0.0;
  double duration_s = 0.0;
  uint64_t uplinks = 0;
};

// cancel is polled about ten times a second in the parent; when it returns true the child is asked to
// stop (as Ctrl-C would), finishes its trace with complete = 0, and the outcome says so. progress, if
// set, is called in the parent (options.on_progress is not used: it would run in the child).
IsolatedOutcome run_isolated(const ScenarioSource& source, const RunOptions& options,
                             const std::function<bool()>& cancel = {},
                             const std::function<void(const IsolatedProgress&)>& progress = {});

}  // namespace citytwin::sim::app
