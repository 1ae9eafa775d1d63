#include "sim/access/jamming.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "models/radio/adr.hpp"

namespace citytwin::sim::access {

JammingField::JammingField(const scenario::Scenario& scenario, const city::CityLayout& city)
    : jammers_(scenario.attacks.jamming),
      noise_figure_db_(scenario.channel.noise_figure_db),
      gateways_(city.gateway_count()) {
  received_dbm_.assign(jammers_.size() * gateways_, -std::numeric_limits<double>::infinity());
  for (size_t j = 0; j < jammers_.size(); ++j) {
    for (uint32_t g = 0; g < gateways_ && g < scenario.gateways.size(); ++g) {
      if (city.gateway_technology[g] != scenario::Technology::LoRaWAN) continue;
      const scenario::Gateway& gw = scenario.gateways[g];
      const double d = std::max(std::hypot(gw.x_m - jammers_[j].x_m, gw.y_m - jammers_[j].y_m),
                                scenario.channel.path_loss.reference_distance_m);
      received_dbm_[j * gateways_ + g] =
          jammers_[j].power_dbm + gw.antenna_gain_dbi - scenario.channel.path_loss.loss_db(d);
    }
  }
}

double JammingField::noise_rise_db(uint32_t gateway, uint32_t channel_hz, double bandwidth_hz, double t0_s,
                                   double t1_s) const {
  const double noise_dbm = models::radio::noise_floor_dbm(bandwidth_hz, noise_figure_db_);
  double ratio = 0.0;  // jamming power over thermal noise, linear
  for (size_t j = 0; j < jammers_.size(); ++j) {
    const scenario::Jamming& jam = jammers_[j];
    if (!(jam.start_s < t1_s && t0_s < jam.end_s)) continue;
    if (!jam.jams(static_cast<double>(channel_hz))) continue;
    ratio += std::pow(10.0, (received_dbm(j, gateway) - noise_dbm) / 10.0);
  }
  return ratio > 0.0 ? 10.0 * std::log10(1.0 + ratio) : 0.0;
}

}  // namespace citytwin::sim::access
