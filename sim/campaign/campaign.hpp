// Running a campaign (campaign_file.hpp) and merging its results. Runs whose trace is already complete
// with the same run id (/meta@run_id) are reused, not rerun, so a stopped or killed campaign restarts
// where it was; the others run on the process pool (run_pool.hpp), or over MPI ranks (campaign_mpi.hpp).
// The merged results go to <out>/summary.h5, <out>/summary.csv and <out>/by_district.csv
// (output/SCHEMA.md, "Campaign summary").
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "output/campaign_tables.hpp"
#include "sim/campaign/campaign_file.hpp"
#include "sim/campaign/run_pool.hpp"

namespace citytwin::sim::campaign {

struct CampaignOptions {
  int jobs = 0;  // children at once; 0: the campaign's jobs, else the cores available
  bool progress = true;
  std::function<bool()> cancel;  // as PoolOptions::cancel
};

struct CampaignResult {
  std::vector<CampaignRun> runs;
  std::vector<output::CampaignRow> rows;  // one per run, same order
  size_t executed = 0;                    // runs made by this invocation
  size_t reused = 0;                      // runs found complete from an earlier one
  size_t failed = 0;
  bool stopped = false;  // stopped before every run was made
};

// The pool's description of a campaign run.
PoolRun pool_run(const Campaign& campaign, const CampaignRun& run);

// The rows for runs already complete in <out>/runs (reused = true), and the indices still to make.
std::vector<output::CampaignRow> reuse_finished(const Campaign& campaign,
                                                const std::vector<CampaignRun>& runs,
                                                std::vector<size_t>& to_run);
// The run's summary row before it is made: id, axis values, seed, trace; status not_run.
output::CampaignRow campaign_row(const Campaign& campaign, const CampaignRun& run);
// A pool outcome as a summary row.
output::CampaignRow row_of(const Campaign& campaign, const CampaignRun& run, const PoolOutcome& outcome);

// Runs the campaign on this machine and writes the merged results.
CampaignResult run_campaign(const Campaign& campaign, const CampaignOptions& options);

// Writes <out>/summary.h5, summary.csv and by_district.csv.
void write_campaign_results(const Campaign& campaign, const CampaignResult& result);

// RFC 4180 CSV: summary.csv (one row per run) and by_district.csv (one row per run, district and KPI).
void write_campaign_csv(const std::string& folder, const output::CampaignSummary& summary);

}  // namespace citytwin::sim::campaign
