// Runs a scenario in a forked child process. SimGrid keeps one engine per process and does not reset
// its clock or models between engines, and a crash in a simulation must not take down a Python
// interpreter: so Python, the tests and sweeps run each simulation in its own child. The parent only
// waits (and can cancel); the child loads the scenario, runs it, writes the trace and reports its
// KPIs, or its error text, through a pipe. A child whose parent dies, even by SIGKILL, stops as Ctrl-C
// would (its trace finished with complete = 0): Linux's PR_SET_PDEATHSIG, which fires when the thread
// that forked the child ends, so that thread must be the one that waits for it (as every caller does).
#pragma once

#include <sys/types.h>

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
  // For a text: the name it is loaded under. Relative data files are resolved next to it, and messages
  // name it. A campaign passes the scenario text it hashed with the file's path here, so that each run
  // is exactly the text its run id covers, even if the file is edited while the campaign runs.
  std::string source_name = "<text>";
};

// Where the child's run is, reported to the parent at most ten times a second. While the city is set
// up, set_up says what is being done (RunOptions::on_set_up) and set_up_fraction how far the radio links
// are; once the windows run it is empty.
struct IsolatedProgress {
  double sim_s = 0.0;
  double duration_s = 0.0;
  uint64_t uplinks = 0;
  std::string set_up;
  double set_up_fraction = 0.0;
};

// cancel is polled about ten times a second in the parent; when it returns true the child is asked to
// stop (as Ctrl-C would), finishes its trace with complete = 0, and the outcome says so. progress, if
// set, is called in the parent (options.on_progress is not used: it would run in the child).
IsolatedOutcome run_isolated(const ScenarioSource& source, const RunOptions& options,
                             const std::function<bool()>& cancel = {},
                             const std::function<void(const IsolatedProgress&)>& progress = {});

// The pieces of run_isolated, for a caller that watches many children from one thread (the campaign
// pool, sim/campaign): start a child, read its pipes when poll(2) says they are ready, then collect
// its outcome. Children are forked from the calling thread only, never from helper threads.
struct IsolatedChild {
  pid_t pid = -1;
  int report_fd = -1;    // the child's report; closed by the child when it is done
  int progress_fd = -1;  // -1 when no progress was asked for
  std::string report;
  std::string progress_pending;
};

// Forks the child (throws RunError when it cannot); with_progress opens the progress pipe.
IsolatedChild start_isolated(const ScenarioSource& source, const RunOptions& options, bool with_progress);
// Reads what the child's pipes hold now (non-blocking use: call after poll(2) reports them ready);
// progress lines go to progress. Returns false once the report pipe is closed (the child is done).
bool read_isolated(IsolatedChild& child, const std::function<void(const IsolatedProgress&)>& progress = {});
// Asks the child to stop at its next window (SIGINT; its trace is finished with complete = 0).
void stop_isolated(const IsolatedChild& child);
// Waits for the child to exit, closes its pipes and decodes its report.
IsolatedOutcome finish_isolated(IsolatedChild& child);

}  // namespace citytwin::sim::app
