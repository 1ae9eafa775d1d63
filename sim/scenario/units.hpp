// Quantities with units, as written in scenario files: a number, an optional space, a unit
// ("10 min", "10min", "868.1 MHz", "-130 dBm", "1.5e3 m", "10 %"). Values come back in the base unit
// of their dimension, the one the scenario structs use:
//
//   dimension     units                       base unit
//   Time          us, ms, s, min, h, d, yr    s
//   Length        mm, cm, m, km               m
//   Frequency     Hz, kHz, MHz, GHz           Hz
//   Bitrate       bps, kbps, Mbps, Gbps       bit/s
//   DataSize      B, kB, MB (decimal)         byte
//   Current       uA, mA, A                   mA
//   Charge        uAh, mAh, Ah                mAh
//   Voltage       mV, V                       V
//   PowerLevel    dBm                         dBm
//   Gain          dB, dBi (dBi read as dB)    dB
//   Computation   f, kf, Mf, Gf, Tf           flop (also flop/s for speeds)
//   Percent       %                           fraction (10 % -> 0.1)
//
// "u" may also be written as the micro sign (uA, µA). Units are case-sensitive (mA is not MA).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace citytwin::sim::scenario {

enum class Dimension {
  Time,
  Length,
  Frequency,
  Bitrate,
  DataSize,
  Current,
  Charge,
  Voltage,
  PowerLevel,
  Gain,
  Computation,
  Percent,
};

// Parses "<number>[ ]<unit>" with a unit of `dimension`; returns the value in the dimension's base
// unit. On failure returns nullopt and, when error is not null, sets *error to a message for the
// user, e.g. "expected a duration (us, ms, s, min, h, d, yr), got '5 km'" or, for a bare number,
// "missing unit in '10': write the unit, e.g. '10 s' (a duration: us, ms, s, min, h, d, yr)".
// Leading and trailing blanks are ignored; the number must be finite, and within physical_limit once
// in the base unit.
std::optional<double> parse_quantity(std::string_view text, Dimension dimension,
                                     std::string* error = nullptr);

// The largest magnitude a quantity of the dimension may have, in its base unit (a century, the Earth's
// circumference, 1 Pbps, ...; table in docs/SCENARIO.md): parse_quantity refuses anything beyond, so
// that no value that is finite as written becomes infinite, or absurd, once scaled.
double physical_limit(Dimension dimension);
// The same, as written in a message: "100 years", "40075 km", ...
std::string physical_limit_text(Dimension dimension);

// Parses a whole string as a finite decimal number ("3.76", "-1e3", "+2"); nullopt otherwise.
std::optional<double> parse_number(std::string_view text);

// "a duration", "a length", ...: the dimension as it reads in a sentence.
std::string_view dimension_name(Dimension dimension);

// The accepted units, comma-separated: "us, ms, s, min, h, d, yr".
std::string dimension_units(Dimension dimension);

// The unit values are returned in: "s", "m", "mA", ...; "" for Percent (a fraction).
std::string_view base_unit(Dimension dimension);

}  // namespace citytwin::sim::scenario
