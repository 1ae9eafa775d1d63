// core::UninitialisedVector: resize() leaves the new elements of a trivial type unwritten, so that the
// pages of a large array become resident only as they are filled (the city's links, copied in by the
// pool's threads); values given to it are kept as in a std::vector.
#include "sim/core/uninitialised.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <vector>

namespace citytwin::sim::core {
namespace {

// Resident memory of this process (/proc/self/statm), bytes.
double resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = 0;
  statm >> size >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

TEST(UninitialisedVector, ResizeTouchesNoPageThatAZeroingVectorWould) {
  constexpr size_t kCount = size_t{16} << 20;  // 64 MiB of uint32_t
  constexpr double kBytes = 4.0 * kCount;
  const double before = resident_bytes();
  UninitialisedVector<uint32_t> unwritten;
  unwritten.resize(kCount);
  const double grown_unwritten = resident_bytes() - before;
  unwritten[kCount / 2] = 7;  // usable
  EXPECT_EQ(unwritten[kCount / 2], 7u);
  UninitialisedVector<uint32_t>().swap(unwritten);

  const double before_zeroed = resident_bytes();
  std::vector<uint32_t> zeroed(kCount);  // the control: written end to end
  const double grown_zeroed = resident_bytes() - before_zeroed;
  EXPECT_EQ(zeroed[kCount / 3], 0u);
  EXPECT_GT(grown_zeroed, 0.75 * kBytes) << "the measurement cannot see a zeroed array";
  // AddressSanitizer writes the allocation's shadow (an eighth of it) and fills its first bytes.
  EXPECT_LT(grown_unwritten, 0.25 * kBytes);
}

TEST(UninitialisedVector, KeepsTheValuesItIsGiven) {
  UninitialisedVector<float> v = {1.5f, -2.0f};
  v.push_back(3.0f);
  v.insert(v.end(), 2, 4.0f);
  v.resize(7, 9.0f);  // with a value: written
  EXPECT_EQ(std::vector<float>(v.begin(), v.end()),
            (std::vector<float>{1.5f, -2.0f, 3.0f, 4.0f, 4.0f, 9.0f, 9.0f}));
  UninitialisedVector<uint32_t> w;
  w.assign(3, 5u);
  EXPECT_EQ(std::vector<uint32_t>(w.begin(), w.end()), (std::vector<uint32_t>{5u, 5u, 5u}));
}

}  // namespace
}  // namespace citytwin::sim::core
