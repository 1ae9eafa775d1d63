// The scenario's YAML as a plain value tree, and the key.path=value overrides applied to it.
//
// yaml-cpp's Node has reference semantics (assigning to a node obtained through operator[] rebinds
// every node that shares it, including YAML aliases), so overrides would be easy to get subtly wrong
// on it. The loader copies the document once into YamlNode, a value type that remembers where each
// node came from (file line/column, or which override), and works on that.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/scenario_loader.hpp"

namespace citytwin::sim::scenario {

// Where a node came from: a 1-based line and column of the scenario file, or an override
// (override_index >= 0 into the list of overrides; line and column are then 0).
struct Location {
  int line = 0;
  int column = 0;
  int override_index = -1;
};

struct YamlEntry;

struct YamlNode {
  enum class Kind { Null, Scalar, Sequence, Map };
  Kind kind = Kind::Null;
  std::string scalar;              // Scalar: the text as written (without quotes)
  std::vector<YamlNode> items;     // Sequence
  std::vector<YamlEntry> entries;  // Map, in document order (duplicate keys kept, to be reported)
  Location location;

  bool is_map() const { return kind == Kind::Map; }
  bool is_sequence() const { return kind == Kind::Sequence; }
  bool is_scalar() const { return kind == Kind::Scalar; }
  // The first entry with this key, or null (also when this is not a map).
  const YamlNode* find(std::string_view key) const;
  YamlNode* find(std::string_view key);
  // "a map", "a sequence", "a scalar 'x'", "nothing": for messages.
  std::string describe() const;
};

struct YamlEntry {
  std::string key;
  Location key_location;
  YamlNode value;
};

// Collects diagnostics; turns Locations into SourceMarks (an override's location is written
// "--set key.path=value").
class DiagnosticLog {
 public:
  DiagnosticLog(std::string file, std::vector<std::string> overrides);

  void error(const Location& where, std::string key_path, std::string message);
  SourceMark mark(const Location& where) const;

  const std::string& file() const { return file_; }
  const std::vector<std::string>& overrides() const { return overrides_; }
  bool empty() const { return diagnostics_.empty(); }
  // The diagnostics in order: overrides first, then by line and column (stable otherwise).
  std::vector<Diagnostic> sorted() const;

  // Records a data file the scenario reads (as resolved; once each). The loader hands the list on in
  // Scenario::data_files, which a campaign's run id covers (sim/campaign/run_id.hpp).
  void note_data_file(const std::string& path);
  const std::vector<std::string>& data_files() const { return data_files_; }

 private:
  std::string file_;
  std::vector<std::string> overrides_;
  std::vector<std::string> data_files_;
  std::vector<Diagnostic> diagnostics_;
  std::vector<int> override_of_;  // per diagnostic, its override index or -1
};

// Bounds on the document, so that no input costs unbounded time or memory: nesting depth (also what
// stops a self-referencing alias, `x: &a [1, *a]`) and nodes after alias expansion ("billion laughs"):
// at most 1000 + 2 per character of the text (without aliases a document has at most about one node per
// character), and never more than kMaxYamlNodes. A scenario needs a depth of about 6 and a few thousand
// nodes.
inline constexpr int kMaxYamlDepth = 64;
inline constexpr std::size_t kMaxYamlNodes = 1000000;
std::size_t max_yaml_nodes(std::size_t text_size);

// Parses the first YAML document of text. Nodes get file locations, or when override_index >= 0, that
// override's location. A syntax error is reported (key path key_path) and gives nullopt.
std::optional<YamlNode> parse_yaml(const std::string& text, DiagnosticLog& log, int override_index = -1,
                                   const std::string& key_path = "<yaml>");

// Applies log.overrides() in order to the document root. Each is "key.path=value": segments separated
// by '.', a numeric segment (or "[n]") indexes a sequence, the value is parsed as YAML. The last segment
// may name a new key of an existing map; a missing intermediate key, an index out of range or a
// malformed override is reported and that override skipped.
void apply_overrides(YamlNode& root, DiagnosticLog& log);

// "devices[2].radio" + "sf" -> "devices[2].radio.sf"; "" + "run" -> "run".
std::string join_path(const std::string& base, std::string_view key);
std::string index_path(const std::string& base, std::size_t index);

// The longest text excerpt() shows whole.
constexpr std::size_t kMaxExcerpt = 80;

// Text as quoted in a message: itself when short, otherwise its start, "..." and its length, so that a
// 4 MB key does not make a 4 MB message.
std::string excerpt(std::string_view text);

// A message as a diagnostic keeps it: every text between single quotes longer than kMaxQuoted is cut to
// its excerpt, and what is still over kMaxMessage characters is cut there. DiagnosticLog::error applies
// it to every message and key path, so that a site that quotes the input without excerpt() cannot make
// a huge message. (kMaxQuoted is well above excerpt's 80 so that prose between an apostrophe and a
// quote, "the base's ... 'x'", is never taken for a quoted text.)
constexpr std::size_t kMaxQuoted = 240;
constexpr std::size_t kMaxMessage = 2000;
std::string bounded_message(std::string message);

}  // namespace citytwin::sim::scenario
