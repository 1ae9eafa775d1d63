// citytwin command line: run, validate, describe, catalogue, --help, --version.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/app/cli_json.hpp"
#include "sim/app/describe.hpp"
#include "sim/app/kpi_report.hpp"
#include "sim/app/run.hpp"
#include "sim/app/run_budget.hpp"
#include "sim/app/version.hpp"
#include "sim/campaign/campaign_mpi.hpp"
#include "sim/city/resolve.hpp"
#include "sim/cli/command_line.hpp"
#include "sim/cli/sweep.hpp"
#include "sim/distributed/mpi_ranks.hpp"
#include "sim/network/wired_network.hpp"
#include "sim/rollout/compare.hpp"
#include "sim/scenario/scenario_loader.hpp"

using namespace citytwin::sim::cli;  // Exit, parse_command, po
namespace app = citytwin::sim::app;
namespace scenario = citytwin::sim::scenario;
namespace city = citytwin::sim::city;

namespace {

constexpr const char* kUsage =
    "usage: citytwin <command> [options]\n"
    "\n"
    "commands:\n"
    "  run FILE        run a scenario and write an HDF5 trace\n"
    "  validate FILE   check a scenario without running it\n"
    "  describe FILE   summarise the city it builds (devices, gateways, fibre, capacities) and the run's "
    "estimate\n"
    "  catalogue       list the device types of the catalogue (radio, interval, payload, battery)\n"
    "  compare FILE    run every phase of a rollout (x seeds) and compare KPIs and costs\n"
    "  sweep CAMPAIGN  run a campaign: a grid of overrides x seeds, on a process pool or MPI ranks\n"
    "\n"
    "run, describe and catalogue take --json for machine-readable output on stdout.\n"
    "run and validate print the scenario's warnings on stderr; --strict makes them errors.\n"
    "\n"
    "citytwin --help | --version\n";

po::options_description scenario_options() {
  po::options_description o("scenario options");
  o.add_options()(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override a scenario value: --set key.path=value (e.g. devices.0.interval=2min); repeatable")(
      "phase", po::value<std::string>(),
      "a rollout's phase, by name (= --set run.phase=NAME; default: the base)");
  return o;
}

// --set key.path=value ..., and --phase NAME as run.phase=NAME.
std::vector<std::string> scenario_overrides(const po::variables_map& vm) {
  auto overrides = vm.count("set") ? vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{};
  if (vm.count("phase")) overrides.push_back("run.phase=" + vm["phase"].as<std::string>());
  return overrides;
}

// Resolves the scenario as a run would (sim/city/resolve.hpp; errors throw ScenarioError) and prints
// its warnings on stderr.
void resolve_and_warn(const scenario::Scenario& sc, uint64_t seed, bool strict, bool print = true) {
  for (const scenario::Diagnostic& w : city::resolve(sc, seed, strict))
    if (print) std::cerr << w.to_string() << "\n";
}

// "<command> FILE [--set key.path=value ...]": the scenario it names, or nullopt after printing help.
std::optional<scenario::Scenario> load_from_args(const std::vector<std::string>& args,
                                                 const std::string& usage, std::string& file,
                                                 bool* json = nullptr, bool* strict = nullptr) {
  po::options_description o(usage);
  o.add(scenario_options());
  if (json != nullptr) o.add_options()("json", "print JSON on stdout");
  if (strict != nullptr) o.add_options()("strict", "treat the scenario's warnings as errors (exit 2)");
  const std::string missing = "a scenario FILE is needed: " + usage;
  const auto parsed = parse_command(args, o, {.missing = missing.c_str()});
  if (!parsed) return std::nullopt;
  const po::variables_map& vm = *parsed;
  file = vm["file"].as<std::string>();
  if (json != nullptr) *json = vm.count("json") > 0;
  if (strict != nullptr) *strict = vm.count("strict") > 0;
  return scenario::load_scenario_file(file, scenario_overrides(vm));
}

// The run's memory and time budget (sim/run_budget.hpp): validate and run refuse alike, as bad input.
bool within_budget(const scenario::Scenario& sc, const std::string& file, int threads, bool force) {
  try {
    app::check_run_budget(app::estimate_run(sc), app::available_memory_bytes(), threads, force);
    return true;
  } catch (const app::RunError& e) {
    if (report_error_here()) std::cerr << file << ": " << e.what() << "\n";
    return false;
  }
}

int validate(const std::vector<std::string>& args) {
  std::string file;
  bool strict = false;
  const auto sc = load_from_args(args, "citytwin validate FILE [--strict] [--set key.path=value ...]", file,
                                 nullptr, &strict);
  if (!sc) return kOk;
  resolve_and_warn(*sc, sc->run.seed, strict);
  if (!within_budget(*sc, file, app::run_thread_count(*sc, std::nullopt), false)) return kBadInput;
  std::cout << file << ": ok (" << app::describe_briefly(*sc) << ")\n";
  return kOk;
}

int describe(const std::vector<std::string>& args) {
  std::string file;
  bool json = false;
  const auto sc =
      load_from_args(args, "citytwin describe FILE [--json] [--set key.path=value ...]", file, &json);
  if (sc && json) std::cout << app::describe_json(*sc, file).dump(2) << "\n";
  if (sc && !json) std::cout << app::describe_topology(*sc);
  return kOk;
}

int catalogue(const std::vector<std::string>& args) {
  po::options_description o("citytwin catalogue [--json]");
  o.add_options()("json", "print JSON on stdout");
  const auto vm = parse_command(args, o, {});
  if (!vm) return kOk;
  if (vm->count("json"))
    std::cout << app::catalogue_json().dump(2) << "\n";
  else
    std::cout << app::catalogue_text();
  return kOk;
}

int run(const std::vector<std::string>& args) {
  po::options_description o("citytwin run FILE [options]");
  o.add_options()("output,o", po::value<std::string>(), "HDF5 trace to write (default: <scenario name>.h5)")(
      "seed", po::value<std::string>(), "master seed (overrides run.seed)")(
      "force", "run even when the estimated memory or time is beyond the budget")(
      "threads", po::value<int>(),
      "worker threads (default: the cores available; one for a city too small for more to pay)")(
      "quiet,q", "no progress lines")(
      "overwrite", "replace an existing trace at the output path (kept until the new one is complete)")(
      "strict", "treat the scenario's warnings as errors (exit 2)")(
      "json", "print the summary as JSON on stdout (instead of the report)");
  o.add(scenario_options());
  o.add_options()("cfg", po::value<std::vector<std::string>>()->composing(),
                  "SimGrid configuration: --cfg=key:value (e.g. contexts/factory:thread); repeatable");
  const auto parsed = parse_command(args, o, {.missing = "run needs a scenario FILE"});
  if (!parsed) return kOk;
  const po::variables_map& vm = *parsed;
  const std::string file = vm["file"].as<std::string>();
  const auto overrides = scenario_overrides(vm);
  if (vm.count("cfg")) {
    try {
      citytwin::sim::network::set_simgrid_config(vm["cfg"].as<std::vector<std::string>>());
    } catch (const citytwin::sim::network::SimgridConfigError& e) {
      std::cerr << "citytwin: " << e.what() << "\n";
      return kBadInput;
    }
  }
  // Ctrl-C, SIGTERM or SIGHUP: stop at the end of the current window (or abandon the city's set-up) and
  // finish the trace (complete = 0).
  install_stop_handlers();

  app::RunOptions options;
  if (vm.count("seed")) {
    try {
      options.seed = parse_seed(vm["seed"].as<std::string>());
    } catch (const po::error& e) {
      throw CommandLineError(e.what(), o);
    }
  }
  options.force = vm.count("force") > 0;
  if (vm.count("threads")) options.threads = vm["threads"].as<int>();
  if (options.threads && (*options.threads < 1 || *options.threads > 1024))
    throw CommandLineError("--threads: expected 1..1024, got " + std::to_string(*options.threads), o);
  options.strict = vm.count("strict") > 0;

  const scenario::Scenario sc = scenario::load_scenario_file(file, overrides);
  // Over MPI ranks every rank reads the same scenario: only rank 0 prints its warnings.
  const bool first_rank = citytwin::sim::campaign::rank_from_mpirun_environment() == 0;
  // What run() would refuse, refused here (exit 2, nothing written); the warnings printed once.
  resolve_and_warn(sc, options.seed.value_or(sc.run.seed), options.strict, first_rank);
  // An approximation is never silent (the trace records it too: /meta@radio_receptions, /kpi).
  if (sc.channel.approximate() && first_rank)
    std::cerr
        << "citytwin: radio.receptions: " << scenario::receptions_name(sc.channel.receptions)
        << ", K = " << sc.channel.strongest_k
        << ": an approximation: each LoRa frame is received, and interferes, only at the gateways of its "
        << sc.channel.strongest_k << " strongest links (docs/SCENARIO.md)\n";
  options.output_path = vm.count("output") ? vm["output"].as<std::string>()
                                           : std::filesystem::path(file).stem().string() + ".h5";
  options.progress = !vm.count("quiet");
  options.overwrite = vm.count("overwrite") > 0;

  // Without --threads: every core, or one for a city whose windows are too small for a second thread to
  // pay (sim/app/run_budget.hpp); said, since the machine has more.
  const int threads = app::run_thread_count(sc, options.threads);
  const int cores = app::default_thread_count();
  if (!options.threads && threads == 1 && cores > 1 && options.progress && first_rank) {
    char per_window[32];
    std::snprintf(per_window, sizeof per_window, "%.0f", app::receptions_per_window(app::estimate_run(sc)));
    std::cerr << "citytwin: one thread (~" << per_window
              << " receptions a window: too few for more threads to pay, bench/RESULTS.md); --threads "
              << cores << " to use every core\n";
  }
  // Ranks that mpirun started side by side share this node's cores (app::default_thread_count).
  if (const int ranks = app::ranks_on_this_node();
      !options.threads && ranks > 1 && options.progress && first_rank)
    std::cerr << "citytwin: " << ranks << " ranks on this node share its cores: " << threads
              << (threads == 1 ? " thread" : " threads") << " each (--threads to choose)\n";
  // More threads than cores take turns on them: allowed (results do not depend on it), but said, since the
  // run is then slower (the 100k bench city's 4 h: 1.30x the wall of two threads with 16 on 2 cores).
  if (options.threads && threads > cores && options.progress && first_rank)
    std::cerr
        << "citytwin: --threads " << threads << " on " << cores
        << " cores: the threads beyond the cores take turns with the others, which slows the run (results "
           "do not depend on the count)\n";
  if (!within_budget(sc, file, threads, options.force)) return kBadInput;
  // `mpirun -n R citytwin run`: one city over R ranks (sim/distributed); rank 0 writes and reports.
  std::unique_ptr<citytwin::sim::core::Ranks> ranks;
  if (citytwin::sim::campaign::launched_by_mpirun_with_several_ranks()) {
    ranks = citytwin::sim::distributed::make_mpi_ranks();
    options.ranks = ranks.get();
    if (ranks->rank() != 0) options.progress = false;
  }
  // Over ranks, a rank that fails ends every rank (none must wait in an exchange for it).
  const auto ended = [&](int status) {
    if (ranks) ranks->abort(status);
    return status;
  };
  app::RunSummary summary;
  try {
    summary = app::run(sc, options);
  } catch (const app::RunStopped& e) {
    std::cerr << "citytwin: " << e.what()
              << ", before the first window: the trace has no messages (complete = 0)\n";
    return ended(kInterrupted);
  } catch (const citytwin::sim::network::SimgridConfigError& e) {
    std::cerr << "citytwin: " << e.what() << "\n";
    return ended(kBadInput);
  } catch (const std::exception& e) {
    if (!ranks) throw;
    std::cerr << "citytwin: rank " << ranks->rank() << ": error: " << e.what() << "\n";
    ranks->abort(kRunFailed);
  }
  if (ranks && ranks->rank() != 0) return summary.complete ? kOk : kInterrupted;
  // The approximation's error grows with the gateways' demodulator saturation: say how saturated they were.
  for (const auto& [name, value] : summary.kpis)
    if (sc.channel.approximate() && name == "lora_demodulator_refused_ratio" && value > 0.0)
      std::cerr << "citytwin: radio.receptions: " << scenario::receptions_name(sc.channel.receptions) << ": "
                << std::fixed << std::setprecision(1) << 100.0 * value << std::defaultfloat
                << " % of the frames reaching a gateway's demodulators found them all busy"
                << (sc.channel.receptions == scenario::RadioChannel::Receptions::StrongestOnly
                        ? " (of the K receptions only: strongest_only ignores the rest)"
                        : "")
                << "; the approximation's error grows with it (bench/RESULTS.md, Strongest-K receptions)\n";
  if (vm.count("json"))
    std::cout << app::summary_json(summary).dump(2) << "\n";
  else
    std::cout << app::format_kpi_report(summary);
  return summary.complete ? kOk : kInterrupted;
}

// The Python package's directory next to this executable (build tree: bin/../python), for --plot.
std::string python_path() {
  std::error_code error;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", error);
  const auto here = error ? std::filesystem::path() : exe.parent_path().parent_path() / "python";
  std::string path = std::filesystem::exists(here / "citytwin") ? here.string() : "";
  if (const char* env = std::getenv("PYTHONPATH"); env != nullptr && *env != '\0')
    path = path.empty() ? env : path + ":" + env;
  return path;
}

// Draws the compare file's figure through the Python package (matplotlib): "" when it worked, else why not
// (the last line Python wrote: the exception, "No module named 'matplotlib'").
std::string plot_compare(const std::string& h5, const std::string& png) {
  const std::string python = python_path();
  if (!python.empty()) ::setenv("PYTHONPATH", python.c_str(), 1);
  const char* env_python = std::getenv("CITYTWIN_PYTHON");
  const std::string interpreter = env_python != nullptr && *env_python != '\0'  ? env_python
                                  : std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3"
                                                                                : "python3";
  const std::string command = interpreter +
                              " -c 'import sys; from citytwin import plot_compare; "
                              "plot_compare(sys.argv[1], sys.argv[2])' '" +
                              h5 + "' '" + png + "' 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), &::pclose);
  if (!pipe) return "cannot start " + interpreter;
  std::string output;
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe.get())) > 0;) output.append(buffer, n);
  const int status = ::pclose(pipe.release());
  if (status == 0) return "";
  while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) output.pop_back();
  const std::string last = output.substr(output.find_last_of('\n') + 1);
  return last.empty() ? interpreter + " exited with status " + std::to_string(status) : last;
}

int compare(const std::vector<std::string>& args) {
  po::options_description o(
      "citytwin compare FILE [--seeds N] [--jobs J] [-o compare.h5] [--plot compare.png] [--set "
      "key.path=value ...]");
  o.add_options()("seeds", po::value<int>()->default_value(1), "seeds per phase")(
      "jobs,j", po::value<int>()->default_value(app::default_thread_count()),
      "runs at once (child processes)")("output,o", po::value<std::string>()->default_value("compare.h5"),
                                        "HDF5 file to write")(
      "plot", po::value<std::string>(), "PNG figure to draw (matplotlib, through the Python package)")(
      "quiet,q", "no progress line");
  o.add_options()("set", po::value<std::vector<std::string>>()->composing(),
                  "override a scenario value in every phase: --set key.path=value; repeatable");
  const auto parsed = parse_command(args, o, {.missing = "compare needs a scenario FILE"});
  if (!parsed) return kOk;
  const po::variables_map& vm = *parsed;
  citytwin::sim::rollout::CompareOptions options;
  options.scenario_path = vm["file"].as<std::string>();
  options.overrides = vm.count("set") ? vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{};
  options.seeds = vm["seeds"].as<int>();
  options.jobs = vm["jobs"].as<int>();
  options.output_path = vm["output"].as<std::string>();
  options.progress = !vm.count("quiet");
  if (options.seeds < 1 || options.seeds > 1000) throw CommandLineError("--seeds: expected 1..1000", o);
  if (options.jobs < 1 || options.jobs > 1024) throw CommandLineError("--jobs: expected 1..1024", o);
  install_stop_handlers();
  options.stop = [] { return app::stop_requested(); };
  const citytwin::sim::rollout::CompareResult result = citytwin::sim::rollout::compare(options);
  for (const std::string& error : result.errors) std::cerr << "citytwin: " << error << "\n";
  std::cout << result.table;
  std::cout << "wrote " << options.output_path << "\n";
  if (vm.count("plot") && !result.data.summary.keys.empty()) {
    // The comparison is written: a figure that cannot be drawn is a warning, not a failed comparison.
    if (const std::string why = plot_compare(options.output_path, vm["plot"].as<std::string>()); !why.empty())
      std::cerr << "citytwin: warning: --plot: " << vm["plot"].as<std::string>() << " was not made (" << why
                << "); it needs the citytwin Python package, h5py and matplotlib. " << options.output_path
                << " is complete: citytwin.plot_compare() draws it later\n";
    else
      std::cout << "wrote " << vm["plot"].as<std::string>() << "\n";
  }
  if (app::stop_requested()) return kInterrupted;
  return result.errors.empty() ? kOk : kRunFailed;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << kUsage;
    return kBadInput;
  }
  const std::string command = args.front();
  args.erase(args.begin());
  try {
    if (command == "--help" || command == "-h" || command == "help") {
      std::cout << kUsage;
      return kOk;
    }
    if (command == "--version") {
      std::cout << "citytwin " << app::kVersion << "\n";
      return kOk;
    }
    if (command == "run") return run(args);
    if (command == "validate") return validate(args);
    if (command == "describe") return describe(args);
    if (command == "catalogue") return catalogue(args);
    if (command == "compare") return compare(args);
    if (command == "sweep") return sweep(args);
    std::cerr << "citytwin: unknown command '" << command << "'\n" << kUsage;
    return kBadInput;
  } catch (const scenario::ScenarioError& e) {
    if (report_error_here()) std::cerr << e.what() << "\n";
    return kBadInput;
  } catch (const citytwin::output::OutputPathError& e) {
    if (report_error_here()) std::cerr << "citytwin: " << e.what() << "\n";
    return kBadInput;
  } catch (const CommandLineError& e) {
    // The command's own usage (its --help), not the list of commands.
    if (report_error_here()) std::cerr << "citytwin: " << e.what() << "\n\n" << e.usage() << "\n";
    return kBadInput;
  } catch (const po::error& e) {
    if (report_error_here()) std::cerr << "citytwin: " << e.what() << "\n" << kUsage;
    return kBadInput;
  } catch (const std::exception& e) {
    if (report_error_here()) std::cerr << "citytwin: error: " << e.what() << "\n";
    return kRunFailed;
  }
}
