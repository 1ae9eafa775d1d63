// The command line refuses bad input with a clear message naming the place, and exits non-zero.
#include <gtest/gtest.h>

#include <string>

#include "sim_test_support.hpp"

namespace citytwin {
namespace {

const std::string kCli = CITYTWIN_CLI;

// A valid scenario; each case below breaks one line of it. Line numbers matter.
const std::string kValid =
    "city:\n"                         // 1
    "  districts:\n"                  // 2
    "    - name: centre\n"            // 3
    "      origin: [0 m, 0 m]\n"      // 4
    "      size: [1 km, 1 km]\n"      // 5
    "devices:\n"                      // 6
    "  - name: meters\n"              // 7
    "    count: 20\n"                 // 8
    "    districts: [centre]\n"       // 9
    "    interval: 15 min\n"          // 10
    "    radio:\n"                    // 11
    "      sf: 9\n"                   // 12
    "gateways:\n"                     // 13
    "  - name: gw\n"                  // 14
    "    position: [500 m, 500 m]\n"  // 15
    "run:\n"                          // 16
    "  duration: 1 h\n"               // 17
    "  seed: 3\n";                    // 18

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("test bug: '" + from + "' not in the scenario");
  return text.replace(at, from.size(), to);
}

struct BadCase {
  const char* name;
  std::string text;
  std::string expected_location;  // ":line:col" (column may be omitted)
  std::string expected_key;
  std::string expected_words;
};

class BadScenario : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadScenario, ValidateAndRunRefuseItNamingLineAndKey) {
  const BadCase& c = GetParam();
  test::TempDir dir;
  const std::string file = dir.write("bad.yaml", c.text);
  for (const std::string command : {"validate", "run"}) {
    const auto r = test::run_command(kCli + " " + command + " " + file +
                                     (command == "run" ? " -q -o " + dir.file("o.h5") : ""));
    EXPECT_NE(r.exit_code, 0) << command << ": " << r.output;
    EXPECT_NE(r.output.find(file + c.expected_location), std::string::npos) << command << ": " << r.output;
    EXPECT_NE(r.output.find(c.expected_key), std::string::npos) << command << ": " << r.output;
    EXPECT_NE(r.output.find(c.expected_words), std::string::npos) << command << ": " << r.output;
  }
  // Nothing was written for a scenario that was refused.
  EXPECT_FALSE(std::filesystem::exists(dir.file("o.h5")));
}

INSTANTIATE_TEST_SUITE_P(
    Cli, BadScenario,
    ::testing::Values(
        BadCase{"yaml_syntax", replace(kValid, "      sf: 9\n", "      sf: [9\n"), ":13:", "", ""},
        BadCase{"unknown_key", replace(kValid, "    interval: 15 min", "    intervall: 15 min"),
                ":10:5:", "devices[0]", "did you mean 'interval'"},
        BadCase{"negative_interval", replace(kValid, "15 min", "-15 min"), ":10:", "devices[0].interval", ""},
        BadCase{"sf_13", replace(kValid, "sf: 9", "sf: 13"), ":12:", "devices[0].radio.sf", "13"},
        BadCase{"missing_section", replace(kValid, "run:\n  duration: 1 h\n  seed: 3\n", ""), ":1:1:", "run",
                "missing"},
        BadCase{"wrong_unit", replace(kValid, "15 min", "15 km"), ":10:", "devices[0].interval", "duration"},
        BadCase{"device_in_no_district", replace(kValid, "districts: [centre]", "districts: [harbour]"),
                ":9:", "devices[0].districts", "harbour"},
        BadCase{"gateway_outside_city", replace(kValid, "[500 m, 500 m]", "[5 km, 500 m]"),
                ":15:", "gateways[0].position", "district"},
        BadCase{"count_not_integer", replace(kValid, "count: 20", "count: twenty"), ":8:", "devices[0].count",
                ""}),
    [](const ::testing::TestParamInfo<BadCase>& param_info) { return std::string(param_info.param.name); });

TEST(Cli, MissingScenarioFile) {
  const auto r = test::run_command(kCli + " validate /no/such/scenario.yaml");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("/no/such/scenario.yaml"), std::string::npos) << r.output;
}

TEST(Cli, UnwritableOutputPathIsRefusedBeforeRunning) {
  test::TempDir dir;
  const std::string file = dir.write("ok.yaml", kValid);
  const auto r = test::run_command(kCli + " run -q " + file + " -o /no/such/dir/out.h5");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("/no/such/dir/out.h5"), std::string::npos) << r.output;
}

TEST(Cli, BadOverrideIsRefusedWithItsLocation) {
  test::TempDir dir;
  const std::string file = dir.write("ok.yaml", kValid);
  const auto r = test::run_command(kCli + " validate " + file + " --set devices.0.radio.sf=13");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--set devices.0.radio.sf=13"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("devices[0].radio.sf"), std::string::npos) << r.output;
}

TEST(Cli, RunWritesACompleteTraceAndPrintsKpis) {
  test::TempDir dir;
  const std::string file = dir.write("ok.yaml", kValid);
  const std::string out = dir.file("ok.h5");
  const auto r = test::run_command(kCli + " run " + file + " -o " + out + " --threads 2 --set run.seed=9");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("delivery_ratio"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("citytwin: sim 01:00:00 / 01:00:00 (100.0 %)"), std::string::npos) << r.output;
  EXPECT_EQ(test::read_int_attribute(out, "/meta", "complete"), 1);
  EXPECT_FALSE(std::filesystem::exists(out + ".partial"));
}

TEST(Cli, InterruptedRunLeavesAnIncompleteButReadableTrace) {
  test::TempDir dir;
  const std::string file = dir.write("ok.yaml", kValid);
  const std::string out = dir.file("stopped.h5");
  // A long run (beyond the run budget: --force), interrupted as Ctrl-C would once it is writing its trace.
  const std::string script = kCli + " run -q " + file + " -o " + out +
                             " --force --set devices.0.count=20000 --set run.duration=3650d & pid=$!; "
                             "while [ ! -e " +
                             out +
                             ".partial ]; do sleep 0.05; done; sleep 0.5; "
                             "kill -INT $pid; wait $pid";
  const auto r = test::run_command("sh -c '" + script + "'");
  EXPECT_EQ(r.exit_code, 130) << r.output;
  ASSERT_TRUE(std::filesystem::exists(out)) << r.output;
  EXPECT_FALSE(std::filesystem::exists(out + ".partial"));
  EXPECT_EQ(test::read_int_attribute(out, "/meta", "complete"), 0);
  EXPECT_FALSE(test::read_dataset_bytes(out, "/messages/t_tx_s").empty());
  EXPECT_NE(r.output.find("INCOMPLETE"), std::string::npos) << r.output;
}

TEST(Cli, VersionAndHelp) {
  EXPECT_EQ(test::run_command(kCli + " --version").exit_code, 0);
  const auto help = test::run_command(kCli + " --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("validate"), std::string::npos);
  EXPECT_NE(test::run_command(kCli + " frobnicate").exit_code, 0);
}

}  // namespace
}  // namespace citytwin
