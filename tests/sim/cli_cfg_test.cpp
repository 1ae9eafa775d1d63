// --cfg passes configuration to SimGrid (e.g. thread contexts, which AddressSanitizer understands);
// a malformed or unknown item is bad input (exit 2), named.
#include <gtest/gtest.h>

#include <filesystem>
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

TEST(CliCfg, UnknownKeyIsBadInputWithTheKeysThatArePassed) {
  test::TempDir dir;
  const auto r = test::run_command(kRun + " -o " + dir.file("x.h5") + " --cfg=no/such:key");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--cfg no/such:key: citytwin passes only these SimGrid settings: contexts/factory"),
            std::string::npos)
      << r.output;
  EXPECT_LT(r.output.size(), 400u) << "one line, not SimGrid's list of every key";
}

// Each of these aborted (134), crashed (139) or hung SimGrid 3.32 before it was checked by citytwin.
TEST(CliCfg, ValuesSimGridWouldDieOnAreBadInputBeforeAnythingIsWritten) {
  test::TempDir dir;
  const std::string out = dir.file("x.h5");
  for (const char* item : {"network/model:FOO", "network/model:LV08", "contexts/factory:FOO",
                           "network/optim:FOO", "cpu/optim:TI", "surf/precision:0", "contexts/stack-size:0",
                           "contexts/nthreads:0", "maxmin/precision:abc", "contexts/stack-size:1.5"}) {
    const auto r = test::run_command(kRun + " -o " + out + " --cfg=" + item);
    EXPECT_EQ(r.exit_code, 2) << item << ": " << r.output;
    EXPECT_NE(r.output.find(std::string("--cfg ") + item + ": "), std::string::npos) << r.output;
    EXPECT_FALSE(std::filesystem::exists(out)) << item;
    EXPECT_FALSE(std::filesystem::exists(out + ".partial")) << item;
  }
}

}  // namespace
}  // namespace citytwin
