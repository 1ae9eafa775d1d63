// The drivers room: CSV series (libcsv: BOM, CRLF, quotes, ISO 8601 times; malformed lines named by
// file:line), the scenario keys drivers.<quantity> and drivers.flood, and the bathtub flood feeding the
// gateway timeline.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "sim/city/resolve.hpp"
#include "sim/drivers/driver_set.hpp"
#include "sim/drivers/failure_schedule.hpp"
#include "sim/drivers/flood.hpp"
#include "sim/drivers/gateway_timeline.hpp"
#include "sim/scenario/csv_table.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "tests/sim/rooms.hpp"

namespace citytwin::sim {
namespace {

std::string temp_dir() {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("citytwin_drivers_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                    "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::create_directories(dir);
  return dir.string();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// Two districts: low (ground at 10 m) and high (30 m), 1 km each.
const std::string kCity =
    "city:\n"
    "  districts:\n"
    "    - {name: low, origin: [0 m, 0 m], size: [1 km, 1 km]}\n"
    "    - {name: high, origin: [1 km, 0 m], size: [1 km, 1 km]}\n"
    "devices:\n"
    "  - {name: meters, count: 10, districts: [low, high], interval: 15 min}\n"
    "gateways:\n"
    "  - {name: gw-low, position: [500 m, 500 m], backup: 30 min}\n"
    "  - {name: cell-low, technology: nbiot, position: [400 m, 500 m], backup: 1 h}\n"
    "  - {name: ap-low, technology: wifi, position: [600 m, 500 m], backup: 0 s}\n"
    "  - {name: gw-high, position: [1500 m, 500 m], backup: 30 min}\n"
    "  - {name: cell-high, technology: nbiot, position: [1400 m, 500 m]}\n"
    "run: {duration: 24 h, seed: 1}\n";

Scenario load(const std::string& drivers, const std::string& file = "<text>") {
  return load_scenario_text(kCity + drivers, file, {});
}

std::string load_error(const std::string& drivers, const std::string& file = "<text>") {
  try {
    load(drivers, file);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

TEST(CsvTable, AcceptsBomCrlfQuotesAndIsoTimes) {
  const CsvTable t = parse_csv(
      "\xEF\xBB\xBF"
      "time,\"level, m\"\r\n"
      "2026-07-15T00:00:00+09:00,1.5\r\n"
      "\r\n"
      "\"2026-07-15T01:30:00+09:00\",\"2.25\"\r\n"
      "2026-07-14T17:00:00Z, \"3\"\r\n",
      "hydro.csv");
  ASSERT_EQ(t.header.cells.size(), 2u);
  EXPECT_EQ(t.header.cells[0], "time");  // the byte-order mark is not part of the first name
  EXPECT_EQ(t.header.cells[1], "level, m");
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[1].cells[0], "2026-07-15T01:30:00+09:00");
  EXPECT_EQ(t.rows[1].line, 4);  // the blank line counts
  EXPECT_EQ(t.rows[2].cells[1], "3");
  const auto t0 = parse_timestamp(t.rows[0].cells[0], nullptr);
  const auto t1 = parse_timestamp(t.rows[1].cells[0], nullptr);
  const auto t2 = parse_timestamp(t.rows[2].cells[0], nullptr);
  ASSERT_TRUE(t0 && t1 && t2);
  EXPECT_EQ(*t1 - *t0, 5400.0);
  EXPECT_EQ(*t2 - *t0, 7200.0);  // 17:00 UTC on the 14th is 02:00 on the 15th in UTC+9
  EXPECT_EQ(*parse_timestamp("1970-01-02T00:00:00Z", nullptr), 86400.0);
  EXPECT_EQ(*parse_timestamp("2000-03-01 00:00", nullptr) - *parse_timestamp("2000-02-28", nullptr),
            2 * 86400.0);
}

TEST(CsvTable, QuotedFieldsMayHoldCommasQuotesAndLineBreaks) {
  const CsvTable t = parse_csv("a,b\n\"x, \"\"y\"\"\",\"two\nlines\"\n3,4\n", "q.csv");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0].cells[0], "x, \"y\"");
  EXPECT_EQ(t.rows[0].cells[1], "two\nlines");
  EXPECT_EQ(t.rows[1].line, 4);
}

TEST(CsvTable, AMalformedLineIsRefusedWithFileAndLine) {
  try {
    parse_csv("time,value\n0 h,1\n1 h,\"2\"x\n2 h,3\n", "bad.csv");
    FAIL() << "accepted a malformed quoted field";
  } catch (const CsvError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("bad.csv:3: ", 0), 0u) << e.what();
  }
  try {
    parse_csv("time,value\n0 h,1\n1 h,2,3\n", "wide.csv");
    FAIL() << "accepted a row wider than the header";
  } catch (const CsvError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("wide.csv:3: expected 2 fields", 0), 0u) << e.what();
  }
  try {
    parse_csv("time,value\n0 h,\"1\n", "open.csv");
    FAIL() << "accepted an unterminated quote";
  } catch (const CsvError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("open.csv:2: unterminated", 0), 0u) << e.what();
  }
}

TEST(CsvTime, DurationsAndTimestamps) {
  EXPECT_EQ(parse_csv_time("PT1H30M", nullptr)->seconds, 5400.0);
  EXPECT_EQ(parse_csv_time("P1DT2H", nullptr)->seconds, 93600.0);
  EXPECT_EQ(parse_csv_time("90 min", nullptr)->seconds, 5400.0);
  EXPECT_EQ(parse_csv_time("2026-07-15T06:30:00Z", nullptr)->kind, CsvTime::Kind::Timestamp);
  std::string error;
  EXPECT_FALSE(parse_csv_time("P1M", &error));  // months have no fixed length
  EXPECT_FALSE(parse_csv_time("2026-02-30T00:00:00Z", &error));
  EXPECT_NE(error.find("no day 30"), std::string::npos) << error;
  EXPECT_FALSE(parse_csv_time("90", &error));  // a bare number has no unit
}

TEST(DriverScenario, CsvSeriesPerDistrictWithStepInterpolation) {
  const std::string dir = temp_dir();
  write_file(dir + "/rain.csv",
             "\xEF\xBB\xBFtime,low,\"high\"\r\n2026-07-15T00:00:00+09:00,0,0\r\n2026-07-15T01:00:00+09:00,20,"
             "5 mm/h\r\n2026-07-15T03:00:00+09:00,0,0\r\n");
  const Scenario sc =
      load("drivers:\n  rainfall: {csv: rain.csv, interpolation: step}\n", dir + "/city.yaml");
  ASSERT_TRUE(sc.drives("rainfall"));
  const DriverSet drivers(sc);
  const QuantityField* rain = drivers.find("rainfall");
  ASSERT_NE(rain, nullptr);
  EXPECT_FALSE(rain->uniform());
  EXPECT_EQ(rain->unit(), "mm/h");
  EXPECT_EQ(rain->at(0, 3599), 0.0);
  EXPECT_EQ(rain->at(0, 3600), 20.0);
  EXPECT_EQ(rain->at(0, 7000), 20.0);  // step: held until the next point
  EXPECT_EQ(rain->at(1, 5000), 5.0);
  EXPECT_EQ(rain->at(1, 20000), 0.0);
}

TEST(DriverScenario, CsvErrorsNameTheFileAndLine) {
  const std::string dir = temp_dir();
  write_file(dir + "/rain.csv", "time,value\r\n0 h,1\r\n1 h,lots\r\n");
  const std::string error =
      load_error("drivers:\n  rainfall: {csv: rain.csv, interpolation: linear}\n", dir + "/city.yaml");
  EXPECT_NE(
      error.find("city.yaml:15:19: drivers.rainfall.csv: " + dir + "/rain.csv:3: value: expected rainfall"),
      std::string::npos)
      << error;
  write_file(dir + "/quoted.csv", "time,value\n0 h,1\n1 h,\"2\"x\n");
  const std::string quote =
      load_error("drivers:\n  rainfall: {csv: quoted.csv, interpolation: linear}\n", dir + "/city.yaml");
  EXPECT_NE(quote.find(dir + "/quoted.csv:3: malformed quoted field"), std::string::npos) << quote;
  // The interpolation of a CSV is declared.
  write_file(dir + "/ok.csv", "time,value\n0 h,1\n");
  EXPECT_NE(load_error("drivers:\n  rainfall: {csv: ok.csv}\n", dir + "/city.yaml")
                .find("drivers.rainfall.interpolation: a csv source declares its interpolation"),
            std::string::npos);
  // A column that is not a district, with a hint.
  write_file(dir + "/cols.csv", "time,low,hihg\n0 h,1,2\n");
  EXPECT_NE(load_error("drivers:\n  rainfall: {csv: cols.csv, interpolation: step}\n", dir + "/city.yaml")
                .find("cols.csv:1: column 'hihg' is not a district"),
            std::string::npos);
}

TEST(DriverScenario, ProfilesEventsAndLocatedErrors) {
  const Scenario sc = load(
      "drivers:\n"
      "  traffic_volume:\n"
      "    daily: {base: 200 veh/h, rush_hours: [{peak: 8 h, width: 2 h, value: 1000 veh/h}]}\n"
      "    events: [{start: 12 h, end: 13 h, factor: 0.5, districts: [high]}]\n"
      "  parking_occupancy: {points: [[0 h, 20 %], [10 h, 0.9]], interpolation: linear}\n");
  const DriverSet drivers(sc);
  const QuantityField* volume = drivers.find("traffic_volume");
  ASSERT_NE(volume, nullptr);
  EXPECT_DOUBLE_EQ(volume->at(0, 8 * 3600.0), 1000.0);
  EXPECT_DOUBLE_EQ(volume->at(0, 7 * 3600.0), 600.0);  // half way down the raised cosine
  EXPECT_DOUBLE_EQ(volume->at(0, 3 * 3600.0), 200.0);
  EXPECT_DOUBLE_EQ(volume->at(1, 12.5 * 3600.0), 100.0);  // the event, in high only
  EXPECT_DOUBLE_EQ(volume->at(0, 12.5 * 3600.0), 200.0);
  EXPECT_DOUBLE_EQ(drivers.find("parking_occupancy")->at(0, 5 * 3600.0), 0.55);

  EXPECT_NE(load_error("drivers:\n  rainfall: {points: [[0 h, 3 m]]}\n")
                .find(":15:29: drivers.rainfall.points[0][1]: "
                      "expected rainfall (mm/h, mm/min, in/h)"),
            std::string::npos);
  EXPECT_NE(load_error("drivers:\n  rainfal: {value: 3 mm/h}\n").find("did you mean 'rainfall'"),
            std::string::npos);
  EXPECT_NE(
      load_error("drivers:\n  rainfall: {value: 3 mm/h, daily: {base: 1 mm/h}}\n").find("give one source"),
      std::string::npos);
  EXPECT_EQ(load_error(""), "");  // the city alone is valid
}

// An event without districts applies where its source does, as docs/SCENARIO.md says: a district the source
// leaves at rest stays at rest (it took the event: 5 mm/h of rain where none was given).
TEST(DriverScenario, AnEventWithoutDistrictsAppliesWhereItsSourceDoes) {
  const Scenario sc = load(
      "drivers:\n"
      "  rainfall: {value: 2 mm/h, districts: [high], events: [{start: 1 h, end: 2 h, add: 5 mm/h}]}\n");
  const DriverSet drivers(sc);
  const QuantityField* rain = drivers.find("rainfall");
  ASSERT_NE(rain, nullptr);
  ASSERT_EQ(sc.city.districts[1].name, "high");
  EXPECT_GT(rain->at(1, 0.5 * 3600.0), 0.0);
  EXPECT_DOUBLE_EQ(rain->at(1, 1.5 * 3600.0), 3.5 * rain->at(1, 0.5 * 3600.0));  // 2 + 5 mm/h in high
  EXPECT_EQ(rain->at(0, 1.5 * 3600.0), rain->at(0, 0.5 * 3600.0));               // low: at rest throughout
}

TEST(DriverScenario, ARuleOnAQuantityNoDriverProducesIsAnError) {
  const std::string city = kCity;
  const std::string with_gauge =
      "  - {name: rain, type: rain_gauge, senses: rainfall, count: 2, districts: [low]}\n";
  std::string text = kCity;
  text.insert(text.find("gateways:"), with_gauge);
  try {
    load_scenario_text(text, "<text>", {});
    FAIL() << "accepted a rain gauge rule without drivers.rainfall";
  } catch (const ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "devices[1].senses: event-driven reporting needs a value to watch: no driver "
                  "produces rainfall: add drivers.rainfall"),
              std::string::npos)
        << e.what();
  }
  const Scenario sc = load_scenario_text(text + "drivers:\n  rainfall: {value: 10 mm/h}\n", "<text>", {});
  EXPECT_EQ(sc.devices[1].senses, "rainfall");
  ASSERT_TRUE(sc.devices[1].event.has_value());
  EXPECT_EQ(sc.devices[1].event->threshold, 7.6);  // the catalogue's heavy-rain rule, in mm/h
}

// The warnings about the drivers' times: the city's gateway backups, there for the flood's power cuts, are
// ignored (and warned of) in the scenarios without a flood or a power cut, and a series its meters do not
// read is said to do nothing (section_warnings_test.cpp).
std::string warnings_of(const Scenario& sc) {
  std::string text;
  for (const Diagnostic& d : resolve(sc, 1))
    if (d.key_path.rfind("drivers.", 0) == 0 && d.message.rfind("ignored: ", 0) != 0)
      text += d.to_string() + "\n";
  return text;
}

TEST(DriverScenario, ASeriesWhollyOutsideTheRunIsWarnedOfNamingTheDriverAndItsFile) {
  const std::string dir = temp_dir();
  const std::string yaml = dir + "/city.yaml";
  // Every time after the run's end (24 h): only the first value holds.
  write_file(dir + "/late.csv", "time,value\n30 h,1\n31 h,2\n");
  EXPECT_NE(warnings_of(load("drivers:\n  rainfall: {csv: late.csv, interpolation: linear}\n", yaml))
                .find("city.yaml:15:13: drivers.rainfall: warning: its CSV (" + dir +
                      "/late.csv) starts at 108000 s, at or after the run's end (86400 s): only its first "
                      "value holds over the run"),
            std::string::npos);
  EXPECT_NE(
      warnings_of(load("drivers:\n  river_level: [[25 h, 1 m], [26 h, 2 m]]\n"))
          .find("drivers.river_level: warning: its series starts at 90000 s, at or after the run's end"),
      std::string::npos);
  EXPECT_NE(warnings_of(load("drivers:\n  vibration: {points: [[24 h, 1 mm/s]]}\n"))
                .find("drivers.vibration: warning: its series starts at 86400 s"),
            std::string::npos);
  // Every time before the run's start (a CSV's start after its rows): only the last value holds.
  write_file(dir + "/early.csv", "time,low,high\n2026-07-14T00:00:00Z,1,2\n2026-07-14T12:00:00Z,2,3\n");
  const std::string early = warnings_of(load(
      "drivers:\n  rainfall: {csv: early.csv, interpolation: step, start: 2026-07-15T00:00:00Z}\n", yaml));
  EXPECT_NE(
      early.find("drivers.rainfall: warning: its CSV (" + dir +
                 "/early.csv) ends at -43200 s, before the run's start (t = 0 is 2026-07-15T00:00:00Z (its "
                 "start)): only its last value holds over the run"),
      std::string::npos)
      << early;
  // Series that overlap the run, however little, are not warned of.
  write_file(dir + "/edge.csv", "time,value\n2026-07-14T00:00:00Z,1\n2026-07-15T00:00:00Z,2\n");
  EXPECT_EQ(warnings_of(load("drivers:\n  rainfall: {csv: edge.csv, interpolation: step}\n"
                             "  river_level: [[23 h, 1 m], [30 h, 2 m]]\n",
                             yaml)),
            "");
}

TEST(DriverScenario, DateTimeCsvsCountedFromDifferentFirstRowsAreWarnedOfNamingBoth) {
  const std::string dir = temp_dir();
  const std::string yaml = dir + "/city.yaml";
  write_file(dir + "/level.csv", "time,value\n2026-07-15T00:00:00Z,1 m\n2026-07-15T06:00:00Z,4 m\n");
  write_file(dir + "/rain.csv", "time,value\n2026-07-15T01:00:00Z,0\n2026-07-15T03:00:00Z,20\n");
  const std::string both =
      "drivers:\n  river_level: {csv: level.csv, interpolation: linear}\n"
      "  rainfall: {csv: rain.csv, interpolation: linear}\n";
  const std::string warned = warnings_of(load(both, yaml));
  EXPECT_NE(warned.find("city.yaml:16:13: drivers.rainfall: warning: its CSV (" + dir +
                        "/rain.csv) counts its date-times from 2026-07-15T01:00:00Z (its first row), and "
                        "drivers.river_level's CSV (" +
                        dir +
                        "/level.csv) from 2026-07-15T00:00:00Z (its first row): each takes that as the run's "
                        "t = 0, so one instant is 3600 s apart in the two; give both the same start"),
            std::string::npos)
      << warned;
  // One start for both (or the one the other's first row is): aligned, nothing to say.
  std::string aligned = both;
  aligned.replace(aligned.rfind("linear}"), 7, "linear, start: 2026-07-15T00:00:00Z}");
  EXPECT_EQ(warnings_of(load(aligned, yaml)), "") << aligned;
  aligned.replace(aligned.find("linear}"), 7, "linear, start: 2026-07-15T00:00:00Z}");
  EXPECT_EQ(warnings_of(load(aligned, yaml)), "") << aligned;
  // A start on one only that is not the other's first row.
  std::string one = both;
  one.replace(one.rfind("linear}"), 7, "linear, start: 2026-07-15T00:30:00Z}");
  EXPECT_NE(warnings_of(load(one, yaml)).find("from 2026-07-15T00:30:00Z (its start), and"),
            std::string::npos);
  // Durations have no wall-clock origin to disagree on.
  write_file(dir + "/rain.csv", "time,value\n1 h,0\n3 h,20\n");
  EXPECT_EQ(warnings_of(load(both, yaml)), "");
}

// The bathtub: the gauge rises linearly from 5 m at 0 h to 15 m at 10 h and falls back to 5 m at 20 h.
const std::string kFlood =
    "drivers:\n"
    "  river_level: [[0 h, 5 m], [10 h, 15 m], [20 h, 5 m]]\n"
    "  flood: {elevation: {low: 10 m, high: 30 m}}\n";

TEST(Flood, ADistrictFloodsWhenTheGaugePassesItsElevation) {
  const Scenario sc = load(kFlood);
  const DriverSet drivers(sc);
  ASSERT_EQ(drivers.flood().size(), 2u);
  EXPECT_EQ(drivers.flood()[0].inundation_start_s, 5 * 3600.0);  // the gauge passes 10 m at 5 h
  EXPECT_TRUE(std::isnan(drivers.flood()[1].inundation_start_s));
  const QuantityField* depth = drivers.find("inundation_depth");
  ASSERT_NE(depth, nullptr);
  EXPECT_EQ(depth->unit(), "m");
  EXPECT_EQ(depth->at(0, 5 * 3600.0), 0.0);
  EXPECT_GT(depth->at(0, 5 * 3600.0 + 1.0), 0.0);
  EXPECT_DOUBLE_EQ(depth->at(0, 7.5 * 3600.0), 2.5);
  EXPECT_DOUBLE_EQ(depth->at(0, 10 * 3600.0), 5.0);
  EXPECT_EQ(depth->at(0, 15 * 3600.0), 0.0);
  for (double t = 0; t <= 86400; t += 600) EXPECT_EQ(depth->at(1, t), 0.0) << t;
  ASSERT_EQ(drivers.flood()[0].power_cut.size(), 1u);
  EXPECT_EQ(drivers.flood()[0].power_cut[0].t0_s, 5 * 3600.0);
  EXPECT_EQ(drivers.flood()[0].power_cut[0].t1_s, 15 * 3600.0);
}

TEST(Flood, GatewaysCellsAndAccessPointsGoOffAfterTheirBackupAndHighGroundKeepsPower) {
  const Scenario sc = load(kFlood);
  const GatewayTimeline timeline(sc, {});
  // gw-low: 30 min of backup from 5 h; cell-low: 1 h; ap-low: none. All back when the water leaves.
  const double wet = 5 * 3600.0, dry = 15 * 3600.0;
  const std::vector<std::pair<uint32_t, double>> low = {{0, 1800.0}, {1, 3600.0}, {2, 0.0}};
  for (const auto& [g, backup] : low) {
    ASSERT_EQ(timeline.off_intervals(g).size(), 1u) << sc.gateways[g].name;
    EXPECT_EQ(timeline.off_intervals(g)[0].t0_s, wet + backup) << sc.gateways[g].name;
    EXPECT_EQ(timeline.off_intervals(g)[0].t1_s, dry) << sc.gateways[g].name;
    EXPECT_TRUE(timeline.powered(g, wet + backup - 0.001)) << sc.gateways[g].name;
    EXPECT_FALSE(timeline.powered(g, wet + backup)) << sc.gateways[g].name;
    EXPECT_TRUE(timeline.powered(g, dry)) << sc.gateways[g].name;
  }
  for (uint32_t g : {3u, 4u}) {
    EXPECT_TRUE(timeline.off_intervals(g).empty()) << sc.gateways[g].name;
    for (double t = 0; t <= 86400; t += 60)
      ASSERT_TRUE(timeline.powered(g, t)) << sc.gateways[g].name << " " << t;
  }
}

TEST(Flood, DelayRestorePondingAndStepHydrographs) {
  const Scenario sc = load(
      "drivers:\n"
      "  river_level: {points: [[0 h, 5 m], [4 h, 12 m], [8 h, 5 m]], interpolation: step}\n"
      "  rainfall: {points: [[0 h, 0 mm/h], [1 h, 0 mm/h]], interpolation: step,\n"
      "             events: [{start: 1 h, end: 2 h, add: 110 mm/h, districts: [high]}]}\n"
      "  flood: {elevation: {low: 10 m, high: 30 m}, delay: {low: 30 min}, restore: 1 h, drainage: 50 "
      "mm/h}\n");
  const DriverSet drivers(sc);
  // low: the step to 12 m at 4 h arrives at 4.5 h, 2 m deep at once; it leaves at 8.5 h; power 1 h later.
  EXPECT_EQ(drivers.flood()[0].inundation_start_s, 4.5 * 3600.0);
  EXPECT_EQ(drivers.find("inundation_depth")->at(0, 4.5 * 3600.0), 2.0);
  EXPECT_EQ(drivers.find("inundation_depth")->before(0, 4.5 * 3600.0), 0.0);
  ASSERT_EQ(drivers.flood()[0].power_cut.size(), 1u);
  EXPECT_EQ(drivers.flood()[0].power_cut[0].t1_s, 9.5 * 3600.0);
  // high: 110 mm/h for an hour against 50 mm/h of drains ponds 60 mm at 2 h (trapezoid on 60 s steps:
  // exact for a step held over whole steps), then drains at 50 mm/h: dry at 2 h + 1.2 h.
  const QuantityField* depth = drivers.find("inundation_depth");
  EXPECT_NEAR(depth->at(1, 2 * 3600.0), 0.060, 1e-12);
  EXPECT_NEAR(drivers.flood()[1].inundation_start_s, 3600.0, 1e-9);
  ASSERT_EQ(drivers.flood()[1].power_cut.size(), 1u);
  EXPECT_NEAR(drivers.flood()[1].power_cut[0].t1_s, 3.2 * 3600.0 + 3600.0, 1e-6);
}

TEST(Flood, RecordingHasEveryFieldOnOneAxisWithJumps) {
  const Scenario sc = load(kFlood);
  const DriverSet drivers(sc);
  const DriverRecording r = drivers.record(86400.0, 60.0);
  ASSERT_EQ(r.fields.size(), 2u);
  EXPECT_EQ(r.fields[0].name, "river_level");
  EXPECT_TRUE(r.fields[0].uniform);
  EXPECT_EQ(r.fields[0].values.size(), r.t_s.size());
  EXPECT_EQ(r.fields[1].name, "inundation_depth");
  EXPECT_EQ(r.fields[1].values.size(), r.t_s.size() * 2);
  EXPECT_EQ(r.t_s.front(), 0.0);
  EXPECT_EQ(r.t_s.back(), 86400.0);
  EXPECT_TRUE(std::is_sorted(r.t_s.begin(), r.t_s.end()));
}

TEST(Flood, AnOltInAFloodedDistrictTakesItsBackboneDownAfterItsBackup) {
  std::string text = kCity + kFlood;
  text.insert(
      text.find("run:"),
      "fibre:\n  olts: [{name: olt-low, district: low, backup: 2 h}, {name: olt-high, district: high}]\n"
      "  pons: [{name: pon-low, olt: olt-low}]\n");
  const Scenario sc = load_scenario_text(text, "<text>", {});
  const std::vector<Failure> schedule = failure_schedule(sc, 1);
  ASSERT_EQ(schedule.size(), 1u);  // olt-high stays dry
  EXPECT_EQ(schedule[0].target, "backbone:olt-low");
  EXPECT_EQ(schedule[0].start_s, 7 * 3600.0);  // flooded at 5 h, 2 h of batteries
  EXPECT_EQ(schedule[0].end_s, 15 * 3600.0);
}

TEST(Flood, AFloodNeedsARiverOrRain) {
  EXPECT_NE(load_error("drivers:\n  flood: {elevation: {low: 1 m}}\n").find("drivers.flood: a flood needs"),
            std::string::npos);
  EXPECT_NE(load_error("drivers:\n  river_level: [[0 h, 1 m]]\n  flood: {elevation: {lwo: 1 m}}\n")
                .find("did you mean 'low'"),
            std::string::npos);
}

// kFlood's depth in low, given directly (as a hydraulic model's output would be): 0 until 5 h, 5 m at 10 h,
// 0 again at 15 h; high stays dry.
const std::string kGivenDepth =
    "drivers:\n"
    "  inundation_depth: {points: [[0 h, 0 m], [5 h, 0 m], [10 h, 5 m], [15 h, 0 m]], districts: [low]}\n";
const std::string kFibre =
    "fibre:\n  olts: [{name: olt-low, district: low, backup: 2 h}, {name: olt-high, district: high}]\n"
    "  pons: [{name: pon-low, olt: olt-low}]\n";

Scenario load_with_fibre(const std::string& drivers) {
  std::string text = kCity + drivers;
  text.insert(text.find("run:"), kFibre);
  return load_scenario_text(text, "<text>", {});
}

void expect_same_flood(const Scenario& bathtub, const Scenario& given) {
  const DriverSet a(bathtub), b(given);
  ASSERT_EQ(a.flood().size(), 2u);
  ASSERT_EQ(b.flood().size(), 2u);
  for (size_t d = 0; d < 2; ++d) {
    EXPECT_EQ(std::isnan(a.flood()[d].inundation_start_s), std::isnan(b.flood()[d].inundation_start_s)) << d;
    if (!std::isnan(a.flood()[d].inundation_start_s)) {
      EXPECT_EQ(a.flood()[d].inundation_start_s, b.flood()[d].inundation_start_s) << d;
    }
    EXPECT_EQ(a.flood()[d].submerged_from_s, b.flood()[d].submerged_from_s) << d;  // drowned devices
    ASSERT_EQ(a.flood()[d].power_cut.size(), b.flood()[d].power_cut.size()) << d;
    for (size_t i = 0; i < a.flood()[d].power_cut.size(); ++i) {
      EXPECT_EQ(a.flood()[d].power_cut[i].t0_s, b.flood()[d].power_cut[i].t0_s) << d;
      EXPECT_EQ(a.flood()[d].power_cut[i].t1_s, b.flood()[d].power_cut[i].t1_s) << d;
    }
  }
  // The gateways' power and the OLTs' backbones, as the run sees them.
  const std::vector<Failure> fa = failure_schedule(bathtub, 1), fb = failure_schedule(given, 1);
  ASSERT_EQ(fa.size(), fb.size());
  for (size_t i = 0; i < fa.size(); ++i) {
    EXPECT_EQ(fa[i].target, fb[i].target);
    EXPECT_EQ(fa[i].start_s, fb[i].start_s);
    EXPECT_EQ(fa[i].end_s, fb[i].end_s);
  }
  const GatewayTimeline ta(bathtub, fa), tb(given, fb);
  for (uint32_t g = 0; g < bathtub.gateways.size(); ++g) {
    ASSERT_EQ(ta.off_intervals(g).size(), tb.off_intervals(g).size()) << bathtub.gateways[g].name;
    for (size_t i = 0; i < ta.off_intervals(g).size(); ++i) {
      EXPECT_EQ(ta.off_intervals(g)[i].t0_s, tb.off_intervals(g)[i].t0_s) << bathtub.gateways[g].name;
      EXPECT_EQ(ta.off_intervals(g)[i].t1_s, tb.off_intervals(g)[i].t1_s) << bathtub.gateways[g].name;
    }
    ASSERT_EQ(ta.down_intervals(g).size(), tb.down_intervals(g).size()) << bathtub.gateways[g].name;
  }
}

TEST(Flood, ADepthGivenDirectlyCutsPowerAndDrownsDevicesAsTheBathtubsDoes) {
  // With the flood's default thresholds: power cut while wet (5 h..15 h), drowned past 0.3 m (5.3 h).
  const Scenario given = load_with_fibre(kGivenDepth);
  EXPECT_FALSE(given.drivers.flood.enabled);
  ASSERT_NO_FATAL_FAILURE(expect_same_flood(load_with_fibre(kFlood), given));
  const DriverSet drivers(given);
  ASSERT_EQ(drivers.flood().size(), 2u);
  ASSERT_EQ(drivers.flood()[0].power_cut.size(), 1u);
  EXPECT_EQ(drivers.flood()[0].power_cut[0].t0_s, 5 * 3600.0);
  EXPECT_EQ(drivers.flood()[0].power_cut[0].t1_s, 15 * 3600.0);
  EXPECT_NEAR(drivers.flood()[0].submerged_from_s, 5.3 * 3600.0, 1e-6);
  EXPECT_TRUE(drivers.flood()[1].power_cut.empty());
  EXPECT_EQ(drivers.flood()[1].submerged_from_s, std::numeric_limits<double>::infinity());
  ASSERT_EQ(drivers.flood_power_outages().size(), 1u);
  EXPECT_EQ(drivers.flood_power_outages()[0].districts, std::vector<std::string>{"low"});
  // gw-low (30 min of backup) is off from 5.5 h until the water leaves; the OLT after its 2 h.
  const GatewayTimeline timeline(given, {});
  ASSERT_EQ(timeline.off_intervals(0).size(), 1u);
  EXPECT_EQ(timeline.off_intervals(0)[0].t0_s, 5.5 * 3600.0);
  EXPECT_EQ(timeline.off_intervals(0)[0].t1_s, 15 * 3600.0);
  EXPECT_TRUE(timeline.off_intervals(3).empty());  // gw-high
  const std::vector<Failure> schedule = failure_schedule(given, 1);
  ASSERT_EQ(schedule.size(), 1u);
  EXPECT_EQ(schedule[0].target, "backbone:olt-low");
  EXPECT_EQ(schedule[0].start_s, 7 * 3600.0);

  // With drivers.flood's thresholds beside it: cut while deeper than 1 m (6 h..14 h) and 30 min more,
  // drowned past 2 m (7 h).
  const std::string thresholds = "power_depth: 1 m, restore: 30 min, submerged_depth: 2 m";
  const Scenario given_thresholds = load_with_fibre(kGivenDepth + "  flood: {" + thresholds + "}\n");
  std::string bathtub = kFlood;
  bathtub.replace(bathtub.find("high: 30 m}"), 11, "high: 30 m}, " + thresholds);
  ASSERT_NO_FATAL_FAILURE(expect_same_flood(load_with_fibre(bathtub), given_thresholds));
  const DriverSet with(given_thresholds);
  ASSERT_EQ(with.flood().size(), 2u);
  ASSERT_EQ(with.flood()[0].power_cut.size(), 1u);
  EXPECT_EQ(with.flood()[0].power_cut[0].t0_s, 6 * 3600.0);
  EXPECT_EQ(with.flood()[0].power_cut[0].t1_s, 14.5 * 3600.0);
  EXPECT_EQ(with.flood()[0].submerged_from_s, 7 * 3600.0);
  // The depth is the one given, recorded once.
  ASSERT_EQ(with.fields().size(), 1u);
  EXPECT_EQ(with.find("inundation_depth")->at(0, 7.5 * 3600.0), 2.5);
}

TEST(Flood, AGivenDepthStepsAndEventsFloodAtTheirJumps) {
  const DriverSet drivers(
      load("drivers:\n"
           "  inundation_depth:\n"
           "    points: [[0 h, 0 m], [2 h, 0.5 m], [4 h, 0 m]]\n"
           "    interpolation: step\n"
           "    districts: [high]\n"
           "    events: [{start: 6 h, end: 7 h, add: 1 m, districts: [high]}]\n"));
  ASSERT_EQ(drivers.flood().size(), 2u);
  EXPECT_TRUE(drivers.flood()[0].power_cut.empty());  // low: not covered, dry
  ASSERT_EQ(drivers.flood()[1].power_cut.size(), 2u);
  EXPECT_EQ(drivers.flood()[1].power_cut[0].t0_s, 2 * 3600.0);
  EXPECT_EQ(drivers.flood()[1].power_cut[0].t1_s, 4 * 3600.0);
  EXPECT_EQ(drivers.flood()[1].power_cut[1].t0_s, 6 * 3600.0);
  EXPECT_EQ(drivers.flood()[1].power_cut[1].t1_s, 7 * 3600.0);
  EXPECT_EQ(drivers.flood()[1].submerged_from_s, 2 * 3600.0);  // 0.5 m at once, past 0.3 m
}

TEST(Flood, AGivenDepthRefusesTheKeysThatWouldComputeOne) {
  const std::string error = load_error(
      kGivenDepth + "  river_level: [[0 h, 5 m]]\n  flood: {elevation: {low: 10 m}, restore: 1 h}\n");
  EXPECT_NE(error.find("drivers.flood.elevation: computes inundation_depth, which drivers.inundation_depth "
                       "gives: give one or the other"),
            std::string::npos)
      << error;
  EXPECT_NE(
      load_error(kGivenDepth + "  flood: {drainage: 20 mm/h}\n").find("drivers.flood.drainage: computes"),
      std::string::npos);
  // The thresholds alone need no river or rain.
  EXPECT_EQ(load_error(kGivenDepth + "  flood: {power_depth: 0.5 m}\n"), "");
  EXPECT_NE(load_error("drivers:\n  flood: {power_depth: 0.5 m}\n").find("drivers.flood: a flood needs"),
            std::string::npos);
}

TEST(Flood, ALevelOrAnElevationOutOfRangeIsRefusedInTheListAndCsvFormsAlike) {
  // The river's list form, as its map form and its CSV: -1 km..10 km (sim/scenario/quantities.cpp).
  const std::string level = load_error("drivers:\n  river_level: [[0 h, 5 m], [1 h, 20 km]]\n");
  EXPECT_NE(level.find("<text>:15:35: drivers.river_level[1][1]: expected -1000..10000 m, got 20 km"),
            std::string::npos)
      << level;
  EXPECT_NE(load_error("drivers:\n  river_level: {points: [[0 h, 5 m], [1 h, 20 km]]}\n")
                .find("drivers.river_level.points[1][1]: expected -1000..10000 m for river_level"),
            std::string::npos);
  EXPECT_EQ(load_error("drivers:\n  river_level: [[0 h, -2 m], [1 h, 9.9 km]]\n"), "");
  // An elevation from the CSV, as in the map: -1 km..10 km.
  const std::string dir = temp_dir();
  write_file(dir + "/ground.csv", "district,elevation\nlow,10\nhigh,12 km\n");
  const std::string csv = load_error(
      "drivers:\n  river_level: [[0 h, 5 m]]\n  flood: {elevation_csv: ground.csv}\n", dir + "/city.yaml");
  EXPECT_NE(csv.find("city.yaml:16:26: drivers.flood.elevation_csv: " + dir +
                     "/ground.csv:3: elevation: expected -1000..10000 m, got '12 km'"),
            std::string::npos)
      << csv;
  EXPECT_NE(load_error("drivers:\n  river_level: [[0 h, 5 m]]\n  flood: {elevation: {high: 12 km}}\n")
                .find("drivers.flood.elevation.high: expected -1000..10000 m"),
            std::string::npos);
  write_file(dir + "/ground.csv", "district,elevation\nlow,-999\nhigh,10 km\n");
  EXPECT_EQ(load_error("drivers:\n  river_level: [[0 h, 5 m]]\n  flood: {elevation_csv: ground.csv}\n",
                       dir + "/city.yaml"),
            "");
}

}  // namespace
}  // namespace citytwin::sim
