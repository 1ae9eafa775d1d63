// A fork-join pool for bulk-synchronous windows: parallel_for(n, fn) runs fn(i) for i in [0, n) on
// the pool's threads and the caller, and returns when all are done. Which thread runs which i does
// not matter to the results: callers write only to slots owned by i.
//
// A window's rounds come every few hundred microseconds, and a worker put to sleep on a condition
// variable takes ~25-40 us to wake on the 2-core machines (bench/RESULTS.md, "Threads"). So:
// - an idle worker waits for the next round spinning, for up to `spin`, then sleeps until woken (OpenMP
//   runtimes do the same: GOMP_SPINCOUNT, KMP_BLOCKTIME);
// - the caller takes items too and waits only for the items taken, never for a worker to turn up: a
//   worker that the OS has not scheduled (more runnable threads than cores) costs the round nothing,
//   the caller runs its items. Items are claimed from one counter tagged with the round's number, so a
//   late worker can never claim an item of a round that has ended.
// - a claim takes a run of consecutive items (about an eighth of a thread's share): neighbouring items
//   (gateways, partitions) then run on one thread, whose writes to their neighbouring slots stay in its
//   cache, and a round costs a few claims instead of one atomic operation per item. Claimed one by one,
//   the 100k bench city's gateways passed cache lines between the cores at every reception, and two
//   threads ran 1.7x slower than one (bench/RESULTS.md, "Fates kept per gateway"). The caller claims
//   from the front of the items, the workers from the back: round after round, the same items (a
//   gateway's on-air lists, a district's events) mostly go to the same thread and stay in its cache.
// A pool of one thread has no worker and never spins.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "sim/core/round_joining.hpp"

namespace citytwin::sim::core {

class ThreadPool {
 public:
  // How long an idle worker (and the caller waiting for the last items) spins before it sleeps.
  static constexpr std::chrono::microseconds kDefaultSpin{500};
  // A claim takes a run of consecutive items: about 1/kChunksPerThread of a thread's share.
  static constexpr size_t kChunksPerThread = 8;

  explicit ThreadPool(int threads, std::chrono::microseconds spin = kDefaultSpin);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }
  // Rethrows the first exception thrown by fn, after all items have finished.
  void parallel_for(size_t n, const std::function<void(size_t)>& fn);
  // The same, but on the calling thread alone when `work` (the items' total cost, in the caller's unit)
  // is below `min_work`: a round costs a few microseconds even with spinning workers (more with
  // sleeping ones), more than a small window's whole work. The results are the same either way
  // (callers write only to slots owned by i).
  void parallel_for(size_t n, const std::function<void(size_t)>& fn, uint64_t work, uint64_t min_work) {
    if (work < min_work) {
      for (size_t i = 0; i < n; ++i) fn(i);
    } else {
      parallel_for(n, fn);
    }
  }

  // A lane beside the rounds, for long work that can overlap them (the wired network and the trace, while
  // the next windows' radio runs: sim/app/run_assembly.hpp). post(task) runs task on the pool's first
  // worker, always the same thread, so that a library bound to the thread it started on (SimGrid's
  // actors) can live in these tasks; while a task runs, the caller's rounds go on without that worker,
  // except where the task calls join_waiting_round() (sim/core/round_joining.hpp), as long tasks do every
  // few microseconds: the worker then runs the unclaimed items of a round started meanwhile, and goes on
  // with the task. One task at a time: post waits for the previous one first. wait_posted waits for the
  // last one and rethrows what it threw. In a pool of one thread post runs the task at once on the caller.
  bool has_lane() const { return !workers_.empty(); }
  // Whether a posted task is waiting or running: the lane's worker then takes an item of a round only where
  // the task joins it. A hint only: the task may end at any moment.
  bool lane_busy() const { return task_state_.load(std::memory_order_relaxed) != 0; }
  void post(std::function<void()> task);
  void wait_posted();
  // post(task), then wait_posted().
  void run_in_lane(std::function<void()> task) {
    post(std::move(task));
    wait_posted();
  }

 private:
  void worker_loop(bool lane);
  // The lane's worker: runs the posted task, then marks it done.
  void run_posted();
  // Wakes the workers asleep on wake_ (a new round or a posted task).
  void wake_sleeping_workers();
  // The caller's wait until done(): spinning for spin_, then asleep on cv with `sleeping` set, so that the
  // thread that makes done() true notifies it (under mutex_).
  template <class Done>
  void await(const Done& done, std::atomic<bool>& sleeping, std::condition_variable& cv);
  // Claims and runs chunks of round `round` until none is left (or the round has ended): the caller
  // from the front, the workers from the back.
  void drain(uint64_t round, bool from_back);
  friend void round_joining_detail::join(ThreadPool& pool);

  const std::chrono::microseconds spin_;
  std::vector<std::thread> workers_;
  // (round << 32) | (chunks claimed from the front << 16) | chunks claimed from the back. A claim is a
  // compare-and-swap that keeps the round, so it succeeds only while that round still has chunks, i.e.
  // before the caller can have ended it.
  std::atomic<uint64_t> state_{0};
  std::atomic<const std::function<void(size_t)>*> job_{nullptr};
  std::atomic<size_t> job_size_{0};
  std::atomic<size_t> chunk_{1};     // items per claim
  std::atomic<size_t> finished_{0};  // items of the current round done
  std::mutex mutex_;                 // error_, and sleeping on the condition variables
  std::condition_variable wake_;
  std::condition_variable done_;
  std::atomic<int> sleeping_{0};              // workers waiting on wake_
  std::atomic<bool> caller_sleeping_{false};  // the caller waiting on done_
  std::atomic<bool> stopping_{false};
  std::exception_ptr error_;
  // The lane: 0 no task, 1 posted, 2 running (back to 0 when it ends, under mutex_).
  std::function<void()> task_;
  std::atomic<int> task_state_{0};
  std::atomic<bool> poster_sleeping_{false};  // the caller waiting on task_done_
  std::condition_variable task_done_;
  std::exception_ptr task_error_;
  std::chrono::steady_clock::time_point last_post_{};  // the caller's
  // The round in progress, for the lane's polls alone (join_waiting_round), on a cache line of its own: the
  // caller writes it once a round, where it writes state_ at every claim. Polled from state_, every poll
  // took that line from the caller's core while it claimed, whether or not the lane then joined.
  alignas(64) std::atomic<uint64_t> round_started_{0};
  // How long a task may spend in the rounds it joins: nine tenths of the slack the last task left (the time
  // between the last two posts less that task's own work), and nothing where that task's own work took a
  // third of that time or more. Joining beyond the slack would end the task after the caller's next post,
  // which would then wait for it; and where the lane is that busy, the items it takes run slower beside its
  // own data and slow its own work down. On two threads, the 100k bench city's lane works ~18 % of the time
  // between posts, and joining made its loop 7-8 % shorter; the realistic 1 M city's ~57 %, and joining made
  // its hour ~5 % longer, with any budget from a tenth to nine tenths of the slack: the caller waited at the
  // posts 0.1-0.15 s instead of 0.01 s, and for the lane's items 0.42 s instead of 0.04 s (bench/RESULTS.md,
  // "The lane joins the rounds"). Timing only: which thread runs an item changes no result. between_posts is
  // written by the caller in post, before it publishes the task; budget and spent by the lane's worker alone.
  struct LaneJoining {
    // A task whose own work takes 1/kBusiest of the time between posts or more leaves the next no budget.
    static constexpr int kBusiest = 3;
    std::chrono::steady_clock::duration between_posts{};
    std::chrono::steady_clock::duration budget{};  // none before the first task has measured its work
    std::chrono::steady_clock::duration spent{};   // in the rounds joined by the task running now
  };
  // The lane's worker's own (but between_posts), on lines of their own.
  alignas(64) LaneJoining lane_joining_;
  uint64_t lane_joined_round_ = 0;  // the last round the lane's task looked at
};

}  // namespace citytwin::sim::core
