#include "sim/scenario/quantities.hpp"

#include <array>
#include <charconv>
#include <cmath>

#include "sim/scenario/scenario_reader.hpp"

namespace citytwin::sim::scenario {
namespace {

constexpr std::array kMetres = {QuantityUnit{"mm", 1e-3}, QuantityUnit{"cm", 1e-2}, QuantityUnit{"m", 1.0},
                                QuantityUnit{"km", 1e3}};
constexpr std::array kRainfall = {QuantityUnit{"mm/h", 1.0}, QuantityUnit{"mm/min", 60.0},
                                  QuantityUnit{"in/h", 25.4}};
constexpr std::array kVolume = {QuantityUnit{"veh/h", 1.0}, QuantityUnit{"veh/min", 60.0},
                                QuantityUnit{"veh/15min", 4.0}};  // 15-minute counts (FHWA TMG)
constexpr std::array kSpeed = {QuantityUnit{"km/h", 1.0}, QuantityUnit{"m/s", 3.6}};
constexpr std::array kFraction = {QuantityUnit{"%", 1e-2}};
constexpr std::array<QuantityUnit, 0> kNone = {};
constexpr std::array kVibration = {QuantityUnit{"mm/s", 1.0}, QuantityUnit{"cm/s", 10.0}};

const std::array kQuantities = {
    QuantityKind{"river_level", "m", "river level at the gauge (the datum of drivers.flood.elevation)",
                 kMetres, -1e3, 1e4},
    QuantityKind{"rainfall", "mm/h", "rainfall intensity", kRainfall, 0.0, 1e3},
    QuantityKind{"inundation_depth", "m", "depth of water above the district's ground", kMetres, 0.0, 100.0},
    QuantityKind{"traffic_volume", "veh/h", "vehicles per hour past a point", kVolume, 0.0, 1e6},
    QuantityKind{"traffic_speed", "km/h", "mean traffic speed", kSpeed, 0.0, 500.0},
    QuantityKind{"parking_occupancy", "", "fraction of parking bays occupied", kFraction, 0.0, 1.0},
    QuantityKind{"attack_intensity", "", "attack intensity (the attack's own scale)", kNone, 0.0, 1e9},
    QuantityKind{"vibration", "mm/s", "peak particle velocity of structures", kVibration, 0.0, 1e4},
};

std::string units_text(const QuantityKind& kind) {
  std::string text;
  for (const QuantityUnit& u : kind.units) text += (text.empty() ? "" : ", ") + std::string(u.symbol);
  return text.empty() ? "a plain number" : text;
}

}  // namespace

std::span<const QuantityKind> quantity_kinds() { return kQuantities; }

const QuantityKind* find_quantity(std::string_view name) {
  for (const QuantityKind& kind : kQuantities)
    if (kind.name == name) return &kind;
  return nullptr;
}

std::vector<std::string_view> quantity_names() {
  std::vector<std::string_view> names;
  for (const QuantityKind& kind : kQuantities) names.push_back(kind.name);
  return names;
}

std::optional<double> parse_quantity_value(const QuantityKind& kind, std::string_view text, bool bare_ok,
                                           std::string* error) {
  const auto fail = [&](const std::string& message) -> std::optional<double> {
    if (error != nullptr) *error = message;
    return std::nullopt;
  };
  const auto trim = [](std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return std::string_view{};
    return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
  };
  text = trim(text);
  const std::string what = std::string(kind.name) + " (" + units_text(kind) + ")";
  const char* begin = text.data() + (!text.empty() && text.front() == '+' ? 1 : 0);
  double number = 0.0;
  const auto [end, ec] = std::from_chars(begin, text.data() + text.size(), number);
  if (ec != std::errc() || end == begin || !std::isfinite(number))
    return fail("expected " + what + ", got '" + excerpt(text) + "'");
  const std::string_view unit =
      trim(std::string_view(end, static_cast<size_t>(text.data() + text.size() - end)));
  double value = number;
  if (unit.empty()) {
    if (!bare_ok && !kind.unit.empty())
      return fail("missing unit in '" + excerpt(text) + "': write the unit, e.g. '" + excerpt(text) + " " +
                  std::string(kind.unit) + "' (" + what + ")");
  } else {
    const QuantityUnit* found = nullptr;
    for (const QuantityUnit& u : kind.units)
      if (u.symbol == unit) found = &u;
    if (found == nullptr) return fail("expected " + what + ", got '" + excerpt(text) + "'");
    value = number * found->factor;
  }
  if (!(value >= kind.lo && value <= kind.hi))
    return fail("expected " + format_number(kind.lo) + ".." + format_number(kind.hi) +
                (kind.unit.empty() ? "" : " " + std::string(kind.unit)) + " for " + std::string(kind.name) +
                ", got '" + excerpt(text) + "'");
  return value;
}

std::optional<double> parse_threshold(const QuantityKind& kind, std::string_view text, std::string* error) {
  QuantityKind loose = kind;
  loose.lo = -1e300;  // finite: a value that overflows is still refused
  loose.hi = 1e300;
  return parse_quantity_value(loose, text, false, error);
}

}  // namespace citytwin::sim::scenario
