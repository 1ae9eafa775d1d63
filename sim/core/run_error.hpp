// A run that failed once started, for a reason that is not the scenario's (exit 1): SimGrid deadlocked,
// the layout could not place devices, a pipe or a fork failed. Every room may raise it; app::RunError
// is this class.
#pragma once

#include <stdexcept>

namespace citytwin::sim::core {

class RunError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace citytwin::sim::core
