// A progress line on stderr: simulated time, wall time, ETA, uplinks so far, the rate of uplinks (the
// engine's events: one per transmission started) per wall-clock second since the previous line, and the
// memory in use (resident set size). On a terminal it is rewritten in place a few times a second;
// otherwise (logs, CI, notebooks) a new line every 10 % of the simulated time, and at least every
// Progress::kLogEvery of wall time (a large city's 10 % can take minutes). Before it, SetUpProgress shows a
// long set-up.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

namespace citytwin::sim::app {

// The resident set size of this process (bytes), from /proc/self/statm; 0 where it cannot be read.
uint64_t resident_memory_bytes();
// "812 B", "3.4 MB", "1.25 GB" (powers of 1000, as `ls -h --si` and the run budget print them).
std::string format_bytes(double bytes);
// "950/s", "12.3 k/s", "4.56 M/s".
std::string format_rate(double per_s);

class Progress {
 public:
  static constexpr std::chrono::milliseconds kLogEvery{30000};
  // log_every: off a terminal, the longest wall time between two lines (the tests shorten it).
  Progress(double duration_s, bool enabled, std::chrono::milliseconds log_every = kLogEvery);
  void update(double sim_s, uint64_t uplinks);
  void finish(double sim_s, uint64_t uplinks, bool complete);
  double wall_s() const;

 private:
  // complete: the final line of a run that reached its end (ETA 0 s); a run stopped early shows none.
  void print(double sim_s, uint64_t uplinks, bool final_line, bool complete = false);

  double duration_s_;
  bool enabled_;
  bool tty_;
  std::chrono::milliseconds log_every_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_print_;
  int last_decile_ = -1;
  // The previous line's wall time and uplinks: the rate shown is over the interval since.
  double last_wall_s_ = 0.0;
  uint64_t last_uplinks_ = 0;
};

// The set-up's progress: building the city (its radio links, most of the time) and writing its tables, on
// stderr like the run's line, once the set-up has taken a second (a small city is built sooner and prints
// nothing): on a terminal rewritten in place, otherwise a line at each quarter. links() may be called from
// any thread.
class SetUpProgress {
 public:
  // observer, if set, is also told each step ("laying out the city" at once) and the links' fraction (at
  // most every 100 ms), shown or not.
  SetUpProgress(size_t devices, size_t gateways, bool enabled,
                std::function<void(const std::string&, double)> observer = {});
  void links(double fraction);
  // A step after the links (the device and gateway tables written while the run is assembled): shown where
  // the set-up already was, or has now taken a second.
  void step(const std::string& what);
  void finish();  // the city is built and written: "built", where anything was shown

 private:
  void print(const std::string& what, bool final_line);

  size_t devices_, gateways_;
  bool enabled_;
  std::function<void(const std::string&, double)> observer_;
  std::chrono::steady_clock::time_point last_told_;
  bool tty_;
  std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;  // one thread prints at a time; the others skip their update
  std::chrono::steady_clock::time_point last_print_;
  int last_quarter_ = -1;
  bool shown_ = false;
};

}  // namespace citytwin::sim::app
