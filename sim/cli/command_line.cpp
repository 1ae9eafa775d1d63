#include "sim/cli/command_line.hpp"

#include <charconv>
#include <chrono>
#include <csignal>
#include <iostream>
#include <sstream>
#include <string_view>
#include <thread>

#include "sim/app/run.hpp"
#include "sim/campaign/campaign_mpi.hpp"
#include "sim/scenario/scenario_reader.hpp"

namespace citytwin::sim::cli {
namespace {
void on_interrupt(int) { app::request_stop(); }

std::string usage_of(const po::options_description& options) {
  std::ostringstream text;
  text << options;
  return text.str();
}

// --set values without '=': Boost takes `--set devices.0.interval 5min` for the value
// 'devices.0.interval' and a second positional '5min', and says only "too many positional options".
void check_set_values(const std::vector<std::string>& args, const po::options_description& options) {
  if (options.find_nothrow("set", false) == nullptr) return;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string value;
    std::size_t next = i + 1;
    if (args[i] == "--set" && i + 1 < args.size()) {
      value = args[i + 1];
      next = i + 2;
    } else if (args[i].rfind("--set=", 0) == 0) {
      value = args[i].substr(6);
    } else {
      continue;
    }
    if (value.find('=') != std::string::npos) continue;
    std::string message = "--set takes key.path=value: got '" + value + "'";
    if (next < args.size() && !args[next].empty() && args[next][0] != '-')
      message += " followed by '" + args[next] + "' (write --set " + value + "=" + args[next] + ")";
    throw CommandLineError(message, options);
  }
}

// Boost's "unrecognised option '--sett'", with the closest option of the command.
std::string unknown_option_message(const std::string& name, const po::options_description& options) {
  std::vector<std::string> names;
  for (const auto& option : options.options())
    if (!option->long_name().empty()) names.push_back(option->long_name());
  const std::vector<std::string_view> views(names.begin(), names.end());
  std::string bare = name;
  bare.erase(0, bare.find_first_not_of('-'));
  if (const auto equals = bare.find('='); equals != std::string::npos) bare.erase(equals);
  std::string message = "unknown option '" + name + "'";
  if (const auto hint = scenario::closest_match(bare, views)) message += " (did you mean '--" + *hint + "'?)";
  return message;
}

// "expected one scenario file, got 'a.yaml', 'b.yaml'": the arguments that are no option nor an option's
// value.
std::string too_many_message(const std::vector<std::string>& args, const po::options_description& options,
                             const Positional& positional) {
  std::string got;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.size() > 1 && arg[0] == '-') {
      const bool is_long = arg.rfind("--", 0) == 0;
      const std::string name = is_long ? arg.substr(2, arg.find('=') - 2) : arg.substr(1, 1);
      const po::option_description* option = options.find_nothrow(name, is_long);
      const bool inline_value = is_long ? arg.find('=') != std::string::npos : arg.size() > 2;
      if (option != nullptr && option->semantic()->max_tokens() > 0 && !inline_value) ++i;  // its value
      continue;
    }
    got += (got.empty() ? "'" : ", '") + arg + "'";
  }
  if (positional.missing == nullptr) return "unexpected argument " + got;
  return "expected one " + std::string(positional.help) + ", got " + got;
}

}  // namespace

CommandLineError::CommandLineError(const std::string& message, const po::options_description& options)
    : po::error(message), usage_(usage_of(options)) {}

std::optional<po::variables_map> parse_command(const std::vector<std::string>& args,
                                               po::options_description& options,
                                               const Positional& positional) {
  options.add_options()("help,h", "this help");
  po::positional_options_description pos;
  if (positional.missing != nullptr) {
    options.add_options()(positional.name, po::value<std::string>(), positional.help);
    pos.add(positional.name, 1);
  }
  check_set_values(args, options);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(options).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::unknown_option& e) {
    throw CommandLineError(unknown_option_message(e.get_option_name(), options), options);
  } catch (const po::too_many_positional_options_error&) {
    throw CommandLineError(too_many_message(args, options, positional), options);
  } catch (const po::error& e) {
    throw CommandLineError(e.what(), options);
  }
  if (vm.count("help")) {
    std::cout << options << "\n";
    return std::nullopt;
  }
  if (positional.missing != nullptr && !vm.count(positional.name))
    throw CommandLineError(positional.missing, options);
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
