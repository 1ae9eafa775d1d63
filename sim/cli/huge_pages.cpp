// The citytwin executable's operator new: while the city is built (core::huge_pages_wanted,
// sim/core/huge_pages.hpp), blocks of 2 MiB and more are allocated as usual (malloc) and then marked for
// transparent huge pages (madvise MADV_HUGEPAGE), the mark glibc itself sets on its large blocks when run
// with GLIBC_TUNABLES=glibc.malloc.hugetlb=1 (which a program cannot set for itself once started).
//
// Why: Debian's kernels give transparent huge pages on request only ("madvise"). A large city's
// per-device and per-link arrays are then mapped 4 KiB at a time: every page costs a fault when first
// touched, and the scans through them miss the TLB. The realistic 1 M-device city's set-up: 11.4 -> 9.9 s
// (strongest_only), 22.8 -> 20.5 s (exact), bench/RESULTS.md, "Huge pages for the city's arrays".
//
// Only this executable is affected (a shared library cannot replace operator new for its host, so the
// Python module keeps the host's allocator). new[] and the nothrow forms call operator new(size), and
// their aligned forms operator new(size, std::align_val_t): both are replaced here, the aligned one with
// aligned_alloc, as the library's own. (The aligned one was left to the library until the nineteenth
// session: the fleet's per-device state, a cache line a device and 64 MB at 1 M devices, the array every
// device event reads, then lay on 4 KiB pages: bench/RESULTS.md.) Every operator delete is the library's,
// which calls free(), for the aligned forms too: what these return is malloc's. Where the kernel has
// transparent huge pages off ("never") or lacks them, the mark does nothing; results never depend on it.
#include "sim/core/huge_pages.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <new>

namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;
constexpr std::uintptr_t kPage = 4096;

void mark_huge(void* p, std::size_t size) {
  // madvise wants a page-aligned start; the kernel maps a huge page only where a whole aligned 2 MiB
  // of the marked range lies inside the block, so the block's first and last bytes stay on small pages.
  const auto start = reinterpret_cast<std::uintptr_t>(p) & ~(kPage - 1);
  const auto end = reinterpret_cast<std::uintptr_t>(p) + size;
  (void)madvise(reinterpret_cast<void*>(start), end - start, MADV_HUGEPAGE);  // advice: failure is harmless
}

// Allocates with allocate(size) as the standard's operator new does: where it fails, the new-handler, if
// one is set, may free memory and it is tried again; without one, std::bad_alloc. Marks what it returns
// while the city is built.
template <class Allocate>
void* allocate_marked(std::size_t size, const Allocate& allocate) {
  for (;;) {
    if (void* p = allocate(size)) {
      if (size >= kHugePage && citytwin::sim::core::huge_pages_wanted.load(std::memory_order_relaxed))
        mark_huge(p, size);
      return p;
    }
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

}  // namespace

void* operator new(std::size_t size) {
  return allocate_marked(size == 0 ? 1 : size, [](std::size_t n) { return std::malloc(n); });
}

void* operator new(std::size_t size, std::align_val_t alignment) {
  const auto align = static_cast<std::size_t>(alignment);
  if (size > std::numeric_limits<std::size_t>::max() - align) throw std::bad_alloc();  // rounding would wrap
  const std::size_t rounded = (std::max<std::size_t>(size, 1) + align - 1) / align * align;  // a multiple
  return allocate_marked(rounded, [align](std::size_t n) { return std::aligned_alloc(align, n); });
}
