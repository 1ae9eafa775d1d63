#include "sim/campaign/sweep_command.hpp"

#include <boost/program_options.hpp>
#include <csignal>
#include <filesystem>
#include <iostream>

#include "sim/app/run.hpp"
#include "sim/campaign/campaign.hpp"
#include "sim/campaign/campaign_mpi.hpp"

namespace citytwin::sim::campaign {
namespace {

namespace po = boost::program_options;

void on_interrupt(int) { app::request_stop(); }

}  // namespace

int sweep_command(const std::vector<std::string>& args) {
  po::options_description o("citytwin sweep CAMPAIGN.yaml [options]");
  o.add_options()("help,h", "this help")(
      "jobs,j", po::value<int>(),
      "runs at once (default: the campaign's jobs, else the cores available; "
      "1 per MPI rank)")("quiet,q", "no progress line")(
      "dry-run", "list the runs (id, overrides, seed, trace) and whether each is already made; run nothing")(
      "file", po::value<std::string>(), "campaign file");
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(o).positional(pos).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << o << "\n";
    return 0;
  }
  if (!vm.count("file")) throw po::error("sweep needs a CAMPAIGN file");
  const Campaign campaign = load_campaign_file(vm["file"].as<std::string>());
  CampaignOptions options;
  if (vm.count("jobs")) {
    options.jobs = vm["jobs"].as<int>();
    if (options.jobs < 1 || options.jobs > 4096)
      throw po::error("--jobs: expected 1..4096, got " + std::to_string(options.jobs));
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
    return 0;
  }

  // Ctrl-C, SIGTERM, SIGHUP: the children stop at their next window, no run starts, the summary lists
  // what finished. A second signal kills at once.
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sa.sa_flags = SA_RESETHAND;
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) sigaction(signal, &sa, nullptr);

  CampaignResult result;
  int rank = 0;
  if (launched_by_mpirun_with_several_ranks()) {
    if (!mpi_available()) {
      std::cerr << "citytwin: started by mpirun with several ranks, but this citytwin was built without MPI "
                   "(install libopenmpi-dev and rebuild)\n";
      return 2;
    }
    result = run_campaign_mpi(campaign, options, rank);
  } else {
    result = run_campaign(campaign, options);
  }
  if (rank != 0) return result.stopped ? 130 : (result.failed > 0 ? 1 : 0);
  for (size_t i = 0; i < result.rows.size(); ++i)
    if (result.rows[i].status == "failed")
      std::cerr << "citytwin: run " << result.rows[i].run_id << " (" << describe_run(campaign, result.runs[i])
                << ") failed: " << result.rows[i].error << "\n";
  std::cout << campaign.out << "/summary.h5: " << result.runs.size() << " runs, " << result.executed
            << " made, " << result.reused << " reused, " << result.failed << " failed"
            << (result.stopped ? ", stopped before the rest" : "") << "\n";
  if (result.stopped) return 130;
  return result.failed > 0 ? 1 : 0;
}

}  // namespace citytwin::sim::campaign
