#include "sim/scenario/override_path.hpp"

#include <charconv>
#include <limits>

#include "sim/scenario/scenario_yaml.hpp"

namespace citytwin::sim::scenario {
namespace {

// The path a malformed one most likely meant: empty keys dropped, a '.' after a ']' that text follows,
// "[]" as "[+]" ("run..seed" -> "run.seed", "devices[0]interval" -> "devices[0].interval").
std::string meant_path(std::string_view path) {
  std::vector<std::string> tokens;  // a key, or "[index]"
  std::string key;
  const auto flush = [&] {
    if (!key.empty()) tokens.push_back(key);
    key.clear();
  };
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '.' || path[i] == ']') {
      flush();
    } else if (path[i] == '[') {
      flush();
      const std::size_t close = path.find(']', i);
      const std::string_view inside =
          path.substr(i + 1, close == std::string_view::npos ? close : close - i - 1);
      tokens.push_back("[" + (inside.empty() ? std::string("+") : std::string(inside)) + "]");
      if (close == std::string_view::npos) break;
      i = close;
    } else {
      key += path[i];
    }
  }
  flush();
  std::string meant;
  for (const std::string& token : tokens) meant += token[0] == '[' || meant.empty() ? token : "." + token;
  return meant;
}

}  // namespace

bool parse_index(std::string_view text, std::size_t& index) {
  if (text.empty()) return false;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), index);
  return result.ec == std::errc() && result.ptr == text.data() + text.size();
}

std::optional<std::vector<std::string>> split_override_path(std::string_view path) {
  std::string dotted;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '[') {
      dotted += '.';
    } else if (path[i] == ']') {
      if (i + 1 < path.size() && path[i + 1] != '.' && path[i + 1] != '[') return std::nullopt;
    } else {
      dotted += path[i];
    }
  }
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = dotted.find('.', start);
    std::string segment = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (segment.empty()) return std::nullopt;
    segments.push_back(std::move(segment));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return segments;
}

std::string key_path_problem(std::string_view path) {
  if (path.empty()) return "the key path is empty";
  const std::string named = "key path '" + excerpt(path) + "'";
  if (path.find('=') != std::string_view::npos)
    return named + " has a '=' (an override's key ends at its first '=': key.path=value)";
  if (split_override_path(path)) return "";
  std::string why = " has an empty key";
  for (std::size_t i = 0; i + 1 < path.size(); ++i)
    if (path[i] == ']' && path[i + 1] != '.' && path[i + 1] != '[') why = " has text after a ']'";
  const std::string meant = meant_path(path);
  if (!meant.empty() && split_override_path(meant)) why += " (did you mean '" + excerpt(meant) + "'?)";
  return named + why;
}

std::optional<IndexSpan> index_span(std::string_view segment) {
  std::size_t index = 0;
  if (parse_index(segment, index)) return IndexSpan{index, index + 1};
  const std::size_t colon = segment.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  IndexSpan span{0, std::numeric_limits<std::size_t>::max()};
  const std::string_view lo = segment.substr(0, colon), hi = segment.substr(colon + 1);
  if ((!lo.empty() && !parse_index(lo, span.begin)) || (!hi.empty() && !parse_index(hi, span.end)))
    return std::nullopt;
  return span;
}

bool replaced_by(std::string_view key, std::string_view axis) {
  const auto k = split_override_path(key), a = split_override_path(axis);
  if (!k || !a || a->size() > k->size()) return false;
  for (std::size_t i = 0; i < a->size(); ++i) {
    const std::string &ak = (*a)[i], &kk = (*k)[i];
    if (ak == "+" || kk == "+") return false;  // an appended entry is one of its own
    const auto as = index_span(ak), ks = index_span(kk);
    if (as && ks) {
      if (ks->begin < as->begin || ks->end > as->end) return false;
    } else if (ak != kk) {
      return false;
    }
  }
  return true;
}

}  // namespace citytwin::sim::scenario
