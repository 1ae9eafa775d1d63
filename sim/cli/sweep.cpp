#include "sim/cli/sweep.hpp"

#include <filesystem>
#include <iostream>

#include "sim/app/run.hpp"
#include "sim/campaign/campaign.hpp"
#include "sim/campaign/campaign_mpi.hpp"
#include "sim/cli/command_line.hpp"

namespace citytwin::sim::cli {

using namespace campaign;

int sweep(const std::vector<std::string>& args) {
  po::options_description o("citytwin sweep CAMPAIGN.yaml [options]");
  o.add_options()("jobs,j", po::value<int>(),
                  "runs at once (default: the campaign's jobs, else the cores available; "
                  "1 per MPI rank)")("quiet,q", "no progress line")(
      "dry-run", "list the runs (id, overrides, seed, trace) and whether each is already made; run nothing");
  const auto parsed = parse_command(
      args, o, {.name = "file", .help = "campaign file", .missing = "sweep needs a CAMPAIGN file"});
  if (!parsed) return kOk;
  const po::variables_map& vm = *parsed;
  const Campaign campaign = load_campaign_file(vm["file"].as<std::string>());
  CampaignOptions options;
  if (vm.count("jobs")) {
    options.jobs = vm["jobs"].as<int>();
    if (options.jobs < 1 || options.jobs > 4096)
      throw CommandLineError("--jobs: expected 1..4096, got " + std::to_string(options.jobs), o);
  }
  options.progress = !vm.count("quiet");

  if (vm.count("dry-run")) {
    const std::vector<CampaignRun> runs = expand_campaign(campaign);
    std::vector<size_t> to_run;
    reuse_finished(campaign, runs, to_run);
    std::vector<bool> pending(runs.size(), false);
    for (size_t i : to_run) pending[i] = true;
    for (const CampaignRun& run : runs)
      std::cout << run.id << "  " << (pending[run.index] ? "to run" : "done  ") << "  "
                << describe_run(campaign, run) << "  " << run.trace_path << "\n";
    std::cout << runs.size() << " runs, " << to_run.size() << " to run\n";
    return kOk;
  }

  // Ctrl-C, SIGTERM, SIGHUP: the children stop at their next window, no run starts, the summary lists
  // what finished. A second signal kills at once.
  install_stop_handlers();

  CampaignResult result;
  int rank = 0;
  if (launched_by_mpirun_with_several_ranks()) {
    if (!mpi_available()) {
      std::cerr << "citytwin: started by mpirun with several ranks, but this citytwin was built without MPI "
                   "(install libopenmpi-dev and rebuild)\n";
      return kBadInput;
    }
    result = run_campaign_mpi(campaign, options, rank);
  } else {
    result = run_campaign(campaign, options);
  }
  const int exit = result.stopped ? kInterrupted : (result.failed > 0 ? kRunFailed : kOk);
  if (rank != 0) return exit;
  for (size_t i = 0; i < result.rows.size(); ++i)
    if (result.rows[i].status == "failed")
      std::cerr << "citytwin: run " << result.rows[i].run_id << " (" << describe_run(campaign, result.runs[i])
                << ") failed: " << result.rows[i].error << "\n";
  std::cout << campaign.out << "/summary.h5: " << result.runs.size() << " runs, " << result.executed
            << " made, " << result.reused << " reused, " << result.failed << " failed"
            << (result.stopped ? ", stopped before the rest" : "") << "\n";
  return exit;
}

}  // namespace citytwin::sim::cli
