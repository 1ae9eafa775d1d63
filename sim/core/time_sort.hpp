// Sorting records whose order starts with a time (`less`, T::operator< unless given, with
// `time_of(a) < time_of(b)` implying less(a, b)): a counting pass puts them into buckets by time, then each
// bucket is sorted by the full order.
// The result is exactly std::sort's (the buckets follow the time order, and a total order has one sorted
// arrangement); the cost is three linear passes plus sorts of a few records each, instead of n log n
// comparisons of whole records. The wired network's server sorts each period's arrivals so (a std::sort
// of 48-byte arrivals was ~4 % of the 100k bench city's CPU, all of it on the main thread; bench/RESULTS.md).
// Times far apart (a copy held by a failure) only make some buckets larger: a large one is bucketed again
// over its own span (up to three levels), a small one sorted by insertion or std::sort.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <vector>

#include "sim/core/round_joining.hpp"

namespace citytwin::sim::core {

// Fewer records than this are sorted by one std::sort. It was 1,024, from bench/wired_period.cpp, where
// every gateway's copies share the same few times and the buckets fill unevenly. A city's arrivals spread
// over the period: the realistic 10k day (~800 arrivals a period) spent ~15 % of its loop in std::sort and
// ran ~9 % faster with the buckets, while wired_period did not move (bench/RESULTS.md, seventeenth session).
inline constexpr size_t kSortByTimeMin = 64;
// At most this many buckets a level: the scatter writes to one cache line per bucket at a time, and these
// stay in the core's caches (n / 2 buckets for the 1 M city's ~80,000 arrivals a period wrote to 40,000 lines
// over 3.2 MB, a miss a record). A bucket of more than kRebucketMin records is bucketed again.
inline constexpr size_t kMaxBuckets = 8192;
// Records that come nearly in time order (the wired network's arrivals carried in the order the copies
// came) fill a few buckets at a time, whose lines stay in the caches however many there are: up to this
// many, so that a bucket holds two records on average and is sorted by insertion (8,192 left the 1 M
// city's ~80,000 arrivals a period ten a bucket, most sorted by std::sort: the sort 156 -> 133 ns an uplink
// with these, in order; bench/RESULTS.md, twenty-third session).
inline constexpr size_t kMaxBucketsInOrder = 65536;
inline constexpr size_t kRebucketMin = 64;

namespace time_sort_detail {

// Scatters records [0, n) of `from` into `to` by time buckets (n / 2 of them, at most max_buckets, evenly
// over the records' span of time); `starts` gets each bucket's first index and, last, n. False, with nothing
// moved, when the times do not spread (one time for all, or not finite): the full order alone decides.
template <class T, class TimeOf>
bool scatter(const T* from, T* to, size_t n, std::vector<size_t>& starts, const TimeOf& time_of,
             size_t max_buckets = kMaxBuckets) {
  double lo = time_of(from[0]), hi = lo;
  for (size_t i = 0; i < n; ++i) {
    lo = std::min(lo, time_of(from[i]));
    hi = std::max(hi, time_of(from[i]));
  }
  const size_t buckets = std::min(n / 2, max_buckets);
  const double scale = static_cast<double>(buckets) / (hi - lo);  // buckets per second
  if (!(hi > lo) || !std::isfinite(scale)) return false;
  // bucket(t) is non-decreasing in t (subtraction, multiplication by a positive number and truncation
  // are), so every record of a bucket comes before every record of a later one in the full order.
  const auto bucket = [&](const T& r) {
    return std::min(buckets - 1, static_cast<size_t>((time_of(r) - lo) * scale));
  };
  starts.assign(buckets + 1, 0);
  for (size_t i = 0; i < n; ++i) ++starts[bucket(from[i]) + 1];
  for (size_t b = 0; b < buckets; ++b) starts[b + 1] += starts[b];
  std::vector<size_t>& next = starts;  // advanced to each bucket's end, then shifted back below
  for (size_t i = 0; i < n; ++i) to[next[bucket(from[i])]++] = from[i];
  for (size_t b = buckets; b > 0; --b) next[b] = next[b - 1];
  next[0] = 0;
  return true;
}

// A bucket holds two records on average: sorted in place by insertion, without std::sort's calls.
inline constexpr size_t kInsertionMax = 8;
template <class T, class Less>
void insertion_sort(T* first, T* last, const Less& less) {
  for (T* i = first + 1; i < last; ++i) {
    if (!less(*i, *(i - 1))) continue;
    T moving = *i;
    T* j = i;
    do {
      *j = *(j - 1);
      --j;
    } while (j > first && less(moving, *(j - 1)));
    *j = moving;
  }
}

// Sorts each bucket of `data` (bounds in `starts`) by the full order. A bucket of more than kRebucketMin
// records (a share of a large sort, or a cluster of close times: a period's copies all received at one
// instant by many gateways, apart only by their routes' latencies) gets buckets of its own over its own
// span, through the same range of `spare`, down to `depth` levels; the others, and the last level, an
// insertion sort or a std::sort.
template <class T, class TimeOf, class Less>
void sort_buckets(T* data, T* spare, const std::vector<size_t>& starts, const TimeOf& time_of,
                  const Less& less, int depth) {
  std::vector<size_t> inner;
  for (size_t b = 0; b + 1 < starts.size(); ++b) {
    if ((b & 63) == 63) join_waiting_round();  // (on a pool's lane: round_joining.hpp)
    const size_t first = starts[b], count = starts[b + 1] - first;
    if (count < 2) continue;
    if (count > kRebucketMin && depth > 0 && scatter(data + first, spare + first, count, inner, time_of)) {
      sort_buckets(spare + first, data + first, inner, time_of, less, depth - 1);
      std::copy(spare + first, spare + first + count, data + first);
      continue;
    }
    if (count <= kInsertionMax) {
      insertion_sort(data + first, data + first + count, less);
    } else {
      std::sort(data + first, data + first + count, less);
    }
  }
}

}  // namespace time_sort_detail

// Sorts records [from, from + n) into [to, to + n) (std::sort's order by `less`, a total order), with `from`
// as working storage: its records are left in no order. For a caller that appends sorted records to a
// vector of its own (no storage changes hands).
template <class T, class TimeOf, class Less = std::less<T>>
void sort_by_time_into(T* from, T* to, size_t n, std::vector<size_t>& starts, const TimeOf& time_of,
                       size_t max_buckets = kMaxBuckets, const Less& less = Less{}) {
  if (n < kSortByTimeMin || !time_sort_detail::scatter(from, to, n, starts, time_of, max_buckets)) {
    std::copy(from, from + n, to);
    std::sort(to, to + n, less);
    return;
  }
  time_sort_detail::sort_buckets(to, from, starts, time_of, less, 3);
}

// Sorts `records` into std::sort's order by `less` (a total order: then every sort gives that one
// arrangement); `scratch` is working storage (kept by the caller between calls so that steady state
// allocates nothing; the two vectors' storage is swapped). time_of(record) must be finite. max_buckets: the
// first level's (kMaxBucketsInOrder for records nearly in time order).
template <class T, class TimeOf, class Less = std::less<T>>
void sort_by_time(std::vector<T>& records, std::vector<T>& scratch, std::vector<size_t>& starts,
                  const TimeOf& time_of, size_t max_buckets = kMaxBuckets, const Less& less = Less{}) {
  const size_t n = records.size();
  if (n < kSortByTimeMin) {
    std::sort(records.begin(), records.end(), less);
    return;
  }
  scratch.resize(n);
  sort_by_time_into(records.data(), scratch.data(), n, starts, time_of, max_buckets, less);
  records.swap(scratch);
}

}  // namespace citytwin::sim::core
