// How long a cache line takes to go from one core to another and back, here and now: two threads, pinned
// to two CPUs, pass a counter back and forth through one line, and the median round trip of a few batches
// is printed. On the 2-core cloud instances the project is measured on, the two vCPUs sit either on cores
// that share a last-level cache (~50-60 ns here) or on two that do not (~300-350 ns), and the host moves
// them between the two within seconds. Two-thread runs of citytwin take ~10-20 % longer in the second
// placement (bench/RESULTS.md, "Lines the two threads shared"): run this before and after a two-thread
// timing to know which placement it had.
// Usage: core_round_trip [cpu_a=0] [cpu_b=1] [round_trips=100000]
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

// Pins the calling thread to one CPU; false where that CPU is not available.
bool pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

alignas(64) std::atomic<uint64_t> ball{0};

}  // namespace

int main(int argc, char** argv) {
  const int cpu_a = argc > 1 ? std::atoi(argv[1]) : 0;
  const int cpu_b = argc > 2 ? std::atoi(argv[2]) : 1;
  const uint64_t trips = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 100000;
  if (cpu_a == cpu_b || trips == 0) {
    std::fprintf(stderr, "core_round_trip: two different CPUs and at least one round trip, please\n");
    return 2;
  }
  constexpr int kBatches = 5;
  bool pinned_b = false;
  // The other thread returns each odd value as the next even one.
  std::thread other([&] {
    pinned_b = pin(cpu_b);
    for (uint64_t i = 0; i < kBatches * trips; ++i) {
      while (ball.load(std::memory_order_acquire) != 2 * i + 1) {
      }
      ball.store(2 * i + 2, std::memory_order_release);
    }
  });
  const bool pinned_a = pin(cpu_a);
  std::vector<double> ns;
  for (int b = 0; b < kBatches; ++b) {
    const auto start = std::chrono::steady_clock::now();
    for (uint64_t i = b * trips; i < (b + 1) * trips; ++i) {
      ball.store(2 * i + 1, std::memory_order_release);
      while (ball.load(std::memory_order_acquire) != 2 * i + 2) {
      }
    }
    ns.push_back(std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count() /
                 static_cast<double>(trips));
  }
  other.join();
  std::sort(ns.begin(), ns.end());
  std::printf("%.1f ns a round trip between CPUs %d and %d (median of %d batches of %llu)%s\n",
              ns[kBatches / 2], cpu_a, cpu_b, kBatches, static_cast<unsigned long long>(trips),
              pinned_a && pinned_b ? "" : " (not pinned: a CPU is not available)");
  return 0;
}
