// Long work on a thread pool's lane (ThreadPool::post: the wired network, the event log's replay, the trace's
// rows) calls join_waiting_round() every few microseconds. On the lane's worker, inside a posted task, it
// runs the items still unclaimed in the pool's round in progress, if any, and returns when they are done; the
// task then goes on where it was. Without it, a round that started while the lane was busy ran on the caller
// alone: on two threads, a fifth of the 100k city's radio rounds, the caller doing both halves while the
// lane's task took a fraction of one (bench/RESULTS.md, "The lane joins the rounds"). Which thread runs an
// item does not change any result (ThreadPool), and the items touch nothing the lane's task does: they run
// beside it on the caller anyway.
//
// Anywhere else (the caller, a pool of one thread, a thread that is no pool's lane) it does nothing: one load
// of a thread-local pointer. Code that runs on stacks of its own (SimGrid's actors, during Engine::run) is
// run under NoRoundJoining, so that an item never runs on such a stack.
#pragma once

#include <cstdint>

namespace citytwin::sim::core {

class ThreadPool;

namespace round_joining_detail {
// The pool whose lane task this thread is running (null outside such a task, and under NoRoundJoining).
extern thread_local ThreadPool* lane_pool;
// Joins lane_pool's round in progress if it is one this thread has not joined yet.
void join(ThreadPool& pool);
}  // namespace round_joining_detail

inline void join_waiting_round() {
  if (ThreadPool* pool = round_joining_detail::lane_pool) round_joining_detail::join(*pool);
}

// While it lives, join_waiting_round does nothing on this thread.
class NoRoundJoining {
 public:
  NoRoundJoining() : saved_(round_joining_detail::lane_pool) { round_joining_detail::lane_pool = nullptr; }
  ~NoRoundJoining() { round_joining_detail::lane_pool = saved_; }
  NoRoundJoining(const NoRoundJoining&) = delete;
  NoRoundJoining& operator=(const NoRoundJoining&) = delete;

 private:
  ThreadPool* saved_;
};

}  // namespace citytwin::sim::core
