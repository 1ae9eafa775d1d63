#include "sim/plan/coverage.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "models/radio/reception.hpp"
#include "models/radio/wifi.hpp"

namespace citytwin::sim::plan {
namespace {

using scenario::Technology;

constexpr double kNominalLoraTxDbm = 14.0;

std::size_t index(Technology t) { return static_cast<std::size_t>(t); }

}  // namespace

double reach_m(const scenario::Scenario& sc, const scenario::Gateway& gw) {
  switch (gw.technology) {
    case Technology::LoRaWAN: {
      const double sensitivity =
          models::radio::gateway_sensitivity_dbm(12, 125e3, sc.channel.gateway_sensitivity_dbm);
      return sc.channel.path_loss.distance_for_loss_m(kNominalLoraTxDbm + gw.antenna_gain_dbi - sensitivity);
    }
    case Technology::NbIot:
      return sc.channel.path_loss.distance_for_loss_m(city::kNbiotMaxCouplingLossDb + gw.antenna_gain_dbi);
    case Technology::WiFi:
      return models::radio::WifiLinkBudget{}.range_m(models::radio::WifiConfig{}.association_threshold_dbm);
  }
  return 0.0;
}

Coverage compute_coverage(const scenario::Scenario& sc, const city::CityLayout& city) {
  Coverage out;
  CoverageGrid& grid = out.grid;
  double x_min = std::numeric_limits<double>::infinity(), y_min = x_min, x_max = -x_min, y_max = -x_min;
  for (const scenario::District& d : sc.city.districts) {
    x_min = std::min(x_min, d.x_min_m);
    y_min = std::min(y_min, d.y_min_m);
    x_max = std::max(x_max, d.x_max_m);
    y_max = std::max(y_max, d.y_max_m);
  }
  const std::size_t n_districts = sc.city.districts.size();
  if (n_districts == 0) return out;
  grid.cell_m = std::max(kMinCellM, std::max(x_max - x_min, y_max - y_min) / kMaxCellsAcross);
  grid.x0_m = x_min;
  grid.y0_m = y_min;
  grid.nx = std::max(1, static_cast<int>(std::ceil((x_max - x_min) / grid.cell_m)));
  grid.ny = std::max(1, static_cast<int>(std::ceil((y_max - y_min) / grid.cell_m)));
  const std::size_t cells = static_cast<std::size_t>(grid.nx) * static_cast<std::size_t>(grid.ny);
  grid.district.assign(cells, -1);
  for (int j = 0; j < grid.ny; ++j)
    for (int i = 0; i < grid.nx; ++i)
      grid.district[static_cast<std::size_t>(j) * grid.nx + i] = scenario::district_of(
          sc.city, grid.x0_m + (i + 0.5) * grid.cell_m, grid.y0_m + (j + 0.5) * grid.cell_m);

  // Each sample point is covered by a technology when a gateway of it reaches it; a gateway only visits
  // the cells its disc overlaps.
  constexpr int kSamples = kSamplesPerSide * kSamplesPerSide;
  std::array<std::vector<uint8_t>, kTechnologies> hit;  // per technology, per cell x sample
  for (auto& h : hit) h.assign(cells * kSamples, 0);
  const double step = grid.cell_m / kSamplesPerSide;
  for (const scenario::Gateway& gw : sc.gateways) {
    const double r = reach_m(sc, gw);
    // Within r by the squared distance, away from the edge; std::hypot (exact to an ulp) decides the points
    // within 1e-12 of it, as it decided them all (it cost 3 s of the realistic 1 M city's set-up).
    const double r2_in = r * r * (1.0 - 1e-12), r2_out = r * r * (1.0 + 1e-12);
    std::vector<uint8_t>& h = hit[index(gw.technology)];
    const int i0 = std::max(0, static_cast<int>(std::floor((gw.x_m - r - grid.x0_m) / grid.cell_m)));
    const int i1 =
        std::min(grid.nx - 1, static_cast<int>(std::floor((gw.x_m + r - grid.x0_m) / grid.cell_m)));
    const int j0 = std::max(0, static_cast<int>(std::floor((gw.y_m - r - grid.y0_m) / grid.cell_m)));
    const int j1 =
        std::min(grid.ny - 1, static_cast<int>(std::floor((gw.y_m + r - grid.y0_m) / grid.cell_m)));
    for (int j = j0; j <= j1; ++j) {
      for (int i = i0; i <= i1; ++i) {
        const std::size_t cell = static_cast<std::size_t>(j) * grid.nx + i;
        for (int s = 0; s < kSamples; ++s) {
          uint8_t& covered = h[cell * kSamples + s];
          if (covered) continue;  // by an earlier gateway
          const double x = grid.x0_m + i * grid.cell_m + (s % kSamplesPerSide + 0.5) * step;
          const double y = grid.y0_m + j * grid.cell_m + (s / kSamplesPerSide + 0.5) * step;
          const double dx = x - gw.x_m, dy = y - gw.y_m, d2 = dx * dx + dy * dy;
          if (d2 <= r2_in || (d2 <= r2_out && std::hypot(dx, dy) <= r)) covered = 1;
        }
      }
    }
  }
  // Per district and city-wide: covered sample points over sample points inside districts.
  std::array<std::vector<double>, kTechnologies> area_hit, device_hit, device_total;
  std::vector<double> area_total(n_districts, 0.0);
  for (std::size_t t = 0; t < kTechnologies; ++t) {
    area_hit[t].assign(n_districts, 0.0);
    device_hit[t].assign(n_districts, 0.0);
    device_total[t].assign(n_districts, 0.0);
    grid.covered[t].assign(cells, 0.0F);
  }
  for (int j = 0; j < grid.ny; ++j) {
    for (int i = 0; i < grid.nx; ++i) {
      const std::size_t cell = static_cast<std::size_t>(j) * grid.nx + i;
      for (int s = 0; s < kSamples; ++s) {
        const double x = grid.x0_m + i * grid.cell_m + (s % kSamplesPerSide + 0.5) * step;
        const double y = grid.y0_m + j * grid.cell_m + (s / kSamplesPerSide + 0.5) * step;
        const int d = scenario::district_of(sc.city, x, y);
        if (d >= 0) area_total[static_cast<std::size_t>(d)] += 1.0;
        for (std::size_t t = 0; t < kTechnologies; ++t) {
          if (!hit[t][cell * kSamples + s]) continue;
          grid.covered[t][cell] += 1.0F / kSamples;
          if (d >= 0) area_hit[t][static_cast<std::size_t>(d)] += 1.0;
        }
      }
    }
  }
  // Devices: LoRaWAN and NB-IoT by the layout's links; Wi-Fi by the strongest access point's reach.
  const double wifi_reach =
      models::radio::WifiLinkBudget{}.range_m(models::radio::WifiConfig{}.association_threshold_dbm);
  for (std::size_t dev = 0; dev < city.device_count(); ++dev) {
    const Technology tech = sc.devices[city.device_population[dev]].technology;
    const std::size_t t = index(tech), d = city.device_district[dev];
    if (d >= n_districts) continue;
    device_total[t][d] += 1.0;
    bool covered = false;
    if (tech == Technology::WiFi) {
      for (const scenario::Gateway& gw : sc.gateways) {
        if (gw.technology == Technology::WiFi &&
            std::hypot(gw.x_m - city.device_x_m[dev], gw.y_m - city.device_y_m[dev]) <= wifi_reach) {
          covered = true;
          break;
        }
      }
    } else {
      covered = city.link_offset[dev + 1] > city.link_offset[dev];
    }
    if (covered) device_hit[t][d] += 1.0;
  }
  const auto ratio = [](double a, double b) {
    return b > 0.0 ? a / b : std::numeric_limits<double>::quiet_NaN();
  };
  const auto sum = [](const std::vector<double>& v) {
    double s = 0.0;
    for (double x : v) s += x;
    return s;
  };
  out.by_district.key_name = "district";
  for (const scenario::District& d : sc.city.districts) out.by_district.keys.push_back(d.name);
  double all_hit = 0.0, all_total = 0.0;
  for (std::size_t t = 0; t < kTechnologies; ++t) {
    const std::string name = models::radio::to_string(static_cast<Technology>(t));
    std::vector<double> area(n_districts), devices(n_districts);
    for (std::size_t d = 0; d < n_districts; ++d) {
      area[d] = ratio(area_hit[t][d], area_total[d]);
      devices[d] = ratio(device_hit[t][d], device_total[t][d]);
    }
    out.by_district.columns.emplace_back("area_" + name, area);
    out.by_district.columns.emplace_back("devices_" + name, devices);
    out.kpis.emplace_back("coverage_area_" + name, ratio(sum(area_hit[t]), sum(area_total)));
    // Only for technologies the city has devices of: a KPI is a number (NaN would make equal runs unequal).
    if (sum(device_total[t]) > 0.0)
      out.kpis.emplace_back("coverage_devices_" + name, ratio(sum(device_hit[t]), sum(device_total[t])));
    all_hit += sum(device_hit[t]);
    all_total += sum(device_total[t]);
  }
  out.kpis.emplace_back("coverage_devices", ratio(all_hit, all_total));

  out.grid_table.key_name = "cell";
  std::vector<double> xs, ys, ds;
  std::array<std::vector<double>, kTechnologies> shares;
  for (int j = 0; j < grid.ny; ++j) {
    for (int i = 0; i < grid.nx; ++i) {
      const std::size_t cell = static_cast<std::size_t>(j) * grid.nx + i;
      out.grid_table.keys.push_back(std::to_string(i) + "," + std::to_string(j));
      xs.push_back(grid.x0_m + (i + 0.5) * grid.cell_m);
      ys.push_back(grid.y0_m + (j + 0.5) * grid.cell_m);
      ds.push_back(grid.district[cell]);
      for (std::size_t t = 0; t < kTechnologies; ++t) shares[t].push_back(grid.covered[t][cell]);
    }
  }
  out.grid_table.columns.emplace_back("x_m", xs);
  out.grid_table.columns.emplace_back("y_m", ys);
  out.grid_table.columns.emplace_back("district", ds);
  for (std::size_t t = 0; t < kTechnologies; ++t)
    out.grid_table.columns.emplace_back(models::radio::to_string(static_cast<Technology>(t)), shares[t]);
  return out;
}

}  // namespace citytwin::sim::plan
