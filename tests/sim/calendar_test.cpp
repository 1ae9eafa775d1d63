// engine::Calendar pops events in the order one heap of them all would: (time, device, kind), across
// windows, with events pushed while the windows run (due in the same window, a few buckets ahead, beyond
// the ring), ties in time, and windows that jump over empty stretches.
#include "sim/engine/calendar.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <set>
#include <tuple>
#include <vector>

namespace citytwin::sim::engine {
namespace {

struct Event {
  double t_s;
  uint32_t device;
  uint8_t kind;
  bool operator<(const Event& o) const {
    return std::tie(t_s, device, kind) < std::tie(o.t_s, o.device, o.kind);
  }
  bool operator==(const Event& o) const = default;
};

// Runs windows of `window_s` to `end_s` on a Calendar and on a std::set (the reference order), each event
// popped scheduling its device's next one `gap(rng)` later (sometimes the same window, sometimes far
// ahead), and asserts the same pops in the same order.
template <class Gap>
void expect_heap_order(double bucket_s, size_t buckets, double window_s, double end_s, uint32_t devices,
                       Gap gap, uint64_t seed) {
  Calendar<Event> calendar(bucket_s, buckets);
  std::set<Event> reference;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> first(0.0, 900.0);
  for (uint32_t d = 0; d < devices; ++d) {
    const Event e{std::floor(first(rng)), d, static_cast<uint8_t>(d % 3)};  // whole seconds: ties in time
    calendar.push(e);
    reference.insert(e);
  }
  size_t pops = 0;
  for (double t = window_s; t <= end_s; t += window_s) {
    Event got{};
    while (calendar.pop_before(t, got)) {
      ASSERT_FALSE(reference.empty());
      const Event want = *reference.begin();
      ASSERT_LT(want.t_s, t);
      ASSERT_EQ(got, want) << "pop " << pops << " in the window ending at " << t;
      reference.erase(reference.begin());
      ++pops;
      const Event later{got.t_s + gap(rng), got.device, got.kind};
      calendar.push(later);
      reference.insert(later);
    }
    ASSERT_TRUE(reference.empty() || !(reference.begin()->t_s < t)) << "an event before " << t << " was left";
    ASSERT_EQ(calendar.size(), reference.size());
  }
  EXPECT_GT(pops, devices) << "the run should pop each device's events more than once";
}

TEST(Calendar, PopsInHeapOrderWithReportsAMinuteToAnHourAhead) {
  std::uniform_real_distribution<double> gap(60.0, 3600.0);
  expect_heap_order(
      60.0, 32, 1.0, 3 * 3600.0, 500, [&](auto& rng) { return gap(rng); }, 1);
}

TEST(Calendar, PopsInHeapOrderWithEventsDueInTheSameWindowAndFarBeyondTheRing) {
  // A third of the events fall due within the window that pops their predecessor (receive windows, a
  // retry), a third a few buckets ahead, a third beyond the ring (a day ahead).
  std::uniform_int_distribution<int> which(0, 2);
  std::uniform_real_distribution<double> soon(0.0, 2.0), later(100.0, 1000.0), far(20000.0, 90000.0);
  expect_heap_order(
      30.0, 8, 5.0, 2 * 86400.0, 200,
      [&](auto& rng) {
        const int w = which(rng);
        return w == 0 ? soon(rng) : w == 1 ? later(rng) : far(rng);
      },
      2);
}

TEST(Calendar, PopsInHeapOrderWithSamplesASecondApart) {
  // Event-driven firmware sampling every second (a few a second later, an hour now and then): the next
  // sample falls in the minute's bucket already reached, after the window that pops its predecessor.
  std::uniform_int_distribution<int> which(0, 9);
  std::uniform_real_distribution<double> jitter(0.0, 3.0);
  expect_heap_order(
      60.0, 256, 1.0, 2 * 3600.0, 300,
      [&](auto& rng) {
        const int w = which(rng);
        return w == 0 ? 3600.0 : w == 1 ? jitter(rng) : 1.0;
      },
      4);
}

TEST(Calendar, WindowsLongerThanTheRingAndEmptyStretches) {
  // Windows of an hour over buckets of a second (a ring of 4 s): each window reaches many buckets, and the
  // jump over empty ones must not skip the far events.
  std::uniform_real_distribution<double> gap(0.5, 7200.0);
  expect_heap_order(
      1.0, 4, 3600.0, 5 * 86400.0, 50, [&](auto& rng) { return gap(rng); }, 3);
}

TEST(Calendar, PopsInHeapOrderWithBucketsOfHundredsOfEvents) {
  // 20,000 devices reporting every 1-60 minutes over minute buckets: ~650 events a bucket, sorted by time
  // buckets (core::sort_by_time) where a few dozen go to std::sort, and the events from beyond the ring
  // (a ring of 32 minutes, an eighth of the reports an hour or more ahead) merged into them.
  std::uniform_int_distribution<int> which(0, 7);
  std::uniform_real_distribution<double> gap(60.0, 3600.0), far(3600.0, 7200.0);
  expect_heap_order(
      60.0, 32, 1.0, 3 * 3600.0, 20000, [&](auto& rng) { return which(rng) == 0 ? far(rng) : gap(rng); }, 5);
}

TEST(Calendar, TiesInTimeGoByDeviceThenKind) {
  Calendar<Event> calendar(60.0, 4);
  for (const Event& e : {Event{10.0, 5, 1}, Event{10.0, 5, 0}, Event{10.0, 2, 3}, Event{9.0, 7, 0}})
    calendar.push(e);
  Event e{};
  std::vector<Event> order;
  while (calendar.pop_before(11.0, e)) order.push_back(e);
  EXPECT_EQ(order, (std::vector<Event>{{9.0, 7, 0}, {10.0, 2, 3}, {10.0, 5, 0}, {10.0, 5, 1}}));
  EXPECT_TRUE(calendar.empty());
  EXPECT_FALSE(calendar.pop_before(1e9, e));
}

}  // namespace
}  // namespace citytwin::sim::engine
