// Coverage: the share of the city's area, and of its devices, within reach of at least one gateway, NB-IoT
// cell or Wi-Fi access point, per technology, city-wide and per district, and a coarse grid for maps.
//
// Reach is the nominal link budget, without shadowing (a planner's coverage map):
//   LoRaWAN: a 14 dBm device (the EU868 default) heard at SF12 by the gateway (its antenna gain, the
//            scenario's path loss and SF12 sensitivity at 125 kHz);
//   NB-IoT:  a coupling loss (path loss less the cell's antenna gain) within 164 dB, the Rel-13 maximum
//            coupling loss (3GPP TR 45.820; sim/city/city_layout.hpp);
//   Wi-Fi:   the 5 GHz link budget of models/radio/wifi.hpp reaching the association threshold (-82 dBm).
// A device is covered when it has a link (LoRaWAN, NB-IoT: the city layout's links, which include its
// shadowing and building penetration) or its strongest access point reaches the association threshold
// (Wi-Fi, as sim/access/wifi_access.cpp associates it).
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

// Nominal reach of a gateway (see above), in metres.
double reach_m(const scenario::Scenario& scenario, const scenario::Gateway& gateway);

struct CoverageGrid {
  double x0_m = 0.0, y0_m = 0.0, cell_m = 0.0;  // south-west corner of cell (0, 0), side
  int nx = 0, ny = 0;
  std::vector<int32_t> district;  // per cell (row-major from the south-west), -1 outside every district
  std::array<std::vector<float>, kTechnologies> covered;  // per technology, per cell: share covered
};

struct Coverage {
  CoverageGrid grid;
  output::KpiList kpis;          // coverage_area_<tech>, coverage_devices_<tech>, coverage_devices
  output::KpiTable by_district;  // /kpi/coverage_by_district
  output::KpiTable grid_table;   // /kpi/coverage_grid
};

Coverage compute_coverage(const scenario::Scenario& scenario, const city::CityLayout& city);

}  // namespace citytwin::sim::plan
