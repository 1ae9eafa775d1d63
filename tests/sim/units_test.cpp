// Tests of quantity parsing: every dimension and unit, spaced and unspaced, and the error messages.
#include "sim/scenario/units.hpp"

#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "tests/sim/rooms.hpp"

namespace citytwin::sim {
namespace {

struct Case {
  const char* text;
  Dimension dimension;
  double expected;  // in the base unit
};

// Every unit of every dimension, written spaced.
const std::vector<Case> kEveryUnit = {
    {"3 us", Dimension::Time, 3e-6},        {"3 ms", Dimension::Time, 3e-3},
    {"3 s", Dimension::Time, 3.0},          {"3 min", Dimension::Time, 180.0},
    {"3 h", Dimension::Time, 10800.0},      {"3 d", Dimension::Time, 259200.0},
    {"3 mm", Dimension::Length, 3e-3},      {"3 cm", Dimension::Length, 3e-2},
    {"3 m", Dimension::Length, 3.0},        {"3 km", Dimension::Length, 3e3},
    {"3 Hz", Dimension::Frequency, 3.0},    {"3 kHz", Dimension::Frequency, 3e3},
    {"3 MHz", Dimension::Frequency, 3e6},   {"3 GHz", Dimension::Frequency, 3e9},
    {"3 bps", Dimension::Bitrate, 3.0},     {"3 kbps", Dimension::Bitrate, 3e3},
    {"3 Mbps", Dimension::Bitrate, 3e6},    {"3 Gbps", Dimension::Bitrate, 3e9},
    {"3 B", Dimension::DataSize, 3.0},      {"3 kB", Dimension::DataSize, 3e3},
    {"3 MB", Dimension::DataSize, 3e6},     {"3 uA", Dimension::Current, 3e-3},
    {"3 mA", Dimension::Current, 3.0},      {"3 A", Dimension::Current, 3e3},
    {"3 uAh", Dimension::Charge, 3e-3},     {"3 mAh", Dimension::Charge, 3.0},
    {"3 Ah", Dimension::Charge, 3e3},       {"3 mV", Dimension::Voltage, 3e-3},
    {"3 V", Dimension::Voltage, 3.0},       {"3 dBm", Dimension::PowerLevel, 3.0},
    {"3 dB", Dimension::Gain, 3.0},         {"3 dBi", Dimension::Gain, 3.0},
    {"3 f", Dimension::Computation, 3.0},   {"3 kf", Dimension::Computation, 3e3},
    {"3 Mf", Dimension::Computation, 3e6},  {"3 Gf", Dimension::Computation, 3e9},
    {"3 Tf", Dimension::Computation, 3e12}, {"3 %", Dimension::Percent, 0.03},
    {"3 yr", Dimension::Time, 94672800.0},  // Julian years: 3 x 365.25 x 86400 s
};

TEST(Units, EveryUnitSpaced) {
  for (const Case& c : kEveryUnit) {
    std::string error;
    const auto value = parse_quantity(c.text, c.dimension, &error);
    ASSERT_TRUE(value.has_value()) << c.text << ": " << error;
    EXPECT_DOUBLE_EQ(*value, c.expected) << c.text;
  }
}

TEST(Units, EveryUnitUnspaced) {
  for (const Case& c : kEveryUnit) {
    std::string text = c.text;
    text.erase(text.find(' '), 1);
    std::string error;
    const auto value = parse_quantity(text, c.dimension, &error);
    ASSERT_TRUE(value.has_value()) << text << ": " << error;
    EXPECT_DOUBLE_EQ(*value, c.expected) << text;
  }
}

// A year is the Julian year, as the battery model's (kSecondsPerYear, both models/julian_year.hpp), so a
// cell rated "20 yr" lasts what the lifetime projection calls 20 years; a duration's limit, a century, is
// exactly 100 yr.
TEST(Units, YearsAreJulianUpToACentury) {
  EXPECT_DOUBLE_EQ(*parse_quantity("1 yr", Dimension::Time), 31557600.0);  // IAU: 365.25 d of 86 400 s
  EXPECT_DOUBLE_EQ(*parse_quantity("20 yr", Dimension::Time), 20.0 * 365.25 * 86400.0);
  EXPECT_DOUBLE_EQ(*parse_quantity("100 yr", Dimension::Time), physical_limit(Dimension::Time));
  std::string error;
  EXPECT_FALSE(parse_quantity("100.5 yr", Dimension::Time, &error));
  EXPECT_EQ(
      error,
      "'100.5 yr' is beyond the physical limit for a duration: expected at most 100 years in magnitude");
  EXPECT_FALSE(parse_quantity("20 Yr", Dimension::Time, &error));
  EXPECT_NE(error.find("did you mean 'yr'?"), std::string::npos) << error;
}

TEST(Units, NumberForms) {
  EXPECT_DOUBLE_EQ(*parse_quantity("868.1 MHz", Dimension::Frequency), 868.1e6);
  EXPECT_DOUBLE_EQ(*parse_quantity("-130 dBm", Dimension::PowerLevel), -130.0);
  EXPECT_DOUBLE_EQ(*parse_quantity("-132.5dBm", Dimension::PowerLevel), -132.5);
  EXPECT_DOUBLE_EQ(*parse_quantity("1.5e3 m", Dimension::Length), 1500.0);
  EXPECT_DOUBLE_EQ(*parse_quantity("1.5e3m", Dimension::Length), 1500.0);
  EXPECT_DOUBLE_EQ(*parse_quantity("+2 h", Dimension::Time), 7200.0);
  EXPECT_DOUBLE_EQ(*parse_quantity(".5 s", Dimension::Time), 0.5);
  EXPECT_DOUBLE_EQ(*parse_quantity("  10   min  ", Dimension::Time), 600.0);
  EXPECT_DOUBLE_EQ(*parse_quantity("10min", Dimension::Time), 600.0);
  EXPECT_DOUBLE_EQ(*parse_quantity("1.5 \xC2\xB5"
                                   "A",
                                   Dimension::Current),
                   1.5e-3);  // micro sign
  EXPECT_DOUBLE_EQ(*parse_quantity("1.5 \xCE\xBC"
                                   "A",
                                   Dimension::Current),
                   1.5e-3);  // Greek mu
}

TEST(Units, WrongUnitNamesTheDimensionAndItsUnits) {
  std::string error;
  EXPECT_FALSE(parse_quantity("5 km", Dimension::Time, &error));
  EXPECT_EQ(error, "expected a duration (us, ms, s, min, h, d, yr), got '5 km', which is a length");
  EXPECT_FALSE(parse_quantity("14 dB", Dimension::PowerLevel, &error));
  EXPECT_EQ(error, "expected a power level (dBm), got '14 dB', which is a gain");
  EXPECT_FALSE(parse_quantity("5 parsecs", Dimension::Length, &error));
  EXPECT_EQ(error, "expected a length (mm, cm, m, km), got '5 parsecs'");
}

TEST(Units, CaseMistakeGetsAHint) {
  std::string error;
  EXPECT_FALSE(parse_quantity("868.1 mhz", Dimension::Frequency, &error));
  EXPECT_EQ(
      error,
      "expected a frequency (Hz, kHz, MHz, GHz), got '868.1 mhz' (units are case-sensitive: did you mean "
      "'MHz'?)");
}

TEST(Units, BareNumberAsksForTheUnit) {
  std::string error;
  EXPECT_FALSE(parse_quantity("10", Dimension::Time, &error));
  EXPECT_EQ(error,
            "missing unit in '10': write the unit, e.g. '10 s' (a duration: us, ms, s, min, h, d, yr)");
  EXPECT_FALSE(parse_quantity("868.1", Dimension::Frequency, &error));
  EXPECT_NE(error.find("write the unit, e.g. '868.1 MHz'"), std::string::npos) << error;
  EXPECT_FALSE(parse_quantity("0.1", Dimension::Percent, &error));
  EXPECT_NE(error.find("write the unit"), std::string::npos) << error;
}

TEST(Units, GarbageIsRejected) {
  for (const char* text : {"", "   ", "soon", "km", "ten min", "1..2 s", "inf s", "nan m", "1e999 s", "- 5 s",
                           "+-5 s", "0x10 s", "5 m m"}) {
    std::string error;
    EXPECT_FALSE(parse_quantity(text, Dimension::Time, &error)) << "'" << text << "'";
    EXPECT_FALSE(error.empty()) << "'" << text << "'";
  }
  std::string error;
  EXPECT_FALSE(parse_quantity("soon", Dimension::Time, &error));
  EXPECT_EQ(error, "expected a duration (us, ms, s, min, h, d, yr), got 'soon'");
}

TEST(Units, ErrorPointerIsOptional) { EXPECT_FALSE(parse_quantity("5 km", Dimension::Time)); }

TEST(Units, PlainNumbers) {
  EXPECT_DOUBLE_EQ(*parse_number("3.76"), 3.76);
  EXPECT_DOUBLE_EQ(*parse_number("-1e3"), -1000.0);
  EXPECT_DOUBLE_EQ(*parse_number("+2"), 2.0);
  EXPECT_DOUBLE_EQ(*parse_number(" 7 "), 7.0);
  for (const char* text : {"", "3.76 dB", "abc", "inf", "nan", "1,5"})
    EXPECT_FALSE(parse_number(text)) << text;
}

TEST(Units, Names) {
  EXPECT_EQ(dimension_name(Dimension::Bitrate), "a bit rate");
  EXPECT_EQ(dimension_units(Dimension::Charge), "uAh, mAh, Ah");
  EXPECT_EQ(base_unit(Dimension::Current), "mA");
  EXPECT_EQ(base_unit(Dimension::Percent), "");
}

}  // namespace
}  // namespace citytwin::sim
