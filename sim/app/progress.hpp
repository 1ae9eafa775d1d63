// A progress line on stderr: simulated time, wall time, ETA and uplinks so far. On a terminal it is
// rewritten in place a few times a second; otherwise (logs, CI, notebooks) a new line every 10 %.
#pragma once

#include <chrono>
#include <cstdint>

namespace citytwin::sim::app {

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
};

}  // namespace citytwin::sim::app
