// The command line refuses bad input with a clear message naming the place, and exits non-zero.
#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
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

// Errors a run could only meet once started (sim/city/resolve.cpp): validate refuses them, and run
// refuses them the same way before writing anything (exit 2, same message, no trace).
struct ResolveCase {
  const char* name;
  std::string text;
  std::string expected;  // "file" + this: ":line:col: key: words"
};

class UnresolvableScenario : public ::testing::TestWithParam<ResolveCase> {};

TEST_P(UnresolvableScenario, ValidateAndRunRefuseItWithExit2AndNoTrace) {
  const ResolveCase& c = GetParam();
  test::TempDir dir;
  const std::string file = dir.write("bad.yaml", c.text);
  const auto validate = test::run_command(kCli + " validate " + file);
  EXPECT_EQ(validate.exit_code, 2) << validate.output;
  EXPECT_NE(validate.output.find(file + c.expected), std::string::npos) << validate.output;
  const auto run = test::run_command(kCli + " run -q " + file + " -o " + dir.file("o.h5"));
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find(file + c.expected), std::string::npos) << run.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("o.h5")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("o.h5.partial")));
}

INSTANTIATE_TEST_SUITE_P(
    Cli, UnresolvableScenario,
    ::testing::Values(
        // US915 at 125 kHz: DR0..DR3 are SF10..SF7; SF12 is no uplink data rate.
        ResolveCase{"us915_sf12",
                    replace(replace(kValid, "sf: 9", "sf: 12"), "run:\n", "radio:\n  region: US915\nrun:\n"),
                    ":12:11: devices[0].radio.sf: SF12/125 kHz is not an uplink data rate of the region"},
        // 242 B + 13 B at SF10/125 kHz lasts ~1.8 s, beyond the 400 ms dwell time.
        ResolveCase{"us915_dwell_time",
                    replace(replace(kValid, "sf: 9", "sf: 10\n    payload: 242 B"), "run:\n",
                            "radio:\n  region: US915\nrun:\n"),
                    ":12:11: devices[0].radio.sf: a 255 B frame at SF10/125 kHz lasts"},
        // 255 B with a 20-symbol preamble lasts ~402 ms even at SF7.
        ResolveCase{"us915_no_sf_fits",
                    replace(replace(kValid, "sf: 9", "sf: auto\n      preamble: 20\n    payload: 242 B"),
                            "run:\n", "radio:\n  region: US915\nrun:\n"),
                    ":7:5: devices[0].payload: a 255 B frame at no spreading factor fits"},
        ResolveCase{"channel_outside_subbands", replace(kValid, "sf: 9", "sf: 9\n      channels: [915 MHz]"),
                    ":13:18: devices[0].radio.channels[0]: 915 MHz is outside every sub-band"},
        // The centre is in the district, but the disc is ~300000 times its size.
        ResolveCase{"disc_outside_districts",
                    replace(kValid, "districts: [centre]", "disc: {centre: [1 m, 1 m], radius: 1000 km}"),
                    ":9:11: devices[0].disc: the disc lies (almost) entirely outside the districts"},
        ResolveCase{"too_many_devices", replace(kValid, "count: 20", "count: 4294967295"),
                    ":8:12: devices[0].count: expected 0..4294967294, got 4294967295"},
        // mtbf 1 s, mttr 1 s over a day: ~43000 failure intervals.
        ResolveCase{
            "too_many_failures",
            replace(replace(kValid, "duration: 1 h", "duration: 1 d"), "run:\n",
                    "drivers:\n  failures:\n    - {target: network_server, mtbf: 1 s, mttr: 1 s}\nrun:\n"),
            ":18:7: drivers.failures[0]: "}),
    [](const ::testing::TestParamInfo<ResolveCase>& param_info) {
      return std::string(param_info.param.name);
    });

TEST(Cli, BadThreadCountIsBadInput) {
  test::TempDir dir;
  const std::string file = dir.write("ok.yaml", kValid);
  const auto r = test::run_command(kCli + " run -q " + file + " -o " + dir.file("o.h5") + " --threads 0");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--threads: expected 1..1024, got 0"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("o.h5")));
}

// Option errors said what Boost saw ("too many positional options have been specified", "unrecognised
// option") and printed the list of commands: they now say what is wrong and print the command's own usage.
TEST(Cli, OptionErrorsSayWhatIsWrongWithTheCommandsUsage) {
  test::TempDir dir;
  const std::string file = dir.write("ok.yaml", kValid);
  const auto no_equals = test::run_command(kCli + " run " + file + " -q --set devices.0.interval 5min");
  EXPECT_EQ(no_equals.exit_code, 2) << no_equals.output;
  EXPECT_NE(
      no_equals.output.find("citytwin: --set takes key.path=value: got 'devices.0.interval' followed by "
                            "'5min' (write --set devices.0.interval=5min)\n"),
      std::string::npos)
      << no_equals.output;
  const auto misspelt = test::run_command(kCli + " run " + file + " -q --sett devices.0.interval=5min");
  EXPECT_EQ(misspelt.exit_code, 2) << misspelt.output;
  EXPECT_NE(misspelt.output.find("citytwin: unknown option '--sett' (did you mean '--set'?)\n"),
            std::string::npos)
      << misspelt.output;
  for (const auto& r : {no_equals, misspelt}) {
    EXPECT_NE(r.output.find("citytwin run FILE [options]"), std::string::npos) << r.output;  // run's usage
    EXPECT_NE(r.output.find("--overwrite"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("commands:"), std::string::npos) << r.output;  // not the list of commands
  }
  const auto two_files = test::run_command(kCli + " validate " + file + " " + file);
  EXPECT_EQ(two_files.exit_code, 2) << two_files.output;
  EXPECT_NE(two_files.output.find("citytwin: expected one scenario file, got '" + file + "', '" + file + "'"),
            std::string::npos)
      << two_files.output;
  EXPECT_NE(two_files.output.find("citytwin validate FILE [--strict]"), std::string::npos)
      << two_files.output;
  const auto compare = test::run_command(kCli + " compare " + file + " --seds 2");
  EXPECT_EQ(compare.exit_code, 2) << compare.output;
  EXPECT_NE(compare.output.find("unknown option '--seds' (did you mean '--seeds'?)"), std::string::npos)
      << compare.output;
}

// describe's backhaul cost is in the scenario's currency (costs.currency, EUR by default); it said
// "30 per month".
TEST(Cli, DescribeNamesTheBackhaulCostsCurrency) {
  test::TempDir dir;
  const std::string file = dir.write(
      "ok.yaml", replace(kValid, "    position: [500 m, 500 m]\n",
                         "    position: [500 m, 500 m]\n    backhaul: {kind: cellular, monthly_cost: 30}\n"));
  const auto text = test::run_command(kCli + " describe " + file);
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_NE(text.output.find("backhaul cost: 30 EUR per month\n"), std::string::npos) << text.output;
  const auto json = test::run_command(kCli + " describe --json " + file);
  EXPECT_NE(json.output.find("\"currency\": \"EUR\""), std::string::npos) << json.output;
}

// The cores this process may run on, as citytwin counts them outside mpirun (sim/app/run.cpp,
// default_thread_count).
int usable_cores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) != 0) throw std::runtime_error("sched_getaffinity failed");
  return CPU_COUNT(&set);
}

// Without --threads a city too small for a second thread to pay runs on one, and says so when the machine
// has more cores; asked for, two threads are two (nothing said on two cores or more), and more threads than
// cores run too, said. /meta@threads records the count.
TEST(Cli, ASmallCityRunsOnOneThreadUnlessAskedAndSaysSo) {
  test::TempDir dir;
  const std::string file = dir.write("ok.yaml", kValid);
  const auto by_default = test::run_command(kCli + " run " + file + " -o " + dir.file("a.h5"));
  ASSERT_EQ(by_default.exit_code, 0) << by_default.output;
  EXPECT_EQ(test::read_int_attribute(dir.file("a.h5"), "/meta", "threads"), 1);
  const int cores = usable_cores();
  const bool said = by_default.output.find("citytwin: one thread (~") != std::string::npos;
  EXPECT_EQ(said, cores > 1) << by_default.output;  // on one core there is nothing to say
  const auto asked = test::run_command(kCli + " run " + file + " -o " + dir.file("b.h5") + " --threads 2");
  ASSERT_EQ(asked.exit_code, 0) << asked.output;
  EXPECT_EQ(test::read_int_attribute(dir.file("b.h5"), "/meta", "threads"), 2);
  EXPECT_EQ(asked.output.find("citytwin: one thread"), std::string::npos) << asked.output;
  // More threads than cores: run, and said.
  const int more = cores + 1;
  const auto beyond = test::run_command(kCli + " run " + file + " -o " + dir.file("c.h5") + " --threads " +
                                        std::to_string(more));
  ASSERT_EQ(beyond.exit_code, 0) << beyond.output;
  EXPECT_EQ(test::read_int_attribute(dir.file("c.h5"), "/meta", "threads"), more);
  EXPECT_NE(beyond.output.find("citytwin: --threads " + std::to_string(more) + " on " +
                               std::to_string(cores) + " cores: the threads beyond the cores take turns"),
            std::string::npos)
      << beyond.output;
  if (cores >= 2) {
    EXPECT_EQ(asked.output.find("take turns"), std::string::npos) << asked.output;
  }
}

// describe shows the run's estimate, as run checks it against the budget, and the threads a run would take.
// 20 devices every 15 min for an hour: 80 reports; 3,600 windows. The one gateway's range covers the square:
// the estimate takes the disc inside it, pi/4 of the devices (~16 links, ~63 receptions).
TEST(Cli, DescribeShowsTheRunEstimateAndTheDefaultThreads) {
  test::TempDir dir;
  const std::string file = dir.write("ok.yaml", kValid);
  const auto text = test::run_command(kCli + " describe " + file);
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_NE(text.output.find(
                "run estimate: 20 devices, ~16 radio links, ~80 reports, ~63 receptions, 3600 windows"),
            std::string::npos)
      << text.output;
  EXPECT_NE(text.output.find("; ~0 receptions a window; without --threads: 1 thread\n"), std::string::npos)
      << text.output;
  const auto json = test::run_command(kCli + " describe --json " + file);
  ASSERT_EQ(json.exit_code, 0) << json.output;
  EXPECT_NE(json.output.find("\"reports\": 80.0"), std::string::npos) << json.output;
  EXPECT_NE(json.output.find("\"default_threads\": 1"), std::string::npos) << json.output;
  // A million devices every minute: ~16,700 receptions a window, every core.
  const auto big = test::run_command(kCli + " describe --json " + file +
                                     " --set devices.0.count=1000000 --set devices.0.interval=1min");
  ASSERT_EQ(big.exit_code, 0) << big.output;
  EXPECT_NE(big.output.find("\"default_threads\": " + std::to_string(usable_cores())), std::string::npos)
      << big.output;
}

// Ranks that mpirun starts on one node share its cores: without --threads each takes its share
// (OMPI_COMM_WORLD_LOCAL_SIZE, set by Open MPI for every rank; without OMPI_COMM_WORLD_SIZE no MPI starts),
// and run says so. tests/python/test_city_over_ranks.py checks the same under a real mpirun.
TEST(Cli, RanksOnOneNodeShareItsCores) {
  test::TempDir dir;
  const std::string file = dir.write("ok.yaml", kValid);
  const std::string big = " --set devices.0.count=1000000 --set devices.0.interval=1min";
  const int cores = usable_cores();
  for (const int ranks : {2, 3, 64}) {
    const std::string env = "OMPI_COMM_WORLD_LOCAL_SIZE=" + std::to_string(ranks) + " ";
    const auto json = test::run_command(env + kCli + " describe --json " + file + big);
    ASSERT_EQ(json.exit_code, 0) << json.output;
    const int online = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
    const int share = std::max(1, std::min(cores, online / ranks));
    EXPECT_NE(json.output.find("\"default_threads\": " + std::to_string(share)), std::string::npos)
        << ranks << " ranks: " << json.output;
  }
  const auto run =
      test::run_command("OMPI_COMM_WORLD_LOCAL_SIZE=64 " + kCli + " run " + file + " -o " + dir.file("a.h5"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("citytwin: 64 ranks on this node share its cores: 1 thread each"),
            std::string::npos)
      << run.output;
  EXPECT_EQ(test::read_int_attribute(dir.file("a.h5"), "/meta", "threads"), 1);
}

// Silent no-ops are warnings: printed by validate and run (exit 0), kept in /meta/warnings, errors
// under --strict.
struct WarningCase {
  const char* name;
  std::string text;
  std::string expected;  // "file" + this: ":line:col: key: warning: words"
};

class WarnedScenario : public ::testing::TestWithParam<WarningCase> {};

TEST_P(WarnedScenario, WarnsOnValidateAndRunAndRefusesUnderStrict) {
  const WarningCase& c = GetParam();
  test::TempDir dir;
  const std::string file = dir.write("w.yaml", c.text);
  const auto validate = test::run_command(kCli + " validate " + file);
  EXPECT_EQ(validate.exit_code, 0) << validate.output;
  EXPECT_NE(validate.output.find(file + c.expected), std::string::npos) << validate.output;
  const auto strict = test::run_command(kCli + " validate --strict " + file);
  EXPECT_EQ(strict.exit_code, 2) << strict.output;
  EXPECT_NE(strict.output.find(file + c.expected), std::string::npos) << strict.output;

  const std::string out = dir.file("w.h5");
  const auto run = test::run_command(kCli + " run -q " + file + " -o " + out);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find(file + c.expected), std::string::npos) << run.output;
  const auto bytes = test::read_dataset_bytes(out, "/meta/warnings");
  const std::string stored(bytes.begin(), bytes.end());
  EXPECT_NE(stored.find(file + c.expected), std::string::npos) << stored;

  const std::string strict_out = dir.file("strict.h5");
  const auto strict_run = test::run_command(kCli + " run -q --strict " + file + " -o " + strict_out);
  EXPECT_EQ(strict_run.exit_code, 2) << strict_run.output;
  EXPECT_FALSE(std::filesystem::exists(strict_out));
}

// A second district far away, where a gateway may stand out of the devices' reach.
const std::string kFarDistrict =
    "    - name: far\n"
    "      origin: [50 km, 0 m]\n"
    "      size: [1 km, 1 km]\n";

INSTANTIATE_TEST_SUITE_P(
    Cli, WarnedScenario,
    ::testing::Values(
        WarningCase{"nbiot_without_cell",
                    replace(kValid, "    count: 20\n", "    technology: nbiot\n    count: 20\n"),
                    ":7:5: devices[0].technology: warning: no NB-IoT cell in the scenario"},
        WarningCase{
            "lora_gateway_out_of_range",
            replace(replace(kValid, "devices:\n", kFarDistrict + "devices:\n"), "[500 m, 500 m]",
                    "[50500 m, 500 m]"),
            ":10:5: devices[0].technology: warning: no LoRaWAN gateway in range: the nearest, 'gw', is "
            "49500 m"},
        WarningCase{
            "camera_without_access_point",
            replace(kValid, "    interval: 15 min\n    radio:\n      sf: 9\n", "    type: cctv_camera\n"),
            ":7:5: devices[0].technology: warning: no Wi-Fi access point in the scenario"},
        WarningCase{"catalogue_technology",
                    replace(kValid, "    count: 20\n", "    type: traffic_counter\n    count: 20\n"),
                    ":7:5: devices[0].technology: warning: type 'traffic_counter' makes it nbiot"},
        WarningCase{"event_rule_without_driver",
                    replace(kValid, "    count: 20\n", "    type: river_level\n    count: 20\n"),
                    ":7:5: devices[0].event: warning: type 'river_level' reports on the river level"},
        WarningCase{
            "alert_on_missing_type",
            replace(kValid, "run:\n",
                    "platform:\n  alerts:\n    - {name: flood, type: river_level, above: 4 m}\nrun:\n"),
            ":18:7: platform.alerts[0].type: warning: no device population of type 'river_level'"}),
    [](const ::testing::TestParamInfo<WarningCase>& param_info) {
      return std::string(param_info.param.name);
    });

TEST(Cli, ATraceWithoutWarningsHasAnEmptyWarningsDataset) {
  test::TempDir dir;
  const std::string file = dir.write("ok.yaml", kValid);
  const std::string out = dir.file("ok.h5");
  const auto r = test::run_command(kCli + " run -q --strict " + file + " -o " + out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("warning"), std::string::npos) << r.output;
  EXPECT_TRUE(test::read_dataset_bytes(out, "/meta/warnings").empty());
}

TEST(Cli, VersionAndHelp) {
  EXPECT_EQ(test::run_command(kCli + " --version").exit_code, 0);
  const auto help = test::run_command(kCli + " --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("validate"), std::string::npos);
  EXPECT_NE(test::run_command(kCli + " frobnicate").exit_code, 0);
}

// A quiet city's run ends with its last forwarding period sent by the drain, one batch a gateway, timed
// like the periods before it without SimGrid (sim/app/run.cpp, sim/network/wired_fast_path.cpp); it went
// to a SimGrid actor, beside the drain's batches at the same instant, before. CITYTWIN_WIRED_STATS=1
// counts the periods and batches each way.
TEST(Cli, AQuietCitysLastPeriodIsTimedWithoutSimGrid) {
  test::TempDir dir;
  const auto r = test::run_command("CITYTWIN_WIRED_STATS=1 " + kCli +
                                   " run -q " CITYTWIN_SOURCE_DIR
                                   "/scenarios/quickstart.yaml --set 'run.duration=1 h' -o " +
                                   dir.file("q.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("360 forwarding periods carried inline"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(", 0 in SimGrid actors"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("by SimGrid 0\n"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace citytwin
