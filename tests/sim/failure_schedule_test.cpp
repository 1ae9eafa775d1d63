// Failure schedules: explicit intervals kept as written, availability profiles drawn from the seed
// with the long-run availability of an alternating renewal process, MTBF / (MTBF + MTTR).
#include "sim/drivers/failure_schedule.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "sim/scenario/scenario.hpp"
#include "tests/sim/rooms.hpp"

namespace citytwin::sim {
namespace {

Scenario with_failures(std::vector<Failure> failures, double duration_s) {
  Scenario sc;
  sc.run.duration_s = duration_s;
  sc.drivers.failures = std::move(failures);
  return sc;
}

TEST(FailureSchedule, KeepsExplicitIntervalsSortedByStart) {
  const auto schedule = failure_schedule(
      with_failures(
          {{"pon:b", 7200, 9000, 0, 0}, {"network_server", 3600, 4000, 0, 0}, {"pon:a", 7200, 7300, 0, 0}},
          86400),
      1);
  ASSERT_EQ(schedule.size(), 3u);
  EXPECT_EQ(schedule[0].target, "network_server");
  EXPECT_EQ(schedule[1].target, "pon:a");  // same start: by target
  EXPECT_EQ(schedule[2].target, "pon:b");
  EXPECT_EQ(schedule[2].end_s, 9000);
}

TEST(FailureSchedule, AvailabilityProfileMatchesRenewalTheory) {
  // MTBF 10 h, MTTR 2 h over 5 years: availability 10 / 12, one failure per 12 h on average.
  const double mtbf = 36000, mttr = 7200, duration = 5 * 365 * 86400.0;
  const auto schedule = failure_schedule(with_failures({{"backbone:olt", 0, 0, mtbf, mttr}}, duration), 42);
  double down = 0.0;
  for (size_t i = 0; i < schedule.size(); ++i) {
    EXPECT_GT(schedule[i].end_s, schedule[i].start_s);
    if (i > 0) {
      EXPECT_GE(schedule[i].start_s, schedule[i - 1].end_s);  // one target: no overlap
    }
    down += std::min(schedule[i].end_s, duration) - schedule[i].start_s;
  }
  const double expected_failures = duration / (mtbf + mttr);  // 3650
  // Counts and down time of ~3650 cycles: a few percent of sampling noise at most.
  EXPECT_NEAR(static_cast<double>(schedule.size()), expected_failures, 0.05 * expected_failures);
  EXPECT_NEAR(1.0 - down / duration, mtbf / (mtbf + mttr), 0.01);
}

TEST(FailureSchedule, SameSeedSameDrawsOtherSeedOtherDraws) {
  const auto sc = with_failures({{"pon:a", 0, 0, 3600, 600}, {"pon:b", 0, 0, 3600, 600}}, 86400);
  const auto a = failure_schedule(sc, 7), b = failure_schedule(sc, 7), c = failure_schedule(sc, 8);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].start_s, b[i].start_s);
  EXPECT_TRUE(a.size() != c.size() ||
              !std::equal(a.begin(), a.end(), c.begin(),
                          [](const Failure& x, const Failure& y) { return x.start_s == y.start_s; }));
  // Adding a profile leaves the draws of the others alone.
  auto more = sc;
  more.drivers.failures.push_back({"pon:c", 0, 0, 3600, 600});
  const auto d = failure_schedule(more, 7);
  std::vector<double> a_starts, d_starts;
  for (const Failure& f : a) a_starts.push_back(f.start_s);
  for (const Failure& f : d)
    if (f.target != "pon:c") d_starts.push_back(f.start_s);
  EXPECT_EQ(a_starts, d_starts);
}

}  // namespace
}  // namespace citytwin::sim
