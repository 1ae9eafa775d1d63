// Coverage: where, and which of the city's devices, a gateway, NB-IoT cell or Wi-Fi access point covers, per
// technology, city-wide and per district, per device population, and a coarse grid for maps.
//
// Devices are judged as the run will hear them (sim/plan/coverage_reach.hpp device_heard): a LoRaWAN device
// is covered when its strongest link, with its own shadowing and penetration draws, reaches the gateway
// sensitivity at the largest SF it sends with (its own SF; with ADR the largest its region allows), an
// NB-IoT device when it is within the maximum coupling loss of a cell, a camera when an access point is in
// association range. A covered device is heard unless a collision, its duty cycle or an outage stops it;
// one not covered is never heard.
//
// Places are judged at the devices' own radios, with a location probability (coverage_reach.hpp): a point
// is covered for a population when a station of its technology hears a device of it there with at least
// 90 % probability (its SF, transmit power, the mean building penetration, and a margin of 1.28 sigma for
// the shadowing and the penetration's spread). A technology's share at a point is the share of its devices
// that would be covered there: its populations weighted by their density where they are placed (elsewhere
// by their counts); a technology with stations but no devices is judged at a reference device (LoRaWAN
// 14 dBm at SF12, outdoors).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "output/trace_writer.hpp"
#include "sim/city/city_layout.hpp"
#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::plan {

inline constexpr std::size_t kTechnologies = 3;  // models::radio::Technology: lorawan, nbiot, wifi

// Cells of the grid: square, the larger of kMinCellM and the city's larger extent / kMaxCellsAcross;
// each cell's covered share is judged on kSamplesPerSide x kSamplesPerSide points inside it.
inline constexpr double kMinCellM = 20.0;
inline constexpr int kMaxCellsAcross = 200;
inline constexpr int kSamplesPerSide = 4;

struct CoverageGrid {
  double x0_m = 0.0, y0_m = 0.0, cell_m = 0.0;  // south-west corner of cell (0, 0), side
  int nx = 0, ny = 0;
  std::vector<int32_t> district;  // per cell (row-major from the south-west), -1 outside every district
  std::array<std::vector<float>, kTechnologies> covered;  // per technology, per cell: share covered
};

struct Coverage {
  CoverageGrid grid;
  output::KpiList kpis;            // coverage_area_<tech>, coverage_devices_<tech>, coverage_devices
  output::KpiTable by_district;    // /kpi/coverage_by_district
  output::KpiTable by_population;  // /kpi/coverage_by_population
  output::KpiTable grid_table;     // /kpi/coverage_grid
};

Coverage compute_coverage(const scenario::Scenario& scenario, const city::CityLayout& city);

}  // namespace citytwin::sim::plan
