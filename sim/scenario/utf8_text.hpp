// Scenario text is UTF-8: the first byte that is not, and where it stands. yaml-cpp reads a file that is not
// on (a Latin-1 name reaches the trace, where h5py and JSON fail on it) or fails with a message about
// something else ("unknown escape character" for a NUL); parse_yaml (scenario_yaml.cpp) refuses it here
// first.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace citytwin::sim::scenario {

struct NotUtf8 {
  std::size_t at;    // the byte
  std::string what;  // what is wrong with it, for the diagnostic
};

// The first byte of `text` that is not UTF-8 text: a NUL, or a byte that does not begin or continue a
// well-formed UTF-8 sequence (Unicode 15, table 3-7: no overlong forms, no surrogates, nothing past
// U+10FFFF); none when the text is UTF-8.
std::optional<NotUtf8> first_non_utf8(std::string_view text);

// The line and column (1-based, the column in characters) of byte `at` of a UTF-8 text.
std::pair<int, int> line_and_column(std::string_view text, std::size_t at);

}  // namespace citytwin::sim::scenario
