// The progress line: uplinks per second and the memory in use.
#include "sim/app/progress.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

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

TEST(Progress, OffATerminalALineEachTenthAndAtLeastEveryLogInterval) {
  // stderr is not a terminal here. A new tenth of the simulated time prints; within one tenth, a line once
  // the interval has passed since the last, not before. A run stopped early shows no ETA on its last line.
  Progress progress(1000.0, true, std::chrono::milliseconds(200));
  testing::internal::CaptureStderr();
  progress.update(10.0, 100);  // the first tenth: printed
  progress.update(20.0, 200);  // the same tenth, at once: not
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  progress.update(30.0, 300);    // the same tenth, the interval past: printed
  progress.update(40.0, 400);    // not
  progress.update(150.0, 1500);  // a new tenth: printed
  progress.finish(160.0, 1600, false);
  const std::string out = testing::internal::GetCapturedStderr();
  EXPECT_NE(out.find("uplinks 100 ("), std::string::npos) << out;
  EXPECT_EQ(out.find("uplinks 200 ("), std::string::npos) << out;
  EXPECT_NE(out.find("uplinks 300 ("), std::string::npos) << out;
  EXPECT_EQ(out.find("uplinks 400 ("), std::string::npos) << out;
  EXPECT_NE(out.find("uplinks 1500 ("), std::string::npos) << out;
  EXPECT_NE(out.find("ETA --  uplinks 1600 ("), std::string::npos) << out;
  EXPECT_EQ(out.find("ETA 0 s"), std::string::npos) << out;
  EXPECT_NE(out.find("stopped early at 00:02:40 simulated"), std::string::npos) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 5) << out;
}

// A set-up is shown once it has taken a second: a quick one prints nothing, not even at its end; a long one
// its radio links' share (a line a quarter off a terminal), then "built"; a quiet run nothing at all.
TEST(Progress, ALongSetUpIsShownAndAQuickOneIsNot) {
  {
    SetUpProgress quick(1000, 2, true);
    testing::internal::CaptureStderr();
    quick.links(0.5);
    quick.links(1.0);
    quick.step("writing the device and gateway tables");
    quick.finish();
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  }
  SetUpProgress slow(1000000, 1538, true), quiet(1000000, 1538, false);
  std::this_thread::sleep_for(std::chrono::milliseconds(1050));
  testing::internal::CaptureStderr();
  for (const double f : {0.10, 0.20, 0.30, 0.60, 1.0}) {
    slow.links(f);
    quiet.links(f);
  }
  slow.step("writing the device and gateway tables");
  quiet.step("writing the device and gateway tables");
  slow.finish();
  quiet.finish();
  const std::string out = testing::internal::GetCapturedStderr();
  EXPECT_NE(out.find("city of 1000000 devices and 1538 gateways: radio links  10.0 %  wall "),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("radio links  30.0 %"), std::string::npos) << out;  // the second quarter
  EXPECT_NE(out.find("radio links  60.0 %"), std::string::npos) << out;  // the third
  EXPECT_EQ(out.find("radio links  20.0 %"), std::string::npos) << out;  // the first quarter again: not
  EXPECT_EQ(out.find("100.0 %"), std::string::npos) << out;              // done: "built" says it
  EXPECT_NE(out.find("gateways: built  wall "), std::string::npos) << out;
  EXPECT_NE(out.find("gateways: writing the device and gateway tables  wall "), std::string::npos) << out;
  // three quarters, the tables and the end; nothing from the quiet one
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 5) << out;
}

}  // namespace
}  // namespace citytwin::sim::app
