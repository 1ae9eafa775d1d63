// The static city the fleet engine runs on: every device's population, district and position, every
// gateway's district, and for each device the gateways that can hear it (with the received power),
// in compressed-sparse-row form. Built once from the scenario; read-only during the run.
#pragma once

#include <cstdint>
#include <vector>

#include "models/device/firmware.hpp"
#include "sim/scenario.hpp"
#include "sim/thread_pool.hpp"

namespace citytwin::sim {

// Per-population constants the fleet engine needs on every event.
struct PopulationProfile {
  double airtime_s = 0.0;
  uint8_t spreading_factor = 7;
  double bandwidth_hz = 125e3;
  std::vector<uint32_t> channels_hz;
  Traffic traffic = Traffic::Periodic;
  double interval_s = 900.0;
  double jitter = 0.0;
  double battery_mah = 0.0;
  models::device::DutyCycleMachine machine{models::device::FirmwareProfile{}};
};

struct CityLayout {
  std::vector<PopulationProfile> populations;

  // Devices, population-major in scenario order: device id = index.
  std::vector<uint16_t> device_population;
  std::vector<uint16_t> device_district;
  std::vector<double> device_x_m;
  std::vector<double> device_y_m;

  // Gateways in scenario order.
  std::vector<int32_t> gateway_district;  // -1 when outside every district

  // Device d is heard by link_gateway[k] at link_rssi_dbm[k] for k in [link_offset[d], link_offset[d+1]).
  std::vector<uint64_t> link_offset;
  std::vector<uint32_t> link_gateway;
  std::vector<float> link_rssi_dbm;

  size_t device_count() const { return device_population.size(); }
  size_t gateway_count() const { return gateway_district.size(); }
};

// Places devices (named stream "placement" per population) and computes the links. Throws RunError
// when a population's disc cannot be filled inside the districts.
CityLayout build_city_layout(const Scenario& scenario, uint64_t seed, ThreadPool& pool);

// Bytes of memory the run needs per device, before links (layout, fleet state, buffers).
inline constexpr size_t kBytesPerDevice = 96;

}  // namespace citytwin::sim
