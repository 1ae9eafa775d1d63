#include "sim/city_layout.hpp"

#include <cmath>
#include <numbers>
#include <string>

#include "models/radio/lora_phy.hpp"
#include "models/radio/reception.hpp"
#include "sim/rng.hpp"
#include "sim/run.hpp"

namespace citytwin::sim {
namespace {

int district_of(const City& city, double x_m, double y_m) {
  for (size_t i = 0; i < city.districts.size(); ++i)
    if (city.districts[i].contains(x_m, y_m)) return static_cast<int>(i);
  return -1;
}

PopulationProfile make_profile(const DevicePopulation& pop) {
  PopulationProfile p;
  p.airtime_s = models::radio::time_on_air_s(pop.payload_bytes + pop.mac_overhead_bytes, pop.radio.phy);
  p.spreading_factor = static_cast<uint8_t>(pop.radio.phy.spreading_factor);
  p.bandwidth_hz = pop.radio.phy.bandwidth_hz;
  for (double f : pop.radio.channels_hz) p.channels_hz.push_back(static_cast<uint32_t>(std::llround(f)));
  p.traffic = pop.traffic;
  p.interval_s = pop.interval_s;
  p.jitter = pop.jitter;
  p.battery_mah = pop.battery.capacity_mah;
  p.machine = models::device::DutyCycleMachine(pop.firmware);
  return p;
}

void place_population(const Scenario& sc, size_t pop_index, uint64_t seed, CityLayout& city) {
  const DevicePopulation& pop = sc.devices[pop_index];
  Stream rng(seed, "placement", pop_index);
  std::vector<size_t> districts;
  std::vector<double> cumulative_area;
  for (const std::string& name : pop.placement.districts) {
    for (size_t i = 0; i < sc.city.districts.size(); ++i) {
      if (sc.city.districts[i].name != name) continue;
      districts.push_back(i);
      cumulative_area.push_back((cumulative_area.empty() ? 0.0 : cumulative_area.back()) +
                                sc.city.districts[i].area_m2());
    }
  }
  for (int64_t j = 0; j < pop.count; ++j) {
    double x = 0.0, y = 0.0;
    int district = -1;
    if (!districts.empty()) {
      const double a = rng.uniform() * cumulative_area.back();
      size_t k = 0;
      while (k + 1 < districts.size() && a >= cumulative_area[k]) ++k;
      const District& d = sc.city.districts[districts[k]];
      x = rng.uniform(d.x_min_m, d.x_max_m);
      y = rng.uniform(d.y_min_m, d.y_max_m);
      district = static_cast<int>(districts[k]);
    } else {
      // Uniform in the disc, rejecting points outside every district.
      for (int attempt = 0; attempt < 1000 && district < 0; ++attempt) {
        const double r = pop.placement.disc_radius_m * std::sqrt(rng.uniform());
        const double theta = 2.0 * std::numbers::pi * rng.uniform();
        x = pop.placement.disc_x_m + r * std::cos(theta);
        y = pop.placement.disc_y_m + r * std::sin(theta);
        district = district_of(sc.city, x, y);
      }
      if (district < 0)
        throw RunError(pop.placement.mark.file + ":" + std::to_string(pop.placement.mark.line) + ":" +
                       std::to_string(pop.placement.mark.column) + ": devices[" + std::to_string(pop_index) +
                       "].disc: the disc lies (almost) entirely outside the districts");
    }
    city.device_population.push_back(static_cast<uint16_t>(pop_index));
    city.device_district.push_back(static_cast<uint16_t>(district));
    city.device_x_m.push_back(x);
    city.device_y_m.push_back(y);
  }
}

}  // namespace

CityLayout build_city_layout(const Scenario& sc, uint64_t seed, ThreadPool& pool) {
  CityLayout city;
  int64_t total = 0;
  for (const auto& pop : sc.devices) total += pop.count;
  city.device_population.reserve(static_cast<size_t>(total));
  city.device_district.reserve(static_cast<size_t>(total));
  city.device_x_m.reserve(static_cast<size_t>(total));
  city.device_y_m.reserve(static_cast<size_t>(total));
  for (size_t p = 0; p < sc.devices.size(); ++p) {
    city.populations.push_back(make_profile(sc.devices[p]));
    place_population(sc, p, seed, city);
  }
  for (const Gateway& g : sc.gateways) city.gateway_district.push_back(district_of(sc.city, g.x_m, g.y_m));

  // Links: every gateway whose received power is at or above its sensitivity for the device's SF.
  // Computed in blocks of devices in parallel, then concatenated in device order.
  const size_t n = city.device_count();
  const size_t block = 4096;
  const size_t blocks = (n + block - 1) / block;
  std::vector<std::vector<uint32_t>> block_gateway(blocks);
  std::vector<std::vector<float>> block_rssi(blocks);
  std::vector<std::vector<uint32_t>> block_count(blocks);
  pool.parallel_for(blocks, [&](size_t b) {
    for (size_t d = b * block; d < std::min(n, (b + 1) * block); ++d) {
      const DevicePopulation& pop = sc.devices[city.device_population[d]];
      const double sensitivity = models::radio::gateway_sensitivity_dbm(
          pop.radio.phy.spreading_factor, pop.radio.phy.bandwidth_hz, sc.channel.gateway_sensitivity_dbm);
      uint32_t count = 0;
      for (size_t g = 0; g < sc.gateways.size(); ++g) {
        const Gateway& gw = sc.gateways[g];
        const double dist = std::hypot(gw.x_m - city.device_x_m[d], gw.y_m - city.device_y_m[d]);
        const double rssi = pop.radio.tx_power_dbm + gw.antenna_gain_dbi - sc.channel.path_loss.loss_db(dist);
        if (rssi < sensitivity) continue;
        block_gateway[b].push_back(static_cast<uint32_t>(g));
        block_rssi[b].push_back(static_cast<float>(rssi));
        ++count;
      }
      block_count[b].push_back(count);
    }
  });
  city.link_offset.reserve(n + 1);
  city.link_offset.push_back(0);
  for (size_t b = 0; b < blocks; ++b) {
    for (uint32_t c : block_count[b]) city.link_offset.push_back(city.link_offset.back() + c);
    city.link_gateway.insert(city.link_gateway.end(), block_gateway[b].begin(), block_gateway[b].end());
    city.link_rssi_dbm.insert(city.link_rssi_dbm.end(), block_rssi[b].begin(), block_rssi[b].end());
  }
  return city;
}

}  // namespace citytwin::sim
