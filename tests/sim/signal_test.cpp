// SIGINT, SIGTERM and SIGHUP stop a run promptly with exit 130 and a finished trace (complete = 0), in the
// city's set-up (a 5 M-device city takes about a minute to set up) as well as between windows.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "sim_test_support.hpp"

namespace citytwin {
namespace {

using Clock = std::chrono::steady_clock;

struct Stopped {
  int exit_code = -1;    // 128 + signal when killed by one
  double seconds = 0.0;  // from the signal to the exit
  std::string output;    // stderr and stdout
};

// Runs the CLI with args, sends `signal` after `delay`, and waits (at most 60 s) for it to exit.
Stopped run_and_signal(const test::TempDir& dir, const std::vector<std::string>& args, int signal,
                       std::chrono::milliseconds delay) {
  const std::string log = dir.file("output.txt");
  std::vector<std::string> argv_text = {CITYTWIN_CLI};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    if (!std::freopen(log.c_str(), "w", stdout) || dup2(fileno(stdout), STDERR_FILENO) < 0) _exit(99);
    execv(argv[0], argv.data());
    _exit(98);
  }
  std::this_thread::sleep_for(delay);
  const auto sent = Clock::now();
  kill(pid, signal);
  Stopped r;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (Clock::now() - sent > std::chrono::seconds(60)) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - sent).count();
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::stringstream text;
  text << std::ifstream(log).rdbuf();
  r.output = text.str();
  return r;
}

class StopSignal : public testing::TestWithParam<int> {};

TEST_P(StopSignal, StopsTheSetUpOfABigCityWithinSeconds) {
  test::TempDir dir;
  const std::string out = dir.file("big.h5");
  // 5 M parking sensors: the placement and the radio links take about a minute; stopped after 1 s.
  const Stopped r = run_and_signal(dir,
                                   {"run", CITYTWIN_SOURCE_DIR "/scenarios/quickstart.yaml", "-q",
                                    "--threads", "2", "-o", out, "--set", "devices.1.count=5000000"},
                                   GetParam(), std::chrono::seconds(1));
  EXPECT_EQ(r.exit_code, 130) << r.output;
  EXPECT_LT(r.seconds, 5.0) << r.output;
  EXPECT_NE(r.output.find("before the first window"), std::string::npos) << r.output;
  ASSERT_TRUE(std::filesystem::exists(out)) << r.output;
  EXPECT_FALSE(std::filesystem::exists(out + ".partial"));
  EXPECT_EQ(test::read_int_attribute(out, "/meta", "complete"), 0);
}

TEST_P(StopSignal, StopsARunningSimulationAtTheNextWindow) {
  test::TempDir dir;
  const std::string out = dir.file("long.h5");
  const Stopped r = run_and_signal(dir,
                                   {"run", CITYTWIN_SOURCE_DIR "/scenarios/quickstart.yaml", "-q", "-o", out,
                                    "--set", "run.duration=3650d"},
                                   GetParam(), std::chrono::seconds(2));
  EXPECT_EQ(r.exit_code, 130) << r.output;
  EXPECT_LT(r.seconds, 5.0) << r.output;
  EXPECT_NE(r.output.find("INCOMPLETE"), std::string::npos) << r.output;
  EXPECT_EQ(test::read_int_attribute(out, "/meta", "complete"), 0);
  EXPECT_FALSE(test::read_dataset_bytes(out, "/messages/t_tx_s").empty());
}

INSTANTIATE_TEST_SUITE_P(Signals, StopSignal, testing::Values(SIGINT, SIGTERM, SIGHUP),
                         [](const testing::TestParamInfo<int>& p) {
                           return std::string(sigabbrev_np(p.param));
                         });

}  // namespace
}  // namespace citytwin
