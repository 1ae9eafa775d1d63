// Asking for a cache line that the thread will write. __builtin_prefetch(p, 1) is meant for that, but
// GCC emits PREFETCHW only when the target has it (-mprfchw), and the project's builds are for plain x86-64:
// there it emitted PREFETCHT0, which fetches the line shared, so the store that follows must still ask the
// other core to give it up (a line last written by the other thread: the on-air lists, the fleet's device
// state). PREFETCHW fetches it to be written. Every x86-64 processor decodes it: those without it (Intel
// before Broadwell) run it as a no-op.
#pragma once

namespace citytwin::sim::core {

inline void prefetch_for_write(const void* p) {
#if defined(__x86_64__)
  asm volatile("prefetchw %0" : : "m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p, 1);
#endif
}

}  // namespace citytwin::sim::core
