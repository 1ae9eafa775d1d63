#include "sim/campaign/campaign_mpi.hpp"

#include <cstdlib>

#ifdef CITYTWIN_HAVE_MPI
#include <mpi.h>

#include <filesystem>
#endif

#include "sim/app/run.hpp"
#include "sim/campaign/row_text.hpp"

namespace citytwin::sim::campaign {

bool launched_by_mpirun_with_several_ranks() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && std::atoi(value) > 1) return true;
  }
  return false;
}

int rank_from_mpirun_environment() {
  if (!launched_by_mpirun_with_several_ranks()) return 0;
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"}) {
    const char* value = std::getenv(name);
    if (value != nullptr) return std::atoi(value);
  }
  return 0;
}

#ifndef CITYTWIN_HAVE_MPI

bool mpi_available() { return false; }

CampaignResult run_campaign_mpi(const Campaign&, const CampaignOptions&, int&) {
  throw app::RunError(
      "this citytwin was built without MPI (CMake did not find it): install libopenmpi-dev and rebuild");
}

#else

namespace {

enum Tag : int { kRequest = 1, kAssign = 2, kResult = 3, kDone = 4 };

std::string receive_text(MPI_Status& status) {
  int count = 0;
  MPI_Get_count(&status, MPI_CHAR, &count);
  std::string text(static_cast<size_t>(count), '\0');
  MPI_Recv(text.data(), count, MPI_CHAR, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD,
           MPI_STATUS_IGNORE);
  return text;
}

}  // namespace

bool mpi_available() { return true; }

CampaignResult run_campaign_mpi(const Campaign& c, const CampaignOptions& options, int& rank) {
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (!initialised) MPI_Init(nullptr, nullptr);
  int size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);

  CampaignResult result;
  result.runs = expand_campaign(c);
  std::vector<PoolRun> pool;
  for (const CampaignRun& run : result.runs) pool.push_back(pool_run(c, run));
  PoolOptions po;
  po.jobs = options.jobs > 0 ? options.jobs : (c.jobs > 0 ? c.jobs : 1);
  po.threads_per_run = c.threads;
  po.overwrite = true;
  po.progress = false;  // rank 0 prints one line for the whole campaign
  po.cancel = options.cancel;

  if (rank != 0) {
    result.rows.resize(result.runs.size());
    bool stopping = false;
    po.next = [&]() -> std::optional<size_t> {
      if (stopping || app::stop_requested() || (options.cancel && options.cancel())) return std::nullopt;
      const char ask = 'n';
      MPI_Send(&ask, 1, MPI_CHAR, 0, kRequest, MPI_COMM_WORLD);
      long long index = -1;
      MPI_Recv(&index, 1, MPI_LONG_LONG, 0, kAssign, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      if (index < 0) stopping = true;
      return index < 0 ? std::nullopt : std::optional<size_t>(static_cast<size_t>(index));
    };
    po.on_finished = [&](size_t index, const PoolOutcome& outcome) {
      output::CampaignRow row = row_of(c, result.runs[index], outcome);
      const std::string text = encode_row(index, row);
      MPI_Send(text.data(), static_cast<int>(text.size()), MPI_CHAR, 0, kResult, MPI_COMM_WORLD);
      if (outcome.status != PoolOutcome::Status::Stopped) ++result.executed;
      if (outcome.status == PoolOutcome::Status::Failed) ++result.failed;
      result.rows[index] = std::move(row);
    };
    run_pool(pool, po);
    const char done = 'd';
    MPI_Send(&done, 1, MPI_CHAR, 0, kDone, MPI_COMM_WORLD);
    MPI_Finalize();
    return result;
  }

  std::filesystem::create_directories(std::filesystem::path(c.out) / "runs");
  std::vector<size_t> to_run;
  result.rows = reuse_finished(c, result.runs, to_run);
  result.reused = result.runs.size() - to_run.size();
  PoolProgress progress("campaign", result.runs.size(), result.reused, options.progress);
  size_t done = result.reused, failed = 0, next = 0;
  std::vector<bool> finished(result.runs.size(), false);
  const auto stop_asked = [&] { return app::stop_requested() || (options.cancel && options.cancel()); };
  const auto dispense = [&]() -> std::optional<size_t> {
    if (next >= to_run.size() || stop_asked()) return std::nullopt;
    return to_run[next++];
  };
  const auto record = [&](size_t index, output::CampaignRow row) {
    if (row.status != "stopped" && row.status != "not_run") {
      ++done;
      ++result.executed;
      finished[index] = true;
    }
    if (row.status == "failed") {
      ++failed;
      ++result.failed;
    }
    result.rows[index] = std::move(row);
    progress.update(done, failed, 0, true);
  };
  int workers_done = 0;
  const auto serve = [&](bool block) {
    for (;;) {
      MPI_Status status;
      int ready = 1;
      if (block) {
        MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &status);
      } else {
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &ready, &status);
      }
      if (!ready) return;
      const std::string text = receive_text(status);
      if (status.MPI_TAG == kRequest) {
        const std::optional<size_t> index = dispense();
        const long long value = index ? static_cast<long long>(*index) : -1;
        MPI_Send(&value, 1, MPI_LONG_LONG, status.MPI_SOURCE, kAssign, MPI_COMM_WORLD);
      } else if (status.MPI_TAG == kResult) {
        size_t index = 0;
        output::CampaignRow incoming;
        decode_row(text, index, incoming);
        if (index >= result.runs.size()) continue;
        output::CampaignRow row = campaign_row(c, result.runs[index]);
        row.status = incoming.status;
        row.error = incoming.error;
        row.error_kind = incoming.error_kind;
        row.wall_s = incoming.wall_s;
        row.kpis = std::move(incoming.kpis);
        row.by_district = std::move(incoming.by_district);
        record(index, std::move(row));
      } else if (status.MPI_TAG == kDone) {
        ++workers_done;
      }
      if (block) return;
    }
  };
  po.next = dispense;
  po.on_tick = [&] { serve(false); };
  po.on_finished = [&](size_t index, const PoolOutcome& outcome) {
    record(index, row_of(c, result.runs[index], outcome));
  };
  run_pool(pool, po);
  while (workers_done < size - 1) serve(true);
  for (size_t k = 0; k < to_run.size(); ++k)
    if (!finished[to_run[k]]) result.stopped = true;
  progress.finish(done, failed, result.stopped);
  write_campaign_results(c, result);
  MPI_Finalize();
  return result;
}

#endif

}  // namespace citytwin::sim::campaign
