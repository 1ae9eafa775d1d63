// SIGINT, SIGTERM and SIGHUP stop a run promptly with exit 130 and a finished trace (complete = 0), in the
// city's set-up (a 5 M-device city takes about a minute to set up) as well as between windows.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

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

// This process's children, from /proc (their parent pid, the 4th field of /proc/PID/stat).
std::vector<pid_t> children_of_this_process() {
  std::vector<pid_t> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    const size_t close = line.rfind(')');  // the command may hold spaces and parentheses
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 1));
    std::string state;
    long ppid = 0;
    rest >> state >> ppid;
    if (ppid == getpid()) out.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return out;
}

// `citytwin compare` runs its phases in child processes: killed with SIGKILL (no handler can run), it
// leaves them without a parent, and they must stop by themselves (finishing their traces as a stop does)
// instead of simulating ten years unwatched. This process becomes their reaper, to see them end.
TEST(StopSignal, ChildRunsStopWhenTheirParentIsKilled) {
  test::TempDir dir;
  ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  const std::string log = dir.file("output.txt");
  const std::string out = dir.file("compare.h5");
  const pid_t pid = fork();
  if (pid == 0) {
    if (!std::freopen(log.c_str(), "w", stdout) || dup2(fileno(stdout), STDERR_FILENO) < 0) _exit(99);
    execl(CITYTWIN_CLI, CITYTWIN_CLI, "compare", CITYTWIN_SOURCE_DIR "/scenarios/seoul_rollout.yaml", "-q",
          "--jobs", "2", "-o", out.c_str(), "--set", "run.duration=200d", static_cast<char*>(nullptr));
    _exit(98);
  }
  // Until both phases' children run (compare forks them once it has read the scenario).
  const auto start = Clock::now();
  std::vector<pid_t> runs;
  while (Clock::now() - start < std::chrono::seconds(30)) {
    runs.clear();
    for (const pid_t c : children_of_this_process())
      if (c != pid) runs.push_back(c);
    std::ifstream proc("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
    for (pid_t c = 0; proc >> c;) runs.push_back(c);
    if (runs.size() >= 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_GE(runs.size(), 2u) << "compare started no child runs";
  std::this_thread::sleep_for(std::chrono::seconds(1));  // into their simulations
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  // The orphans are ours now: every one must exit by itself, soon.
  const auto killed = Clock::now();
  int stopped = 0, signalled = 0;
  for (;;) {
    const pid_t done = waitpid(-1, &status, WNOHANG);
    if (done < 0 && errno == ECHILD) break;  // none left
    if (done > 0) {
      ++stopped;
      signalled += WIFSIGNALED(status) ? 1 : 0;
      continue;
    }
    if (Clock::now() - killed > std::chrono::seconds(20)) {
      for (const pid_t c : children_of_this_process()) kill(c, SIGKILL);
      while (waitpid(-1, &status, 0) > 0) {
      }
      ADD_FAILURE() << "the child runs were still running 20 s after their parent was killed";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  prctl(PR_SET_CHILD_SUBREAPER, 0);
  EXPECT_GE(stopped, 2);
  EXPECT_EQ(signalled, 0) << "a child run was killed by a signal instead of stopping";
}

INSTANTIATE_TEST_SUITE_P(Signals, StopSignal, testing::Values(SIGINT, SIGTERM, SIGHUP),
                         [](const testing::TestParamInfo<int>& p) {
                           return std::string(sigabbrev_np(p.param));
                         });

}  // namespace
}  // namespace citytwin
