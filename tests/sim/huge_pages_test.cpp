// The citytwin executable's operator new (sim/cli/huge_pages.cpp), linked into this test as into the
// executable: large blocks allocated while a city is built are marked for transparent huge pages, those
// allocated while the windows run are not, and the standard's contract holds.
#include "sim/core/huge_pages.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <limits>
#include <memory>
#include <new>
#include <sstream>
#include <string>
#include <vector>

namespace {

// The VmFlags of the mapping of /proc/self/smaps holding `p` ("" if none does).
std::string vm_flags_of(const void* p) {
  const auto at = reinterpret_cast<std::uintptr_t>(p);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    std::uintptr_t lo = 0, hi = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> lo >> dash >> hi && dash == '-' && line.find(' ') > line.find('-')) {
      inside = lo <= at && at < hi;
      continue;
    }
    if (inside && line.rfind("VmFlags:", 0) == 0) return line;
  }
  return "";
}

bool marked_huge(const void* p) { return vm_flags_of(p).find(" hg") != std::string::npos; }

TEST(HugePages, ABlockOfEightMebibytesIsMarkedWhileACityIsBuilt) {
  // A kernel without transparent huge pages refuses the advice; this machine's kind has them ("madvise").
  ASSERT_TRUE(std::ifstream("/sys/kernel/mm/transparent_hugepage/enabled").good());
  std::unique_ptr<char[]> block;
  std::vector<double> devices;
  {
    const citytwin::sim::core::HugePagesWhileBuilding building;
    block.reset(new char[std::size_t{8} << 20]);
    devices.resize(std::size_t{1} << 20);  // 8 MiB: a city's per-device array
  }
  EXPECT_TRUE(marked_huge(block.get() + (std::size_t{4} << 20))) << vm_flags_of(block.get());
  EXPECT_TRUE(marked_huge(devices.data() + devices.size() / 2)) << vm_flags_of(devices.data());
}

// An over-aligned type (a cache line a device, as the fleet's state) goes through the aligned operator new:
// marked too, and aligned as asked; the library's aligned delete frees it.
struct alignas(64) CacheLine {
  char bytes[64];
};

TEST(HugePages, AnOverAlignedArrayIsMarkedAndAligned) {
  std::vector<CacheLine> devices;
  {
    const citytwin::sim::core::HugePagesWhileBuilding building;
    devices.resize(std::size_t{1} << 17);  // 8 MiB
  }
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(devices.data()) % 64, 0u);
  EXPECT_TRUE(marked_huge(devices.data() + devices.size() / 2)) << vm_flags_of(devices.data());
  for (const std::size_t align : {16, 64, 4096}) {  // and an odd size, rounded up for aligned_alloc
    void* p = ::operator new (1000, std::align_val_t{align});
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % align, 0u);
    ::operator delete (p, std::align_val_t{align});
  }
  EXPECT_THROW((void)::operator new (std::numeric_limits<std::size_t>::max() / 2, std::align_val_t{64}),
               std::bad_alloc);
  // Not rounded up past the end into a small block (the size read at run time: the compiler warns of it).
  volatile std::size_t wrapping = std::numeric_limits<std::size_t>::max() - 10;
  EXPECT_THROW((void)::operator new (wrapping, std::align_val_t{64}), std::bad_alloc);
}

TEST(HugePages, ABlockAllocatedWhileTheWindowsRunIsLeftAsItIs) {
  ASSERT_FALSE(citytwin::sim::core::huge_pages_wanted.load());
  // glibc maps a block this large on its own (above its mmap threshold), in a mapping of its own.
  const std::unique_ptr<char[]> block(new char[std::size_t{64} << 20]);
  const std::string flags = vm_flags_of(block.get() + (std::size_t{32} << 20));
  EXPECT_FALSE(flags.empty());
  EXPECT_FALSE(marked_huge(block.get() + (std::size_t{32} << 20))) << flags;
}

TEST(HugePages, AnImpossibleSizeThrowsBadAlloc) {
  EXPECT_THROW((void)::operator new(std::numeric_limits<std::size_t>::max() / 2), std::bad_alloc);
}

struct HandlerCalled {};

TEST(HugePages, TheNewHandlerIsCalledWhenMemoryRunsOut) {
  std::new_handler previous = std::set_new_handler([] { throw HandlerCalled{}; });
  EXPECT_THROW((void)::operator new(std::numeric_limits<std::size_t>::max() / 2), HandlerCalled);
  std::set_new_handler(previous);
}

TEST(HugePages, NothrowNewReturnsNullInsteadOfThrowing) {
  // The library's nothrow new calls the replaced operator new and catches its bad_alloc.
  void* p = ::operator new(std::numeric_limits<std::size_t>::max() / 2, std::nothrow);
  EXPECT_EQ(p, nullptr);
}

}  // namespace
