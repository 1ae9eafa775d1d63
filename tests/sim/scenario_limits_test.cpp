// Inputs that once crashed, hung or exhausted the loader (issue 14, and the fuzzer's findings): each is
// refused quickly with a located message, and values are checked against physical limits once scaled.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <string>

#include "sim/scenario/scenario_loader.hpp"
#include "sim/scenario/scenario_reader.hpp"
#include "sim/scenario/units.hpp"
#include "tests/sim/rooms.hpp"
#include "tests/sim/scenario_test_text.hpp"

namespace citytwin::sim {
namespace {

using scenario_test::kMinimalScenario;
using scenario_test::load_error;
using scenario_test::replaced;

const std::string kWithBackhaul = replaced(kMinimalScenario, "    position: [500 m, 500 m]\n",
                                           "    position: [500 m, 500 m]\n    backhaul: {}\n");

// Seconds load_error takes on text.
double seconds_to_refuse(const std::string& text, std::string& error,
                         const std::vector<std::string>& overrides = {}) {
  const auto start = std::chrono::steady_clock::now();
  error = load_error(text, overrides);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(ScenarioLimits, SelfReferencingAliasIsRefusedNotFollowedForever) {
  // Was: unbounded recursion, SIGSEGV (and through Python, the interpreter killed).
  const std::string error = load_error("x: &a [1, *a]\n");
  EXPECT_EQ(error.rfind("<text>:1:", 0), 0u) << error;
  EXPECT_NE(error.find("nested deeper than 64 levels (a self-referencing alias?)"), std::string::npos)
      << error;
  EXPECT_NE(error.find("x[1][1][1]"), std::string::npos) << error;  // the key path of the expansion
}

TEST(ScenarioLimits, BillionLaughsIsRefusedQuickly) {
  // Was: 88 s and 2 GiB for these 7 lines (9^7 = 4.8e6 copies of the leaf, each expanded).
  const std::string bomb =
      "a: &a [x, x, x, x, x, x, x, x, x]\n"
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
      "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
      "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
      "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
      "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n";
  std::string error;
  EXPECT_LT(seconds_to_refuse(bomb, error), 0.5);
  EXPECT_NE(error.find("aliases expand the document to more than 1584 YAML nodes (1000 + 2 per character"),
            std::string::npos)
      << error;
  EXPECT_EQ(error.rfind("<text>:", 0), 0u) << error;
}

TEST(ScenarioLimits, DeepNestingIsRefusedWithItsLine) {
  const std::string deep = "x: " + std::string(100000, '[') + std::string(100000, ']') + "\n";
  const std::string error = load_error(deep);
  EXPECT_EQ(error.rfind("<text>:1:", 0), 0u) << error;
}

TEST(ScenarioLimits, HugeUnknownKeyIsReportedQuicklyAndShort) {
  // Was: 90 s in the "did you mean" hint (an edit distance against every valid key).
  // An explicit key ("? key"; a plain key is limited to 1024 characters by YAML), and the same key
  // added by an override.
  const std::string key(4'000'000, 'k');
  std::string error;
  EXPECT_LT(seconds_to_refuse(kMinimalScenario + "? " + key + "\n: 1\n", error), 5.0);
  EXPECT_LT(error.size(), 400u);
  EXPECT_NE(error.find("<text>:12:3: kkkk"), std::string::npos) << error.substr(0, 200);
  EXPECT_NE(error.find("... (4000000 characters)"), std::string::npos) << error.substr(0, 200);
  EXPECT_LT(seconds_to_refuse(kMinimalScenario, error, {"run." + key + "=1"}), 5.0);
  EXPECT_NE(error.find("run.kkkk"), std::string::npos) << error.substr(0, 200);
  EXPECT_NE(error.find("... (4000000 characters)"), std::string::npos) << error.substr(0, 200);
  // A near miss still gets its hint.
  EXPECT_NE(load_error(kMinimalScenario + "gatways: []\n").find("did you mean 'gateways'?"),
            std::string::npos);
}

TEST(ScenarioLimits, ValuesMustStayFiniteOnceScaled) {
  // 1e308 is a finite double; 1e308 km is not.
  EXPECT_EQ(
      load_error(kWithBackhaul, {"gateways.0.backhaul.fibre_length=1e308 km"}),
      "--set gateways.0.backhaul.fibre_length=1e308 km: gateways[0].backhaul.fibre_length: '1e308 km' is "
      "beyond the physical limit for a length: expected at most 40075 km in magnitude");
  EXPECT_EQ(
      load_error(kMinimalScenario, {"run.duration=1e308 d"}),
      "--set run.duration=1e308 d: run.duration: '1e308 d' is beyond the physical limit for a duration: "
      "expected at most 100 years in magnitude");
  std::string error;
  EXPECT_FALSE(parse_quantity("1e300 Tf", Dimension::Computation, &error));
  EXPECT_NE(error.find("beyond the physical limit"), std::string::npos) << error;
}

TEST(ScenarioLimits, EveryDimensionHasAFiniteLimitItsUnitsCanReach) {
  for (Dimension d : {Dimension::Time, Dimension::Length, Dimension::Frequency, Dimension::Bitrate,
                      Dimension::DataSize, Dimension::Current, Dimension::Charge, Dimension::Voltage,
                      Dimension::PowerLevel, Dimension::Gain, Dimension::Computation, Dimension::Percent}) {
    const double limit = physical_limit(d);
    EXPECT_TRUE(std::isfinite(limit) && limit > 0.0) << dimension_name(d);
    // The limit as written in messages parses back to the limit, and just beyond is refused.
    const std::string text = physical_limit_text(d);
    if (d == Dimension::Time) {
      EXPECT_EQ(parse_quantity("36525 d", d), limit);
      EXPECT_FALSE(parse_quantity("36526 d", d));
      continue;
    }
    const auto parsed = parse_quantity(text, d);
    ASSERT_TRUE(parsed) << text;
    EXPECT_NEAR(*parsed, limit, limit * 1e-12) << text;
    const std::string number = text.substr(0, text.find(' '));
    EXPECT_FALSE(parse_quantity(std::to_string(std::stod(number) * 1.001) + text.substr(text.find(' ')), d))
        << text;
  }
}

TEST(ScenarioLimits, FibreShorterThanAMetreIsRefused) {
  // Was: SIGSEGV inside SimGrid's solver (a latency of 5 ps, below its precision).
  EXPECT_EQ(load_error(kWithBackhaul, {"gateways.0.backhaul.fibre_length=1mm"}),
            "--set gateways.0.backhaul.fibre_length=1mm: gateways[0].backhaul.fibre_length: expected "
            "1..40075000 m, "
            "got 1mm");
}

TEST(ScenarioLimits, MoreDevicesThanIdsIsRefusedAtLoad) {
  // Was: accepted by validate, refused by run.
  const std::string two = replaced(kMinimalScenario, "    count: 10\n", "    count: 4294967294\n") + "";
  EXPECT_EQ(load_error(kMinimalScenario, {"devices.0.count=4294967295"}),
            "--set devices.0.count=4294967295: devices[0].count: expected 0..4294967294, got 4294967295");
  const std::string split = replaced(kMinimalScenario, "devices:\n",
                                     "devices:\n  - {name: more, count: 4294967294, districts: [harbor]}\n");
  const std::string error = load_error(split);
  EXPECT_NE(error.find("devices[1].count: the populations add up to more than 4294967294 devices"),
            std::string::npos)
      << error;
  EXPECT_EQ(load_error(two), "no error");
}

TEST(ScenarioLimits, OverrideAddingAKeyWithInvalidYamlIsReportedOnceAtTheOverride) {
  // Found by the fuzzer: the key was added with an empty value and no place, then reported a second
  // time as "<text>: run.duration: ... got nothing" (no line).
  const std::string set = "run.duration=1e308 igin: [0 m, 0 m], size: [1 km, 1 km]}";
  const std::string error = load_error(kMinimalScenario, {set});
  EXPECT_EQ(error.rfind("--set " + set + ": run.duration: invalid YAML value: ", 0), 0u) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;  // one diagnostic
}

}  // namespace
}  // namespace citytwin::sim
