// A progress line on stderr: simulated time, wall time, ETA, uplinks so far, the rate of uplinks (the
// engine's events: one per transmission started) per wall-clock second since the previous line, and the
// memory in use (resident set size). On a terminal it is rewritten in place a few times a second;
// otherwise (logs, CI, notebooks) a new line every 10 %.
#pragma once

#include <chrono>
#include <cstdint>
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
  Progress(double duration_s, bool enabled);
  void update(double sim_s, uint64_t uplinks);
  void finish(double sim_s, uint64_t uplinks, bool complete);
  double wall_s() const;

 private:
  void print(double sim_s, uint64_t uplinks, bool final_line);

  double duration_s_;
  bool enabled_;
  bool tty_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_print_;
  int last_decile_ = -1;
  // The previous line's wall time and uplinks: the rate shown is over the interval since.
  double last_wall_s_ = 0.0;
  uint64_t last_uplinks_ = 0;
};

}  // namespace citytwin::sim::app
