#include "sim/scenario/utf8_text.hpp"

namespace citytwin::sim::scenario {

std::optional<NotUtf8> first_non_utf8(std::string_view text) {
  const auto byte = [&](std::size_t i) { return i < text.size() ? static_cast<unsigned char>(text[i]) : 0u; };
  const auto hex = [](unsigned b) {
    constexpr char kDigits[] = "0123456789ABCDEF";
    return std::string("0x") + kDigits[b >> 4] + kDigits[b & 15];
  };
  for (std::size_t i = 0; i < text.size();) {
    const unsigned b = byte(i);
    if (b == 0) return NotUtf8{i, "a NUL byte: a scenario is UTF-8 text (UTF-16 is not read)"};
    if (b < 0x80) {
      ++i;
      continue;
    }
    // The sequence's length, and the range its second byte must fall in.
    std::size_t length = 0;
    unsigned low = 0x80, high = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
      length = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      length = 3;
      if (b == 0xE0) low = 0xA0;
      if (b == 0xED) high = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      length = 4;
      if (b == 0xF0) low = 0x90;
      if (b == 0xF4) high = 0x8F;
    }
    bool ok = length > 0 && byte(i + 1) >= low && byte(i + 1) <= high;
    for (std::size_t k = 2; ok && k < length; ++k) ok = byte(i + k) >= 0x80 && byte(i + k) <= 0xBF;
    if (!ok)
      return NotUtf8{
          i, "byte " + hex(b) + " is not UTF-8 text (a Latin-1 or Windows-1252 file? save it as UTF-8)"};
    i += length;
  }
  return std::nullopt;
}

std::pair<int, int> line_and_column(std::string_view text, std::size_t at) {
  int line = 1, column = 1;
  for (std::size_t i = 0; i < at; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++column;  // (not a continuation byte: a character begins here)
    }
  }
  return {line, column};
}

}  // namespace citytwin::sim::scenario
