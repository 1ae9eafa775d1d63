// Same scenario + same seed = the same /messages, bit for bit, whatever the thread count.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/isolated_run.hpp"
#include "sim_test_support.hpp"

namespace citytwin::sim {
namespace {

const std::vector<std::string> kColumns = {"device",     "t_tx_s",        "sf",
                                           "channel_hz", "airtime_s",     "gateways_heard",
                                           "delivered",  "t_delivered_s", "battery_mah_left"};

std::string run_quickstart(const test::TempDir& dir, const std::string& name, int threads, uint64_t seed) {
  RunOptions options;
  options.output_path = dir.file(name);
  options.threads = threads;
  options.seed = seed;
  options.progress = false;
  const IsolatedOutcome outcome =
      run_isolated({CITYTWIN_SOURCE_DIR "/scenarios/quickstart.yaml", false, {"run.duration=6 h"}}, options);
  EXPECT_EQ(outcome.status, IsolatedOutcome::Status::Ok) << outcome.error;
  return options.output_path;
}

TEST(Determinism, SameSeedSameMessagesWithOneAndTwoThreadsAndAcrossRuns) {
  test::TempDir dir;
  const std::string one = run_quickstart(dir, "one.h5", 1, 5);
  const std::string two = run_quickstart(dir, "two.h5", 2, 5);
  const std::string again = run_quickstart(dir, "again.h5", 2, 5);
  for (const std::string& column : kColumns) {
    const auto a = test::read_dataset_bytes(one, "/messages/" + column);
    EXPECT_FALSE(a.empty()) << column;
    EXPECT_EQ(a, test::read_dataset_bytes(two, "/messages/" + column)) << column << ": 1 vs 2 threads";
    EXPECT_EQ(a, test::read_dataset_bytes(again, "/messages/" + column)) << column << ": run vs rerun";
  }
}

TEST(Determinism, AnotherSeedGivesOtherMessages) {
  test::TempDir dir;
  const std::string a = run_quickstart(dir, "a.h5", 2, 5);
  const std::string b = run_quickstart(dir, "b.h5", 2, 6);
  EXPECT_NE(test::read_dataset_bytes(a, "/messages/t_tx_s"), test::read_dataset_bytes(b, "/messages/t_tx_s"));
}

}  // namespace
}  // namespace citytwin::sim
