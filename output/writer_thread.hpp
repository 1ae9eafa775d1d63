// The one thread that compresses and writes a trace's /messages chunks (TraceWriter with
// MessageWriting::WriterThread), so that the simulation thread only copies rows. Private to output/.
//
// The caller hands over full chunks with push(); a bounded queue holds at most `capacity` chunks not yet
// written (the one being written included), and push() waits while it is full: a disk slower than the
// simulation slows the run down (back-pressure) instead of letting memory grow. The thread calls `write`
// for each chunk, in order. The first exception `write` throws is kept and the chunks queued after it are
// dropped (rows after a missing chunk would leave a hole in /messages); the caller's next push() or
// rethrow_error() throws it, once.
//
// Only one thread is ever inside `write`, and after drain() returns the writer thread is outside it until
// the next push(): the owner makes its own HDF5 calls only then, so HDF5 is never entered by two threads
// at once (a Debian libhdf5 built without thread safety would need that; one built with it serialises
// every call anyway).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "output/records.hpp"

namespace citytwin::output {

class WriterThread {
 public:
  using Write = std::function<void(const MessageBatch&)>;

  // Starts the thread with every signal blocked in it: signals (SIGINT, SIGTERM, ...) go to the
  // simulation's threads, and a write past the file size limit fails with EFBIG instead of raising
  // SIGXFSZ on this thread.
  WriterThread(size_t capacity, Write write);
  // Writes what is still queued (a run ending without finish() loses no row handed over), then ends
  // the thread. An error not yet taken is dropped: call drain() and rethrow_error() first to see it.
  ~WriterThread();
  WriterThread(const WriterThread&) = delete;
  WriterThread& operator=(const WriterThread&) = delete;

  // Hands `chunk` over and leaves it empty (it gets the storage of a chunk already written, so that
  // steady state allocates nothing). Waits while `capacity` chunks are queued or being written. Throws
  // the writer's error if there is one not yet taken; after an error taken, drops `chunk`.
  void push(MessageBatch& chunk);
  // Waits until every chunk handed over has been written (or dropped after an error).
  void drain();
  // Throws the first exception `write` threw, if it has not been thrown already.
  void rethrow_error();

 private:
  void run();

  const size_t capacity_;
  const Write write_;
  std::mutex mutex_;
  std::condition_variable work_;     // to the writer thread: a chunk queued, or stopping_
  std::condition_variable written_;  // to the caller: a chunk written (room in the queue)
  std::deque<MessageBatch> queue_;   // handed over, not yet taken by the writer thread
  std::vector<MessageBatch> spare_;  // written chunks, emptied, whose storage push() hands back
  bool busy_ = false;                // the writer thread is writing a chunk (taken from queue_)
  bool stopping_ = false;
  bool failed_ = false;  // `write` threw: every chunk after is dropped
  std::exception_ptr error_;
  std::thread thread_;  // last: it starts once the members above exist
};

}  // namespace citytwin::output
