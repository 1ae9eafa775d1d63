// The quantities a driver may produce (drivers.<name>), each with the unit its values are kept and
// recorded in, the units a scenario or a CSV file may write them in, and its physical range. Adding a
// quantity is one row of kQuantities (sim/scenario/quantities.cpp).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace citytwin::sim::scenario {

struct QuantityUnit {
  std::string_view symbol;
  double factor;  // 1 <symbol> in the quantity's unit
};

struct QuantityKind {
  std::string_view name;  // drivers.<name>, /drivers/<name>
  std::string_view unit;  // as recorded ("" for a fraction or a plain number)
  std::string_view description;
  std::span<const QuantityUnit> units;  // accepted; a bare number is accepted when `unit` is ""
  double lo, hi;                        // physical range, in `unit`
  double rest = 0.0;                    // in districts no source covers
};

std::span<const QuantityKind> quantity_kinds();
const QuantityKind* find_quantity(std::string_view name);
std::vector<std::string_view> quantity_names();

// "<number>[ ]<unit>" in one of kind's units, converted to kind.unit; a bare number is read in
// kind.unit when bare_ok (CSV cells) or when the quantity has no unit. nullopt and *error otherwise.
std::optional<double> parse_quantity_value(const QuantityKind& kind, std::string_view text, bool bare_ok,
                                           std::string* error);
// A threshold on the quantity (an event rule's, an alert's): "<number> <unit>" in one of kind's units, as
// parse_quantity_value with no bare number where the quantity has a unit, and no range: a threshold may lie
// outside the physical range (never crossed).
std::optional<double> parse_threshold(const QuantityKind& kind, std::string_view text, std::string* error);

}  // namespace citytwin::sim::scenario
