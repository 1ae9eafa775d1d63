#include "models/radio/adr.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace citytwin::models::radio {

double required_snr_db(int spreading_factor) {
  if (spreading_factor < 7 || spreading_factor > 12) {
    throw std::out_of_range("spreading factor must be 7..12, got " + std::to_string(spreading_factor));
  }
  return kSx1276RequiredSnrDb[static_cast<size_t>(spreading_factor - 7)];
}

double noise_floor_dbm(double bandwidth_hz, double noise_figure_db) {
  return -174.0 + 10.0 * std::log10(bandwidth_hz) + noise_figure_db;
}

double snr_db(double rssi_dbm, double bandwidth_hz, double noise_figure_db) {
  return rssi_dbm - noise_floor_dbm(bandwidth_hz, noise_figure_db);
}

int spreading_factor_for_link(double rssi_dbm, double bandwidth_hz,
                              const std::array<double, 6>& sensitivity_125khz_dbm, double margin_db) {
  for (int sf = 7; sf <= 12; ++sf) {
    if (gateway_sensitivity_dbm(sf, bandwidth_hz, sensitivity_125khz_dbm) + margin_db <= rssi_dbm) return sf;
  }
  return 12;
}

int adr_steps(double snr_max_db, int spreading_factor, const AdrParams& params) {
  const double margin_db = snr_max_db - required_snr_db(spreading_factor) - params.installation_margin_db;
  const double steps = margin_db / 3.0;
  return static_cast<int>(params.rounding == StepRounding::Floor ? std::floor(steps) : std::trunc(steps));
}

AdrSetting adr_apply_steps(int steps, const AdrSetting& current, const AdrParams& params) {
  AdrSetting next = current;
  while (steps > 0 && next.spreading_factor > params.min_spreading_factor) {
    --next.spreading_factor;
    --steps;
  }
  // Power moves in whole steps and never leaves [min, max]; the comparisons allow for a setting that
  // is not on the step grid (it moves toward the bound but does not pass it).
  while (steps > 0 && next.tx_power_dbm - params.tx_power_step_db >= params.min_tx_power_dbm) {
    next.tx_power_dbm -= params.tx_power_step_db;
    --steps;
  }
  while (steps < 0 && next.tx_power_dbm + params.tx_power_step_db <= params.max_tx_power_dbm) {
    next.tx_power_dbm += params.tx_power_step_db;
    ++steps;
  }
  return next;
}

void AdrHistory::add_gateways(std::span<const double> gateway_snr_db) {
  if (gateway_snr_db.empty()) throw std::invalid_argument("an uplink needs at least one gateway SNR");
  add(*std::max_element(gateway_snr_db.begin(), gateway_snr_db.end()));
}

std::optional<AdrSetting> adr_decide(const AdrHistory& history, const AdrSetting& current,
                                     const AdrParams& params) {
  return adr_decide(history.size(), history.full(), history.size() > 0 ? history.max_snr_db() : 0.0, current,
                    params);
}

std::optional<AdrSetting> adr_decide(int history_size, bool history_full, double max_snr_db,
                                     const AdrSetting& current, const AdrParams& params) {
  if (history_size == 0) return std::nullopt;
  if (params.require_full_history && !history_full) return std::nullopt;
  const int steps = adr_steps(max_snr_db, current.spreading_factor, params);
  if (steps < 0 && !history_full) return current;
  return adr_apply_steps(steps, current, params);
}

}  // namespace citytwin::models::radio
