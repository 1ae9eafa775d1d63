// --cfg passes configuration to SimGrid (e.g. thread contexts, which AddressSanitizer understands);
// a malformed or unknown item is bad input (exit 2), named.
#include <gtest/gtest.h>

#include <string>

#include "sim_test_support.hpp"

namespace citytwin {
namespace {

const std::string kRun = std::string(CITYTWIN_CLI) +
                         " run " CITYTWIN_SOURCE_DIR
                         "/scenarios/flood_outage.yaml -q --threads 2 --set run.duration=6h";

TEST(CliCfg, ThreadContextsGiveTheSameMessagesAsTheDefault) {
  test::TempDir dir;
  const auto a = test::run_command(kRun + " -o " + dir.file("a.h5"));
  const auto b = test::run_command(kRun + " -o " + dir.file("b.h5") + " --cfg=contexts/factory:thread");
  ASSERT_EQ(a.exit_code, 0) << a.output;
  ASSERT_EQ(b.exit_code, 0) << b.output;
  for (const char* column : {"/messages/t_tx_s", "/messages/t_delivered_s", "/messages/failure"})
    EXPECT_EQ(test::read_dataset_bytes(dir.file("a.h5"), column),
              test::read_dataset_bytes(dir.file("b.h5"), column))
        << column;
}

TEST(CliCfg, MalformedItemIsBadInput) {
  test::TempDir dir;
  const auto r = test::run_command(kRun + " -o " + dir.file("x.h5") + " --cfg=contexts/factory");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--cfg: expected key:value"), std::string::npos) << r.output;
}

TEST(CliCfg, UnknownKeyIsBadInputNamedBySimGrid) {
  test::TempDir dir;
  const auto r = test::run_command(kRun + " -o " + dir.file("x.h5") + " --cfg=no/such:key");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("SimGrid configuration (--cfg): Bad config key: no/such"), std::string::npos)
      << r.output;
  EXPECT_LT(r.output.size(), 400u) << "SimGrid's list of every key is left out";
}

}  // namespace
}  // namespace citytwin
