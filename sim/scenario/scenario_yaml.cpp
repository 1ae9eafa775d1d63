#include "sim/scenario/scenario_yaml.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <numeric>
#include <tuple>
#include <utility>

#include "sim/scenario/override_path.hpp"
#include "sim/scenario/scenario_reader.hpp"
#include "sim/scenario/utf8_text.hpp"

namespace citytwin::sim::scenario {
namespace {

Location location_of(const YAML::Mark& mark, const Location& fallback, int override_index) {
  if (override_index >= 0 || mark.is_null() || mark.line < 0) return fallback;
  return Location{mark.line + 1, mark.column + 1, -1};
}

// yaml-cpp shares an aliased node instead of copying it, so a small document can stand for a huge
// (or, with a self-referencing alias, infinite) tree: "billion laughs". The copy into YamlNode is where
// the expansion would happen, so it is bounded there, in depth and in total nodes.
struct ConvertBudget {
  std::size_t limit;
  std::size_t nodes_left;
};

// Thrown out of convert() when a bound is hit; parse_yaml reports it at the node's location.
struct TooLarge {
  Location where;
  std::string path;
  std::string message;
};

YamlNode convert(const YAML::Node& node, const Location& parent, int override_index, DiagnosticLog& log,
                 const std::string& path, ConvertBudget& budget, int depth) {
  YamlNode out;
  out.location = location_of(node.Mark(), parent, override_index);
  if (depth > kMaxYamlDepth) {
    throw TooLarge{
        out.location, excerpt(path),
        "nested deeper than " + std::to_string(kMaxYamlDepth) + " levels (a self-referencing alias?)"};
  }
  if (budget.nodes_left == 0) {
    throw TooLarge{out.location, excerpt(path),
                   "aliases expand the document to more than " + std::to_string(budget.limit) +
                       " YAML nodes (1000 + 2 per character of the text, at most " +
                       std::to_string(kMaxYamlNodes) + ")"};
  }
  --budget.nodes_left;
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      out.kind = YamlNode::Kind::Null;
      break;
    case YAML::NodeType::Scalar:
      out.kind = YamlNode::Kind::Scalar;
      out.scalar = node.Scalar();
      break;
    case YAML::NodeType::Sequence:
      out.kind = YamlNode::Kind::Sequence;
      for (const YAML::Node& item : node) {
        out.items.push_back(convert(item, out.location, override_index, log,
                                    index_path(path, out.items.size()), budget, depth + 1));
      }
      break;
    case YAML::NodeType::Map:
      out.kind = YamlNode::Kind::Map;
      for (const auto& entry : node) {
        const Location key_location = location_of(entry.first.Mark(), out.location, override_index);
        if (!entry.first.IsScalar()) {
          log.error(key_location, path,
                    "keys must be plain names, got a " +
                        std::string(entry.first.IsNull() ? "null" : "non-scalar") + " key");
          continue;
        }
        const std::string& key = entry.first.Scalar();
        out.entries.push_back(YamlEntry{key, key_location,
                                        convert(entry.second, key_location, override_index, log,
                                                join_path(path, excerpt(key)), budget, depth + 1)});
      }
      break;
  }
  return out;
}

std::vector<std::string_view> keys_of(const YamlNode& map) {
  std::vector<std::string_view> keys;
  for (const YamlEntry& entry : map.entries) keys.push_back(entry.key);
  return keys;
}

// "a:b" (either may be empty): the entries a..b-1 of a sequence of `size` entries; nullopt when the
// segment is no slice. A malformed or out-of-range slice is reported.
struct Slice {
  std::size_t begin = 0, end = 0;
  bool ok = false;
};
std::optional<Slice> parse_slice(const std::string& segment, std::size_t size) {
  const std::size_t colon = segment.find(':');
  if (colon == std::string::npos) return std::nullopt;
  Slice slice;
  const std::string lo = segment.substr(0, colon), hi = segment.substr(colon + 1);
  slice.begin = 0;
  slice.end = size;
  if ((!lo.empty() && !parse_index(lo, slice.begin)) || (!hi.empty() && !parse_index(hi, slice.end)))
    return slice;
  slice.ok = slice.begin < slice.end && slice.end <= size;
  return slice;
}

void apply_override_text(YamlNode& root, int index, const std::string& text, DiagnosticLog& log);

void apply_override(YamlNode& root, int index, DiagnosticLog& log) {
  apply_override_text(root, index, log.overrides()[static_cast<std::size_t>(index)], log);
}

// Applies one override given as text (an override of the log, or one entry of a slice of it: its
// location is still the override's).
void apply_override_text(YamlNode& root, int index, const std::string& text, DiagnosticLog& log) {
  const Location where{0, 0, index};
  const std::size_t equals = text.find('=');
  const auto segments = equals == std::string::npos
                            ? std::nullopt
                            : split_override_path(std::string_view(text).substr(0, equals));
  if (!segments) {
    // What is wrong with the key path, and the path meant where it can be told.
    log.error(where, "",
              "malformed override: " + (equals == std::string::npos
                                            ? std::string("no '=' (expected key.path=value, e.g. "
                                                          "devices.0.interval=2min)")
                                            : key_path_problem(std::string_view(text).substr(0, equals))));
    return;
  }
  YamlNode* node = &root;
  YamlNode* added_to = nullptr;  // the map a new key was added to, if the override adds one
  std::string path;
  for (std::size_t i = 0; i < segments->size(); ++i) {
    const std::string& segment = (*segments)[i];
    const bool last = i + 1 == segments->size();
    if (segment == "+" && (node->is_sequence() || node->kind == YamlNode::Kind::Null)) {
      // "[+]": append an entry to the sequence (an empty section becomes one), e.g. gateways[+]={...}
      node->kind = YamlNode::Kind::Sequence;
      node->items.emplace_back();
      node->items.back().location = where;
      path = index_path(path, node->items.size() - 1);
      node = &node->items.back();
    } else if (node->is_sequence() && segment.find(':') != std::string::npos) {
      // "[a:b]": the rest of the override applies to each entry a..b-1, e.g. gateways[0:6].backup=2h
      const Slice slice = *parse_slice(segment, node->items.size());
      if (!slice.ok) {
        log.error(where, path + "[" + segment + "]",
                  "slice " + segment + " selects no entry or is out of range ('" + path + "' has " +
                      std::to_string(node->items.size()) +
                      (node->items.size() == 1 ? " entry)" : " entries)"));
        return;
      }
      const std::size_t equals_at = text.find('=');
      for (std::size_t k = slice.begin; k < slice.end; ++k) {
        std::string expanded;
        for (std::size_t j = 0; j < segments->size(); ++j) {
          if (j > 0) expanded += '.';
          expanded += j == i ? std::to_string(k) : (*segments)[j];
        }
        apply_override_text(root, index, expanded + text.substr(equals_at), log);
      }
      return;
    } else if (node->is_sequence()) {
      std::size_t item = 0;
      if (!parse_index(segment, item)) {
        log.error(where, path, "is a sequence: expected an index, got '" + segment + "'");
        return;
      }
      if (item >= node->items.size()) {
        log.error(where, index_path(path, item),
                  "index " + segment + " out of range ('" + path + "' has " +
                      std::to_string(node->items.size()) +
                      (node->items.size() == 1 ? " entry)" : " entries)"));
        return;
      }
      path = index_path(path, item);
      node = &node->items[item];
    } else if (node->is_map() || node->kind == YamlNode::Kind::Null) {  // null: an empty section
      const std::string child_path = join_path(path, segment);
      YamlNode* child = node->find(segment);
      if (child == nullptr && !last) {
        std::string message = "no key '" + segment + "' to descend into";
        if (auto hint = closest_match(segment, keys_of(*node))) {
          message += " (did you mean '" + *hint + "'?)";
        } else {
          // Not a misspelling: a map the scenario does not write. An override adds one key to a map that
          // exists, so the missing map is written whole: radio.shadowing={sigma: 7.8 dB}.
          std::string value = text.substr(text.find('=') + 1);
          value.erase(0, std::min(value.size(), value.find_first_not_of(' ')));
          value.erase(value.find_last_not_of(' ') + 1);
          for (std::size_t j = segments->size() - 1; j > i; --j)
            value = "{" + (*segments)[j] + ": " + value + "}";
          std::string prefix;
          for (std::size_t j = 0; j <= i; ++j) prefix += (j > 0 ? "." : "") + (*segments)[j];
          message += ": the scenario has no such map; write it whole, e.g. " + prefix + "=" + value;
        }
        log.error(where, child_path, message);
        return;
      }
      if (child == nullptr) {  // a new key of an existing map; validated with the rest
        node->kind = YamlNode::Kind::Map;
        node->entries.push_back(YamlEntry{segment, where, YamlNode{}});
        node->entries.back().value.location = where;
        added_to = node;
        child = &node->entries.back().value;
      }
      path = child_path;
      node = child;
    } else {
      const std::string what = path.empty() ? "the document" : "'" + path + "'";
      log.error(where, join_path(path, segment),
                what + " is " + node->describe() + ", not a map or sequence");
      return;
    }
  }
  // Parse the value only once the target exists, so that a bad path is reported first.
  std::optional<YamlNode> value = parse_yaml(text.substr(equals + 1), log, index, path);
  if (value) {
    *node = std::move(*value);
  } else if (added_to != nullptr) {
    added_to->entries.pop_back();  // the key it would have added: its value was not YAML (reported)
  }
}

}  // namespace

const YamlNode* YamlNode::find(std::string_view key) const {
  for (const YamlEntry& entry : entries) {
    if (entry.key == key) return &entry.value;
  }
  return nullptr;
}

YamlNode* YamlNode::find(std::string_view key) {
  return const_cast<YamlNode*>(std::as_const(*this).find(key));
}

std::string YamlNode::describe() const {
  switch (kind) {
    case Kind::Null:
      return "nothing";
    case Kind::Scalar:
      return "'" + excerpt(scalar) + "'";
    case Kind::Sequence:
      return "a sequence";
    case Kind::Map:
      return "a map";
  }
  return "?";
}

DiagnosticLog::DiagnosticLog(std::string file, std::vector<std::string> overrides)
    : file_(std::move(file)), overrides_(std::move(overrides)) {}

void DiagnosticLog::note_data_file(const std::string& path) {
  if (std::find(data_files_.begin(), data_files_.end(), path) == data_files_.end())
    data_files_.push_back(path);
}

void DiagnosticLog::error(const Location& where, std::string key_path, std::string message) {
  diagnostics_.push_back(Diagnostic{mark(where), bounded_message(std::move(key_path)),
                                    bounded_message(std::move(message)), Diagnostic::Severity::Error});
  override_of_.push_back(where.override_index);
}

SourceMark DiagnosticLog::mark(const Location& where) const {
  if (where.override_index >= 0 && static_cast<std::size_t>(where.override_index) < overrides_.size()) {
    return SourceMark{"--set " + overrides_[static_cast<std::size_t>(where.override_index)], 0, 0};
  }
  return SourceMark{file_, where.line, where.column};
}

std::vector<Diagnostic> DiagnosticLog::sorted() const {
  std::vector<std::size_t> order(diagnostics_.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  auto key = [this](std::size_t i) {
    const int from_override = override_of_[i] >= 0 ? 0 : 1;
    return std::make_tuple(from_override, override_of_[i], diagnostics_[i].mark.line,
                           diagnostics_[i].mark.column);
  };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
  std::vector<Diagnostic> out;
  out.reserve(order.size());
  for (std::size_t i : order) out.push_back(diagnostics_[i]);
  return out;
}

namespace {

// The first tab among the leading whitespace of a line with content, on lines 1..last_line (1-based).
std::optional<Location> indenting_tab(const std::string& text, int last_line) {
  int line = 1;
  for (std::size_t start = 0; start <= text.size() && line <= last_line; ++line) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::size_t content = text.find_first_not_of(" \t", start);
    if (content < end && text[content] != '\r') {
      const std::size_t tab = text.find('\t', start);
      if (tab < content) return Location{line, static_cast<int>(tab - start) + 1, -1};
    }
    start = end + 1;
  }
  return std::nullopt;
}

}  // namespace

std::optional<YamlNode> parse_yaml(const std::string& text, DiagnosticLog& log, int override_index,
                                   const std::string& key_path) {
  const Location origin = override_index >= 0 ? Location{0, 0, override_index} : Location{1, 1, -1};
  if (const std::optional<NotUtf8> bad = first_non_utf8(text)) {
    const auto [line, column] = line_and_column(text, bad->at);
    log.error(override_index >= 0 ? origin : Location{line, column, -1}, key_path, bad->what);
    return std::nullopt;
  }
  try {
    const YAML::Node document = YAML::Load(text);
    const std::size_t limit = max_yaml_nodes(text.size());
    ConvertBudget budget{limit, limit};
    return convert(document, origin, override_index, log, override_index >= 0 ? key_path : "", budget, 0);
  } catch (const TooLarge& e) {
    log.error(e.where, e.path, e.message);
    return std::nullopt;
  } catch (const YAML::Exception& e) {
    Location where = origin;
    if (override_index < 0 && !e.mark.is_null()) where = Location{e.mark.line + 1, e.mark.column + 1, -1};
    // yaml-cpp names a tab in the indentation as what it broke ("illegal block entry", "end of map not
    // found"), at the key after it: the tab itself is the place to fix.
    if (override_index < 0 && !e.mark.is_null()) {
      if (const std::optional<Location> tab = indenting_tab(text, e.mark.line + 1)) {
        log.error(*tab, key_path, "a tab in the indentation: YAML indents with spaces only (" + e.msg + ")");
        return std::nullopt;
      }
    }
    log.error(where, key_path, (override_index >= 0 ? "invalid YAML value: " : "") + e.msg);
    return std::nullopt;
  }
}

void apply_overrides(YamlNode& root, DiagnosticLog& log) {
  for (std::size_t i = 0; i < log.overrides().size(); ++i) apply_override(root, static_cast<int>(i), log);
}

std::string join_path(const std::string& base, std::string_view key) {
  if (base.empty()) return std::string(key);
  return base + "." + std::string(key);
}

std::size_t max_yaml_nodes(std::size_t text_size) {
  return std::min(kMaxYamlNodes, 1000 + 2 * std::min(text_size, kMaxYamlNodes));
}

namespace {

// The first bytes of text, at most n, not ending inside a UTF-8 character.
std::string_view utf8_prefix(std::string_view text, std::size_t n) {
  if (n >= text.size()) return text;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;  // a continuation byte
  return text.substr(0, n);
}

// "(N characters)": UTF-8 characters, not bytes (a continuation byte does not start one).
std::string character_count(std::string_view text) {
  std::size_t n = 0;
  for (const char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return "(" + std::to_string(n) + " characters)";
}

}  // namespace

std::string excerpt(std::string_view text) {
  constexpr std::size_t kShown = 60;
  static_assert(kShown + 20 == kMaxExcerpt);
  if (text.size() <= kShown + 20) return std::string(text);
  return std::string(utf8_prefix(text, kShown)) + "... " + character_count(text);
}

std::string bounded_message(std::string message) {
  if (message.size() <= kMaxQuoted) return message;
  std::string out;
  std::size_t at = 0;
  while (at < message.size()) {
    const std::size_t open = message.find('\'', at);
    const std::size_t close = open == std::string::npos ? open : message.find('\'', open + 1);
    if (close == std::string::npos) {
      out.append(message, at);
      break;
    }
    const std::string_view quoted = std::string_view(message).substr(open + 1, close - open - 1);
    out.append(message, at, open + 1 - at);
    out += quoted.size() > kMaxQuoted ? excerpt(quoted) : std::string(quoted);
    out += '\'';
    at = close + 1;
  }
  if (out.size() > kMaxMessage)
    out = std::string(utf8_prefix(out, kMaxMessage)) + "... " + character_count(out);
  return out;
}

std::string index_path(const std::string& base, std::size_t index) {
  return base + "[" + std::to_string(index) + "]";
}

}  // namespace citytwin::sim::scenario
