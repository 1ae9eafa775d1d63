#include "sim/app/run.hpp"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "sim/app/progress.hpp"
#include "sim/app/run_assembly.hpp"
#include "sim/app/run_budget.hpp"
#include "sim/app/run_set_up.hpp"
#include "sim/city/build_city_layout.hpp"
#include "sim/city/resolve.hpp"
#include "sim/core/huge_pages.hpp"
#include "sim/core/stop.hpp"
#include "sim/distributed/rank_worker.hpp"

namespace citytwin::sim::app {

void request_stop() { core::request_stop(); }
bool stop_requested() { return core::stop_requested(); }

int ranks_on_this_node() {
  for (const char* name : {"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS"}) {
    const char* value = std::getenv(name);
    if (const int ranks = value != nullptr ? std::atoi(value) : 0; ranks > 0) return ranks;
  }
  return 1;
}

int cores_for_a_rank(int affinity_cores, int online_cores, int local_ranks) {
  const int share = std::max(1, online_cores / std::max(1, local_ranks));
  return std::max(1, std::min(affinity_cores, share));
}

int default_thread_count() {
  const int online = static_cast<int>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  cpu_set_t set;
  const int affinity = sched_getaffinity(0, sizeof set, &set) == 0 ? std::max(1, CPU_COUNT(&set)) : online;
  return cores_for_a_rank(affinity, online, ranks_on_this_node());
}

int run_thread_count(const scenario::Scenario& sc, std::optional<int> requested) {
  return requested ? *requested : default_run_threads(estimate_run(sc), default_thread_count());
}

// The assembly of a run: check, create the trace, lay out the city, build the components on their bus
// (RunAssembly), advance the windows, finish. Components and recorders live in their rooms.
RunSummary run(const scenario::Scenario& sc, const RunOptions& options) {
  RunSummary summary = run_settings(sc, options);
  // Everything that can refuse the scenario, before anything is written (ScenarioError).
  const std::vector<scenario::Diagnostic> warnings = city::resolve(sc, summary.seed, options.strict);
  check_run_budget(estimate_run(sc), available_memory_bytes(), summary.threads, options.force);
  const bool split = options.ranks != nullptr && options.ranks->size() > 1;
  // The ranks other than 0 resolve the radio networks without the attacks (sim/distributed/rank_worker):
  // refused rather than silently diverging from a single process.
  if (split && (!sc.attacks.jamming.empty() || !sc.attacks.compromised.empty()))
    throw RunError(
        "attacks.jamming / attacks.compromised: not supported when one city is split over MPI ranks "
        "(run it in one process, or without those attacks)");
  if (split && options.ranks->rank() != 0) {  // one city over ranks: a rank that writes nothing
    core::ThreadPool pool(summary.threads);
    std::optional<core::HugePagesWhileBuilding> building(std::in_place);
    const city::CityLayout city = city::build_city_layout(sc, summary.seed, pool);
    building.reset();
    distributed::CitySplit city_split(city, *options.ranks);
    distributed::run_other_rank(sc, city, summary.seed, summary.threads, pool, city_split);
    summary.complete = true;
    return summary;
  }
  // Create the output first: an unwritable path fails before any simulation work.
  output::RunMeta meta = run_meta(sc, summary, warnings);
  meta.run_id = options.run_id;  // a campaign's run id, in /meta (its restart check)
  // /messages chunks are compressed and written on the trace's writer thread (output/README.md).
  output::TraceWriter writer(options.output_path, meta, options.overwrite,
                             output::MessageWriting::WriterThread);
  core::ThreadPool pool(summary.threads);
  std::optional<core::HugePagesWhileBuilding> building(std::in_place);  // the city's arrays (huge_pages.hpp)
  city::CityLayout city;
  std::optional<RunAssembly> assembled;  // built while the city's tables are written
  set_up_city(city, sc, summary.seed, pool, writer, options.progress, options.on_set_up,
              [&] { assembled.emplace(sc, city, summary.seed, pool, options.lane_min_reports_per_period); });
  RunAssembly& assembly = *assembled;
  building.reset();
  std::optional<distributed::CitySplit> city_split;
  if (split) assembly.split_over(city_split.emplace(city, *options.ranks));
  Progress progress(sc.run.duration_s, options.progress);

  const double duration = sc.run.duration_s;
  double t = 0.0;
  uint64_t window = 0;
  double next_batch = sc.run.forward_batch_s;
  bool stopped = false;
  while (t < duration && !stopped) {
    t = std::min(duration, static_cast<double>(++window) * sc.run.window_s);
    assembly.advance(t);
    progress.update(t, assembly.uplinks());
    if (options.on_progress) options.on_progress(t, duration, assembly.uplinks());
    stopped = assembly.stop_requested();
    // The last window's period goes with the drain (RunAssembly::finish), whether the run ends or stops:
    // one period at the end's instant, one batch a gateway. A period and then the drain at one instant
    // would share each gateway's link, and the drain's copies received before that instant would reach
    // the network server after the period's later ones were served (sim/network/wired_fast_path.cpp).
    if (t >= next_batch && t < duration && !stopped) {
      assembly.forward(t, writer);
      next_batch = (std::floor(t / sc.run.forward_batch_s) + 1.0) * sc.run.forward_batch_s;
    }
  }
  const double windows_s = progress.wall_s();
  record::RunRecorder::Report report = assembly.finish(t, writer);
  summary.kpis = std::move(report.kpis);
  summary.by_district = std::move(report.by_district);
  summary.complete = !stopped;
  writer.finish(summary.complete, t);
  // The drain at the end sends what is left (uplinks due at the end's instant): a last report counts them, so
  // a progress bar ends on the KPI's uplinks (after the trace is finished: a callback may raise).
  if (options.on_progress) options.on_progress(t, duration, assembly.uplinks());
  summary.output_path = writer.path();
  summary.wall_s = progress.wall_s();
  summary.end_s = summary.wall_s - windows_s;
  progress.finish(t, assembly.uplinks(), summary.complete);
  if (city_split && options.progress) {
    const distributed::ExchangeVolume& v = city_split->volume();
    std::fprintf(stderr,
                 "citytwin: rank 0 of %d: %llu windows, %llu transmissions stepped here, %llu B sent, %llu B "
                 "received, largest window %llu B (all ranks)\n",
                 city_split->ranks(), static_cast<unsigned long long>(v.windows),
                 static_cast<unsigned long long>(v.transmissions),
                 static_cast<unsigned long long>(v.bytes_sent),
                 static_cast<unsigned long long>(v.bytes_received),
                 static_cast<unsigned long long>(v.max_window_bytes));
  }
  core::clear_stop();  // a stop request applies to one run
  return summary;
}

}  // namespace citytwin::sim::app
