// Running a scenario: builds the city (devices, gateways, SimGrid platform), advances it to the end
// (or until a stop is requested), writes the HDF5 trace and returns the KPIs.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "output/trace_writer.hpp"
#include "sim/core/ranks.hpp"
#include "sim/core/run_error.hpp"
#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::app {

// A run that failed (exit 1); the class lives in sim/core so that every room can raise it.
using core::RunError;

// A stop requested while the city is set up, before the first window: the set-up is abandoned and the
// trace, already created, is finished with /meta complete = 0 and no messages.
class RunStopped : public RunError {
 public:
  using RunError::RunError;
};

struct RunOptions {
  std::optional<uint64_t> seed;  // overrides run.seed
  std::optional<int> threads;    // default: the cores available to this process
  std::string output_path;       // HDF5 trace; required
  bool overwrite = false;        // replace an existing trace at output_path (once the new one is complete)
  bool progress = true;          // a progress line on stderr
  bool strict = false;           // the scenario's warnings (sim/city/resolve.hpp) refuse it
  // Called after every window with (simulated s, duration s, uplinks so far); may be empty.
  std::function<void(double, double, uint64_t)> on_progress;
  // Called during the city's set-up with what it is doing ("laying out the city", "radio links", "writing
  // the device and gateway tables, assembling the run", "built") and how far the radio links are (0..1; 1 for
  // the steps after them), at most every 100 ms, always from one thread at a time (not always the same one);
  // may be empty.
  std::function<void(const std::string&, double)> on_set_up;
  bool force = false;  // run even past the memory and time budget (sim/run_budget.hpp)
  std::string run_id;  // a campaign's id for the run (sim/campaign), written to /meta@run_id
  // One city over several ranks (sim/distributed): every rank calls run() with its Ranks; rank 0 writes
  // the trace at output_path and returns the KPIs, the others return an empty summary. Null: one process.
  core::Ranks* ranks = nullptr;
  // With two threads or more, the wired network and the recorders run on the thread pool's lane beside the
  // windows (sim/app/run_assembly.hpp) when a forwarding period holds at least this many uplink reports on
  // average (the scenario's estimate): handing a period over costs microseconds, more than a small city's
  // period holds (the 1,000-device day was 6 % slower with it, bench/RESULTS.md). Tests set 0 to use it
  // always.
  double lane_min_reports_per_period = 300.0;
};

struct RunSummary {
  output::KpiList kpis;          // the /kpi attributes, in order
  output::KpiTable by_district;  // the /kpi/by_district table
  std::string output_path;
  bool complete = false;  // false when stopped early
  uint64_t seed = 0;
  int threads = 1;
  double wall_s = 0.0;  // from the end of the set-up to the end of the trace
  // Of wall_s, the run's end: what is still on the air settled, the wired network drained, the final
  // tables written and the trace closed (a cost per run, not per uplink).
  double end_s = 0.0;
};

// Runs the scenario in this process. SimGrid allows one engine per process at a time, and its clock
// is not reset between engines: callers that run many scenarios (Python, tests) use run_isolated().
// Throws scenario::ScenarioError (what resolve() refuses: nothing is written then), RunError,
// output::OutputError. The scenario's warnings go to /meta/warnings.
RunSummary run(const scenario::Scenario& scenario, const RunOptions& options);

// Asks a running run() to stop at the end of the current window; async-signal-safe. The trace is
// finished with /meta complete = 0.
void request_stop();
// Whether a stop has been requested and not yet acted on; the set-up's loops poll it.
bool stop_requested();

// The cores this process may run on, shared with the other ranks mpirun started on this node: the
// cores of its affinity set, but no more than its share of the node's cores (cores_for_a_rank).
int default_thread_count();
// How many processes mpirun started on this node (Open MPI's OMPI_COMM_WORLD_LOCAL_SIZE, MPICH's
// MPI_LOCALNRANKS); 1 outside mpirun.
int ranks_on_this_node();
// A rank's cores: its affinity set, at most online / local_ranks of the node's (and at least 1). Open MPI
// binds each of 2 ranks to a core of its own, but with more ranks binds each to the whole socket: 3 ranks
// on 2 cores then each saw both, and each took 2 threads (6 busy threads on 2 cores).
int cores_for_a_rank(int affinity_cores, int online_cores, int local_ranks);
// The threads a run of the scenario uses: `requested` (--threads), or else default_run_threads of the
// cores available (sim/app/run_budget.hpp: one for a city too small for a second thread to pay).
int run_thread_count(const scenario::Scenario& scenario, std::optional<int> requested);

}  // namespace citytwin::sim::app
