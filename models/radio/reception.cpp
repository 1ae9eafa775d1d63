#include "models/radio/reception.hpp"

#include <cmath>

namespace citytwin::models::radio {

double gateway_sensitivity_dbm(int spreading_factor, double bandwidth_hz,
                               const std::array<double, 6>& table_125khz_dbm) {
  return table_125khz_dbm.at(static_cast<size_t>(spreading_factor - 7)) +
         10.0 * std::log10(bandwidth_hz / 125e3);
}

}  // namespace citytwin::models::radio
