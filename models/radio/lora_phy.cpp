#include "models/radio/lora_phy.hpp"

#include <algorithm>
#include <cmath>

namespace citytwin::models::radio {

double symbol_time_s(int spreading_factor, double bandwidth_hz) {
  return std::ldexp(1.0, spreading_factor) / bandwidth_hz;
}

bool low_data_rate_optimize_required(int spreading_factor, double bandwidth_hz) {
  return symbol_time_s(spreading_factor, bandwidth_hz) > 0.016;
}

int payload_symbols(int payload_bytes, const LoraPhyParams& phy) {
  const int sf = phy.spreading_factor;
  const int de = phy.low_data_rate_optimize ? 1 : 0;
  const int ih = phy.explicit_header ? 0 : 1;
  const int crc = phy.crc ? 1 : 0;
  const int numerator = 8 * payload_bytes - 4 * sf + 28 + 16 * crc - 20 * ih;
  const int denominator = 4 * (sf - 2 * de);
  // Integer ceiling of a possibly negative ratio; negative values are clamped to 0 below.
  const int blocks = numerator > 0 ? (numerator + denominator - 1) / denominator : 0;
  return 8 + std::max(blocks * (phy.coding_rate + 4), 0);
}

double time_on_air_s(int payload_bytes, const LoraPhyParams& phy) {
  const double t_sym = symbol_time_s(phy.spreading_factor, phy.bandwidth_hz);
  const double preamble_s = (phy.preamble_symbols + 4.25) * t_sym;
  return preamble_s + payload_symbols(payload_bytes, phy) * t_sym;
}

}  // namespace citytwin::models::radio
