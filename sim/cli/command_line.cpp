#include "sim/cli/command_line.hpp"

#include <charconv>
#include <chrono>
#include <csignal>
#include <iostream>
#include <thread>

#include "sim/app/run.hpp"
#include "sim/campaign/campaign_mpi.hpp"

namespace citytwin::sim::cli {
namespace {
void on_interrupt(int) { app::request_stop(); }
}  // namespace

std::optional<po::variables_map> parse_command(const std::vector<std::string>& args,
                                               po::options_description& options,
                                               const Positional& positional) {
  options.add_options()("help,h", "this help");
  po::positional_options_description pos;
  if (positional.missing != nullptr) {
    options.add_options()(positional.name, po::value<std::string>(), positional.help);
    pos.add(positional.name, 1);
  }
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(options).positional(pos).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << options << "\n";
    return std::nullopt;
  }
  if (positional.missing != nullptr && !vm.count(positional.name)) throw po::error(positional.missing);
  return vm;
}

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sa.sa_flags = SA_RESETHAND;  // a second signal kills at once
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) sigaction(signal, &sa, nullptr);
}

bool report_error_here(double wait_s) {
  if (campaign::rank_from_mpirun_environment() == 0) return true;
  install_stop_handlers();  // mpirun's SIGTERM to end the job: a stop request, seen below
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(wait_s);
  while (!app::stop_requested() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return !app::stop_requested();
}

uint64_t parse_seed(const std::string& text) {
  uint64_t value = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || result.ec != std::errc() || result.ptr != text.data() + text.size())
    throw po::error("--seed: expected an unsigned 64-bit integer (0..18446744073709551615), got '" + text +
                    "'");
  return value;
}

}  // namespace citytwin::sim::cli
