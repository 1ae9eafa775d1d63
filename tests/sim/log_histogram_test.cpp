// The log-binned histogram's percentiles against the exact nearest-rank ones (record::percentile) on
// latency-like samples spanning six decades: within the stated relative error, at every rank.
#include "sim/record/log_histogram.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "sim/record/kpi.hpp"
#include "tests/sim/rooms.hpp"

namespace citytwin::sim {
namespace {

void expect_within(const std::vector<double>& values, double relative_error) {
  LogHistogram h(relative_error);
  std::vector<float> exact_values;
  for (double v : values) {
    h.add(v);
    exact_values.push_back(static_cast<float>(v));
  }
  for (double p : {0.0, 0.001, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0}) {
    std::vector<float> copy = exact_values;
    const double exact = record::percentile(copy, p);
    const double approx = h.percentile(p);
    // The exact value went through float (as the log keeps latencies): allow its rounding too.
    EXPECT_LE(std::abs(approx - exact), relative_error * exact * (1.0 + 1e-6) + 1e-7 * exact)
        << "p = " << p << ": exact " << exact << ", histogram " << approx;
  }
}

TEST(LogHistogram, PercentilesWithinTheRelativeErrorOfTheExactOnes) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> latency(std::log(0.05), 2.0);  // 50 ms median, long tail
  std::vector<double> values(200000);
  for (double& v : values) v = latency(rng);
  expect_within(values, 1e-3);
  expect_within(values, 1e-2);
}

TEST(LogHistogram, ExponentialAndConstantSamples) {
  std::mt19937_64 rng(11);
  std::exponential_distribution<double> wait(1.0 / 30.0);
  std::vector<double> values(50000);
  for (double& v : values) v = wait(rng);
  expect_within(values, 1e-3);
  expect_within(std::vector<double>(1000, 0.061696), 1e-3);
}

TEST(LogHistogram, MergingGivesTheHistogramOfBothSamples) {
  // Two populations of different ranges (the KPIs pool the populations' histograms, and by type).
  std::mt19937_64 rng(3);
  std::lognormal_distribution<double> fast(std::log(0.05), 0.5), slow(std::log(20.0), 1.0);
  LogHistogram a(1e-3), b(1e-3), empty(1e-3), both(1e-3);
  std::vector<double> values;
  for (int i = 0; i < 20000; ++i) {
    const double x = fast(rng), y = slow(rng);
    a.add(x);
    b.add(y);
    both.add(x);
    both.add(y);
    values.push_back(x);
    values.push_back(y);
  }
  b.add(0.0);
  both.add(0.0);
  values.push_back(0.0);
  LogHistogram merged = empty;
  merged.merge(b);  // into an empty one, then one whose bins lie below
  merged.merge(a);
  merged.merge(empty);
  EXPECT_EQ(merged.count(), both.count());
  for (double p : {0.0, 0.01, 0.3, 0.5, 0.7, 0.95, 1.0}) EXPECT_EQ(merged.percentile(p), both.percentile(p));
  expect_within(values, 1e-3);
  EXPECT_THROW(merged.merge(LogHistogram(1e-2)), std::invalid_argument);
}

TEST(LogHistogram, ZerosEmptyAndMemory) {
  LogHistogram h(1e-3);
  EXPECT_TRUE(std::isnan(h.percentile(0.5)));
  h.add(0.0);
  h.add(0.0);
  h.add(2.0);
  EXPECT_EQ(h.percentile(0.5), 0.0);
  EXPECT_NEAR(h.percentile(1.0), 2.0, 2e-3);
  // 1 us to one day: about ln(8.64e10) / ln(1.002) ~ 12,600 bins, whatever the number of values.
  h.add(1e-6);
  h.add(86400.0);
  EXPECT_LT(h.bins(), 13000u);
  EXPECT_EQ(h.count(), 5u);
  EXPECT_THROW(LogHistogram(0.0), std::invalid_argument);
}

}  // namespace
}  // namespace citytwin::sim

// /kpi's order: the attributes output::kpi_attributes marks ordered in its order, whatever order the run's
// parts add them in; the rest after them, in the order they were added.
TEST(KpiOrder, TheListedOrderFirstThenTheOthersAsAdded) {
  citytwin::output::KpiList kpis{{"lora_receptions", 1.0}, {"not_listed", 2.0},  {"delivery_ratio", 3.0},
                                 {"devices", 4.0},         {"lost_jammed", 5.0}, {"gateways", 6.0}};
  citytwin::sim::record::order_kpis(kpis);
  std::vector<std::string> names;
  for (const auto& [name, value] : kpis) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"devices", "gateways", "delivery_ratio", "lora_receptions",
                                             "not_listed", "lost_jammed"}));
}
