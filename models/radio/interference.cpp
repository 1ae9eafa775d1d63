#include "models/radio/interference.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace citytwin::models::radio {
namespace {

size_t sf_index(int spreading_factor) {
  if (spreading_factor < 7 || spreading_factor > 12) {
    throw std::out_of_range("spreading factor must be 7..12, got " + std::to_string(spreading_factor));
  }
  return static_cast<size_t>(spreading_factor - 7);
}

double dbm_to_mw(double dbm) { return std::pow(10.0, dbm / 10.0); }

}  // namespace

double sir_threshold_db(InterferenceMatrix matrix, int target_sf, int interferer_sf) {
  const size_t t = sf_index(target_sf);
  const size_t i = sf_index(interferer_sf);
  return matrix == InterferenceMatrix::Croce ? kCroceSirDb[t][i] : kGoursaudSirDb[t][i];
}

double overlap_s(const FrameOnAir& a, const FrameOnAir& b) {
  return std::max(0.0, std::min(a.end_s, b.end_s) - std::max(a.start_s, b.start_s));
}

std::array<double, 6> energy_sir_db(const FrameOnAir& target, std::span<const FrameOnAir> interferers) {
  std::array<double, 6> group_energy{};  // mW s per interferer SF
  for (const FrameOnAir& f : interferers) {
    if (&f == &target || f.frequency_hz != target.frequency_hz) continue;
    group_energy[sf_index(f.spreading_factor)] += dbm_to_mw(f.rssi_dbm) * overlap_s(target, f);
  }
  const double target_energy = dbm_to_mw(target.rssi_dbm) * (target.end_s - target.start_s);
  std::array<double, 6> sir_db{};
  for (size_t k = 0; k < sir_db.size(); ++k) {
    sir_db[k] = group_energy[k] > 0.0 ? 10.0 * std::log10(target_energy / group_energy[k])
                                      : std::numeric_limits<double>::infinity();
  }
  return sir_db;
}

int destroying_spreading_factor(const FrameOnAir& target, std::span<const FrameOnAir> interferers,
                                InterferenceMatrix matrix) {
  const std::array<double, 6> sir_db = energy_sir_db(target, interferers);
  for (int sf = 7; sf <= 12; ++sf) {
    if (sir_db[static_cast<size_t>(sf - 7)] < sir_threshold_db(matrix, target.spreading_factor, sf)) {
      return sf;
    }
  }
  return 0;
}

}  // namespace citytwin::models::radio
