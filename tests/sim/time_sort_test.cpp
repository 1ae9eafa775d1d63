// core::sort_by_time gives exactly std::sort's order: records tied in time (a frame's copies reaching
// the server together), times far apart (a copy held by a failure), one time for all, a few records.
#include "sim/core/time_sort.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <tuple>
#include <vector>

namespace citytwin::sim {
namespace {

struct Record {  // ordered by time, then two tie-breakers, like the wired network's arrivals
  double t_s;
  uint32_t gateway;
  uint64_t seq;
  bool operator<(const Record& o) const {
    return std::tie(t_s, gateway, seq) < std::tie(o.t_s, o.gateway, o.seq);
  }
  bool operator==(const Record& o) const = default;
};

// Sorts the records both ways and asserts the same order (reporting the first difference).
void expect_as_std_sort(std::vector<Record> records, size_t max_buckets = core::kMaxBuckets) {
  std::vector<Record> expected = records;
  std::sort(expected.begin(), expected.end());
  std::vector<Record> scratch;
  std::vector<size_t> starts;
  core::sort_by_time(
      records, scratch, starts, [](const Record& r) { return r.t_s; }, max_buckets);
  ASSERT_EQ(records.size(), expected.size());
  for (size_t i = 0; i < records.size(); ++i)
    ASSERT_EQ(records[i], expected[i]) << "first difference at " << i << " of " << records.size();
}

TEST(TimeSort, GivesStdSortsOrderWithTiesAndOutliers) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> period(1000.0, 1010.0);
  constexpr size_t kMin = core::kSortByTimeMin;
  constexpr size_t kMany = 3 * core::kMaxBuckets;  // the first level has fewer buckets than n / 2
  for (size_t n :
       {size_t{0}, size_t{1}, size_t{2}, kMin - 1, kMin, kMin + 1, 3 * kMin, 10 * kMin, 40 * kMin, kMany}) {
    std::vector<Record> records;
    for (size_t i = 0; i < n; ++i) {
      // A frame's copies at several gateways share one arrival time; a few are held for hours.
      const double t = (i % 97 == 5) ? 1000.0 + 3600.0 * static_cast<double>(i % 3 + 1) : period(rng);
      for (uint32_t g = 0; g < 1 + i % 4 && records.size() < n; ++g)
        records.push_back({t, static_cast<uint32_t>(rng() % 50), i});
    }
    std::shuffle(records.begin(), records.end(), rng);
    expect_as_std_sort(records);
  }
}

// Records nearly in time order, as the wired network's arrivals come when carried in the order the copies
// came: a window's frames at a time (their times out of order within a second), each frame's copies at a
// few gateways apart by their routes' latencies, ties, a few held for an hour; sorted with the larger first
// level the wired network gives them (more records than it has buckets, and fewer).
TEST(TimeSort, NearlyOrderedRecordsWithManyBucketsGiveStdSortsOrder) {
  std::mt19937_64 rng(13);
  std::uniform_real_distribution<double> within(0.0, 1.0);
  for (size_t frames : {size_t{5000}, size_t{60000}}) {
    std::vector<Record> records;
    for (uint64_t f = 0; f < frames; ++f) {
      const double window = std::floor(static_cast<double>(f) * 10.0 / static_cast<double>(frames));
      const double t_rx = f % 211 == 3 ? 3600.0 : window + within(rng);
      for (uint32_t g = 0; g < 1 + f % 6; ++g)
        records.push_back({t_rx + (g % 3 == 0 ? 0.0 : 1e-8 * static_cast<double>(rng() % 4000)),
                           static_cast<uint32_t>((f * 7 + g * 131) % 1538), f});
    }
    ASSERT_GT(records.size(), frames == 5000 ? size_t{1000} : 2 * core::kMaxBucketsInOrder);
    expect_as_std_sort(records, core::kMaxBucketsInOrder);
  }
}

TEST(TimeSort, OneTimeForAllIsOrderedByTheTieBreakers) {
  std::vector<Record> records;
  const uint64_t n = 2 * core::kSortByTimeMin;
  for (uint64_t i = 0; i < n; ++i) records.push_back({42.0, static_cast<uint32_t>((i * 7919) % 13), n - i});
  expect_as_std_sort(records);
}

TEST(TimeSort, TimesAtTheEdgesOfTheRangeLandInTheFirstAndLastBuckets) {
  // The largest time maps to bucket n / 2 before clamping; the smallest to 0; neighbours of each.
  std::vector<Record> records;
  for (uint64_t i = 0; i < 2 * core::kSortByTimeMin; ++i) {
    const double t = (i % 2 == 0) ? std::nextafter(1.0, 2.0) * static_cast<double>(i % 5) : 4.0;
    records.push_back({t, static_cast<uint32_t>(i % 3), i});
  }
  expect_as_std_sort(records);
}

// A period's copies received at the same instants by 2,000 gateways arrive apart only by their routes'
// latencies: clusters of thousands of records in a microsecond span among times seconds apart (one
// top-level bucket each), with a cluster inside the cluster and ties, bucketed again level by level.
TEST(TimeSort, ClustersOfCloseTimesAreBucketedAgainAndKeepTheOrder) {
  std::vector<Record> records;
  std::mt19937_64 rng(5);
  uint64_t seq = 0;
  for (int instant = 0; instant < 3; ++instant) {
    for (uint32_t g = 0; g < 2000; ++g) {
      const double latency_s = 2.5e-6 + 1e-8 * static_cast<double>(rng() % 4000);
      records.push_back({10.0 * instant + 2.5 + latency_s, g, seq++});
    }
    // Inside the cluster: 1,500 copies within a nanosecond, and exact ties.
    for (uint32_t g = 0; g < 1500; ++g)
      records.push_back({10.0 * instant + 2.5 + 2e-5 + 1e-12 * static_cast<double>(g % 700), g, seq++});
  }
  records.push_back({0.0, 1, seq++});
  records.push_back({1e4, 2, seq++});
  std::shuffle(records.begin(), records.end(), rng);
  expect_as_std_sort(records);
}

TEST(TimeSort, ReusesItsScratchAcrossCalls) {
  std::vector<Record> scratch;
  std::vector<size_t> starts;
  std::mt19937_64 rng(11);
  for (int round = 0; round < 20; ++round) {
    std::vector<Record> records;
    const size_t n = core::kSortByTimeMin / 2 + rng() % (4 * core::kSortByTimeMin);
    for (uint64_t i = 0; i < n; ++i) records.push_back({static_cast<double>(rng() % 1000) / 7.0, 0, i});
    std::vector<Record> expected = records;
    std::sort(expected.begin(), expected.end());
    core::sort_by_time(records, scratch, starts, [](const Record& r) { return r.t_s; });
    ASSERT_EQ(records, expected) << "round " << round;
  }
}

// A record without operator<, ordered by a comparator whose tie-breaker runs backwards (so that a sort by
// anything but `less` would show), through both entry points: sort_by_time and sort_by_time_into (which
// leaves its input in no order, and must not touch the output beyond its n records).
struct Plain {
  double t_s;
  uint32_t key;
  bool operator==(const Plain& o) const = default;
};
struct TimeThenKeyDown {
  bool operator()(const Plain& a, const Plain& b) const {
    return a.t_s < b.t_s || (a.t_s == b.t_s && a.key > b.key);
  }
};

TEST(TimeSort, SortsByTheComparatorGivenInPlaceAndIntoAnotherArray) {
  std::mt19937_64 rng(13);
  std::vector<size_t> starts;
  for (size_t n : {size_t{5}, core::kSortByTimeMin - 1, core::kSortByTimeMin, size_t{550}, size_t{5000}}) {
    std::vector<Plain> records;
    for (uint32_t i = 0; i < n; ++i) records.push_back({static_cast<double>(rng() % (n / 3 + 1)) * 0.125, i});
    std::shuffle(records.begin(), records.end(), rng);
    std::vector<Plain> expected = records;
    std::sort(expected.begin(), expected.end(), TimeThenKeyDown{});
    const auto time_of = [](const Plain& r) { return r.t_s; };

    std::vector<Plain> in_place = records, scratch;
    core::sort_by_time(in_place, scratch, starts, time_of, core::kMaxBuckets, TimeThenKeyDown{});
    EXPECT_EQ(in_place, expected) << n << " records, in place";

    std::vector<Plain> from = records;
    std::vector<Plain> into(n + 2, Plain{-1.0, 0});  // a record either side, which must stay as it is
    core::sort_by_time_into(from.data(), into.data() + 1, n, starts, time_of, core::kMaxBuckets,
                            TimeThenKeyDown{});
    EXPECT_EQ(std::vector<Plain>(into.begin() + 1, into.end() - 1), expected) << n << " records, into";
    EXPECT_EQ(into.front(), (Plain{-1.0, 0}));
    EXPECT_EQ(into.back(), (Plain{-1.0, 0}));
  }
}

}  // namespace
}  // namespace citytwin::sim
