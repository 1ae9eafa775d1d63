// The writer thread's queue on its own (no HDF5): order, back-pressure, errors, signals, shutdown.
#include "output/writer_thread.hpp"

#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "output/trace_writer.hpp"

namespace citytwin::output {
namespace {

using namespace std::chrono_literals;

// A chunk of `rows` rows whose first device id is `tag`.
MessageBatch chunk(uint32_t tag, size_t rows = 3) {
  MessageBatch batch;
  for (size_t r = 0; r < rows; ++r) batch.device.push_back(tag + static_cast<uint32_t>(r));
  return batch;
}

TEST(WriterThread, WritesEveryChunkInOrderBeforeItEnds) {
  std::vector<uint32_t> written;  // only the writer thread touches it until the destructor returns
  {
    WriterThread thread(2, [&](const MessageBatch& batch) { written.push_back(batch.device.front()); });
    for (uint32_t tag = 0; tag < 50; ++tag) {
      MessageBatch batch = chunk(tag * 10);
      thread.push(batch);
      EXPECT_EQ(batch.size(), 0u);  // handed over: the caller keeps an empty batch
    }
  }  // the destructor writes what is still queued
  ASSERT_EQ(written.size(), 50u);
  for (uint32_t tag = 0; tag < 50; ++tag) EXPECT_EQ(written[tag], tag * 10);
}

// With `capacity` chunks handed over and not written, push() waits; it returns once one is written.
TEST(WriterThread, PushWaitsWhileTheQueueIsFull) {
  std::promise<void> open_promise;
  std::shared_future<void> gate = open_promise.get_future().share();
  std::atomic<int> started{0};
  WriterThread thread(2, [&](const MessageBatch&) {
    ++started;
    gate.wait();
  });
  MessageBatch a = chunk(1), b = chunk(2), c = chunk(3);
  thread.push(a);
  thread.push(b);  // one being written, one queued: full
  auto third = std::async(std::launch::async, [&] { thread.push(c); });
  EXPECT_EQ(third.wait_for(300ms), std::future_status::timeout);
  EXPECT_EQ(started.load(), 1);
  open_promise.set_value();
  EXPECT_EQ(third.wait_for(10s), std::future_status::ready);
  thread.drain();
  EXPECT_EQ(started.load(), 3);
}

// The first exception of `write` reaches the caller's next call, once, with its type and text; the
// chunks queued behind it are dropped, and so are the chunks handed over after it.
TEST(WriterThread, ErrorIsThrownOnceByTheNextCallAndLaterChunksAreDropped) {
  std::promise<void> open_promise;
  std::shared_future<void> gate = open_promise.get_future().share();
  std::vector<uint32_t> written;
  WriterThread thread(3, [&](const MessageBatch& batch) {
    gate.wait();
    if (batch.device.front() == 2) throw OutputError("cannot write /messages in 'x.partial' (disk on fire)");
    written.push_back(batch.device.front());
  });
  MessageBatch one = chunk(1), two = chunk(2), three = chunk(3);
  thread.push(one);
  thread.push(two);
  thread.push(three);  // queued behind the chunk that fails
  open_promise.set_value();
  thread.drain();
  try {
    MessageBatch four = chunk(4);
    thread.push(four);
    ADD_FAILURE() << "push after a failed write did not throw";
  } catch (const OutputError& e) {
    EXPECT_STREQ(e.what(), "cannot write /messages in 'x.partial' (disk on fire)");
  }
  EXPECT_NO_THROW(thread.rethrow_error());  // once
  MessageBatch five = chunk(5);
  EXPECT_NO_THROW(thread.push(five));
  EXPECT_EQ(five.size(), 0u);
  thread.drain();
  EXPECT_EQ(written, std::vector<uint32_t>{1});
}

TEST(WriterThread, ErrorIsThrownByRethrowErrorAfterDrain) {
  WriterThread thread(2, [](const MessageBatch&) { throw std::runtime_error("boom"); });
  MessageBatch one = chunk(1);
  thread.push(one);
  thread.drain();
  EXPECT_THROW(thread.rethrow_error(), std::runtime_error);
  EXPECT_NO_THROW(thread.rethrow_error());
}

// Signals are for the simulation's threads: the writer thread blocks them all (SIGINT stays with the
// thread that handles stop requests; SIGXFSZ becomes EFBIG), and the caller's mask is unchanged.
TEST(WriterThread, BlocksEverySignalAndLeavesTheCallersMask) {
  sigset_t before;
  pthread_sigmask(SIG_SETMASK, nullptr, &before);
  std::atomic<bool> int_blocked{false}, xfsz_blocked{false};
  {
    WriterThread thread(1, [&](const MessageBatch&) {
      sigset_t mask;
      pthread_sigmask(SIG_SETMASK, nullptr, &mask);
      int_blocked = sigismember(&mask, SIGINT) == 1;
      xfsz_blocked = sigismember(&mask, SIGXFSZ) == 1;
    });
    MessageBatch one = chunk(1);
    thread.push(one);
  }
  EXPECT_TRUE(int_blocked.load());
  EXPECT_TRUE(xfsz_blocked.load());
  sigset_t after;
  pthread_sigmask(SIG_SETMASK, nullptr, &after);
  for (const int signal : {SIGINT, SIGTERM, SIGXFSZ})
    EXPECT_EQ(sigismember(&after, signal), sigismember(&before, signal)) << signal;
}

// Chunks' storage is recycled: after the first few, push() hands back a batch with room for a chunk.
TEST(WriterThread, HandsBackTheStorageOfWrittenChunks) {
  WriterThread thread(2, [](const MessageBatch&) {});
  MessageBatch batch;
  size_t with_room = 0;
  for (int i = 0; i < 20; ++i) {
    for (uint32_t r = 0; r < 1000; ++r) batch.device.push_back(r);  // filled in place, as TraceWriter does
    const uint32_t* storage = batch.device.data();
    thread.push(batch);
    thread.drain();
    EXPECT_EQ(batch.size(), 0u);
    with_room += batch.device.capacity() >= 1000 ? 1 : 0;
    EXPECT_NE(batch.device.data(), storage);  // never the storage just handed over
  }
  EXPECT_EQ(with_room, 19u);  // all but the first
}

}  // namespace
}  // namespace citytwin::output
