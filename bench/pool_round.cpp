// What one round of the thread pool costs (issue 13, "Threads pay"): parallel_for over `items` items of
// `work_ns` of busy work each, `rounds` times, with `gap_us` of the caller's own serial work between
// rounds (a window's serial part: resolving frames, the wired network). Prints the median wall time of
// a round beyond its work, per round, and the process's CPU time.
// Usage: pool_round [threads=2] [rounds=20000] [items=2] [work_ns=20000] [gap_us=100]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <vector>

#include "sim/core/thread_pool.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// Busy work the compiler cannot drop: `ns` nanoseconds of the clock.
void spin_for(double ns) {
  const auto until = Clock::now() + std::chrono::nanoseconds(static_cast<long long>(ns));
  while (Clock::now() < until) {
  }
}

double cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 20000;
  const size_t items = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 2;
  const double work_ns = argc > 4 ? std::atof(argv[4]) : 20000.0;
  const double gap_us = argc > 5 ? std::atof(argv[5]) : 100.0;
  citytwin::sim::core::ThreadPool pool(threads);
  const std::function<void(size_t)> fn = [&](size_t) { spin_for(work_ns); };
  std::vector<double> over_us;
  over_us.reserve(static_cast<size_t>(rounds));
  const double cpu0 = cpu_s();
  const auto wall0 = Clock::now();
  // The round's ideal wall time: its items spread evenly over the threads.
  const double ideal_us =
      1e-3 * work_ns *
      static_cast<double>((items + static_cast<size_t>(threads) - 1) / static_cast<size_t>(threads));
  for (int r = 0; r < rounds; ++r) {
    spin_for(gap_us * 1e3);
    const auto t0 = Clock::now();
    pool.parallel_for(items, fn);
    over_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count() - ideal_us);
  }
  const double wall = std::chrono::duration<double>(Clock::now() - wall0).count();
  const double cpu = cpu_s() - cpu0;
  std::nth_element(over_us.begin(), over_us.begin() + over_us.size() / 2, over_us.end());
  std::printf(
      "threads=%d rounds=%d items=%zu work=%.0f ns gap=%.0f us: round beyond its work, median %.2f us; "
      "wall %.3f s, CPU %.3f s\n",
      threads, rounds, items, work_ns, gap_us, over_us[over_us.size() / 2], wall, cpu);
}
