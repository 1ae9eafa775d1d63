#include "sim/plan/coverage_reach.hpp"

#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <limits>

#include "models/radio/reception.hpp"
#include "models/radio/wifi.hpp"

namespace citytwin::sim::plan {

using scenario::Technology;

CoverageRadio population_radio(const scenario::DevicePopulation& pop, int max_sf) {
  CoverageRadio r;
  r.technology = pop.technology;
  const bool fixed_sf = !pop.radio.sf_auto && !pop.radio.adr;
  r.sf = fixed_sf ? pop.radio.phy.spreading_factor : max_sf;
  r.bandwidth_hz = pop.radio.phy.bandwidth_hz;
  r.tx_power_dbm = pop.radio.tx_power_dbm;
  r.penetration_mean_db = pop.penetration.mean_db;
  r.penetration_sigma_db = pop.penetration.sigma_db;
  return r;
}

CoverageRadio reference_radio(Technology technology) {
  CoverageRadio r;
  r.technology = technology;
  if (technology == Technology::NbIot) r.tx_power_dbm = 23.0;  // 3GPP TS 36.101 power class 3
  return r;
}

double location_probability_z(double p) { return boost::math::quantile(boost::math::normal(), p); }

double location_margin_db(const scenario::RadioChannel& channel, const CoverageRadio& radio) {
  if (radio.technology == Technology::WiFi) return 0.0;
  return location_probability_z(channel.location_probability) *
         std::hypot(channel.shadowing_sigma_db, radio.penetration_sigma_db);
}

double covered_path_loss_db(const scenario::Scenario& sc, const CoverageRadio& radio,
                            const scenario::Gateway& station) {
  const double losses = radio.penetration_mean_db + location_margin_db(sc.channel, radio);
  switch (radio.technology) {
    case Technology::LoRaWAN:
      return radio.tx_power_dbm + station.antenna_gain_dbi -
             models::radio::gateway_sensitivity_dbm(radio.sf, radio.bandwidth_hz,
                                                    sc.channel.gateway_sensitivity_dbm) -
             losses;
    case Technology::NbIot:
      return city::kNbiotMaxCouplingLossDb + station.antenna_gain_dbi - losses;
    case Technology::WiFi:
      break;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

double covered_reach_m(const scenario::Scenario& sc, const CoverageRadio& radio,
                       const scenario::Gateway& station) {
  if (radio.technology == Technology::WiFi)
    return models::radio::WifiLinkBudget{}.range_m(models::radio::WifiConfig{}.association_threshold_dbm);
  // A budget below the loss at the reference distance covers nowhere, not even beside the station.
  const double max_loss_db = covered_path_loss_db(sc, radio, station);
  if (!(max_loss_db >= sc.channel.path_loss.reference_loss_db)) return -1.0;
  return sc.channel.path_loss.distance_for_loss_m(max_loss_db);
}

bool device_heard(const scenario::Scenario& sc, const city::CityLayout& city, std::size_t device) {
  const std::size_t p = city.device_population[device];
  const scenario::DevicePopulation& pop = sc.devices[p];
  const uint64_t begin = city.link_offset[device], end = city.link_offset[device + 1];
  if (pop.technology != Technology::LoRaWAN) return end > begin;
  // A device with no link at its own SF keeps its SF12 links (sim/city/device_links.cpp): they do not count.
  const int sf = pop.radio.adr ? city.populations[p].max_sf : city.device_sf[device];
  const double sensitivity = models::radio::gateway_sensitivity_dbm(sf, pop.radio.phy.bandwidth_hz,
                                                                    sc.channel.gateway_sensitivity_dbm);
  // As sim/access/radio_medium.cpp compares them: float received power against the smallest float at or
  // above the sensitivity.
  float threshold = static_cast<float>(sensitivity);
  if (static_cast<double>(threshold) < sensitivity)
    threshold = std::nextafter(threshold, std::numeric_limits<float>::infinity());
  const auto tx = static_cast<float>(pop.radio.tx_power_dbm);
  for (uint64_t k = begin; k < end; ++k)
    if (tx + city.link_gain_db[k] >= threshold) return true;
  return false;
}

}  // namespace citytwin::sim::plan
