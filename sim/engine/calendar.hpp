// A partition's calendar of device events (engine::Fleet): pops them in (time, device, kind) order.
//
// Most events are a report due an interval ahead (minutes to hours). A binary heap of a partition's
// 8,192 devices sifts each pop through 13 levels of a 128 KB array, and at 1 M devices most of those
// levels are out of the caches: the heap was ~80 % of the fleet's time per event (bench/RESULTS.md,
// "Per-device and per-gateway state read once a frame"). Here events wait in buckets of `bucket_s` seconds (a
// ring of `buckets` of them, appended to in any order) and enter a small heap, `near`, only when the windows
// reach their bucket; events further ahead than the ring wait in a heap of their own (`far`).
//
// Every event before the time asked for is in `near` when it is popped (a bucket enters `near` once the
// time asked for reaches it), so the pops come in the order of one heap holding every event. (time,
// device, kind) is a total order for the fleet (a device has at most one event of a kind pending), so the
// order does not depend on how the heaps break ties.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace citytwin::sim::engine {

template <class Event>
class Calendar {
 public:
  static constexpr double kDefaultBucketS = 60.0;
  static constexpr size_t kDefaultBuckets = 32;

  explicit Calendar(double bucket_s = kDefaultBucketS, size_t buckets = kDefaultBuckets)
      : bucket_s_(bucket_s), ring_(buckets) {}

  void push(const Event& e) {
    const int64_t b = bucket_of(e.t_s);
    if (b < first_bucket_) {
      near_.push_back(e);
      std::push_heap(near_.begin(), near_.end(), later);
    } else if (b < first_bucket_ + static_cast<int64_t>(ring_.size())) {
      ring_[slot(b)].push_back(e);
    } else {
      far_.push_back(e);
      std::push_heap(far_.begin(), far_.end(), later);
    }
    ++size_;
  }

  // The earliest event before t_s, removed into e; false (e untouched) when there is none.
  bool pop_before(double t_s, Event& e) {
    reach(t_s);
    if (near_.empty() || !(near_.front().t_s < t_s)) return false;
    std::pop_heap(near_.begin(), near_.end(), later);
    e = near_.back();
    near_.pop_back();
    --size_;
    return true;
  }
  // The event pop_before(t_s) would return next, or null; valid until the calendar changes. Call after a
  // pop_before with the same t_s (the buckets before t_s are in `near` then).
  const Event* peek_before(double t_s) const {
    return !near_.empty() && near_.front().t_s < t_s ? &near_.front() : nullptr;
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  // (time, device, kind) order, the heaps' "greater" (a function object, inlined into the heaps' loops:
  // a function's address was called at every comparison).
  struct Later {
    bool operator()(const Event& a, const Event& b) const {
      if (a.t_s != b.t_s) return a.t_s > b.t_s;
      if (a.device != b.device) return a.device > b.device;
      return a.kind > b.kind;
    }
  };
  static constexpr Later later{};
  // Monotone in t (a division by a positive constant, then floor), so t < t_s gives bucket_of(t) <=
  // bucket_of(t_s): the same arithmetic decides where an event waits and when its bucket is reached.
  int64_t bucket_of(double t_s) const {
    const double b = std::floor(t_s / bucket_s_);
    // Far beyond any run (or not a number): the last bucket int64 holds; such events wait in `far`.
    return b < 9.0e18 ? static_cast<int64_t>(b) : static_cast<int64_t>(9.0e18);
  }
  size_t slot(int64_t bucket) const { return static_cast<size_t>(bucket) % ring_.size(); }

  // Moves every bucket up to t_s's into `near`, with the far events that belong to them.
  void reach(double t_s) {
    const int64_t last = bucket_of(t_s);
    while (first_bucket_ <= last) {
      if (size_ == near_.size()) {  // nothing waits in the ring or far: jump
        first_bucket_ = last + 1;
        break;
      }
      std::vector<Event>& bucket = ring_[slot(first_bucket_)];
      for (const Event& e : bucket) {
        near_.push_back(e);
        std::push_heap(near_.begin(), near_.end(), later);
      }
      // Freed, not kept: 32 buckets' capacities held ~2 intervals' worth of events (+40 MB at 1 M devices).
      std::vector<Event>().swap(bucket);
      while (!far_.empty() && bucket_of(far_.front().t_s) <= first_bucket_) {
        std::pop_heap(far_.begin(), far_.end(), later);
        near_.push_back(far_.back());
        far_.pop_back();
        std::push_heap(near_.begin(), near_.end(), later);
      }
      ++first_bucket_;
    }
  }

  double bucket_s_;
  int64_t first_bucket_ = 0;              // buckets before it are in near_
  std::vector<Event> near_;               // min-heap (later): every event of a bucket before first_bucket_
  std::vector<std::vector<Event>> ring_;  // bucket b in [first_bucket_, first_bucket_ + size) at b % size
  std::vector<Event> far_;                // min-heap: events of buckets beyond the ring
  size_t size_ = 0;
};

}  // namespace citytwin::sim::engine
