// A partition's calendar of device events (engine::Fleet): pops them in (time, device, kind) order.
//
// Most events are a report due an interval ahead (minutes to hours). A binary heap of a partition's
// 8,192 devices sifts each pop through 13 levels of a 128 KB array, and at 1 M devices most of those
// levels are out of the caches: the heap was ~80 % of the fleet's time per event (bench/RESULTS.md,
// "Per-device and per-gateway state read once a frame"). Here events wait in buckets of `bucket_s` seconds (a
// ring of `buckets` of them, appended to in any order; those further ahead than the ring in a heap of their
// own, `far`). When the windows reach a bucket, it is sorted once and appended to `run`, which the pops then
// read in order. (A heap of the reached buckets' events, ~550 a partition at 1 M devices, sifted each pop
// through ten levels of 122 such heaps a window, out of the caches: 3 % of the 1 M day's samples.) Events
// pushed for a bucket already reached wait in a small heap, `near`, when they fall due before the time the
// pops were last asked for (in the window being run); a pop takes the earlier of `run`'s and `near`'s heads.
// Those due later (a sample a second ahead, in the minute's bucket already reached) wait unsorted in
// `pending`, sorted and merged into `run` when the pops are next asked for a later time: a 1 s sampling
// population kept one event a device in `near`, whose sifts were half of such a run's loop.
//
// Every event before the time asked for is in `run` or `near` when it is popped (a bucket is reached once
// the time asked for reaches it), so the pops come in the order of one heap holding every event. (time,
// device, kind) is a total order for the fleet (a device has at most one event of a kind pending), so the
// order does not depend on how the heaps break ties.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "sim/core/time_sort.hpp"

namespace citytwin::sim::engine {

// The bucket of `bucket_s` seconds that holds time t_s: monotone in t (a division by a positive constant,
// then floor), so t < t_s gives time_bucket(t) <= time_bucket(t_s), and time_bucket(t) < time_bucket(t_s)
// gives t < t_s. Far beyond any run (or not a number): the last bucket int64 holds. The buckets of
// Calendar and of Sequencer (sequencer.hpp).
inline int64_t time_bucket(double t_s, double bucket_s) {
  const double b = std::floor(t_s / bucket_s);
  return b < 9.0e18 ? static_cast<int64_t>(b) : static_cast<int64_t>(9.0e18);
}

template <class Event>
class Calendar {
 public:
  // 256 minutes ahead: the catalogue's hourly reports (water meters, half of the realistic 1 M city) wait
  // in the ring. With 32 minutes they waited in `far` (~4,300 events a partition), whose pops were 60 % of
  // reach's samples on the 1 M day. An empty bucket is 24 bytes: 6 KB a partition.
  static constexpr double kDefaultBucketS = 60.0;
  static constexpr size_t kDefaultBuckets = 256;

  explicit Calendar(double bucket_s = kDefaultBucketS, size_t buckets = kDefaultBuckets)
      : bucket_s_(bucket_s), ring_(buckets) {}

  void push(const Event& e) {
    const int64_t b = bucket_of(e.t_s);
    if (b < first_bucket_) {
      if (e.t_s >= asked_s_) {
        pending_.push_back(e);  // not popped before the next, later, time asked for
      } else {
        near_.push_back(e);
        std::push_heap(near_.begin(), near_.end(), later);
      }
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
    bool from_run = false;
    const Event* next = head(from_run);
    if (next == nullptr || !(next->t_s < t_s)) return false;
    e = *next;
    if (from_run) {
      ++run_pos_;
    } else {
      std::pop_heap(near_.begin(), near_.end(), later);
      near_.pop_back();
    }
    --size_;
    return true;
  }

  // The event `k` places ahead in the reached buckets' sorted run, or null: most likely popped k pops from
  // now (an event pushed for a reached bucket may come first), for asking for its lines ahead.
  const Event* run_ahead(size_t k) const {
    return run_pos_ + k < run_.size() ? &run_[run_pos_ + k] : nullptr;
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
  struct Earlier {
    bool operator()(const Event& a, const Event& b) const { return later(b, a); }
  };
  static constexpr Earlier earlier{};

  // The earliest reached event (run's next or near's top), or null; from_run says which.
  const Event* head(bool& from_run) const {
    const bool in_run = run_pos_ < run_.size();
    if (!near_.empty() && (!in_run || later(run_[run_pos_], near_.front()))) {
      from_run = false;
      return &near_.front();
    }
    from_run = in_run;
    return in_run ? &run_[run_pos_] : nullptr;
  }

  // The same arithmetic decides where an event waits and when its bucket is reached (time_bucket).
  int64_t bucket_of(double t_s) const { return time_bucket(t_s, bucket_s_); }
  size_t slot(int64_t bucket) const { return static_cast<size_t>(bucket) % ring_.size(); }

  // Appends every bucket up to t_s's to `run`, sorted, with the far events that belong to them. A bucket's
  // events all come after those of the buckets before it (bucket_of is monotone), so `run` stays sorted.
  void reach(double t_s) {
    if (!(t_s > asked_s_)) return;  // (the same time again: nothing new is due, nothing to merge)
    asked_s_ = t_s;
    if (!pending_.empty()) {  // due at or after the last time asked for, in reached buckets: before the rest
      run_.erase(run_.begin(), run_.begin() + static_cast<std::ptrdiff_t>(run_pos_));
      run_pos_ = 0;
      const auto middle = static_cast<std::ptrdiff_t>(run_.size());
      std::sort(pending_.begin(), pending_.end(), earlier);
      run_.insert(run_.end(), pending_.begin(), pending_.end());
      pending_.clear();
      std::inplace_merge(run_.begin(), run_.begin() + middle, run_.end(), earlier);
    }
    const int64_t last = bucket_of(t_s);
    while (first_bucket_ <= last) {
      if (size_ == near_.size() + (run_.size() - run_pos_)) {  // nothing waits in the ring or far: jump
        first_bucket_ = last + 1;
        break;
      }
      run_.erase(run_.begin(), run_.begin() + static_cast<std::ptrdiff_t>(run_pos_));  // the popped ones
      run_pos_ = 0;
      const auto start = static_cast<std::ptrdiff_t>(run_.size());
      std::vector<Event>& bucket = ring_[slot(first_bucket_)];
      // Sorted by time buckets (core::sort_by_time; (time, device, kind) is a total order, so the same
      // order as std::sort's): ~550 events a partition at 1 M devices, whose std::sort was 2.3 % of the
      // realistic 1 M hour's loop (bench/RESULTS.md, twenty-sixth session).
      core::sort_by_time(
          bucket, sort_scratch_, sort_starts_, [](const Event& e) { return e.t_s; }, core::kMaxBuckets,
          earlier);
      run_.insert(run_.end(), bucket.begin(), bucket.end());
      // Freed, not kept: the ring's capacities held ~2 intervals' worth of events (+40 MB at 1 M devices
      // with 32 buckets). (sort_scratch_ keeps one bucket's.)
      std::vector<Event>().swap(bucket);
      const auto sorted = static_cast<std::ptrdiff_t>(run_.size());
      while (!far_.empty() && bucket_of(far_.front().t_s) <= first_bucket_) {  // (popped in order)
        std::pop_heap(far_.begin(), far_.end(), later);
        run_.push_back(far_.back());
        far_.pop_back();
      }
      if (sorted != static_cast<std::ptrdiff_t>(run_.size()))
        std::inplace_merge(run_.begin() + start, run_.begin() + sorted, run_.end(), earlier);
      ++first_bucket_;
    }
  }

  double bucket_s_;
  int64_t first_bucket_ = 0;  // buckets before it are in run_ (or popped)
  std::vector<Event> run_;    // the reached buckets' events, sorted; [0, run_pos_) popped
  size_t run_pos_ = 0;
  // Pushed for a bucket before first_bucket_: due before asked_s_ in a min-heap (later), the others unsorted.
  std::vector<Event> near_;
  std::vector<Event> pending_;
  double asked_s_ = -std::numeric_limits<double>::infinity();  // the latest time the pops were asked for
  std::vector<std::vector<Event>> ring_;  // bucket b in [first_bucket_, first_bucket_ + size) at b % size
  std::vector<Event> far_;                // min-heap: events of buckets beyond the ring
  std::vector<Event> sort_scratch_;       // reach's sorts (core::sort_by_time)
  std::vector<size_t> sort_starts_;
  size_t size_ = 0;
};

}  // namespace citytwin::sim::engine
