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

// A key written in the scenario (a population's "confirmed" or "radio.sf", a gateway's "demodulators") and
// where its value was written, for the checks that judge a key against the rest of its entry after reading
// (sim/city/resolve.cpp: a key its technology or traffic ignores is said, not silently dropped).
struct WrittenKey {
  std::string key;
  SourceMark mark;
};

// Where an entry of a schedule (a driver event, a power cut, a failure) was written: its mark, its key path
// (drivers.failures[2]) and, for a row of a CSV profile, the CSV's "file:line" ("" for a YAML entry; the
// mark and path are then the CSV key's). For the checks made after reading (sim/city/schedule_warnings.hpp).
struct WrittenEntry {
  SourceMark mark;
  std::string path;
  std::string csv_row;
};

}  // namespace citytwin::sim::scenario
