// What every `citytwin` command shares: its exit codes, the parse of its options (Boost.Program_options)
// with --help and one positional file, and the handlers that turn Ctrl-C, SIGTERM and SIGHUP into a stop
// at the next window.
#pragma once

#include <boost/program_options.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace citytwin::sim::cli {

namespace po = boost::program_options;

// 0 done, 1 the run failed, 2 bad command line or scenario, 130 stopped (Ctrl-C, SIGTERM, SIGHUP).
enum Exit : int { kOk = 0, kRunFailed = 1, kBadInput = 2, kInterrupted = 130 };

// The positional argument of a command: its option name, its help, and the error when it is missing.
struct Positional {
  const char* name = "file";
  const char* help = "scenario file";
  const char* missing = nullptr;  // nullptr: the command takes none
};

// A bad command line: what is wrong, and the usage of the command it was given to (its --help), which
// main prints after the message instead of the list of commands.
class CommandLineError : public po::error {
 public:
  CommandLineError(const std::string& message, const po::options_description& options);
  const std::string& usage() const { return usage_; }

 private:
  std::string usage_;
};

// Parses args against options (to which it adds --help and the positional). nullopt after printing
// the help; throws CommandLineError on a bad or missing argument: an unknown option with the closest
// one ("unknown option '--sett' (did you mean '--set'?)"), a --set value without '=' with what followed
// it (the value's "5min" of `--set devices.0.interval 5min`, else taken for a second FILE).
std::optional<po::variables_map> parse_command(const std::vector<std::string>& args,
                                               po::options_description& options,
                                               const Positional& positional);

// Ctrl-C, SIGTERM or SIGHUP request a stop (app::request_stop: the run finishes its window and its
// trace, complete = 0); a second signal kills at once.
void install_stop_handlers();

// Whether this process should print an error found before the ranks of `mpirun -n R citytwin ...` exchange
// anything (a bad scenario, option or budget: every rank reads the same command line and files and finds
// the same error). Rank 0, and a process not under mpirun: yes. Another rank waits up to `wait`: when rank 0
// failed too, mpirun ends the job meanwhile (a stop requested, or the process killed) and the error is
// printed once, by rank 0; an error that is this rank's own (a file only its node lacks) is still printed.
bool report_error_here(double wait_s = 2.0);

// --seed: a decimal unsigned 64-bit integer, as run.seed is read ("-1" is refused, not wrapped).
uint64_t parse_seed(const std::string& text);

}  // namespace citytwin::sim::cli
