// The progress line: uplinks per second and the memory in use.
#include "sim/app/progress.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>

namespace citytwin::sim::app {
namespace {

TEST(Progress, ResidentMemoryGrowsWithTouchedPages) {
  const uint64_t before = resident_memory_bytes();
  ASSERT_GT(before, 1u << 20) << "a test process uses more than 1 MB";
  constexpr size_t kBytes = 64u << 20;
  auto block = std::make_unique<char[]>(kBytes);
  std::memset(block.get(), 1, kBytes);  // touch every page: resident
  const uint64_t after = resident_memory_bytes();
  EXPECT_GE(after, before + kBytes * 9 / 10) << before << " -> " << after;
  EXPECT_EQ(block[kBytes - 1], 1);
}

TEST(Progress, FormatsBytesAndRates) {
  EXPECT_EQ(format_bytes(812), "812 B");
  EXPECT_EQ(format_bytes(3.4e6), "3.40 MB");
  EXPECT_EQ(format_bytes(1.25e9), "1.25 GB");
  EXPECT_EQ(format_bytes(412e9), "412 GB");
  EXPECT_EQ(format_rate(950), "950/s");
  EXPECT_EQ(format_rate(12345), "12.3 k/s");
  EXPECT_EQ(format_rate(4.56e6), "4.56 M/s");
}

TEST(Progress, TheLineShowsTheUplinkRateAndTheMemory) {
  Progress progress(100.0, true);
  testing::internal::CaptureStderr();
  progress.update(15.0, 1000);  // a new decile: printed (stderr is not a terminal here)
  progress.finish(100.0, 5000, true);
  const std::string out = testing::internal::GetCapturedStderr();
  EXPECT_NE(out.find("uplinks 1000 ("), std::string::npos) << out;
  EXPECT_NE(out.find("uplinks 5000 ("), std::string::npos) << out;
  EXPECT_NE(out.find("/s)  RSS "), std::string::npos) << out;
  EXPECT_NE(out.find("MB"), std::string::npos) << out;
}

}  // namespace
}  // namespace citytwin::sim::app
