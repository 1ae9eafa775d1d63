#include "sim/record/log_histogram.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace citytwin::sim::record {
namespace {
constexpr double kSmallest = 1e-12;  // below this a value counts as 0
}

LogHistogram::LogHistogram(double relative_error)
    : relative_error_(relative_error), log_gamma_(std::log((1.0 + relative_error) / (1.0 - relative_error))) {
  if (!(relative_error > 0.0 && relative_error < 1.0))
    throw std::invalid_argument("LogHistogram: relative error must be in (0, 1)");
}

void LogHistogram::add(double value) {
  ++count_;
  if (!(value > kSmallest)) {
    ++zeros_;
    return;
  }
  const auto bin = static_cast<int64_t>(std::ceil(std::log(value) / log_gamma_));
  if (counts_.empty()) {
    first_bin_ = bin;
    counts_.push_back(0);
  } else if (bin < first_bin_) {
    counts_.insert(counts_.begin(), static_cast<size_t>(first_bin_ - bin), 0);
    first_bin_ = bin;
  } else if (bin >= first_bin_ + static_cast<int64_t>(counts_.size())) {
    counts_.resize(static_cast<size_t>(bin - first_bin_ + 1), 0);
  }
  ++counts_[static_cast<size_t>(bin - first_bin_)];
}

void LogHistogram::merge(const LogHistogram& other) {
  if (other.relative_error_ != relative_error_)
    throw std::invalid_argument("LogHistogram: merging histograms of different relative errors");
  count_ += other.count_;
  zeros_ += other.zeros_;
  if (other.counts_.empty()) return;
  const int64_t other_last = other.first_bin_ + static_cast<int64_t>(other.counts_.size()) - 1;
  if (counts_.empty()) {
    first_bin_ = other.first_bin_;
    counts_.assign(other.counts_.size(), 0);
  }
  if (other.first_bin_ < first_bin_) {
    counts_.insert(counts_.begin(), static_cast<size_t>(first_bin_ - other.first_bin_), 0);
    first_bin_ = other.first_bin_;
  }
  if (other_last >= first_bin_ + static_cast<int64_t>(counts_.size()))
    counts_.resize(static_cast<size_t>(other_last - first_bin_ + 1), 0);
  for (size_t i = 0; i < other.counts_.size(); ++i)
    counts_[static_cast<size_t>(other.first_bin_ - first_bin_) + i] += other.counts_[i];
}

double LogHistogram::percentile(double p) const {
  if (count_ == 0) return std::numeric_limits<double>::quiet_NaN();
  // The same rank as record::percentile: ceil(p n), at least 1.
  const auto rank = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(p * static_cast<double>(count_))));
  if (rank <= zeros_) return 0.0;
  uint64_t seen = zeros_;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const double gamma = std::exp(log_gamma_);
      return 2.0 * std::exp(static_cast<double>(first_bin_ + static_cast<int64_t>(i)) * log_gamma_) /
             (gamma + 1.0);
    }
  }
  return 2.0 *
         std::exp(static_cast<double>(first_bin_ + static_cast<int64_t>(counts_.size()) - 1) * log_gamma_) /
         (std::exp(log_gamma_) + 1.0);
}

}  // namespace citytwin::sim::record
