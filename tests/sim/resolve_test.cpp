// resolve(): the disc coverage behind the placement check, against areas known in closed form, and the
// placement it guards.
#include "sim/city/resolve.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "sim/app/run.hpp"
#include "sim/city/build_city_layout.hpp"
#include "sim/core/thread_pool.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace citytwin::sim::city {
namespace {

scenario::City square_city(double x0, double y0, double side) {
  scenario::City c;
  c.districts.push_back({"a", x0, y0, x0 + side, y0 + side});
  return c;
}

scenario::Placement disc(double x, double y, double r) {
  scenario::Placement p;
  p.disc_x_m = x;
  p.disc_y_m = y;
  p.disc_radius_m = r;
  return p;
}

TEST(DiscCoverage, MatchesClosedFormAreas) {
  // Inside: all of it. Centre on an edge: half. On a corner: a quarter.
  EXPECT_NEAR(disc_coverage(square_city(0, 0, 1000), disc(500, 500, 100)), 1.0, 1e-4);
  EXPECT_NEAR(disc_coverage(square_city(0, 0, 1000), disc(0, 500, 100)), 0.5, 1e-4);
  EXPECT_NEAR(disc_coverage(square_city(0, 0, 1000), disc(0, 0, 100)), 0.25, 1e-4);
  // A square of side s well inside a disc of radius r: s^2 / (pi r^2).
  EXPECT_NEAR(disc_coverage(square_city(-50, -50, 100), disc(0, 0, 1000)), 1e4 / (std::numbers::pi * 1e6),
              1e-6);
  // Two overlapping districts count once: [0,100]x[0,100] and [50,150]x[0,100] under a disc covering
  // both: 150 x 100 m.
  scenario::City two = square_city(0, 0, 100);
  two.districts.push_back({"b", 50, 0, 150, 100});
  EXPECT_NEAR(disc_coverage(two, disc(75, 50, 1000)), 1.5e4 / (std::numbers::pi * 1e6), 1e-6);
  // A circular segment: the district is the half-plane x >= d (a large square), its share of the disc
  // (r^2 acos(d/r) - d sqrt(r^2 - d^2)) / (pi r^2).
  const double r = 100, d = 60;
  const double segment =
      (r * r * std::acos(d / r) - d * std::sqrt(r * r - d * d)) / (std::numbers::pi * r * r);
  EXPECT_NEAR(disc_coverage(square_city(d, -5000, 10000), disc(0, 0, r)), segment, 1e-4);
}

const std::string kDisc =
    "city:\n"
    "  districts:\n"
    "    - {name: a, origin: [0 m, 0 m], size: [100 m, 100 m]}\n"
    "devices:\n"
    "  - {name: d, count: 200, disc: {centre: [1 m, 1 m], radius: RADIUS}}\n"
    "gateways:\n"
    "  - {name: gw, position: [50 m, 50 m]}\n"
    "run: {duration: 1 h}\n";

std::string with_radius(const std::string& radius) {
  std::string text = kDisc;
  return text.replace(text.find("RADIUS"), 6, radius);
}

TEST(Resolve, ADiscTheSamplerCanFillIsAcceptedAndFilled) {
  // 0.32 % of a 1 km disc lies in the district: with the old limit of 1000 draws a device was lost with
  // chance (1 - 0.0032)^1000 = 4 %, so 200 devices almost surely failed the run; now each is placed.
  const auto sc = scenario::load_scenario_text(with_radius("1 km"));
  EXPECT_NEAR(disc_coverage(sc.city, sc.devices[0].placement), 1e4 / (std::numbers::pi * 1e6), 1e-6);
  EXPECT_NO_THROW(resolve(sc, 1));
  core::ThreadPool pool(1);
  const CityLayout layout = build_city_layout(sc, 1, pool);
  ASSERT_EQ(layout.device_count(), 200u);
  for (size_t i = 0; i < layout.device_count(); ++i) {
    EXPECT_GE(layout.device_x_m[i], 0.0);
    EXPECT_LE(layout.device_x_m[i], 100.0);
    EXPECT_GE(layout.device_y_m[i], 0.0);
    EXPECT_LE(layout.device_y_m[i], 100.0);
  }
}

TEST(Resolve, ADiscAlmostAllOutsideIsRefusedNamingIt) {
  const auto sc = scenario::load_scenario_text(with_radius("10 km"));  // 0.003 % in the district
  try {
    resolve(sc, 1);
    FAIL() << "expected a ScenarioError";
  } catch (const scenario::ScenarioError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u) << e.what();
    EXPECT_EQ(e.diagnostics()[0].key_path, "devices[0].disc");
    EXPECT_EQ(e.diagnostics()[0].mark.line, 5);
  }
}

// The build on its own (the fuzzer calls it without resolve) refuses such a disc at once: it used to draw
// 100 / coverage = 3e6 times per device here before giving up (the fuzzer's 10 s timeout at 1,000 km).
TEST(Resolve, TheBuildRefusesADiscAlmostAllOutsideWithoutDrawingForIt) {
  const auto sc = scenario::load_scenario_text(with_radius("1000 km"));
  core::ThreadPool pool(1);
  EXPECT_THROW(build_city_layout(sc, 1, pool), app::RunError);
}

TEST(Resolve, StrictTurnsWarningsIntoErrors) {
  std::string text = with_radius("50 m");
  text.replace(text.find("count: 200"), 10, "count: 5, technology: nbiot");
  const auto sc = scenario::load_scenario_text(text);
  const auto warnings = resolve(sc, 1);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].severity, scenario::Diagnostic::Severity::Warning);
  EXPECT_EQ(warnings[0].to_string(),
            "<text>:5:5: devices[0].technology: warning: no NB-IoT cell in the scenario: its 5 nbiot devices "
            "will never be heard");
  EXPECT_THROW(resolve(sc, 1, true), scenario::ScenarioError);
}

// A setting that does nothing says so: radio.strongest_k under the exact model.
TEST(Resolve, StrongestKUnderTheExactModelIsAWarningNamingIt) {
  const std::string base = with_radius("50 m");
  auto warnings_of = [](const std::string& text) {
    std::vector<std::string> found;
    for (const auto& w : resolve(scenario::load_scenario_text(text), 1))
      if (w.key_path == "radio.strongest_k") found.push_back(w.to_string());
    return found;
  };
  EXPECT_TRUE(warnings_of(base).empty());
  const auto exact = warnings_of(base + "radio: {strongest_k: 4}\n");
  ASSERT_EQ(exact.size(), 1u);
  EXPECT_NE(exact[0].find("warning: ignored: radio.receptions is exact"), std::string::npos) << exact[0];
  EXPECT_TRUE(warnings_of(base + "radio: {receptions: strongest, strongest_k: 4}\n").empty());
  EXPECT_TRUE(warnings_of(base + "radio: {receptions: strongest_only, strongest_k: 4}\n").empty());
}

}  // namespace
}  // namespace citytwin::sim::city
