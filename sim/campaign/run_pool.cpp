#include "sim/campaign/run_pool.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>

#include "sim/app/run.hpp"

namespace citytwin::sim::campaign {
namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string duration_text(double s) {
  char buf[32];
  if (s < 120.0)
    std::snprintf(buf, sizeof buf, "%.0f s", s);
  else if (s < 7200.0)
    std::snprintf(buf, sizeof buf, "%.1f min", s / 60.0);
  else
    std::snprintf(buf, sizeof buf, "%.1f h", s / 3600.0);
  return buf;
}

PoolOutcome outcome_of(const app::IsolatedOutcome& isolated, double wall_s) {
  PoolOutcome out;
  out.wall_s = wall_s;
  if (isolated.status == app::IsolatedOutcome::Status::Ok) {
    out.summary = isolated.summary;
    out.status = isolated.summary.complete ? PoolOutcome::Status::Ok : PoolOutcome::Status::Stopped;
  } else {
    out.status = PoolOutcome::Status::Failed;
    out.error = isolated.error;
    out.scenario_error = isolated.status == app::IsolatedOutcome::Status::ScenarioError;
  }
  return out;
}

struct Running {
  size_t index = 0;
  app::IsolatedChild child;
  double start_s = 0.0;
  bool stop_sent = false;
};

}  // namespace

const char* to_string(PoolOutcome::Status status) {
  switch (status) {
    case PoolOutcome::Status::NotRun:
      return "not_run";
    case PoolOutcome::Status::Ok:
      return "ok";
    case PoolOutcome::Status::Failed:
      return "failed";
    case PoolOutcome::Status::Stopped:
      return "stopped";
  }
  return "?";
}

PoolProgress::PoolProgress(std::string title, size_t total, size_t done_before, bool enabled)
    : title_(std::move(title)),
      total_(total),
      done_before_(done_before),
      enabled_(enabled),
      tty_(isatty(STDERR_FILENO) != 0),
      start_s_(now_s()) {}

void PoolProgress::update(size_t done, size_t failed, size_t running, bool force) {
  if (!enabled_) return;
  const double t = now_s();
  if (tty_ ? (!force && t - last_print_s_ < 0.25) : done == last_done_) return;
  last_print_s_ = t;
  last_done_ = done;
  print(done, failed, running, false);
}

void PoolProgress::finish(size_t done, size_t failed, bool stopped) {
  if (!enabled_) return;
  if (tty_ || done != last_done_) print(done, failed, 0, true);  // not twice the same line in a log
  if (stopped)
    std::fprintf(stderr, "citytwin: %s stopped: %zu of %zu runs done\n", title_.c_str(), done, total_);
}

// done counts the runs finished before this pool too; the ETA uses only the pace of this one.
void PoolProgress::print(size_t done, size_t failed, size_t running, bool final_line) {
  const double wall = now_s() - start_s_;
  const size_t done_here = done > done_before_ ? done - done_before_ : 0;
  std::string eta = "--";
  if (final_line || done >= total_)
    eta = "0 s";
  else if (done_here > 0)
    eta = duration_text(wall / static_cast<double>(done_here) * static_cast<double>(total_ - done));
  std::fprintf(stderr, "%scitytwin: %s %zu/%zu runs done, %zu failed, %zu running, wall %s, ETA %s%s",
               tty_ ? "\r" : "", title_.c_str(), done, total_, failed, running, duration_text(wall).c_str(),
               eta.c_str(), tty_ && !final_line ? "   " : "\n");
  std::fflush(stderr);
}

std::vector<PoolOutcome> run_pool(const std::vector<PoolRun>& runs, const PoolOptions& options) {
  std::vector<PoolOutcome> outcomes(runs.size());
  const int jobs = std::max(1, options.jobs > 0 ? options.jobs : app::default_thread_count());
  size_t next_in_order = 0;
  const auto next = [&]() -> std::optional<size_t> {
    if (options.next) return options.next();
    if (next_in_order < runs.size()) return next_in_order++;
    return std::nullopt;
  };
  PoolProgress progress(options.title,
                        options.total_for_progress > 0 ? options.total_for_progress : runs.size(),
                        options.done_before, options.progress);
  size_t done = options.done_before, failed = 0;
  std::vector<Running> running;
  bool stopping = false;
  bool exhausted = false;
  const auto stop_asked = [&] { return app::stop_requested() || (options.cancel && options.cancel()); };

  const auto finish = [&](Running& r) {
    PoolOutcome out = outcome_of(app::finish_isolated(r.child), now_s() - r.start_s);
    // Stopped during its set-up (app::RunStopped): the trace is finished with complete = 0, as for a
    // run stopped between windows.
    if ((r.stop_sent || stop_asked()) && out.status == PoolOutcome::Status::Failed && !out.scenario_error)
      out.status = PoolOutcome::Status::Stopped;
    if (out.status == PoolOutcome::Status::Failed) ++failed;
    if (out.status != PoolOutcome::Status::Stopped) ++done;
    if (options.on_finished) options.on_finished(r.index, out);
    outcomes[r.index] = std::move(out);
  };

  for (;;) {
    if (!stopping && stop_asked()) {
      stopping = true;
      for (Running& r : running) {
        app::stop_isolated(r.child);
        r.stop_sent = true;
      }
    }
    while (!stopping && !exhausted && running.size() < static_cast<size_t>(jobs)) {
      const std::optional<size_t> index = next();
      if (!index) {
        exhausted = true;
        break;
      }
      if (*index >= runs.size()) throw app::RunError("run_pool: run index out of range");
      const PoolRun& run = runs[*index];
      app::RunOptions ro;
      ro.seed = run.seed;
      ro.threads = options.threads_per_run;
      ro.output_path = run.output_path;
      ro.overwrite = options.overwrite;
      ro.progress = false;
      ro.run_id = run.run_id;
      Running r;
      r.index = *index;
      r.start_s = now_s();
      try {
        r.child = app::start_isolated(run.source, ro, false);
      } catch (const app::RunError& e) {  // no process could be made: recorded, like any failure
        PoolOutcome out;
        out.status = PoolOutcome::Status::Failed;
        out.error = e.what();
        ++failed;
        ++done;
        if (options.on_finished) options.on_finished(*index, out);
        outcomes[*index] = std::move(out);
        continue;
      }
      running.push_back(std::move(r));
    }
    if (running.empty() && (stopping || exhausted)) break;
    progress.update(done, failed, running.size());

    std::vector<pollfd> fds;
    for (const Running& r : running) fds.push_back(pollfd{r.child.report_fd, POLLIN, 0});
    ::poll(fds.data(), fds.size(), 100);
    for (size_t i = 0; i < running.size();) {
      if (app::read_isolated(running[i].child)) {
        ++i;
        continue;
      }
      finish(running[i]);
      running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
    }
    if (options.on_tick) options.on_tick();
  }
  progress.finish(done, failed, stopping);
  return outcomes;
}

}  // namespace citytwin::sim::campaign
