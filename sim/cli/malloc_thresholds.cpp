// The citytwin executable's malloc thresholds, set before main (a static initializer): blocks below 4 MiB
// come from malloc's heaps, and a heap gives memory back to the kernel only once 64 MiB lie free at its
// top.
//
// Why: glibc's defaults slide. A block above the mmap threshold (128 KiB at first) gets its own mapping,
// and freeing one raises the threshold to its size and the trim threshold to twice that. The trace's
// writer thread allocates and frees a few hundred KiB per /messages chunk (HDF5's deflate and chunk
// buffers), just under what the heap keeps, so the same memory went back to the kernel and was faulted in
// again chunk after chunk: on this machine's virtualised kernel a page fault costs several microseconds.
// Measured on the 1,000-device day (bench/gen_city.py --devices 1000 --gateways 1 --interval "10 min"):
// 9,470 -> 7,690 page faults, process wall 0.922 of before (median of 15 pairs); the realistic 1 M-device
// hour unchanged (loop 0.92-1.01, peak RSS 587 -> 584 MB); bench/RESULTS.md, "The small day's fixed costs".
// Setting only one of the two stops the sliding and made it worse (11,800-12,100 faults).
//
// Only this executable (the Python module leaves its host's malloc alone); not under the sanitizers, whose
// allocator ignores these settings. Results never depend on them.
#include <malloc.h>

namespace {

constexpr int kMmapThreshold = 4 << 20;  // bytes
constexpr int kTrimThreshold = 64 << 20;

const bool thresholds_set = [] {
  // mallopt returns 0 on a value it refuses; the defaults then stay, which is only slower.
  (void)mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
  (void)mallopt(M_TRIM_THRESHOLD, kTrimThreshold);
  return true;
}();

}  // namespace
