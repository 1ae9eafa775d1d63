// Typed reads out of the scenario's YamlNode tree. Every problem (wrong type, bad unit, out of range,
// unknown or duplicate key, missing key) is reported to the DiagnosticLog with the node's location and
// key path, and the read gives nullopt, so the loader carries on and collects the rest.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/radio/technology.hpp"
#include "sim/scenario/scenario_yaml.hpp"
#include "sim/scenario/units.hpp"

namespace citytwin::sim::scenario {

inline constexpr double kMinCableLength_m = 1.0;
inline constexpr double kMinLinkRate_bps = 1e3;
// A latency of the wired network is 0 or at least this (SimGrid's timing precision is 1 ns).
inline constexpr double kMinLatency_s = 1e-6;

// An accepted interval of values, in the base unit; `unit` is only shown in messages.
struct Bound {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_open = false;
  bool hi_open = false;
  std::string unit;

  static Bound positive() { return Bound{0.0, std::numeric_limits<double>::infinity(), true, false, ""}; }
  static Bound non_negative() {
    return Bound{0.0, std::numeric_limits<double>::infinity(), false, false, ""};
  }
  static Bound between(double lo, double hi, std::string unit = "") {
    return Bound{lo, hi, false, false, unit};
  }

  // A fibre or cable of the wired network: at least 1 m, because its latency (5 ns/m) must stay above
  // SimGrid's timing precision (1 ns; 1 mm, 5 ps, crashed its solver), at most the Earth's circumference.
  static Bound cable_length() { return between(kMinCableLength_m, physical_limit(Dimension::Length), "m"); }
  // A wired link's or a stream's rate: at least 1 kbps (slower would take longer than any run to carry
  // one frame), at most the physical limit of a bit rate.
  static Bound link_rate() { return between(kMinLinkRate_bps, physical_limit(Dimension::Bitrate), "bps"); }

  bool contains(double value) const;
  // "> 0", ">= 0", "7..12", "-10..30 dBm", ">= 0 and < 1".
  std::string describe() const;
};

// The candidate closest to word (case-insensitive edit distance with transpositions, at most 2 and
// less than the word's length; or, with prefixes, a prefix of at least 3 characters either way); nullopt
// if none. Without prefixes only a misspelling matches (free text such as a device type 'parking' is not
// taken for 'parking_occupancy').
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string_view>& candidates,
                                         bool prefixes = true);

// Shortest round-trip text of a number: 65535, -10, 0.25, 1e+06.
std::string format_number(double value);

// Reads of a single node; path is its key path.
std::optional<double> read_quantity(DiagnosticLog& log, const YamlNode& node, const std::string& path,
                                    Dimension dimension, const Bound& bound = {});
std::optional<double> read_number(DiagnosticLog& log, const YamlNode& node, const std::string& path,
                                  const Bound& bound = {});
std::optional<int64_t> read_integer(DiagnosticLog& log, const YamlNode& node, const std::string& path,
                                    const Bound& bound = {});
std::optional<uint64_t> read_unsigned(DiagnosticLog& log, const YamlNode& node, const std::string& path);
// true/false (also yes/no, on/off), any case.
std::optional<bool> read_bool(DiagnosticLog& log, const YamlNode& node, const std::string& path);
// Any scalar, as written.
std::optional<std::string> read_text(DiagnosticLog& log, const YamlNode& node, const std::string& path);
// One of options, with a did-you-mean hint otherwise.
std::optional<std::string> read_choice(DiagnosticLog& log, const YamlNode& node, const std::string& path,
                                       const std::vector<std::string_view>& options);
// A point [x, y] of lengths.
std::optional<std::array<double, 2>> read_point(DiagnosticLog& log, const YamlNode& node,
                                                const std::string& path, const Bound& bound = {});
// Reports unless node is a sequence.
bool expect_sequence(DiagnosticLog& log, const YamlNode& node, const std::string& path,
                     std::string_view what);

enum class Presence { Optional, Required };

// The keys of one map. Construction reports the node if it is not a map, and each unknown key
// (with a did-you-mean hint, or the list of valid keys) and duplicate key. An absent node (nullptr)
// or an empty value (`run:`) reads as an empty map.
class MapReader {
 public:
  MapReader(DiagnosticLog& log, const YamlNode* node, std::string path, std::vector<std::string_view> keys);

  bool is_map() const { return is_map_; }
  // The value of key, or null when absent (or when the node is not a map).
  const YamlNode* get(std::string_view key) const;
  // Like get, but reports "missing required key" when absent from a map.
  const YamlNode* require(std::string_view key);
  const YamlNode* find(std::string_view key, Presence presence) {
    return presence == Presence::Required ? require(key) : get(key);
  }

  const std::string& path() const { return path_; }
  std::string path(std::string_view key) const { return join_path(path_, key); }
  Location location() const { return location_; }
  DiagnosticLog& log() const { return log_; }

  std::optional<double> quantity(std::string_view key, Dimension dimension, const Bound& bound = {},
                                 Presence presence = Presence::Optional);
  std::optional<double> number(std::string_view key, const Bound& bound = {},
                               Presence presence = Presence::Optional);
  std::optional<int64_t> integer(std::string_view key, const Bound& bound = {},
                                 Presence presence = Presence::Optional);
  std::optional<uint64_t> unsigned_integer(std::string_view key, Presence presence = Presence::Optional);
  std::optional<bool> boolean(std::string_view key, Presence presence = Presence::Optional);
  std::optional<std::string> text(std::string_view key, Presence presence = Presence::Optional);
  std::optional<std::string> choice(std::string_view key, const std::vector<std::string_view>& options,
                                    Presence presence = Presence::Optional);
  // One of models/radio/technology.hpp's names: "lorawan", "nbiot", "wifi".
  std::optional<models::radio::Technology> technology(std::string_view key);
  std::optional<std::array<double, 2>> point(std::string_view key, const Bound& bound = {},
                                             Presence presence = Presence::Optional);

 private:
  DiagnosticLog& log_;
  const YamlNode* node_;
  std::string path_;
  Location location_;
  bool is_map_ = true;
};

// Assigns a read value when there is one: set_if(pop.interval_s, reader.quantity(...)).
template <typename Target, typename Value>
void set_if(Target& target, const std::optional<Value>& value) {
  if (value) target = static_cast<Target>(*value);
}

// Where a data file the scenario names (a CSV, GeoJSON or traffic file) is: `name` as written when
// absolute, otherwise next to the scenario file (log.file(); as written for a scenario given as text).
// Every data file is resolved here, so the log records it (DiagnosticLog::note_data_file).
std::filesystem::path data_file_path(DiagnosticLog& log, const std::string& name);

// That file (data_file_path) opened for reading; or nullopt, with the error logged at `where` and `key_path`:
// a directory or a device refused before a byte is read (data_file_problem), a file that cannot be opened
// with the system's reason. `resolved` gets the path it opened or tried.
std::optional<std::ifstream> open_data_file(DiagnosticLog& log, const Location& where,
                                            const std::string& key_path, const std::string& name,
                                            std::filesystem::path* resolved = nullptr);

// The comma-separated cells of one line of a short data file (gateway placement points, interval
// profiles), blanks and a carriage return trimmed from each. No quoting: those files hold names, numbers
// and quantities (the drivers' CSV files, quoted fields and all, are read with libcsv: csv_table.hpp).
std::vector<std::string> comma_cells(const std::string& line);

}  // namespace citytwin::sim::scenario
