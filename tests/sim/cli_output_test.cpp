// The command line's output path: refused before any simulation when it is not a regular file or is
// an existing trace without --overwrite; replaced only by a complete trace; a run that fails (a SimGrid
// deadlock, a full disk) exits non-zero and leaves nothing claiming completeness under the final name;
// a killed run's .partial opens in HDF5; two runs to one path do not destroy each other's work.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "sim_test_support.hpp"

namespace citytwin {
namespace {

namespace fs = std::filesystem;

const std::string kCli = CITYTWIN_CLI;

// One district, one gateway on fibre; count and duration set per test.
const std::string kCity =
    "city:\n"
    "  districts:\n"
    "    - {name: centre, origin: [0 m, 0 m], size: [1 km, 1 km]}\n"
    "devices:\n"
    "  - {name: meters, count: 20, districts: [centre], interval: 1 min, radio: {sf: 7}}\n"
    "gateways:\n"
    "  - {name: gw, position: [500 m, 500 m], backhaul: {fibre_length: 2 km}}\n"
    "run:\n"
    "  duration: 1 h\n"
    "  seed: 3\n";

// A run long enough to be interrupted or killed while it writes its trace.
// --force: ten years is past the run budget (sim/app/run_budget.hpp) on purpose: killed long before.
const std::string kLongRun = " --force --set devices.0.count=20000 --set run.duration=3650d";

bool exists(const std::string& path) {
  struct stat info {};
  return ::lstat(path.c_str(), &info) == 0;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Waits (in the shell) until FILE has passed 1 MB (the static tables of kLongRun take some 0.3 MB, a
// chunk of messages about 1 MB), then half a second more: a chunk or more of messages was flushed.
std::string wait_for_growth(const std::string& file) {
  return "while [ ! -e " + file + " ]; do sleep 0.05; done; for i in $(seq 1200); do [ $(stat -c %s " + file +
         ") -gt 1000000 ] && break; sleep 0.05; done; sleep 0.5; ";
}

TEST(CliOutput, OutputThatIsNotARegularFileIsRefusedBeforeRunning) {
  test::TempDir dir;
  const std::string scenario = dir.write("city.yaml", kCity);
  fs::create_directory(dir.file("a_dir"));
  ASSERT_EQ(::mkfifo(dir.file("a_fifo").c_str(), 0600), 0);
  std::ofstream(dir.file("precious.txt")) << "precious";
  fs::create_symlink(dir.file("precious.txt"), dir.file("a_link.h5"));
  // As root, "-o /dev/null" used to replace /dev/null with the trace.
  for (const std::string& out :
       {std::string("/dev/null"), dir.file("a_dir"), dir.file("a_fifo"), dir.file("a_link.h5")}) {
    const auto r = test::run_command(kCli + " run " + scenario + " -o " + out + " --overwrite");
    EXPECT_EQ(r.exit_code, 2) << out << "\n" << r.output;
    EXPECT_NE(r.output.find("'" + out + "'"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("citytwin: sim"), std::string::npos) << "it ran: " << r.output;
    EXPECT_FALSE(exists(out + ".partial")) << out;
  }
  struct stat info {};
  ASSERT_EQ(::stat("/dev/null", &info), 0);
  EXPECT_TRUE(S_ISCHR(info.st_mode));
  EXPECT_TRUE(fs::is_directory(dir.file("a_dir")));
  EXPECT_TRUE(fs::is_fifo(dir.file("a_fifo")));
  EXPECT_TRUE(fs::is_symlink(dir.file("a_link.h5")));
  EXPECT_EQ(slurp(dir.file("precious.txt")), "precious");
}

TEST(CliOutput, ExistingTraceIsReplacedOnlyWithOverwrite) {
  test::TempDir dir;
  const std::string scenario = dir.write("city.yaml", kCity);
  const std::string out = dir.file("run.h5");
  ASSERT_EQ(test::run_command(kCli + " run -q " + scenario + " -o " + out).exit_code, 0);
  const auto again = test::run_command(kCli + " run -q " + scenario + " -o " + out + " --seed 9");
  EXPECT_EQ(again.exit_code, 2) << again.output;
  EXPECT_NE(again.output.find("'" + out + "' already exists"), std::string::npos) << again.output;
  EXPECT_NE(again.output.find("--overwrite"), std::string::npos) << again.output;
  EXPECT_EQ(test::read_int_attribute(out, "/meta", "seed"), 3);
  EXPECT_FALSE(exists(out + ".partial"));
  const auto replaced =
      test::run_command(kCli + " run -q " + scenario + " -o " + out + " --seed 9 --overwrite");
  ASSERT_EQ(replaced.exit_code, 0) << replaced.output;
  EXPECT_EQ(test::read_int_attribute(out, "/meta", "seed"), 9);
  EXPECT_EQ(test::read_int_attribute(out, "/meta", "complete"), 1);
}

// A SimGrid deadlock used to end in exit 0 with complete = 1 and one uplink. It is a failed run: exit 1
// (or 2 where the loader refuses the value outright), the old trace untouched, nothing new under the
// final name.
TEST(CliOutput, DeadlockFailsTheRunAndKeepsTheOldTrace) {
  test::TempDir dir;
  const std::string scenario = dir.write("city.yaml", kCity);
  const std::string out = dir.file("run.h5");
  ASSERT_EQ(test::run_command(kCli + " run -q " + scenario + " -o " + out).exit_code, 0);
  const auto r = test::run_command(kCli + " run -q " + scenario + " -o " + out +
                                   " --overwrite --seed 9 --set 'gateways.0.backhaul.fibre_length=1e308 km'");
  ASSERT_NE(r.exit_code, 0) << r.output;
  EXPECT_EQ(test::read_int_attribute(out, "/meta", "seed"), 3);
  EXPECT_EQ(test::read_int_attribute(out, "/meta", "complete"), 1);
  if (r.exit_code == 1) {
    EXPECT_NE(r.output.find("deadlock"), std::string::npos) << r.output;
    EXPECT_EQ(test::read_int_attribute(out + ".partial", "/meta", "complete"), 0);
    EXPECT_EQ(test::read_int_attribute(out + ".partial", "/meta", "seed"), 9);
  } else {
    EXPECT_EQ(r.exit_code, 2) << r.output;
  }
}

// The second run is refused before running; the first, stopped by SIGTERM, finishes its trace with
// complete = 0 and exit 130.
TEST(CliOutput, SecondRunToTheSamePathIsRefusedAndTheFirstFinishes) {
  test::TempDir dir;
  const std::string scenario = dir.write("city.yaml", kCity);
  const std::string out = dir.file("run.h5");
  const std::string script = kCli + " run -q " + scenario + " -o " + out + kLongRun + " & pid=$!; " +
                             wait_for_growth(out + ".partial") + kCli + " run -q " + scenario + " -o " + out +
                             " --overwrite; echo second=$?; kill -TERM $pid; wait $pid; echo first=$?";
  const auto r = test::run_command("sh -c '" + script + "'");
  EXPECT_NE(r.output.find("another run is writing '" + out + ".partial'"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("second=2"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("first=130"), std::string::npos) << r.output;
  EXPECT_EQ(test::read_int_attribute(out, "/meta", "complete"), 0);
  EXPECT_FALSE(test::read_dataset_bytes(out, "/messages/t_tx_s").empty());
}

// SIGKILL: no handler runs. The .partial file still opens, with /meta and every flushed chunk.
TEST(CliOutput, KilledRunLeavesAReadablePartial) {
  test::TempDir dir;
  const std::string scenario = dir.write("city.yaml", kCity);
  const std::string out = dir.file("run.h5");
  const std::string script = kCli + " run -q " + scenario + " -o " + out + kLongRun + " & pid=$!; " +
                             wait_for_growth(out + ".partial") + "kill -KILL $pid; wait $pid; echo killed=$?";
  const auto r = test::run_command("sh -c '" + script + "'");
  ASSERT_NE(r.output.find("killed=137"), std::string::npos) << r.output;
  EXPECT_FALSE(exists(out));
  const std::string partial = out + ".partial";
  EXPECT_EQ(test::read_int_attribute(partial, "/meta", "complete"), 0);
  EXPECT_EQ(test::read_int_attribute(partial, "/meta", "seed"), 3);
  const int rows = test::read_int_attribute(partial, "/messages", "rows_written");
  EXPECT_GE(rows, 65536) << "no chunk flushed before the kill";
  const auto t = test::read_doubles(partial, "/messages/t_tx_s");
  ASSERT_GE(t.size(), static_cast<size_t>(rows));
  for (int i = 1; i < rows; ++i) ASSERT_LE(t[i - 1], t[i]) << "row " << i;  // ordered by t_tx_s
  EXPECT_GT(t[static_cast<size_t>(rows) - 1], 0.0);
}

// A full disk: a clear error naming the file, exit 1, no crash at exit (HDF5 1.10 used to segfault),
// and the trace so far kept as .partial, marked incomplete. Runs in a private mount namespace with a
// 1.2 MB tmpfs (skipped where namespaces or tmpfs mounts are not allowed).
TEST(CliOutput, FullDiskIsAClearErrorAndNoCrash) {
  test::TempDir dir;
  const std::string scenario = dir.write("city.yaml", kCity);
  const std::string disk = dir.file("disk");
  const std::string kept = dir.file("kept");
  fs::create_directory(disk);
  fs::create_directory(kept);
  const std::string inner =
      "mount -t tmpfs -o size=1200k tmpfs " + disk + " || exit 77; " + kCli + " run -q " + scenario + " -o " +
      disk + "/run.h5 --set devices.0.count=3000; echo exit=$?; cp " + disk + "/* " + kept + "/";
  const auto r = test::run_command("unshare -rm sh -c '" + inner + "'");
  if (r.exit_code == 77 || r.output.find("unshare:") != std::string::npos)
    GTEST_SKIP() << "no private tmpfs here: " << r.output;
  EXPECT_NE(r.output.find("exit=1\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("No space left on device"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("'" + disk + "/run.h5.partial'"), std::string::npos) << r.output;
  EXPECT_FALSE(exists(kept + "/run.h5"));
  EXPECT_EQ(test::read_int_attribute(kept + "/run.h5.partial", "/meta", "complete"), 0);
  EXPECT_EQ(test::read_int_attribute(kept + "/run.h5.partial", "/meta", "seed"), 3);
  (void)test::read_dataset_bytes(kept + "/run.h5.partial", "/messages/t_tx_s");  // throws if unreadable
}

// The file size limit (ulimit -f) likewise: exit 1 naming the file, no crash, no SIGXFSZ.
TEST(CliOutput, FileSizeLimitIsAClearErrorAndNoCrash) {
  test::TempDir dir;
  const std::string scenario = dir.write("city.yaml", kCity);
  const std::string out = dir.file("run.h5");
  const auto r = test::run_command("sh -c 'ulimit -f 3000 && " + kCli + " run -q " + scenario + " -o " + out +
                                   " --set devices.0.count=3000; echo exit=$?'");
  EXPECT_NE(r.output.find("exit=1\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("File too large"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("'" + out + ".partial'"), std::string::npos) << r.output;
  EXPECT_FALSE(exists(out));
  EXPECT_EQ(test::read_int_attribute(out + ".partial", "/meta", "complete"), 0);
  (void)test::read_dataset_bytes(out + ".partial", "/messages/t_tx_s");  // throws if unreadable
}

}  // namespace
}  // namespace citytwin
