// A request to stop the run in progress (Ctrl-C, SIGTERM, SIGHUP, a cancelled Python future): one
// process-wide flag, set from a signal handler, read by the set-up loops and between windows.
#pragma once

#include <stdexcept>

namespace citytwin::sim::core {

void request_stop();  // async-signal-safe
bool stop_requested();
void clear_stop();  // a stop request applies to one run

// Thrown where a stop request abandons work that has no window to end at (the city's set-up).
class Stopped : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace citytwin::sim::core
