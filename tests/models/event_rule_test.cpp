// Tests of event-driven reporting against a hand-made hydrograph and a parking bay.
#include "models/device/event_rule.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace citytwin::models::device {
namespace {

constexpr double kMinute = 60.0;

// River stage in cm, sampled each minute for two hours: 100 cm until minute 30, rising 5 cm/min to
// 300 cm at minute 70 (200 cm at minute 50), falling 5 cm/min back to 100 cm at minute 110. Integer
// centimetres keep every comparison exact.
double stage_cm(int minute) {
  if (minute < 30) return 100.0;
  if (minute <= 70) return 100.0 + 5.0 * (minute - 30);
  if (minute <= 110) return 300.0 - 5.0 * (minute - 70);
  return 100.0;
}

EventRule level_rule() {
  EventRule rule;  // 15 min normally, 1 min above, at once on a crossing
  rule.threshold = 200.0;
  return rule;
}

struct Report {
  int minute;
  ReportReason reason;
  bool operator==(const Report&) const = default;
};

std::vector<Report> run_hydrograph(const EventRule& rule) {
  EventReporter reporter(rule);
  std::vector<Report> reports;
  for (int minute = 0; minute <= 120; ++minute) {
    const Decision d = reporter.on_sample(minute * kMinute, stage_cm(minute));
    if (d.transmit) reports.push_back({minute, d.reason});
    EXPECT_EQ(d.transmit, d.reason != ReportReason::None) << "minute " << minute;
  }
  return reports;
}

// Scheduled reports every minute from `from` to `to` inclusive.
void append_every_minute(std::vector<Report>& reports, int from, int to) {
  for (int m = from; m <= to; ++m) reports.push_back({m, ReportReason::Scheduled});
}

TEST(EventReporter, HydrographReportsOnCrossingsAndFasterAboveThreshold) {
  // Minute 50 sits at 200 cm, not above; the level is above from minute 51 to 89; at minute 90 it is
  // back at 200 cm. Expected: 0, 15, 30, 45 (every 15 min), 51 crossing up, 52..89 every minute,
  // 90 crossing down, then 105 and 120 (15 min counted from the last report).
  std::vector<Report> expected = {{0, ReportReason::Scheduled},
                                  {15, ReportReason::Scheduled},
                                  {30, ReportReason::Scheduled},
                                  {45, ReportReason::Scheduled},
                                  {51, ReportReason::CrossingUp}};
  append_every_minute(expected, 52, 89);
  expected.push_back({90, ReportReason::CrossingDown});
  expected.push_back({105, ReportReason::Scheduled});
  expected.push_back({120, ReportReason::Scheduled});
  const std::vector<Report> reports = run_hydrograph(level_rule());
  EXPECT_EQ(reports.size(), 46u);
  EXPECT_EQ(reports, expected);
}

TEST(EventReporter, ConsecutiveSamplesDebounceTheCrossing) {
  // Two samples in a row: up is confirmed at minute 52 (51 and 52 above), down at 91 (90 and 91 at or
  // below); minute 90 is still a scheduled fast report.
  EventRule rule = level_rule();
  rule.consecutive = 2;
  std::vector<Report> expected = {{0, ReportReason::Scheduled},
                                  {15, ReportReason::Scheduled},
                                  {30, ReportReason::Scheduled},
                                  {45, ReportReason::Scheduled},
                                  {52, ReportReason::CrossingUp}};
  append_every_minute(expected, 53, 90);
  expected.push_back({91, ReportReason::CrossingDown});
  expected.push_back({106, ReportReason::Scheduled});
  EXPECT_EQ(run_hydrograph(rule), expected);
}

TEST(EventReporter, WithoutReportOnCrossingOnlyTheScheduleChanges) {
  // At minute 51 the next report becomes 45 + 1 = 46, already past: reported at once (scheduled).
  // At minute 90 it becomes 89 + 15 = 104: nothing at 90, then 104 and 119.
  EventRule rule = level_rule();
  rule.report_on_crossing = false;
  std::vector<Report> expected = {{0, ReportReason::Scheduled},
                                  {15, ReportReason::Scheduled},
                                  {30, ReportReason::Scheduled},
                                  {45, ReportReason::Scheduled}};
  append_every_minute(expected, 51, 89);
  expected.push_back({104, ReportReason::Scheduled});
  expected.push_back({119, ReportReason::Scheduled});
  EXPECT_EQ(run_hydrograph(rule), expected);
}

TEST(EventReporter, HysteresisDelaysTheFallBack) {
  // Falling back needs <= 190 cm: minute 92 (300 - 5 x 22).
  EventRule rule = level_rule();
  rule.hysteresis = 10.0;
  const std::vector<Report> reports = run_hydrograph(rule);
  std::vector<int> crossings;
  for (const Report& r : reports) {
    if (r.reason == ReportReason::CrossingUp || r.reason == ReportReason::CrossingDown)
      crossings.push_back(r.minute);
  }
  EXPECT_EQ(crossings, (std::vector<int>{51, 92}));
}

TEST(EventReporter, NextReportFollowsTheState) {
  EventReporter reporter(level_rule());
  EXPECT_TRUE(std::isinf(reporter.next_report_s()));  // nothing scheduled before the first sample
  reporter.on_sample(0.0, 100.0);
  EXPECT_FALSE(reporter.above());
  EXPECT_DOUBLE_EQ(reporter.next_report_s(), 900.0);
  EXPECT_DOUBLE_EQ(reporter.current_interval_s(), 900.0);
  EXPECT_FALSE(reporter.on_sample(600.0, 150.0).transmit);
  const Decision up = reporter.on_sample(660.0, 250.0);
  EXPECT_EQ(up.reason, ReportReason::CrossingUp);
  EXPECT_TRUE(reporter.above());
  EXPECT_DOUBLE_EQ(reporter.next_report_s(), 720.0);
  // A sample long after the due time reports, and the next counts from it.
  EXPECT_EQ(reporter.on_sample(1000.0, 260.0).reason, ReportReason::Scheduled);
  EXPECT_DOUBLE_EQ(reporter.next_report_s(), 1060.0);
}

TEST(EventReporter, FirstSampleAboveStartsInTheFastState) {
  EventReporter reporter(level_rule());
  const Decision first = reporter.on_sample(30.0, 250.0);
  EXPECT_TRUE(first.transmit);
  EXPECT_EQ(first.reason, ReportReason::Scheduled);  // not a crossing
  EXPECT_TRUE(reporter.above());
  EXPECT_DOUBLE_EQ(reporter.next_report_s(), 90.0);
}

TEST(EventReporter, ParkingBayReportsStateChangesAndAnHourlyHeartbeat) {
  // Occupancy sampled each second, confirmed over 3 samples, heartbeat 1 h in both states. A car
  // passing over the sensor for 2 s (t = 50, 51) is ignored; a car parks at t = 100 (confirmed at 102)
  // and leaves at t = 2000 (confirmed at 2002); heartbeats then count from the last report.
  EventRule rule;
  rule.normal_interval_s = 3600.0;
  rule.fast_interval_s = 3600.0;
  rule.threshold = 0.5;
  rule.consecutive = 3;
  EventReporter reporter(rule);
  std::vector<std::pair<int, ReportReason>> reports;
  for (int t = 0; t <= 6000; ++t) {
    const bool occupied = t == 50 || t == 51 || (t >= 100 && t < 2000);
    const Decision d = reporter.on_sample(t, occupied ? 1.0 : 0.0);
    if (d.transmit) reports.emplace_back(t, d.reason);
  }
  const std::vector<std::pair<int, ReportReason>> expected = {{0, ReportReason::Scheduled},
                                                              {102, ReportReason::CrossingUp},
                                                              {2002, ReportReason::CrossingDown},
                                                              {5602, ReportReason::Scheduled}};
  EXPECT_EQ(reports, expected);
}

TEST(ReportReason, Names) {
  EXPECT_EQ(std::string(to_string(ReportReason::None)), "none");
  EXPECT_EQ(std::string(to_string(ReportReason::Scheduled)), "scheduled");
  EXPECT_EQ(std::string(to_string(ReportReason::CrossingUp)), "crossing_up");
  EXPECT_EQ(std::string(to_string(ReportReason::CrossingDown)), "crossing_down");
}

}  // namespace
}  // namespace citytwin::models::device
