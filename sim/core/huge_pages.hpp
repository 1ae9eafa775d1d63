// When the citytwin executable's operator new marks large blocks for transparent huge pages
// (sim/cli/huge_pages.cpp): while the city and the run's components are built, whose per-device and
// per-link arrays live for the whole run. Not while the windows run: their large blocks are short-lived
// buffers, mostly partly used, and a huge page is zeroed whole when first touched (with every large block
// marked, the 1 M hour's loop looked ~6 % slower in one set of pairs; this instance's spread did not let
// later pairs tell either way, bench/RESULTS.md). Elsewhere (the Python module, the tests) nothing reads
// the flag.
#pragma once

#include <atomic>

namespace citytwin::sim::core {

// Read by operator new on every large block: a relaxed flag.
extern std::atomic<bool> huge_pages_wanted;

// Marks large blocks for huge pages while it lives (scopes do not nest: the outer one's end clears it).
class HugePagesWhileBuilding {
 public:
  HugePagesWhileBuilding() { huge_pages_wanted.store(true, std::memory_order_relaxed); }
  ~HugePagesWhileBuilding() { huge_pages_wanted.store(false, std::memory_order_relaxed); }
  HugePagesWhileBuilding(const HugePagesWhileBuilding&) = delete;
  HugePagesWhileBuilding& operator=(const HugePagesWhileBuilding&) = delete;
};

}  // namespace citytwin::sim::core
