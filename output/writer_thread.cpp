#include "output/writer_thread.hpp"

#include <pthread.h>
#include <signal.h>

#include <utility>

namespace citytwin::output {

WriterThread::WriterThread(size_t capacity, Write write)
    : capacity_(capacity < 1 ? 1 : capacity), write_(std::move(write)) {
  // A new thread inherits the signal mask of the thread that creates it: block everything around the
  // creation, so that the writer thread never runs with signals unblocked.
  sigset_t all, caller;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &caller);
  try {
    thread_ = std::thread([this] { run(); });
  } catch (...) {
    pthread_sigmask(SIG_SETMASK, &caller, nullptr);
    throw;
  }
  pthread_sigmask(SIG_SETMASK, &caller, nullptr);
}

WriterThread::~WriterThread() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_.notify_one();
  thread_.join();
}

void WriterThread::push(MessageBatch& chunk) {
  std::unique_lock lock(mutex_);
  written_.wait(lock, [&] { return queue_.size() + (busy_ ? 1 : 0) < capacity_ || failed_; });
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  if (failed_) {
    chunk.clear();
    return;
  }
  MessageBatch empty;
  if (!spare_.empty()) {
    empty = std::move(spare_.back());
    spare_.pop_back();
  }
  queue_.push_back(std::move(chunk));
  chunk = std::move(empty);
  lock.unlock();
  work_.notify_one();
}

void WriterThread::drain() {
  std::unique_lock lock(mutex_);
  written_.wait(lock, [&] { return queue_.empty() && !busy_; });
}

void WriterThread::rethrow_error() {
  std::unique_lock lock(mutex_);
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

void WriterThread::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    work_.wait(lock, [&] { return !queue_.empty() || stopping_; });
    if (queue_.empty()) return;  // stopping, and everything handed over is written
    MessageBatch chunk = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    std::exception_ptr error;
    try {
      write_(chunk);
    } catch (...) {
      error = std::current_exception();
    }
    chunk.clear();  // keeps the storage for a later push()
    lock.lock();
    busy_ = false;
    if (error) {
      failed_ = true;
      error_ = error;
      queue_.clear();
    }
    if (spare_.size() < capacity_) spare_.push_back(std::move(chunk));
    written_.notify_all();
  }
}

}  // namespace citytwin::output
