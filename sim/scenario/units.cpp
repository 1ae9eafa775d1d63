#include "sim/scenario/units.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <system_error>

#include "models/julian_year.hpp"

namespace citytwin::sim::scenario {
namespace {

struct Unit {
  std::string_view symbol;
  Dimension dimension;
  double factor;  // value in the dimension's base unit of 1 <symbol>
};

// The `yr` unit: the Julian year, the battery model's too (models/julian_year.hpp).
constexpr double kYear_s = models::kSecondsPerJulianYear;

// Within a dimension, the order here is the order listed to users in error messages (yr, for a battery's
// life, is the last duration).
constexpr std::array kUnits = {
    Unit{"us", Dimension::Time, 1e-6},        Unit{"ms", Dimension::Time, 1e-3},
    Unit{"s", Dimension::Time, 1.0},          Unit{"min", Dimension::Time, 60.0},
    Unit{"h", Dimension::Time, 3600.0},       Unit{"d", Dimension::Time, 86400.0},
    Unit{"mm", Dimension::Length, 1e-3},      Unit{"cm", Dimension::Length, 1e-2},
    Unit{"m", Dimension::Length, 1.0},        Unit{"km", Dimension::Length, 1e3},
    Unit{"Hz", Dimension::Frequency, 1.0},    Unit{"kHz", Dimension::Frequency, 1e3},
    Unit{"MHz", Dimension::Frequency, 1e6},   Unit{"GHz", Dimension::Frequency, 1e9},
    Unit{"bps", Dimension::Bitrate, 1.0},     Unit{"kbps", Dimension::Bitrate, 1e3},
    Unit{"Mbps", Dimension::Bitrate, 1e6},    Unit{"Gbps", Dimension::Bitrate, 1e9},
    Unit{"B", Dimension::DataSize, 1.0},      Unit{"kB", Dimension::DataSize, 1e3},
    Unit{"MB", Dimension::DataSize, 1e6},     Unit{"uA", Dimension::Current, 1e-3},
    Unit{"mA", Dimension::Current, 1.0},      Unit{"A", Dimension::Current, 1e3},
    Unit{"uAh", Dimension::Charge, 1e-3},     Unit{"mAh", Dimension::Charge, 1.0},
    Unit{"Ah", Dimension::Charge, 1e3},       Unit{"mV", Dimension::Voltage, 1e-3},
    Unit{"V", Dimension::Voltage, 1.0},       Unit{"dBm", Dimension::PowerLevel, 1.0},
    Unit{"dB", Dimension::Gain, 1.0},         Unit{"dBi", Dimension::Gain, 1.0},
    Unit{"f", Dimension::Computation, 1.0},   Unit{"kf", Dimension::Computation, 1e3},
    Unit{"Mf", Dimension::Computation, 1e6},  Unit{"Gf", Dimension::Computation, 1e9},
    Unit{"Tf", Dimension::Computation, 1e12}, Unit{"%", Dimension::Percent, 1e-2},
    Unit{"yr", Dimension::Time, kYear_s},
};

// What each dimension is, in the order of the enumeration (checked when compiled): its name in
// messages, its base unit (what parse_quantity returns), the unit suggested when a number is written without
// one, and the largest value any scenario could mean (a sanity bound, with its text for messages).
struct DimensionInfo {
  Dimension dimension;
  std::string_view name;
  std::string_view base_unit;
  std::string_view example_unit;
  double limit;  // in the base unit
  std::string_view limit_text;
};

constexpr std::array kDimensions = {
    // a century
    DimensionInfo{Dimension::Time, "a duration", "s", "s", 100.0 * kYear_s, "100 years"},
    // the Earth's circumference
    DimensionInfo{Dimension::Length, "a length", "m", "m", 40075e3, "40075 km"},
    // the top of the radio spectrum (ITU: 3 THz)
    DimensionInfo{Dimension::Frequency, "a frequency", "Hz", "MHz", 3e12, "3000 GHz"},
    // 1 Pbps, the record for one fibre
    DimensionInfo{Dimension::Bitrate, "a bit rate", "bps", "Mbps", 1e15, "1000000 Gbps"},
    // 1 TB
    DimensionInfo{Dimension::DataSize, "a data size", "B", "B", 1e12, "1000000 MB"},
    DimensionInfo{Dimension::Current, "a current", "mA", "mA", 1e6, "1000 A"},
    // 1 MAh
    DimensionInfo{Dimension::Charge, "a charge", "mAh", "mAh", 1e9, "1000000 Ah"},
    DimensionInfo{Dimension::Voltage, "a voltage", "V", "V", 1e6, "1000000 V"},
    // beyond any transmitter and below any noise floor
    DimensionInfo{Dimension::PowerLevel, "a power level", "dBm", "dBm", 300.0, "300 dBm"},
    DimensionInfo{Dimension::Gain, "a gain", "dB", "dB", 1000.0, "1000 dB"},
    // a zettaflop
    DimensionInfo{Dimension::Computation, "an amount of computation", "f", "Mf", 1e21, "1000000000 Tf"},
    // a fraction: 10000 %
    DimensionInfo{Dimension::Percent, "a percentage", "", "%", 100.0, "10000 %"},
};
static_assert(kDimensions.size() == static_cast<size_t>(Dimension::Percent) + 1, "one entry a dimension");

constexpr const DimensionInfo& info(Dimension dimension) {
  return kDimensions[static_cast<size_t>(dimension)];
}
constexpr bool in_order() {
  for (size_t i = 0; i < kDimensions.size(); ++i)
    if (static_cast<size_t>(kDimensions[i].dimension) != i) return false;
  return true;
}
static_assert(in_order(), "kDimensions in the order of the enumeration");

std::string_view example_unit(Dimension dimension) { return info(dimension).example_unit; }

std::string_view trim(std::string_view text) {
  constexpr std::string_view kBlanks = " \t\r\n";
  const auto first = text.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(kBlanks);
  return text.substr(first, last - first + 1);
}

// Reads the longest number at the start of text; returns the characters consumed (0 if none).
std::size_t read_number(std::string_view text, double& value) {
  std::size_t sign = 0;
  if (!text.empty() && text.front() == '+') sign = 1;  // from_chars does not take '+'
  if (sign == 1 && (text.size() < 2 || text[1] == '-')) return 0;
  const char* begin = text.data() + sign;
  const auto result = std::from_chars(begin, text.data() + text.size(), value);
  if (result.ec != std::errc() || !std::isfinite(value)) return 0;
  return static_cast<std::size_t>(result.ptr - text.data());
}

// The micro sign (U+00B5) or Greek mu (U+03BC) in place of 'u'.
std::string normalise_micro(std::string_view unit) {
  for (std::string_view micro : {std::string_view("\xC2\xB5"), std::string_view("\xCE\xBC")}) {
    if (unit.substr(0, micro.size()) == micro) return "u" + std::string(unit.substr(micro.size()));
  }
  return std::string(unit);
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string expected_message(Dimension dimension, std::string_view text) {
  std::string message = "expected " + std::string(dimension_name(dimension)) + " (" +
                        dimension_units(dimension) + "), got '" + std::string(text) + "'";
  return message;
}

}  // namespace

std::string_view dimension_name(Dimension dimension) { return info(dimension).name; }

std::string dimension_units(Dimension dimension) {
  std::string units;
  for (const Unit& unit : kUnits) {
    if (unit.dimension != dimension) continue;
    if (!units.empty()) units += ", ";
    units += unit.symbol;
  }
  return units;
}

std::string_view base_unit(Dimension dimension) { return info(dimension).base_unit; }

double physical_limit(Dimension dimension) { return info(dimension).limit; }

std::string physical_limit_text(Dimension dimension) { return std::string(info(dimension).limit_text); }

std::optional<double> parse_number(std::string_view text) {
  text = trim(text);
  double value = 0.0;
  const std::size_t used = read_number(text, value);
  if (used == 0 || used != text.size()) return std::nullopt;
  return value;
}

std::optional<double> parse_quantity(std::string_view text, Dimension dimension, std::string* error) {
  auto fail = [&](std::string message) -> std::optional<double> {
    if (error != nullptr) *error = std::move(message);
    return std::nullopt;
  };
  const std::string_view trimmed = trim(text);
  double value = 0.0;
  const std::size_t used = read_number(trimmed, value);
  if (used == 0) return fail(expected_message(dimension, trimmed));
  const std::string unit = normalise_micro(trim(trimmed.substr(used)));
  if (unit.empty()) {
    return fail("missing unit in '" + std::string(trimmed) + "': write the unit, e.g. '" +
                std::string(trimmed) + " " + std::string(example_unit(dimension)) + "' (" +
                std::string(dimension_name(dimension)) + ": " + dimension_units(dimension) + ")");
  }
  for (const Unit& candidate : kUnits) {
    if (candidate.dimension != dimension || candidate.symbol != unit) continue;
    const double scaled = value * candidate.factor;
    const double limit = physical_limit(dimension);
    if (!std::isfinite(scaled) || std::fabs(scaled) > limit) {
      return fail("'" + std::string(trimmed.substr(0, 60)) + "' is beyond the physical limit for " +
                  std::string(dimension_name(dimension)) + ": expected at most " +
                  physical_limit_text(dimension) + " in magnitude");
    }
    return scaled;
  }
  std::string message = expected_message(dimension, trimmed);
  for (const Unit& candidate : kUnits) {
    if (candidate.dimension == dimension && equal_ignoring_case(candidate.symbol, unit)) {
      return fail(message + " (units are case-sensitive: did you mean '" + std::string(candidate.symbol) +
                  "'?)");
    }
  }
  for (const Unit& candidate : kUnits) {
    if (candidate.symbol == unit) {
      return fail(message + ", which is " + std::string(dimension_name(candidate.dimension)));
    }
  }
  return fail(message);
}

}  // namespace citytwin::sim::scenario
