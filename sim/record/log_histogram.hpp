// Percentiles without keeping every value (issue 13): a histogram with logarithmic bins, bin i holding
// the values in (gamma^(i-1), gamma^i], gamma = (1 + e) / (1 - e). Reporting the bin by
// 2 gamma^i / (gamma + 1) puts every quantile within relative error e of the exact nearest-rank one
// (the DDSketch construction: Masson, Rim and Lee, "DDSketch: a fast and fully-mergeable quantile
// sketch with relative-error guarantees", VLDB 2019). Memory grows with the range of the values, not
// their number: 1 us to 1 day at e = 0.1 % is ~12,000 bins (96 kB). Values at or below zero (and
// below 1e-12) are counted in a bin of their own and reported as 0.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace citytwin::sim::record {

class LogHistogram {
 public:
  explicit LogHistogram(double relative_error = 1e-3);

  void add(double value);
  // Adds every value counted by `other`, which must have the same relative error (else
  // std::invalid_argument): the result is the histogram of both samples.
  void merge(const LogHistogram& other);
  // Nearest-rank percentile (p in [0, 1]), within relative_error() of the exact one; NaN when empty.
  double percentile(double p) const;
  uint64_t count() const { return count_; }
  double relative_error() const { return relative_error_; }
  size_t bins() const { return counts_.size(); }

 private:
  double relative_error_;
  double log_gamma_;
  uint64_t count_ = 0;
  uint64_t zeros_ = 0;
  int64_t first_bin_ = 0;         // index of counts_[0]
  std::vector<uint64_t> counts_;  // per bin, from first_bin_
};

}  // namespace citytwin::sim::record
