// `citytwin compare FILE`: every phase of a rollout (sim/scenario phases:) x seeds, each run in its own
// child process (run_isolated), a few at a time; one summary table per phase (KPIs with a 95 % confidence
// interval over seeds, costs per phase and cumulative, cost per covered device and per point gained);
// one HDF5 file (output/compare_file.hpp) rewritten after each phase that finishes. The runs go through
// the campaign process pool (sim/campaign/run_pool.hpp), which `citytwin sweep` uses too.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "output/compare_file.hpp"
#include "sim/campaign/run_pool.hpp"

namespace citytwin::sim::rollout {

struct CompareOptions {
  std::string scenario_path;
  std::vector<std::string> overrides;  // --set, applied to every phase
  int seeds = 1;                       // run.seed, run.seed + 1, ...
  int jobs = 1;                        // runs at once (one child process each)
  std::string output_path = "compare.h5";
  bool progress = true;  // one line on stderr for the whole campaign
  std::function<bool()>
      stop;  // polled (as is Ctrl-C): true stops the running children; finished phases are kept
};

struct CompareResult {
  output::CompareData data;
  std::string table;  // the printed table
  bool complete = false;
  std::vector<std::string> errors;  // runs that failed: "phase P seed S: message"
  std::vector<std::string> kept;    // phases kept from an earlier invocation's file (not run again)
};

// Mean and half-width of the two-sided 95 % Student-t confidence interval (NaN with fewer than 2 values).
std::pair<double, double> mean_ci95(const std::vector<double>& values);

// Throws scenario::ScenarioError (bad scenario), output::OutputError.
CompareResult compare(const CompareOptions& options);

}  // namespace citytwin::sim::rollout
