// citytwin command line: run, validate, --help, --version.
#include <boost/program_options.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "sim/describe.hpp"
#include "sim/kpi_report.hpp"
#include "sim/run.hpp"
#include "sim/scenario_loader.hpp"
#include "sim/version.hpp"
#include "sim/wired_network.hpp"

namespace po = boost::program_options;
namespace ct = citytwin::sim;

namespace {

constexpr const char* kUsage =
    "usage: citytwin <command> [options]\n"
    "\n"
    "commands:\n"
    "  run FILE        run a scenario and write an HDF5 trace\n"
    "  validate FILE   check a scenario without running it\n"
    "  describe FILE   summarise the city it builds: devices, gateways, fibre, capacities\n"
    "\n"
    "citytwin --help | --version\n";

// Exit codes: 0 done, 1 the run failed, 2 bad command line or scenario, 130 stopped (Ctrl-C, SIGTERM,
// SIGHUP).
enum Exit : int { kOk = 0, kRunFailed = 1, kBadInput = 2, kInterrupted = 130 };

void on_interrupt(int) { ct::request_stop(); }

po::options_description scenario_options() {
  po::options_description o("scenario options");
  o.add_options()(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override a scenario value: --set key.path=value (e.g. devices.0.interval=2min); repeatable");
  return o;
}

// "<command> FILE [--set key.path=value ...]": the scenario it names, or nullopt after printing help.
std::optional<ct::Scenario> load_from_args(const std::vector<std::string>& args, const std::string& usage,
                                           std::string& file) {
  po::options_description o(usage);
  o.add(scenario_options());
  o.add_options()("help,h", "this help")("file", po::value<std::string>(), "scenario file");
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(o).positional(pos).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << o << "\n";
    return std::nullopt;
  }
  if (!vm.count("file")) throw po::error("a scenario FILE is needed: " + usage);
  file = vm["file"].as<std::string>();
  const auto overrides =
      vm.count("set") ? vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{};
  return ct::load_scenario_file(file, overrides);
}

int validate(const std::vector<std::string>& args) {
  std::string file;
  const auto sc = load_from_args(args, "citytwin validate FILE [--set key.path=value ...]", file);
  if (sc) std::cout << file << ": ok (" << ct::describe_briefly(*sc) << ")\n";
  return kOk;
}

int describe(const std::vector<std::string>& args) {
  std::string file;
  const auto sc = load_from_args(args, "citytwin describe FILE [--set key.path=value ...]", file);
  if (sc) std::cout << ct::describe_topology(*sc);
  return kOk;
}

int run(const std::vector<std::string>& args) {
  po::options_description o("citytwin run FILE [options]");
  o.add_options()("help,h", "this help")("output,o", po::value<std::string>(),
                                         "HDF5 trace to write (default: <scenario name>.h5)")(
      "seed", po::value<uint64_t>(), "master seed (overrides run.seed)")(
      "threads", po::value<int>(), "worker threads (default: the cores available)")(
      "quiet,q", "no progress line")("file", po::value<std::string>(), "scenario file");
  o.add(scenario_options());
  o.add_options()("cfg", po::value<std::vector<std::string>>()->composing(),
                  "SimGrid configuration: --cfg=key:value (e.g. contexts/factory:thread); repeatable");
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(o).positional(pos).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << o << "\n";
    return kOk;
  }
  if (!vm.count("file")) throw po::error("run needs a scenario FILE");
  const std::string file = vm["file"].as<std::string>();
  const auto overrides =
      vm.count("set") ? vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{};
  if (vm.count("cfg")) {
    for (const std::string& item : vm["cfg"].as<std::vector<std::string>>())
      if (item.find(':') == std::string::npos || item.front() == ':')
        throw po::error("--cfg: expected key:value (e.g. contexts/factory:thread), got '" + item + "'");
    ct::set_simgrid_config(vm["cfg"].as<std::vector<std::string>>());
  }
  // Ctrl-C, SIGTERM or SIGHUP: stop at the end of the current window (or abandon the city's set-up) and
  // finish the trace (complete = 0).
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sa.sa_flags = SA_RESETHAND;  // a second signal kills at once
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) sigaction(signal, &sa, nullptr);

  const ct::Scenario sc = ct::load_scenario_file(file, overrides);

  ct::RunOptions options;
  if (vm.count("seed")) options.seed = vm["seed"].as<uint64_t>();
  if (vm.count("threads")) options.threads = vm["threads"].as<int>();
  options.output_path = vm.count("output") ? vm["output"].as<std::string>()
                                           : std::filesystem::path(file).stem().string() + ".h5";
  options.progress = !vm.count("quiet");

  ct::RunSummary summary;
  try {
    summary = ct::run(sc, options);
  } catch (const ct::RunStopped& e) {
    std::cerr << "citytwin: " << e.what() << ", before the first window: " << options.output_path
              << " has no messages (complete = 0)\n";
    return kInterrupted;
  } catch (const ct::SimgridConfigError& e) {
    std::cerr << "citytwin: " << e.what() << "\n";
    return kBadInput;
  }
  std::cout << ct::format_kpi_report(summary);
  return summary.complete ? kOk : kInterrupted;
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
      std::cout << "citytwin " << ct::kVersion << "\n";
      return kOk;
    }
    if (command == "run") return run(args);
    if (command == "validate") return validate(args);
    if (command == "describe") return describe(args);
    std::cerr << "citytwin: unknown command '" << command << "'\n" << kUsage;
    return kBadInput;
  } catch (const ct::ScenarioError& e) {
    std::cerr << e.what() << "\n";
    return kBadInput;
  } catch (const po::error& e) {
    std::cerr << "citytwin: " << e.what() << "\n" << kUsage;
    return kBadInput;
  } catch (const std::exception& e) {
    std::cerr << "citytwin: error: " << e.what() << "\n";
    return kRunFailed;
  }
}
