// A process pool for many runs: each run in its own child process (sim/app/isolated_run.hpp), at most
// `jobs` at once, watched from the calling thread with poll(2) (children are only ever forked from that
// one thread). A run that fails is recorded with its error and the others go on; a stop (Ctrl-C, or
// `cancel`) asks the running children to stop at their next window, starts no more, and returns what
// finished. Used by `citytwin sweep` (campaigns), the MPI ranks and Python's citytwin.sweep.
//
//   std::vector<PoolRun> runs = ...;                  // scenario + overrides, seed, trace path each
//   PoolOptions options;  options.jobs = 4;
//   std::vector<PoolOutcome> done = run_pool(runs, options);   // one outcome per run, same order
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/app/isolated_run.hpp"

namespace citytwin::sim::campaign {

struct PoolRun {
  app::ScenarioSource source;    // the scenario (path or text) and its key.path=value overrides
  std::optional<uint64_t> seed;  // overrides run.seed
  std::string output_path;       // the run's HDF5 trace
  std::string run_id;            // written to the trace's /meta@run_id (may be empty)
  std::string label;             // how messages name the run, e.g. "run 3 (seed 2, x=1)"
};

struct PoolOutcome {
  // NotRun: never started (the pool was stopped first, or the run was not handed out).
  enum class Status { NotRun, Ok, Failed, Stopped } status = Status::NotRun;
  std::string error;            // when Failed: the text the command line would print
  bool scenario_error = false;  // when Failed: the scenario (with the run's overrides) was refused
  app::RunSummary summary;      // when Ok (complete) or Stopped (complete = false)
  double wall_s = 0.0;          // the child's wall time, as seen by the pool
};

const char* to_string(PoolOutcome::Status status);

struct PoolOptions {
  int jobs = 0;             // children at once; 0: the cores available to this process
  int threads_per_run = 1;  // each child's worker threads (results do not depend on it)
  bool overwrite = false;   // replace an existing trace (once the new one is complete)
  bool progress = true;     // one progress line for the whole pool on stderr
  std::string title = "campaign";
  size_t total_for_progress = 0;  // runs the progress line counts (0: runs.size())
  size_t done_before = 0;         // runs already finished before this pool (a restarted campaign)
  // Polled about ten times a second, as is app::stop_requested() (the CLI's Ctrl-C handler): when
  // either says stop, the running children are asked to stop and no more are started.
  std::function<bool()> cancel;
  // Which run to start next (an index into runs) or nullopt when there is none left; default: every
  // run in order. The MPI ranks ask rank 0 here. Called only when a child slot is free.
  std::function<std::optional<size_t>()> next;
  // Called in the calling thread as each run ends (any status but NotRun).
  std::function<void(size_t index, const PoolOutcome&)> on_finished;
  // Called about ten times a second while children run (rank 0 serves the other ranks here).
  std::function<void()> on_tick;
};

// Runs the runs; returns one outcome per run, in the order of runs. Throws app::RunError only when no
// child can be started at all (fork or pipe failure before the first run).
std::vector<PoolOutcome> run_pool(const std::vector<PoolRun>& runs, const PoolOptions& options);

// The pool's progress line: "citytwin: campaign 5/12 runs done, 1 failed, 2 running, wall 12 s, ETA 20 s".
// On a terminal it is rewritten in place (at most four times a second); otherwise one line per run that
// ends. Also used by rank 0 of an MPI campaign for the whole campaign.
class PoolProgress {
 public:
  PoolProgress(std::string title, size_t total, size_t done_before, bool enabled);
  void update(size_t done, size_t failed, size_t running, bool force = false);
  void finish(size_t done, size_t failed, bool stopped);

 private:
  void print(size_t done, size_t failed, size_t running, bool final_line);
  std::string title_;
  size_t total_;
  size_t done_before_;
  bool enabled_;
  bool tty_;
  double start_s_;
  double last_print_s_ = -1.0;
  size_t last_done_ = static_cast<size_t>(-1);
};

}  // namespace citytwin::sim::campaign
