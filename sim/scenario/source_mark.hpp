// Where a value of the scenario came from, kept beside it for the errors found after the YAML was read.
#pragma once

#include <string>

namespace citytwin::sim::scenario {

// Where a value came from, for error messages: file:line:col (1-based) and the key path.
struct SourceMark {
  std::string file;
  int line = 0;
  int column = 0;
};

}  // namespace citytwin::sim::scenario
