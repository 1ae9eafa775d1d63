// The thread pool (sim/core/thread_pool.hpp): every item of a round once, claims of consecutive items, the
// caller and the workers sharing a round, the lane beside the rounds, and the lane's task joining a round
// started meanwhile (sim/core/round_joining.hpp).
#include "sim/core/thread_pool.hpp"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "tests/sim/rooms.hpp"

namespace citytwin::sim {
namespace {
TEST(ThreadPool, RunsEveryItemOnceAndRethrows) {
  ThreadPool pool(3);
  std::vector<int> hits(1000, 0);
  pool.parallel_for(hits.size(), [&](size_t i) { ++hits[i]; });
  for (int h : hits) EXPECT_EQ(h, 1);
  EXPECT_THROW(pool.parallel_for(10,
                                 [](size_t i) {
                                   if (i == 7) throw std::runtime_error("x");
                                 }),
               std::runtime_error);
  pool.parallel_for(4, [&](size_t i) { hits[i] = 2; });  // still usable after an exception
  EXPECT_EQ(hits[3], 2);
}

// With too little work the items run on the calling thread alone; with enough, on the pool (the caller
// takes part, so only "every item ran once" can be asserted there).
TEST(ThreadPool, LittleWorkStaysOnTheCallingThread) {
  ThreadPool pool(4);
  const std::thread::id caller = std::this_thread::get_id();
  std::vector<std::thread::id> ran(64);
  pool.parallel_for(
      ran.size(), [&](size_t i) { ran[i] = std::this_thread::get_id(); }, 99, 100);
  for (const std::thread::id& id : ran) EXPECT_EQ(id, caller);
  std::vector<int> hits(64, 0);
  pool.parallel_for(
      hits.size(), [&](size_t i) { ++hits[i]; }, 100, 100);
  for (int h : hits) EXPECT_EQ(h, 1);
  EXPECT_THROW(pool.parallel_for(
                   3, [](size_t) { throw std::runtime_error("x"); }, 0, 100),
               std::runtime_error);
}

// Many short rounds (of 2-8 items, and every third of 50-116, which are claimed several at a time), each
// with a function of its own (a temporary: a worker that ran an item of an ended
// round would call a destroyed function, which AddressSanitizer reports, and count one item too many,
// which leaves the caller waiting for ever: how the first spinning pool failed), on a pool whose idle workers
// spin (the default) and on one whose workers sleep at once (spin 0: every round must wake them, and a
// lost wake-up hangs the test). Every item of every round runs exactly once, in its own round.
TEST(ThreadPool, ManyShortRoundsRunEachItemOnceInItsOwnRound) {
  for (const auto spin : {ThreadPool::kDefaultSpin, std::chrono::microseconds{0}}) {
    ThreadPool pool(3, spin);
    constexpr size_t kRounds = 20000;
    std::vector<std::vector<int>> hits(kRounds);
    for (size_t r = 0; r < kRounds; ++r) {
      hits[r].assign(2 + r % 7 + (r % 3 == 0 ? 48 + r % 61 : 0), 0);  // some rounds claimed in runs
      std::vector<int>& mine = hits[r];
      const std::function<void(size_t)> fn = [&mine](size_t i) { ++mine[i]; };
      pool.parallel_for(mine.size(), fn);
    }
    for (size_t r = 0; r < kRounds; ++r)
      for (int h : hits[r]) ASSERT_EQ(h, 1) << "round " << r << ", spin " << spin.count() << " us";
  }
}

// A claim takes a run of consecutive items (so that threads write to slots apart, not to neighbours in
// one cache line): along the items, the thread that ran them changes at most once per claim.
TEST(ThreadPool, AClaimTakesARunOfConsecutiveItems) {
  ThreadPool pool(2);
  constexpr size_t kItems = 1600;
  const size_t claims = kItems / (kItems / (ThreadPool::kChunksPerThread * 2));
  for (int round = 0; round < 50; ++round) {
    std::vector<std::thread::id> ran(kItems);
    pool.parallel_for(kItems, [&](size_t i) {
      ran[i] = std::this_thread::get_id();
      volatile int work = 0;  // a little work per item, so that both threads take part
      for (int k = 0; k < 200; ++k) work = work + k;
    });
    size_t changes = 0;
    for (size_t i = 1; i < kItems; ++i) changes += ran[i] != ran[i - 1] ? 1 : 0;
    ASSERT_LT(changes, claims) << "round " << round;
  }
}

// A worker takes part in a round: two items that each wait for the other finish only when two threads
// run them at once, here the caller and the pool's one worker. The caller claims from the front, the
// worker from the back: item 0 is the caller's (the worker, holding item 1, cannot take it), item 1 the
// worker's.
TEST(ThreadPool, TheCallerAndAWorkerShareARound) {
  ThreadPool pool(2);
  std::atomic<int> arrived{0};
  std::array<std::thread::id, 2> ran;
  pool.parallel_for(2, [&](size_t i) {
    ran[i] = std::this_thread::get_id();
    arrived.fetch_add(1);
    while (arrived.load() < 2) std::this_thread::yield();  // both items at once: two threads
  });
  EXPECT_EQ(arrived.load(), 2);
  EXPECT_EQ(ran[0], std::this_thread::get_id());
  EXPECT_NE(ran[1], std::this_thread::get_id());
}

// The lane: a posted task runs on one worker, always the same one, while the caller's rounds go on
// without it (here the task, once started, waits until the caller has run 100 rounds, all of whose items the
// caller then ran alone: were a round to wait for the busy worker, the test would hang); what the task wrote
// is seen after wait_posted; a task's exception comes back from wait_posted, and the lane still works.
TEST(ThreadPool, ALaneTaskRunsOnOneWorkerWhileTheRoundsGoOn) {
  ThreadPool pool(2);
  ASSERT_TRUE(pool.has_lane());
  const std::thread::id caller = std::this_thread::get_id();
  std::atomic<bool> started{false}, rounds_done{false};
  std::thread::id first, second;
  int written = 0;
  pool.post([&] {
    first = std::this_thread::get_id();
    started.store(true);
    while (!rounds_done.load()) std::this_thread::yield();
    written = 42;
  });
  while (!started.load()) std::this_thread::yield();  // (else the worker could take a round first)
  for (int round = 0; round < 100; ++round) {
    std::vector<std::thread::id> ran(64);
    pool.parallel_for(ran.size(), [&](size_t i) { ran[i] = std::this_thread::get_id(); });
    for (const std::thread::id& id : ran) ASSERT_EQ(id, caller) << "round " << round;
  }
  rounds_done.store(true);
  pool.wait_posted();
  EXPECT_EQ(written, 42);
  pool.run_in_lane([&] { second = std::this_thread::get_id(); });
  EXPECT_NE(first, caller);
  EXPECT_EQ(first, second);
  pool.post([] { throw std::runtime_error("lane"); });
  EXPECT_THROW(pool.wait_posted(), std::runtime_error);
  EXPECT_NO_THROW(pool.wait_posted());  // thrown once
  pool.run_in_lane([&] { written = 7; });
  EXPECT_EQ(written, 7);
}

// Posts interleaved with rounds, on a pool whose idle workers spin and on one whose workers sleep at once
// (every post must wake the lane's worker: a lost wake-up hangs the test): every task runs once, in order.
TEST(ThreadPool, PostsAndRoundsInterleavedRunEachTaskOnce) {
  for (const auto spin : {ThreadPool::kDefaultSpin, std::chrono::microseconds{0}}) {
    ThreadPool pool(3, spin);
    std::vector<int> order;
    std::vector<int> hits(16, 0);
    for (int k = 0; k < 3000; ++k) {
      pool.post([&order, k] { order.push_back(k); });  // waits for the previous task first
      pool.parallel_for(hits.size(), [&](size_t i) { ++hits[i]; });
    }
    pool.wait_posted();
    ASSERT_EQ(order.size(), 3000u) << "spin " << spin.count() << " us";
    for (int k = 0; k < 3000; ++k) ASSERT_EQ(order[static_cast<size_t>(k)], k);
    for (int h : hits) EXPECT_EQ(h, 3000);
  }
}

// lane_busy: from a post until its task has ended; rounds meanwhile run on the caller (and other workers).
TEST(ThreadPool, TheLaneIsBusyFromAPostUntilItsTaskEnds) {
  ThreadPool pool(2);
  EXPECT_FALSE(pool.lane_busy());
  std::atomic<bool> release{false};
  pool.post([&] {
    while (!release.load()) std::this_thread::yield();
  });
  EXPECT_TRUE(pool.lane_busy());
  std::vector<std::thread::id> ran(64);
  pool.parallel_for(ran.size(), [&](size_t i) { ran[i] = std::this_thread::get_id(); });
  for (const std::thread::id& id : ran) EXPECT_EQ(id, std::this_thread::get_id());
  EXPECT_TRUE(pool.lane_busy());
  release = true;
  pool.wait_posted();
  EXPECT_FALSE(pool.lane_busy());
}

// Joining (sim/core/round_joining.hpp). Item 0 of a round of two (the caller's: it claims from the front)
// waits up to `patience` for item 1, which the caller would otherwise run after it; returns which thread ran
// item 1. The lane's task meanwhile calls join_waiting_round() until the round is over.
std::thread::id item_one_ran_on(ThreadPool& pool, std::chrono::milliseconds patience,
                                bool task_joins = true) {
  std::atomic<bool> started{false}, over{false};
  pool.post([&] {
    std::optional<NoRoundJoining> not_here;
    if (!task_joins) not_here.emplace();
    started = true;
    while (!over.load()) {
      join_waiting_round();
      std::this_thread::yield();
    }
  });
  while (!started.load()) std::this_thread::yield();
  std::atomic<bool> one_done{false};
  std::thread::id ran_one;
  pool.parallel_for(2, [&](size_t i) {
    if (i == 1) {
      ran_one = std::this_thread::get_id();
      one_done = true;
      return;
    }
    const auto until = std::chrono::steady_clock::now() + patience;
    while (!one_done.load() && std::chrono::steady_clock::now() < until) std::this_thread::yield();
  });
  over = true;
  pool.wait_posted();
  return ran_one;
}

// Gives the lane a budget for joining: two empty tasks `apart` apart (the second's slack: `apart`).
void give_slack(ThreadPool& pool, std::chrono::milliseconds apart) {
  pool.run_in_lane([] {});
  std::this_thread::sleep_for(apart);
  pool.run_in_lane([] {});
}

// A lane task that calls join_waiting_round takes the items left in a round started while it runs, and goes
// on (were the task not to join, the caller would wait 10 s and run item 1 itself). Under NoRoundJoining,
// and on a thread that is no lane's, the call does nothing.
TEST(ThreadPool, ALaneTaskThatJoinsTakesTheItemsOfARoundStartedMeanwhile) {
  ThreadPool pool(2);
  const std::thread::id caller = std::this_thread::get_id();
  std::thread::id lane;
  pool.run_in_lane([&] { lane = std::this_thread::get_id(); });
  join_waiting_round();  // (the caller's: nothing)
  give_slack(pool, std::chrono::milliseconds(250));
  EXPECT_EQ(item_one_ran_on(pool, std::chrono::seconds(10)), lane);
  give_slack(pool, std::chrono::milliseconds(250));
  EXPECT_EQ(item_one_ran_on(pool, std::chrono::milliseconds(200), false), caller);
  // Joined rounds leave every item run once, in rounds interleaved with joining tasks.
  std::vector<int> hits(16, 0);
  for (int k = 0; k < 200; ++k) {
    pool.post([] {
      for (int i = 0; i < 1000; ++i) join_waiting_round();
    });
    pool.parallel_for(hits.size(), [&](size_t i) { ++hits[i]; });
  }
  pool.wait_posted();
  for (int h : hits) EXPECT_EQ(h, 200);
}

// The budget: a task joins rounds only for nine tenths of the slack the last task left (the time between the
// last two posts, less that task's own work), and not at all where that work took a third of that time or
// more. None before a task has measured its work; none after a task whose own work outlasted the time between
// its post and the one before (the caller waited for the lane), nor after one whose work took half of it;
// some again once a task has left slack.
TEST(ThreadPool, ALaneTaskJoinsRoundsOnlyWithinTheSlackTheLastTaskLeft) {
  ThreadPool pool(2);
  const std::thread::id caller = std::this_thread::get_id();
  std::thread::id lane;
  const auto patience = std::chrono::milliseconds(200);
  EXPECT_EQ(item_one_ran_on(pool, patience), caller);  // the first task: no budget yet
  pool.run_in_lane([&] { lane = std::this_thread::get_id(); });
  pool.run_in_lane([] { std::this_thread::sleep_for(std::chrono::milliseconds(50)); });  // late
  EXPECT_EQ(item_one_ran_on(pool, patience), caller);
  give_slack(pool, std::chrono::milliseconds(250));
  EXPECT_EQ(item_one_ran_on(pool, std::chrono::seconds(10)), lane);
  // A task busy for half the time between its post and the one before: 100 ms apart, 50 ms of work.
  pool.run_in_lane([] {});
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  pool.run_in_lane([] { std::this_thread::sleep_for(std::chrono::milliseconds(50)); });
  EXPECT_EQ(item_one_ran_on(pool, patience), caller);
}

// A pool of one thread has no lane: a task runs at once, on the caller, and throws there.
TEST(ThreadPool, WithoutALaneATaskRunsOnTheCaller) {
  ThreadPool pool(1);
  EXPECT_FALSE(pool.has_lane());
  EXPECT_FALSE(pool.lane_busy());
  std::thread::id ran;
  pool.post([&] { ran = std::this_thread::get_id(); });
  EXPECT_EQ(ran, std::this_thread::get_id());
  EXPECT_THROW(pool.post([] { throw std::runtime_error("x"); }), std::runtime_error);
}

}  // namespace
}  // namespace citytwin::sim
