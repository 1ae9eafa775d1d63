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

// Interference energy per SF (index SF - 7), mW s, of the interferers on the target's frequency.
std::array<double, 6> group_energy_mws(const FrameOnAir& target, std::span<const FrameOnAir> interferers) {
  std::array<double, 6> group{};
  for (const FrameOnAir& f : interferers) {
    if (&f == &target || f.frequency_hz != target.frequency_hz) continue;
    group[sf_index(f.spreading_factor)] += energy_mws(f.rssi_dbm, overlap_s(target, f));
  }
  return group;
}

}  // namespace

double sir_threshold_db(InterferenceMatrix matrix, int target_sf, int interferer_sf) {
  const size_t t = sf_index(target_sf);
  const size_t i = sf_index(interferer_sf);
  return matrix == InterferenceMatrix::Croce ? kCroceSirDb[t][i] : kGoursaudSirDb[t][i];
}

SirThresholds sir_thresholds_db(InterferenceMatrix matrix) {
  SirThresholds table{};
  for (size_t t = 0; t < table.size(); ++t)
    for (size_t i = 0; i < table[t].size(); ++i)
      table[t][i] = matrix == InterferenceMatrix::Croce ? kCroceSirDb[t][i] : kGoursaudSirDb[t][i];
  return table;
}

SirThresholds sir_thresholds_db(const CaptureRule& capture, std::optional<InterferenceMatrix> inter_sf) {
  SirThresholds table{};
  for (size_t t = 0; t < table.size(); ++t) {
    for (size_t i = 0; i < table[t].size(); ++i) {
      table[t][i] = t == i     ? co_sf_threshold_db(capture)
                    : inter_sf ? sir_threshold_db(*inter_sf, static_cast<int>(t) + 7, static_cast<int>(i) + 7)
                               : -std::numeric_limits<double>::infinity();
    }
  }
  return table;
}

std::array<double, 6> energy_sir_db(const FrameOnAir& target, std::span<const FrameOnAir> interferers) {
  const std::array<double, 6> group = group_energy_mws(target, interferers);
  const double target_mws = energy_mws(target.rssi_dbm, target.end_s - target.start_s);
  std::array<double, 6> sir_db{};
  for (size_t k = 0; k < sir_db.size(); ++k) sir_db[k] = energy_sir_db(target_mws, group[k]);
  return sir_db;
}

int destroying_spreading_factor(const FrameOnAir& target, std::span<const FrameOnAir> interferers,
                                InterferenceMatrix matrix) {
  sf_index(target.spreading_factor);  // throws outside 7..12
  return destroying_spreading_factor(target.spreading_factor,
                                     energy_mws(target.rssi_dbm, target.end_s - target.start_s),
                                     group_energy_mws(target, interferers), sir_thresholds_db(matrix));
}

}  // namespace citytwin::models::radio
