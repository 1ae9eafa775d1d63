// A fork-join pool for bulk-synchronous windows: parallel_for(n, fn) runs fn(i) for i in [0, n) on
// the pool's threads and the caller, and returns when all are done. Which thread runs which i does
// not matter to the results: callers write only to slots owned by i.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace citytwin::sim::core {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }
  // Rethrows the first exception thrown by fn, after all items have finished.
  void parallel_for(size_t n, const std::function<void(size_t)>& fn);
  // The same, but on the calling thread alone when `work` (the items' total cost, in the caller's unit)
  // is below `min_work`: waking the pool and waiting for it costs ~40 us a round on the 2-core machines
  // (bench/RESULTS.md, "Threads"), more than a small window's whole work. The results are the same
  // either way (callers write only to slots owned by i).
  void parallel_for(size_t n, const std::function<void(size_t)>& fn, uint64_t work, uint64_t min_work) {
    if (work < min_work) {
      for (size_t i = 0; i < n; ++i) fn(i);
    } else {
      parallel_for(n, fn);
    }
  }

 private:
  void worker_loop();
  void drain();

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  const std::function<void(size_t)>* job_ = nullptr;
  size_t job_size_ = 0;
  std::atomic<size_t> next_{0};
  size_t generation_ = 0;
  int busy_ = 0;
  bool stopping_ = false;
  std::exception_ptr error_;
};

}  // namespace citytwin::sim::core
