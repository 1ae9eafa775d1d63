#include "sim/core/thread_pool.hpp"

#include <algorithm>
#include <stdexcept>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace citytwin::sim::core {

namespace {

constexpr uint64_t kItemBits = 32;
constexpr uint64_t kItemMask = (uint64_t{1} << kItemBits) - 1;

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

ThreadPool::ThreadPool(int threads, std::chrono::microseconds spin) : spin_(spin) {
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { worker_loop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_.store(true);
  }
  wake_.notify_all();
  for (auto& w : workers_) w.join();
}

void ThreadPool::drain(uint64_t round) {
  uint64_t state = state_.load(std::memory_order_acquire);
  for (;;) {
    if ((state >> kItemBits) != round) return;  // that round has ended; a later one is the caller's news
    // Read before the claim: a successful claim proves that the state was still this round's with this
    // item left, so neither its end nor the next round's closing store had happened, and (acquire: the
    // next round writes them after closing this one) these are this round's job and size.
    const std::function<void(size_t)>* job = job_.load(std::memory_order_acquire);
    const size_t size = job_size_.load(std::memory_order_acquire);
    const uint64_t item = state & kItemMask;
    if (item >= size) return;
    const uint64_t end = std::min<uint64_t>(size, item + chunk_.load(std::memory_order_acquire));
    if (!state_.compare_exchange_weak(state, (state & ~kItemMask) | end, std::memory_order_acq_rel,
                                      std::memory_order_acquire))
      continue;  // `state` reloaded
    try {
      for (uint64_t i = item; i < end; ++i) (*job)(i);
    } catch (...) {
      std::lock_guard lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
    if (finished_.fetch_add(end - item, std::memory_order_seq_cst) + (end - item) == size &&
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
  if (n >= kItemMask) throw std::length_error("ThreadPool::parallel_for: 2^32 - 1 items or more");
  // The previous round is over: every item finished. A worker may still hold its state (exhausted) and
  // be about to read the job and size; were it to read the new size with the old state, it could claim
  // an item the old round never had. So the old round is closed first (a round of its own, with no
  // item to claim: the item field at kItemMask is beyond any size), and the new job and size are
  // written after it, with release: a worker that reads them cannot then succeed in claiming from the
  // old state, which the closing store replaced.
  const uint64_t closed = (state_.load(std::memory_order_relaxed) >> kItemBits) + 1;
  state_.store((closed << kItemBits) | kItemMask, std::memory_order_seq_cst);
  error_ = nullptr;
  job_.store(&fn, std::memory_order_release);
  job_size_.store(n, std::memory_order_release);
  chunk_.store(std::max<size_t>(1, n / (kChunksPerThread * static_cast<size_t>(size()))),
               std::memory_order_release);
  finished_.store(0, std::memory_order_relaxed);
  const uint64_t round = closed + 1;
  state_.store(round << kItemBits, std::memory_order_seq_cst);  // publishes the job with the round
  if (sleeping_.load(std::memory_order_seq_cst) > 0) {
    std::lock_guard lock(mutex_);
    wake_.notify_all();
  }
  drain(round);
  const auto all_done = [&] { return finished_.load(std::memory_order_seq_cst) == n; };
  if (!spin_until(all_done, spin_)) {
    std::unique_lock lock(mutex_);
    caller_sleeping_.store(true, std::memory_order_seq_cst);
    done_.wait(lock, all_done);
    caller_sleeping_.store(false, std::memory_order_relaxed);
  }
  std::lock_guard lock(mutex_);
  if (error_) std::rethrow_exception(error_);
}

void ThreadPool::worker_loop() {
  uint64_t seen = 0;  // the last round this worker looked at
  const auto round_now = [this] { return state_.load(std::memory_order_seq_cst) >> kItemBits; };
  for (;;) {
    const auto news = [&] { return stopping_.load(std::memory_order_acquire) || round_now() != seen; };
    if (!spin_until(news, spin_)) {
      std::unique_lock lock(mutex_);
      sleeping_.fetch_add(1, std::memory_order_seq_cst);
      wake_.wait(lock, news);
      sleeping_.fetch_sub(1, std::memory_order_seq_cst);
    }
    if (stopping_.load(std::memory_order_acquire)) return;
    seen = round_now();
    drain(seen);
  }
}

}  // namespace citytwin::sim::core
