// Reads a scenario (YAML) into the typed structs of sim/scenario.hpp, applying key.path=value
// overrides first. Every problem is collected and reported, one per line, as
//   file:line:col: key.path: message
// (an override's location is written "--set key.path=value"). Unknown keys are errors with a
// "did you mean" hint. Nothing is printed: the caller decides what to do with the error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::scenario {

struct Diagnostic {
  // A warning names something the run will silently not do (a population no gateway serves, a rule
  // no driver feeds); it stops nothing unless --strict.
  enum class Severity : uint8_t { Error, Warning };
  SourceMark mark;       // file, line, column (1-based; 0 when unknown)
  std::string key_path;  // e.g. "devices[2].radio.sf"
  std::string message;   // e.g. "expected 7..12, got 13"
  Severity severity = Severity::Error;
  // "file:line:col: key_path: message", or "file:line:col: key_path: warning: message".
  std::string to_string() const;
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

// The largest scenario file read: 64 MiB.
inline constexpr std::size_t kMaxScenarioBytes = std::size_t{64} << 20;

// Throws ScenarioError (a missing or unreadable file is a diagnostic too, as is one larger than
// kMaxScenarioBytes). Text that is not UTF-8 (a NUL, a Latin-1 byte) is refused at its line and column.
Scenario load_scenario_file(const std::string& path, const std::vector<std::string>& overrides = {});
Scenario load_scenario_text(const std::string& yaml_text, const std::string& source_name = "<text>",
                            const std::vector<std::string>& overrides = {});

// A rollout (a scenario with phases:): the base city, then each phase, each a full scenario (run.phase
// set to its name). Without phases, just the scenario. Throws ScenarioError.
std::vector<Scenario> load_rollout_file(const std::string& path,
                                        const std::vector<std::string>& overrides = {});

}  // namespace citytwin::sim::scenario
