#include "models/radio/reception.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace citytwin::models::radio {

double gateway_sensitivity_dbm(int spreading_factor, double bandwidth_hz,
                               const std::array<double, 6>& table_125khz_dbm) {
  return table_125khz_dbm.at(static_cast<size_t>(spreading_factor - 7)) +
         10.0 * std::log10(bandwidth_hz / 125e3);
}

double end_device_sensitivity_dbm(int spreading_factor, double bandwidth_hz) {
  const std::array<double, 6>* row = bandwidth_hz == 125e3   ? &kSx1272SensitivityDbm
                                     : bandwidth_hz == 250e3 ? &kSx1272Sensitivity250kHzDbm
                                     : bandwidth_hz == 500e3 ? &kSx1272Sensitivity500kHzDbm
                                                             : nullptr;
  if (row == nullptr)
    throw std::out_of_range("end-device sensitivity: the SX1272 tabulates 125, 250 and 500 kHz, not " +
                            std::to_string(bandwidth_hz) + " Hz");
  return row->at(static_cast<size_t>(spreading_factor - 7));
}

}  // namespace citytwin::models::radio
