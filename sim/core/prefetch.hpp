// Asking for a cache line that the thread will write. __builtin_prefetch(p, 1) is meant for that, but
// GCC emits PREFETCHW only when the target has it (-mprfchw), and the project's builds are for plain x86-64:
// there it emitted PREFETCHT0, which fetches the line shared, so the store that follows must still ask the
// other core to give it up (a line last written by the other thread: the on-air lists, the fleet's device
// state). PREFETCHW fetches it to be written. Every x86-64 processor decodes it: those without it (Intel
// before Broadwell) run it as a no-op.
#pragma once

#include <cstddef>

namespace citytwin::sim::core {

inline void prefetch_for_write(const void* p) {
#if defined(__x86_64__)
  asm volatile("prefetchw %0" : : "m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p, 1);
#endif
}

// Every line of an object of `bytes` bytes at p (on one line or more, wherever it starts).
inline void prefetch_for_write(const void* p, size_t bytes) {
  const auto* c = static_cast<const char*>(p);
  for (size_t offset = 0; offset < bytes; offset += 64) prefetch_for_write(c + offset);
  prefetch_for_write(c + bytes - 1);
}

}  // namespace citytwin::sim::core
