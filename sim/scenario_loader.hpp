// Reads a scenario (YAML) into the typed structs of sim/scenario.hpp, applying key.path=value
// overrides first. Every problem is collected and reported, one per line, as
//   file:line:col: key.path: message
// (an override's location is written "--set key.path=value"). Unknown keys are errors with a
// "did you mean" hint. Nothing is printed: the caller decides what to do with the error.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/scenario.hpp"

namespace citytwin::sim {

struct Diagnostic {
  SourceMark mark;                // file, line, column (1-based; 0 when unknown)
  std::string key_path;           // e.g. "devices[2].radio.sf"
  std::string message;            // e.g. "expected 7..12, got 13"
  std::string to_string() const;  // "file:line:col: key_path: message"
};

// The most devices a scenario may have: the engine's device ids are 32-bit, one value reserved.
inline constexpr uint64_t kMaxDevices = 4294967294;

class ScenarioError : public std::runtime_error {
 public:
  explicit ScenarioError(std::vector<Diagnostic> diagnostics);
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

// Throws ScenarioError (a missing or unreadable file is a diagnostic too).
Scenario load_scenario_file(const std::string& path, const std::vector<std::string>& overrides = {});
Scenario load_scenario_text(const std::string& yaml_text, const std::string& source_name = "<text>",
                            const std::vector<std::string>& overrides = {});

}  // namespace citytwin::sim
