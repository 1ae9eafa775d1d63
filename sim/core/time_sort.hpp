// Sorting records whose order starts with a time (T::operator<, with `time_of(a) < time_of(b)` implying
// a < b): a counting pass puts them into buckets by time, then each bucket is sorted by the full order.
// The result is exactly std::sort's (the buckets follow the time order, and a total order has one sorted
// arrangement); the cost is three linear passes plus sorts of a few records each, instead of n log n
// comparisons of whole records. The wired network's server sorts each period's arrivals so (a std::sort
// of 48-byte arrivals was ~4 % of the 100k bench city's CPU, all of it on the main thread; bench/RESULTS.md).
// Times far apart (a copy held by a failure) only make some buckets larger: each is still std::sort'ed.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace citytwin::sim::core {

// Fewer records than this are sorted by one std::sort (faster there: bench/wired_period.cpp at 100
// gateways, 500 arrivals a period, took 10 % longer with the buckets).
inline constexpr size_t kSortByTimeMin = 1024;

// Sorts `records` into std::sort's order; `scratch` is working storage (kept by the caller between
// calls so that steady state allocates nothing). time_of(record) must be finite.
template <class T, class TimeOf>
void sort_by_time(std::vector<T>& records, std::vector<T>& scratch, std::vector<size_t>& starts,
                  const TimeOf& time_of) {
  const size_t n = records.size();
  if (n < kSortByTimeMin) {
    std::sort(records.begin(), records.end());
    return;
  }
  double lo = time_of(records[0]), hi = lo;
  for (const T& r : records) {
    lo = std::min(lo, time_of(r));
    hi = std::max(hi, time_of(r));
  }
  const size_t buckets = n / 2;
  const double width = (hi - lo) / static_cast<double>(buckets);
  if (!(width > 0.0) || !std::isfinite(width)) {  // one time for all (or not finite): the full order decides
    std::sort(records.begin(), records.end());
    return;
  }
  // bucket(t) is non-decreasing in t (subtraction, division by a positive number and truncation are),
  // so every record of a bucket comes before every record of a later one in the full order.
  const auto bucket = [&](const T& r) {
    return std::min(buckets - 1, static_cast<size_t>((time_of(r) - lo) / width));
  };
  starts.assign(buckets + 1, 0);
  for (const T& r : records) ++starts[bucket(r) + 1];
  for (size_t b = 0; b < buckets; ++b) starts[b + 1] += starts[b];
  scratch.resize(n);
  {
    std::vector<size_t>& next = starts;  // advanced to each bucket's end, then shifted back below
    for (const T& r : records) scratch[next[bucket(r)]++] = r;
    for (size_t b = buckets; b > 0; --b) next[b] = next[b - 1];
    next[0] = 0;
  }
  for (size_t b = 0; b < buckets; ++b) {
    if (starts[b + 1] - starts[b] > 1)
      std::sort(scratch.begin() + static_cast<std::ptrdiff_t>(starts[b]),
                scratch.begin() + static_cast<std::ptrdiff_t>(starts[b + 1]));
  }
  records.swap(scratch);
}

}  // namespace citytwin::sim::core
