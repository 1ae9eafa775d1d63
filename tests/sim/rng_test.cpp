// Named random streams: reproducible, independent of creation order, and statistically sound enough
// for the distributions we draw.
#include "sim/core/rng.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "tests/sim/rooms.hpp"

namespace citytwin::sim {
namespace {

TEST(Rng, SameSeedPurposeAndComponentGiveTheSameStream) {
  Stream a(42, "device", 7), b(42, "device", 7);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.next_u64(), b.next_u64());
}

TEST(Rng, StreamsDifferBySeedPurposeAndComponent) {
  const uint64_t base = Stream(42, "device", 7).next_u64();
  EXPECT_NE(base, Stream(43, "device", 7).next_u64());
  EXPECT_NE(base, Stream(42, "placement", 7).next_u64());
  EXPECT_NE(base, Stream(42, "device", 8).next_u64());
}

TEST(Rng, ACounterResumesAStreamExactly) {
  Stream a(1, "device", 3);
  a.next_u64();
  a.next_u64();
  Stream resumed(a.key(), a.counter());
  EXPECT_EQ(a.next_u64(), resumed.next_u64());
}

TEST(Rng, UniformMeanAndVarianceMatchTheory) {
  Stream s(5, "test", 0);
  const int n = 200000;
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    const double u = s.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    sum2 += u * u;
  }
  const double mean = sum / n, var = sum2 / n - mean * mean;
  EXPECT_NEAR(mean, 0.5, 4 * std::sqrt(1.0 / 12 / n));
  EXPECT_NEAR(var, 1.0 / 12, 0.002);
}

TEST(Rng, ExponentialHasTheRequestedMean) {
  Stream s(6, "test", 0);
  const int n = 200000;
  double sum = 0;
  for (int i = 0; i < n; ++i) sum += s.exponential(3.0);
  EXPECT_NEAR(sum / n, 3.0, 4 * 3.0 / std::sqrt(n));
}

TEST(Rng, BelowCoversTheRangeEvenly) {
  Stream s(7, "test", 0);
  std::vector<int> counts(3, 0);
  for (int i = 0; i < 30000; ++i) ++counts[s.below(3)];
  for (int c : counts) EXPECT_NEAR(c, 10000, 400);
}

}  // namespace
}  // namespace citytwin::sim
