// Numbers the uplinks of every radio: transmissions enter window by window (any order) and leave, once
// every transmission that could start before them is known, in (t_start, device) order with their
// seq (0, 1, 2, ...). That order is the order of /messages. A transmission starting before the
// window's end t_s needs an event before t_s, so every such transmission has been produced by then.
//
// Transmissions that start after the window they were produced in (the firmware wakes and senses first,
// a duty-cycle wait, an NB-IoT module getting ready) wait. The realistic 1 M city keeps ~12,800 of them
// against ~1,250 released a window. Sorting all of them again every window was 6.6 % of that hour's samples;
// a binary heap of them (56-byte records, 13 levels, out of the core's caches) still 3.2 % of its day's
// (bench/RESULTS.md). They now wait in buckets of kBucketS seconds of start time (a ring of kRing buckets,
// appended to in any order; those further ahead in a heap of their own), and a bucket is sorted only when a
// window reaches it: a few dozen records each, read in order.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "sim/core/time_sort.hpp"
#include "sim/engine/calendar.hpp"
#include "sim/engine/fleet.hpp"

namespace citytwin::sim::engine {

class Sequencer {
 public:
  // 1/8 s (exact in binary) and 128 s ahead: the 1 M city's buckets hold ~150 records as a window
  // reaches them, and the ring's kept capacity is a few MB.
  static constexpr double kBucketS = 0.125;
  static constexpr int64_t kRing = 1024;

  Sequencer() : ring_(static_cast<size_t>(kRing)) {}

  // Takes the transmissions produced up to window end t_s (produced is emptied) and calls
  // take(seq, tx) for every one that starts before t_s, in (t_start, device) order; the others wait
  // for a later window. Transmissions must all start at or after the previous t_s. t_s = infinity
  // releases every one.
  template <class Take>
  void release(std::vector<Transmission>& produced, double t_s, Take&& take) {
    due_.clear();
    for (const Transmission& tx : produced) {
      if (tx.t_start_s < t_s) {
        due_.push_back(tx);
      } else {
        wait(tx);
      }
    }
    produced.clear();
    const auto fresh = static_cast<std::ptrdiff_t>(due_.size());
    sort(due_);
    take_waiting_before(t_s);  // appended to due_, in order
    std::inplace_merge(due_.begin(), due_.begin() + fresh, due_.end(), before);
    for (const Transmission& tx : due_) take(next_seq_++, tx);
  }

  // Transmissions numbered so far (the next seq).
  uint64_t numbered() const { return next_seq_; }
  bool idle() const { return waiting_ == 0; }

 private:
  // Types, not function pointers, so that the sorts' and the heap's comparisons are inlined.
  struct Before {
    bool operator()(const Transmission& a, const Transmission& b) const { return tx_before(a, b); }
  };
  static constexpr Before before{};
  struct Later {
    bool operator()(const Transmission& a, const Transmission& b) const { return tx_before(b, a); }
  };
  static constexpr Later later{};

  // A bucket before t_s's holds only transmissions due before t_s (time_bucket). Not finite or beyond any
  // run: the last bucket int64 holds (such a transmission waits in far_ until t_s = infinity).
  static int64_t bucket_of(double t_s) { return time_bucket(t_s, kBucketS); }
  std::vector<Transmission>& slot(int64_t bucket) {
    return ring_[static_cast<size_t>((bucket % kRing + kRing) % kRing)];  // (a negative time too)
  }

  void wait(const Transmission& tx) {
    // Never before first_bucket_ (the transmission starts at or after the previous window's end); a
    // caller that broke that rule gets it released with the first bucket rather than lost.
    const int64_t b = std::max(bucket_of(tx.t_start_s), first_bucket_);
    if (b < first_bucket_ + kRing) {
      slot(b).push_back(tx);
    } else {
      far_.push_back(tx);
      std::push_heap(far_.begin(), far_.end(), later);
    }
    ++waiting_;
  }

  // Appends to due_, sorted, every waiting transmission that starts before t_s.
  void take_waiting_before(double t_s) {
    if (waiting_ == 0) {
      if (std::isfinite(t_s)) first_bucket_ = std::max(first_bucket_, bucket_of(t_s));
      return;
    }
    if (!std::isfinite(t_s)) {  // the end of the run: every one, whatever its bucket
      const auto start = static_cast<std::ptrdiff_t>(due_.size());
      for (std::vector<Transmission>& bucket : ring_) {
        due_.insert(due_.end(), bucket.begin(), bucket.end());
        bucket.clear();
      }
      due_.insert(due_.end(), far_.begin(), far_.end());
      far_.clear();
      waiting_ = 0;
      std::sort(due_.begin() + start, due_.end(), before);
      return;
    }
    // Whole buckets before t_s's, each sorted as it is appended (they follow each other in time).
    const int64_t last = bucket_of(t_s);
    while (first_bucket_ < last && waiting_ > 0) {
      std::vector<Transmission>& bucket = slot(first_bucket_);
      if (!bucket.empty()) {
        const size_t start = due_.size();
        due_.resize(start + bucket.size());
        core::sort_by_time_into(bucket.data(), due_.data() + start, bucket.size(), sort_starts_, start_time,
                                core::kMaxBuckets, before);
        waiting_ -= bucket.size();
        bucket.clear();
      }
      ++first_bucket_;
      // The bucket that just entered the ring's reach gets the far ones that belong to it.
      while (!far_.empty() && bucket_of(far_.front().t_start_s) < first_bucket_ + kRing) {
        std::pop_heap(far_.begin(), far_.end(), later);
        slot(std::max(bucket_of(far_.back().t_start_s), first_bucket_)).push_back(far_.back());
        far_.pop_back();
      }
    }
    if (waiting_ == 0) {  // nothing left to pass on the way (far_ too): straight to t_s's bucket
      first_bucket_ = std::max(first_bucket_, last);
      return;
    }
    // t_s's own bucket: those in it that start before t_s (none when windows end on a bucket's start).
    std::vector<Transmission>& bucket = slot(first_bucket_);
    const auto start = static_cast<std::ptrdiff_t>(due_.size());
    size_t kept = 0;
    for (const Transmission& tx : bucket) {
      if (tx.t_start_s < t_s) {
        due_.push_back(tx);
      } else {
        bucket[kept++] = tx;
      }
    }
    waiting_ -= bucket.size() - kept;
    bucket.resize(kept);
    std::sort(due_.begin() + start, due_.end(), before);
  }

  // A window's transmissions (~500 at 1 M devices, a sixth of them after a later one) and a bucket's (~90,
  // in the order they were produced) are sorted by time buckets (core::sort_by_time: tx_before is a total
  // order, a device sending once at a time, so the same order as std::sort's): std::sort's ~log2(n) passes
  // of the 56-byte records were 2.4 % of the realistic 1 M hour's loop (bench/RESULTS.md, twenty-sixth
  // session). A bucket's are sorted into due_ (its storage stays the ring's: swapped with due_'s, the ring's
  // 1,024 buckets each came to keep a window's capacity, +73 MB at 1 M devices).
  struct StartTime {
    double operator()(const Transmission& tx) const { return tx.t_start_s; }
  };
  static constexpr StartTime start_time{};
  void sort(std::vector<Transmission>& txs) {
    core::sort_by_time(txs, sort_scratch_, sort_starts_, start_time, core::kMaxBuckets, before);
  }

  std::vector<std::vector<Transmission>> ring_;  // bucket b in [first_bucket_, + kRing) at b % kRing
  std::vector<Transmission> far_;                // min-heap (later): those of buckets beyond the ring
  int64_t first_bucket_ = 0;                     // the earliest bucket that may hold a waiting one
  size_t waiting_ = 0;
  std::vector<Transmission> due_;           // this window's, in order
  std::vector<Transmission> sort_scratch_;  // sort's (its storage and due_'s are swapped)
  std::vector<size_t> sort_starts_;
  uint64_t next_seq_ = 0;
};

}  // namespace citytwin::sim::engine
