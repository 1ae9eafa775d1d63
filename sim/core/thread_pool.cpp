#include "sim/core/thread_pool.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <utility>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace citytwin::sim::core {

namespace {

// state_: (round << 32) | (chunks claimed from the front << 16) | chunks claimed from the back.
constexpr uint64_t kRoundShift = 32;
constexpr uint64_t kFrontShift = 16;
constexpr uint64_t kCountMask = 0xFFFF;
constexpr uint64_t kMaxChunks = kCountMask;  // a closed round's front count: no chunk left to claim

// One step of a spin-wait: tells the core (and a hyper-threaded sibling) that this thread is waiting.
inline void relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

// Spins until done() or until `limit` has passed; true when done() held. Reads the clock every 64
// steps, and yields the core after the first few thousand steps, so that a machine with more runnable
// threads than cores (a test suite run in parallel) still makes progress.
template <class Done>
bool spin_until(const Done& done, std::chrono::microseconds limit) {
  if (limit.count() <= 0) return done();
  const auto until = std::chrono::steady_clock::now() + limit;
  for (unsigned step = 1;; ++step) {
    if (done()) return true;
    if (step % 64 == 0 && std::chrono::steady_clock::now() >= until) return done();
    if (step < 4096) {
      relax();
    } else {
      std::this_thread::yield();
    }
  }
}

}  // namespace

namespace round_joining_detail {

thread_local ThreadPool* lane_pool = nullptr;

void join(ThreadPool& pool) {
  // The budget first: where there is none (a busy lane, ThreadPool::LaneJoining), a poll reads no line the
  // caller writes; where there is, it reads round_started_, written once a round, not state_, written at
  // every claim (bench/RESULTS.md, "The lane joins the rounds, again").
  ThreadPool::LaneJoining& joining = pool.lane_joining_;
  if (joining.spent >= joining.budget) return;  // the task's own work first
  const uint64_t round = pool.round_started_.load(std::memory_order_relaxed);
  if (round == pool.lane_joined_round_) return;
  pool.lane_joined_round_ = round;
  const auto start = std::chrono::steady_clock::now();
  pool.drain(round, true);  // (nothing to claim in a closed round, nor in one already claimed)
  joining.spent += std::chrono::steady_clock::now() - start;
}

}  // namespace round_joining_detail

ThreadPool::ThreadPool(int threads, std::chrono::microseconds spin) : spin_(spin) {
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this, i] { worker_loop(i == 1); });
}

ThreadPool::~ThreadPool() {
  try {
    wait_posted();
  } catch (...) {  // a task's error nobody asked for: the owner is unwinding from another one
  }
  {
    std::lock_guard lock(mutex_);
    stopping_.store(true);
  }
  wake_.notify_all();
  for (auto& w : workers_) w.join();
}

void ThreadPool::wake_sleeping_workers() {
  if (sleeping_.load(std::memory_order_seq_cst) > 0) {
    std::lock_guard lock(mutex_);
    wake_.notify_all();
  }
}

template <class Done>
void ThreadPool::await(const Done& done, std::atomic<bool>& sleeping, std::condition_variable& cv) {
  if (spin_until(done, spin_)) return;
  std::unique_lock lock(mutex_);
  sleeping.store(true, std::memory_order_seq_cst);  // whoever makes done() true then notifies cv
  cv.wait(lock, done);
  sleeping.store(false, std::memory_order_relaxed);
}

void ThreadPool::drain(uint64_t round, bool from_back) {
  uint64_t state = state_.load(std::memory_order_acquire);
  for (;;) {
    if ((state >> kRoundShift) != round) return;  // that round has ended; a later one is the caller's news
    // Read before the claim: a successful claim proves that the state was still this round's with this
    // chunk left, so neither its end nor the next round's closing store had happened, and (acquire: the
    // next round writes them after closing this one) these are this round's job, size and chunk.
    const std::function<void(size_t)>* job = job_.load(std::memory_order_acquire);
    const size_t size = job_size_.load(std::memory_order_acquire);
    const size_t chunk = chunk_.load(std::memory_order_acquire);
    const uint64_t chunks = (size + chunk - 1) / chunk;
    const uint64_t front = (state >> kFrontShift) & kCountMask, back = state & kCountMask;
    if (front + back >= chunks) return;
    const uint64_t claimed = from_back ? state + 1 : state + (uint64_t{1} << kFrontShift);
    if (!state_.compare_exchange_weak(state, claimed, std::memory_order_acq_rel, std::memory_order_acquire))
      continue;  // `state` reloaded
    const uint64_t c = from_back ? chunks - 1 - back : front;
    const size_t begin = c * chunk, end = std::min<size_t>(size, begin + chunk);
    try {
      for (size_t i = begin; i < end; ++i) (*job)(i);
    } catch (...) {
      std::lock_guard lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
    if (finished_.fetch_add(end - begin, std::memory_order_seq_cst) + (end - begin) == size &&
        caller_sleeping_.load(std::memory_order_seq_cst)) {
      std::lock_guard lock(mutex_);  // the caller is between its check and its wait, or waiting
      done_.notify_one();
    }
    state = state_.load(std::memory_order_acquire);
  }
}

void ThreadPool::parallel_for(size_t n, const std::function<void(size_t)>& fn) {
  if (n == 0) return;
  if (workers_.empty() || n == 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  if (n > std::numeric_limits<size_t>::max() / 2)
    throw std::length_error("ThreadPool::parallel_for: too many items");
  // The previous round is over: every item finished. A worker may still hold its state (exhausted) and
  // be about to read the job and size; were it to read the new size with the old state, it could claim
  // an item the old round never had. So the old round is closed first (a round of its own, with no
  // chunk to claim: a front count of kMaxChunks is beyond any round's chunks), and the new job and size are
  // written after it, with release: a worker that reads them cannot then succeed in claiming from the
  // old state, which the closing store replaced.
  const uint64_t closed = (state_.load(std::memory_order_relaxed) >> kRoundShift) + 1;
  state_.store((closed << kRoundShift) | (kMaxChunks << kFrontShift), std::memory_order_seq_cst);
  error_ = nullptr;
  job_.store(&fn, std::memory_order_release);
  job_size_.store(n, std::memory_order_release);
  const size_t chunk = std::max<size_t>(1, n / (kChunksPerThread * static_cast<size_t>(size())));
  chunk_.store(std::max<size_t>(chunk, (n + kMaxChunks - 2) / (kMaxChunks - 1)), std::memory_order_release);
  finished_.store(0, std::memory_order_relaxed);
  const uint64_t round = closed + 1;
  state_.store(round << kRoundShift, std::memory_order_seq_cst);  // publishes the job with the round
  round_started_.store(round, std::memory_order_relaxed);         // (for the lane's polls: join)
  wake_sleeping_workers();
  drain(round, false);
  await([&] { return finished_.load(std::memory_order_seq_cst) == n; }, caller_sleeping_, done_);
  std::lock_guard lock(mutex_);
  if (error_) std::rethrow_exception(error_);
}

void ThreadPool::worker_loop(bool lane) {
  uint64_t seen = 0;  // the last round this worker looked at
  const auto round_now = [this] { return state_.load(std::memory_order_seq_cst) >> kRoundShift; };
  const auto posted = [&] { return lane && task_state_.load(std::memory_order_seq_cst) == 1; };
  for (;;) {
    const auto news = [&] {
      return stopping_.load(std::memory_order_acquire) || round_now() != seen || posted();
    };
    if (!spin_until(news, spin_)) {
      std::unique_lock lock(mutex_);
      sleeping_.fetch_add(1, std::memory_order_seq_cst);
      wake_.wait(lock, news);
      sleeping_.fetch_sub(1, std::memory_order_seq_cst);
    }
    if (stopping_.load(std::memory_order_acquire) && !posted()) return;
    // A round first (it is short, and its caller is waiting), then the task.
    if (round_now() != seen) {
      seen = round_now();
      drain(seen, true);
    }
    if (posted()) run_posted();
  }
}

void ThreadPool::run_posted() {
  task_state_.store(2, std::memory_order_seq_cst);
  std::exception_ptr error;
  const auto start = std::chrono::steady_clock::now();
  lane_joining_.spent = {};
  round_joining_detail::lane_pool = this;  // the task may join the rounds started while it runs
  try {
    task_();
  } catch (...) {
    error = std::current_exception();
  }
  round_joining_detail::lane_pool = nullptr;
  // The next task's budget (LaneJoining): this task's own work (the rounds it joined excluded) against the
  // time between the last two posts.
  const auto own = std::chrono::steady_clock::now() - start - lane_joining_.spent;
  const auto between = lane_joining_.between_posts;
  lane_joining_.budget = own * LaneJoining::kBusiest < between ? (between - own) * 9 / 10
                                                               : std::chrono::steady_clock::duration::zero();
  std::lock_guard lock(mutex_);
  task_ = nullptr;  // what it captured goes now, on this thread
  task_error_ = error;
  task_state_.store(0, std::memory_order_seq_cst);
  if (poster_sleeping_.load(std::memory_order_seq_cst)) task_done_.notify_all();
}

void ThreadPool::post(std::function<void()> task) {
  if (workers_.empty()) {
    task();
    return;
  }
  wait_posted();
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    // (read by the worker after it sees the task: see LaneJoining)
    if (last_post_ != std::chrono::steady_clock::time_point{}) lane_joining_.between_posts = now - last_post_;
    last_post_ = now;
    task_ = std::move(task);
    task_error_ = nullptr;
    task_state_.store(1, std::memory_order_seq_cst);
  }
  wake_sleeping_workers();
}

void ThreadPool::wait_posted() {
  if (workers_.empty()) return;
  await([&] { return task_state_.load(std::memory_order_seq_cst) == 0; }, poster_sleeping_, task_done_);
  std::lock_guard lock(mutex_);
  if (task_error_) std::rethrow_exception(std::exchange(task_error_, nullptr));
}

}  // namespace citytwin::sim::core
