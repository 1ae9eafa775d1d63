// The key path of an override (--set key.path=value, a campaign's set: and grid: keys, a Python edit): the
// keys from the top separated by '.', a list index as .n or [n], [+] appending to a list, [a:b] a slice
// (docs/SCENARIO.md, "Overrides"). One grammar for the loader, the campaign file and its checks.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace citytwin::sim::scenario {

// Whether text is a list index (digits only), into index.
bool parse_index(std::string_view text, std::size_t& index);

// "devices[0].radio.sf" -> {"devices", "0", "radio", "sf"}; "gateways[+]" -> {"gateways", "+"};
// "gateways[0:2].x" -> {"gateways", "0:2", "x"}; nullopt when a key is empty or text follows a ']'.
std::optional<std::vector<std::string>> split_override_path(std::string_view path);

// Why `path` is no key path, naming it, with the path meant where it can be told ("key path 'run..seed'
// has an empty key (did you mean 'run.seed'?)"); "" when it is one. A key path has no '=': an override's
// key ends at its first.
std::string key_path_problem(std::string_view path);

// The entries of a list a segment selects, [begin, end): an index n is [n, n + 1), a slice a:b is [a, b)
// (an end left out is open: SIZE_MAX); nullopt for a key, "+" or a malformed slice.
struct IndexSpan {
  std::size_t begin = 0, end = 0;
};
std::optional<IndexSpan> index_span(std::string_view segment);

// Whether an override of `axis` applied after one of `key` replaces everything the latter wrote: `axis` is
// the same key or one above it, each of its indices and slices taking in the key's (gateways[0:2].x takes
// in gateways[1].x, gateways.1.x and gateways[0:2].x; not gateways[1:4].x, nor gateways[:].x, whose end is
// the list's). An axis that appends (gateways[+]) adds an entry of its own and replaces nothing.
bool replaced_by(std::string_view key, std::string_view axis);

}  // namespace citytwin::sim::scenario
