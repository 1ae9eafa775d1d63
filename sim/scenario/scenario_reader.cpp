#include "sim/scenario/scenario_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <sstream>
#include <system_error>
#include <utility>

#include "sim/scenario/csv_table.hpp"

namespace citytwin::sim::scenario {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Optimal string alignment distance (Levenshtein plus adjacent transpositions), case-insensitive.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1, 0));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (prefix.size() > text.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (lower(text[i]) != lower(prefix[i])) return false;
  }
  return true;
}

std::string join(const std::vector<std::string_view>& words) {
  std::string out;
  for (std::string_view word : words) {
    if (!out.empty()) out += ", ";
    out += word;
  }
  return out;
}

// Scalar text of a node, or a type error.
const std::string* scalar_of(DiagnosticLog& log, const YamlNode& node, const std::string& path,
                             std::string_view expected) {
  if (node.is_scalar()) return &node.scalar;
  log.error(node.location, path, "expected " + std::string(expected) + ", got " + node.describe());
  return nullptr;
}

template <typename Value>
bool in_bound(DiagnosticLog& log, const YamlNode& node, const std::string& path, Value value,
              const Bound& bound) {
  if (bound.contains(static_cast<double>(value))) return true;
  log.error(node.location, path, "expected " + bound.describe() + ", got " + excerpt(node.scalar));
  return false;
}

}  // namespace

bool Bound::contains(double value) const {
  if (lo_open ? !(value > lo) : !(value >= lo)) return false;
  if (hi_open ? !(value < hi) : !(value <= hi)) return false;
  return true;
}

std::string Bound::describe() const {
  const std::string suffix = unit.empty() ? "" : " " + unit;
  const bool has_lo = std::isfinite(lo);
  const bool has_hi = std::isfinite(hi);
  const std::string lower_text = (lo_open ? "> " : ">= ") + format_number(lo) + suffix;
  const std::string upper_text = (hi_open ? "< " : "<= ") + format_number(hi) + suffix;
  if (has_lo && has_hi && !lo_open && !hi_open) return format_number(lo) + ".." + format_number(hi) + suffix;
  if (has_lo && has_hi) return lower_text + " and " + upper_text;
  if (has_lo) return lower_text;
  if (has_hi) return upper_text;
  return "a number";
}

std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string_view>& candidates, bool prefixes) {
  std::optional<std::string> best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (std::string_view candidate : candidates) {
    // The distance is at least the difference in length: past 2, the (quadratic) alignment is not
    // needed, which keeps the hint cheap for a megabyte-long key.
    const std::size_t length_gap =
        word.size() > candidate.size() ? word.size() - candidate.size() : candidate.size() - word.size();
    std::size_t distance = length_gap > 2 ? length_gap : edit_distance(word, candidate);
    const bool close = distance <= 2 && distance < word.size();
    const bool prefix = prefixes && ((word.size() >= 3 && starts_with_ignoring_case(candidate, word)) ||
                                     (candidate.size() >= 3 && starts_with_ignoring_case(word, candidate)));
    if (!close && !prefix) continue;
    if (!close) distance = 3;  // a prefix match ranks after any close spelling
    if (distance < best_distance) {
      best_distance = distance;
      best = std::string(candidate);
    }
  }
  return best;
}

std::string format_number(double value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::optional<double> read_quantity(DiagnosticLog& log, const YamlNode& node, const std::string& path,
                                    Dimension dimension, const Bound& bound) {
  const std::string expected =
      std::string(dimension_name(dimension)) + " (" + dimension_units(dimension) + ")";
  const std::string* text = scalar_of(log, node, path, expected);
  if (text == nullptr) return std::nullopt;
  std::string error;
  const std::optional<double> value = parse_quantity(*text, dimension, &error);
  if (!value) {
    log.error(node.location, path, error);
    return std::nullopt;
  }
  if (!in_bound(log, node, path, *value, bound)) return std::nullopt;
  return value;
}

std::optional<double> read_number(DiagnosticLog& log, const YamlNode& node, const std::string& path,
                                  const Bound& bound) {
  const std::string* text = scalar_of(log, node, path, "a number");
  if (text == nullptr) return std::nullopt;
  const std::optional<double> value = parse_number(*text);
  if (!value) {
    log.error(node.location, path, "expected a number, got '" + excerpt(*text) + "'");
    return std::nullopt;
  }
  if (!in_bound(log, node, path, *value, bound)) return std::nullopt;
  return value;
}

std::optional<int64_t> read_integer(DiagnosticLog& log, const YamlNode& node, const std::string& path,
                                    const Bound& bound) {
  const std::string* text = scalar_of(log, node, path, "an integer");
  if (text == nullptr) return std::nullopt;
  const std::string_view digits =
      (!text->empty() && text->front() == '+') ? std::string_view(*text).substr(1) : std::string_view(*text);
  int64_t value = 0;
  const auto result = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || result.ec != std::errc() || result.ptr != digits.data() + digits.size()) {
    log.error(node.location, path, "expected an integer, got '" + excerpt(*text) + "'");
    return std::nullopt;
  }
  if (!in_bound(log, node, path, value, bound)) return std::nullopt;
  return value;
}

std::optional<uint64_t> read_unsigned(DiagnosticLog& log, const YamlNode& node, const std::string& path) {
  const std::string* text = scalar_of(log, node, path, "an unsigned 64-bit integer");
  if (text == nullptr) return std::nullopt;
  uint64_t value = 0;
  const auto result = std::from_chars(text->data(), text->data() + text->size(), value);
  if (text->empty() || result.ec != std::errc() || result.ptr != text->data() + text->size()) {
    log.error(node.location, path, "expected an unsigned 64-bit integer, got '" + excerpt(*text) + "'");
    return std::nullopt;
  }
  return value;
}

std::optional<bool> read_bool(DiagnosticLog& log, const YamlNode& node, const std::string& path) {
  const std::string* text = scalar_of(log, node, path, "true or false");
  if (text == nullptr) return std::nullopt;
  std::string word;
  for (char c : *text) word += lower(c);
  if (word == "true" || word == "yes" || word == "on") return true;
  if (word == "false" || word == "no" || word == "off") return false;
  log.error(node.location, path, "expected true or false, got '" + excerpt(*text) + "'");
  return std::nullopt;
}

std::optional<std::string> read_text(DiagnosticLog& log, const YamlNode& node, const std::string& path) {
  const std::string* text = scalar_of(log, node, path, "a name or text");
  if (text == nullptr) return std::nullopt;
  return *text;
}

std::optional<std::string> read_choice(DiagnosticLog& log, const YamlNode& node, const std::string& path,
                                       const std::vector<std::string_view>& options) {
  const std::string* text = scalar_of(log, node, path, "one of " + join(options));
  if (text == nullptr) return std::nullopt;
  if (std::find(options.begin(), options.end(), *text) != options.end()) return *text;
  std::string message = "expected one of " + join(options) + ", got '" + excerpt(*text) + "'";
  if (auto hint = closest_match(*text, options)) message += " (did you mean '" + *hint + "'?)";
  log.error(node.location, path, message);
  return std::nullopt;
}

std::optional<std::array<double, 2>> read_point(DiagnosticLog& log, const YamlNode& node,
                                                const std::string& path, const Bound& bound) {
  if (!node.is_sequence() || node.items.size() != 2) {
    const std::string got = node.is_sequence() ? std::to_string(node.items.size()) +
                                                     (node.items.size() == 1 ? " value" : " values")
                                               : node.describe();
    log.error(node.location, path, "expected two lengths [x, y], e.g. [1 km, 500 m], got " + got);
    return std::nullopt;
  }
  const auto x = read_quantity(log, node.items[0], index_path(path, 0), Dimension::Length, bound);
  const auto y = read_quantity(log, node.items[1], index_path(path, 1), Dimension::Length, bound);
  if (!x || !y) return std::nullopt;
  return std::array<double, 2>{*x, *y};
}

bool expect_sequence(DiagnosticLog& log, const YamlNode& node, const std::string& path,
                     std::string_view what) {
  if (node.is_sequence()) return true;
  log.error(node.location, path, "expected a list of " + std::string(what) + ", got " + node.describe());
  return false;
}

MapReader::MapReader(DiagnosticLog& log, const YamlNode* node, std::string path,
                     std::vector<std::string_view> keys)
    : log_(log), node_(node), path_(std::move(path)) {
  if (node_ == nullptr) return;
  location_ = node_->location;
  if (node_->kind == YamlNode::Kind::Null) return;
  if (!node_->is_map()) {
    is_map_ = false;
    log_.error(location_, path_, "expected a map with keys " + join(keys) + ", got " + node_->describe());
    return;
  }
  for (std::size_t i = 0; i < node_->entries.size(); ++i) {
    const YamlEntry& entry = node_->entries[i];
    if (std::find(keys.begin(), keys.end(), entry.key) == keys.end()) {
      std::string message = "unknown key '" + excerpt(entry.key) + "'";
      if (auto hint = closest_match(entry.key, keys)) {
        message += " (did you mean '" + *hint + "'?)";
      } else {
        message += " (valid keys: " + join(keys) + ")";
      }
      log_.error(entry.key_location, join_path(path_, excerpt(entry.key)), message);
      continue;
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (node_->entries[j].key != entry.key) continue;
      const Location& first = node_->entries[j].key_location;
      log_.error(
          entry.key_location, join_path(path_, excerpt(entry.key)),
          "duplicate key '" + excerpt(entry.key) + "' (first at line " + std::to_string(first.line) + ")");
      break;
    }
  }
}

const YamlNode* MapReader::get(std::string_view key) const {
  if (node_ == nullptr || !is_map_) return nullptr;
  return node_->find(key);
}

const YamlNode* MapReader::require(std::string_view key) {
  const YamlNode* value = get(key);
  if (value == nullptr && is_map_) {
    log_.error(location_, path_, "missing required key '" + std::string(key) + "'");
  }
  return value;
}

std::optional<double> MapReader::quantity(std::string_view key, Dimension dimension, const Bound& bound,
                                          Presence presence) {
  const YamlNode* value = find(key, presence);
  return value ? read_quantity(log_, *value, path(key), dimension, bound) : std::nullopt;
}

std::optional<double> MapReader::number(std::string_view key, const Bound& bound, Presence presence) {
  const YamlNode* value = find(key, presence);
  return value ? read_number(log_, *value, path(key), bound) : std::nullopt;
}

std::optional<int64_t> MapReader::integer(std::string_view key, const Bound& bound, Presence presence) {
  const YamlNode* value = find(key, presence);
  return value ? read_integer(log_, *value, path(key), bound) : std::nullopt;
}

std::optional<uint64_t> MapReader::unsigned_integer(std::string_view key, Presence presence) {
  const YamlNode* value = find(key, presence);
  return value ? read_unsigned(log_, *value, path(key)) : std::nullopt;
}

std::optional<bool> MapReader::boolean(std::string_view key, Presence presence) {
  const YamlNode* value = find(key, presence);
  return value ? read_bool(log_, *value, path(key)) : std::nullopt;
}

std::optional<std::string> MapReader::text(std::string_view key, Presence presence) {
  const YamlNode* value = find(key, presence);
  return value ? read_text(log_, *value, path(key)) : std::nullopt;
}

std::optional<std::string> MapReader::choice(std::string_view key,
                                             const std::vector<std::string_view>& options,
                                             Presence presence) {
  const YamlNode* value = find(key, presence);
  return value ? read_choice(log_, *value, path(key), options) : std::nullopt;
}

std::optional<models::radio::Technology> MapReader::technology(std::string_view key) {
  const auto& names = models::radio::kTechnologyNames;
  const auto name = choice(key, {names.begin(), names.end()});
  return name ? models::radio::parse_technology(*name) : std::nullopt;
}

std::optional<std::array<double, 2>> MapReader::point(std::string_view key, const Bound& bound,
                                                      Presence presence) {
  const YamlNode* value = find(key, presence);
  return value ? read_point(log_, *value, path(key), bound) : std::nullopt;
}

std::filesystem::path data_file_path(DiagnosticLog& log, const std::string& name) {
  std::filesystem::path file(name);
  if (file.is_relative() && log.file() != "<text>")
    file = std::filesystem::path(log.file()).parent_path() / file;
  log.note_data_file(file.string());
  return file;
}

std::vector<std::string> comma_cells(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream stream(line);
  for (std::string cell; std::getline(stream, cell, ',');) {
    cell.erase(0, cell.find_first_not_of(" \t\r"));
    cell.erase(cell.find_last_not_of(" \t\r") + 1);
    cells.push_back(cell);
  }
  return cells;
}

std::optional<std::ifstream> open_data_file(DiagnosticLog& log, const Location& where,
                                            const std::string& key_path, const std::string& name,
                                            std::filesystem::path* resolved) {
  const std::filesystem::path file = data_file_path(log, name);
  if (resolved != nullptr) *resolved = file;
  if (const std::string problem = data_file_problem(file); !problem.empty()) {
    log.error(where, key_path, "'" + tried_path(file) + "' " + problem);
    return std::nullopt;
  }
  std::ifstream in(file);
  if (!in) {
    const std::string why = std::strerror(errno);
    log.error(where, key_path, "cannot read '" + tried_path(file) + "' (" + why + ")");
    return std::nullopt;
  }
  return in;
}

}  // namespace citytwin::sim::scenario
