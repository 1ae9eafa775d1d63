#include "sim/plan/coverage.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "sim/plan/coverage_reach.hpp"

namespace citytwin::sim::plan {
namespace {

using scenario::Technology;

std::size_t index(Technology t) { return static_cast<std::size_t>(t); }

constexpr int kSamples = kSamplesPerSide * kSamplesPerSide;

// Marks the sample points of the grid within reach_m of (x_m, y_m); a station only visits the cells its disc
// overlaps.
void mark_disc(const CoverageGrid& grid, double x_m, double y_m, double reach_m, std::vector<uint8_t>& hit) {
  if (!(reach_m >= 0.0)) return;  // not even at the station (NaN: no budget)
  const double r = reach_m, step = grid.cell_m / kSamplesPerSide;
  // Within r by the squared distance, away from the edge; std::hypot (exact to an ulp) decides the points
  // within 1e-12 of it, as it decided them all (it cost 3 s of the realistic 1 M city's set-up).
  const double r2_in = r * r * (1.0 - 1e-12), r2_out = r * r * (1.0 + 1e-12);
  const int i0 = std::max(0, static_cast<int>(std::floor((x_m - r - grid.x0_m) / grid.cell_m)));
  const int i1 = std::min(grid.nx - 1, static_cast<int>(std::floor((x_m + r - grid.x0_m) / grid.cell_m)));
  const int j0 = std::max(0, static_cast<int>(std::floor((y_m - r - grid.y0_m) / grid.cell_m)));
  const int j1 = std::min(grid.ny - 1, static_cast<int>(std::floor((y_m + r - grid.y0_m) / grid.cell_m)));
  for (int j = j0; j <= j1; ++j) {
    for (int i = i0; i <= i1; ++i) {
      const std::size_t cell = static_cast<std::size_t>(j) * grid.nx + i;
      for (int s = 0; s < kSamples; ++s) {
        uint8_t& covered = hit[cell * kSamples + s];
        if (covered) continue;  // by an earlier station
        const double x = grid.x0_m + i * grid.cell_m + (s % kSamplesPerSide + 0.5) * step;
        const double y = grid.y0_m + j * grid.cell_m + (s / kSamplesPerSide + 0.5) * step;
        const double dx = x - x_m, dy = y - y_m, d2 = dx * dx + dy * dy;
        if (d2 <= r2_in || (d2 <= r2_out && std::hypot(dx, dy) <= r)) covered = 1;
      }
    }
  }
}

// Whether the point (in district d, -1 outside) is where the population places its devices.
bool placed_at(const scenario::Placement& p, const std::vector<char>& in_district, int d, double x,
               double y) {
  if (d < 0) return false;
  if (p.districts.empty()) return std::hypot(x - p.disc_x_m, y - p.disc_y_m) <= p.disc_radius_m;
  return in_district[static_cast<std::size_t>(d)] != 0;
}

}  // namespace

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

  // The radios coverage is judged at: each population's own (the same radio judged once), and the reference
  // device of a technology without devices.
  const std::size_t n_populations = sc.devices.size();
  std::vector<CoverageRadio> radios;
  std::vector<std::size_t> radio_of(n_populations);
  const auto radio_index = [&](const CoverageRadio& r) {
    const auto it = std::find(radios.begin(), radios.end(), r);
    if (it != radios.end()) return static_cast<std::size_t>(it - radios.begin());
    radios.push_back(r);
    return radios.size() - 1;
  };
  std::array<std::vector<std::size_t>, kTechnologies> populations_of;  // those with devices
  for (std::size_t p = 0; p < n_populations; ++p) {
    const scenario::DevicePopulation& pop = sc.devices[p];
    radio_of[p] = radio_index(population_radio(pop, city.populations[p].max_sf));
    if (pop.count > 0) populations_of[index(pop.technology)].push_back(p);
  }
  std::array<std::size_t, kTechnologies> reference{};
  for (std::size_t t = 0; t < kTechnologies; ++t)
    if (populations_of[t].empty()) reference[t] = radio_index(reference_radio(static_cast<Technology>(t)));

  // Each sample point is covered for a radio when a station of its technology covers it.
  std::vector<std::vector<uint8_t>> hit(radios.size(), std::vector<uint8_t>(cells * kSamples, 0));
  for (std::size_t r = 0; r < radios.size(); ++r)
    for (const scenario::Gateway& gw : sc.gateways)
      if (gw.technology == radios[r].technology)
        mark_disc(grid, gw.x_m, gw.y_m, covered_reach_m(sc, radios[r], gw), hit[r]);

  // Which districts each population places its devices in (a disc: by distance).
  std::vector<std::vector<char>> in_district(n_populations, std::vector<char>(n_districts, 0));
  for (std::size_t p = 0; p < n_populations; ++p)
    for (const std::string& name : sc.devices[p].placement.districts)
      for (std::size_t d = 0; d < n_districts; ++d)
        if (sc.city.districts[d].name == name) in_district[p][d] = 1;

  // A sample point's share covered, per technology: the share of the technology's devices, each population
  // at its own radio, that would be covered there, weighted by the populations' densities where they are
  // placed (elsewhere, and outside the districts, by their counts). First the placements' areas.
  const double step = grid.cell_m / kSamplesPerSide;
  std::vector<double> placed_points(n_populations, 0.0), placed_hit(n_populations, 0.0);
  std::vector<int32_t> sample_district(cells * kSamples);  // looked up once: a polygon district costs
  for (std::size_t k = 0; k < sample_district.size(); ++k) {
    const std::size_t cell = k / kSamples;
    const int s = static_cast<int>(k % kSamples);
    const int i = static_cast<int>(cell % static_cast<std::size_t>(grid.nx));
    const int j = static_cast<int>(cell / static_cast<std::size_t>(grid.nx));
    sample_district[k] =
        scenario::district_of(sc.city, grid.x0_m + i * grid.cell_m + (s % kSamplesPerSide + 0.5) * step,
                              grid.y0_m + j * grid.cell_m + (s / kSamplesPerSide + 0.5) * step);
  }
  const auto for_each_sample = [&](auto&& f) {
    for (int j = 0; j < grid.ny; ++j)
      for (int i = 0; i < grid.nx; ++i) {
        const std::size_t cell = static_cast<std::size_t>(j) * grid.nx + i;
        for (int s = 0; s < kSamples; ++s) {
          const double x = grid.x0_m + i * grid.cell_m + (s % kSamplesPerSide + 0.5) * step;
          const double y = grid.y0_m + j * grid.cell_m + (s / kSamplesPerSide + 0.5) * step;
          f(cell, s, x, y, sample_district[cell * kSamples + s]);
        }
      }
  };

  for_each_sample([&](std::size_t cell, int s, double x, double y, int d) {
    for (std::size_t p = 0; p < n_populations; ++p) {
      if (!placed_at(sc.devices[p].placement, in_district[p], d, x, y)) continue;
      placed_points[p] += 1.0;
      placed_hit[p] += hit[radio_of[p]][cell * kSamples + s];
    }
  });
  std::vector<double> density(n_populations, 0.0);
  for (std::size_t p = 0; p < n_populations; ++p)
    if (placed_points[p] > 0.0) density[p] = static_cast<double>(sc.devices[p].count) / placed_points[p];

  std::array<std::vector<double>, kTechnologies> area_hit, device_hit, device_total;
  std::vector<double> area_total(n_districts, 0.0);
  for (std::size_t t = 0; t < kTechnologies; ++t) {
    area_hit[t].assign(n_districts, 0.0);
    device_hit[t].assign(n_districts, 0.0);
    device_total[t].assign(n_districts, 0.0);
    grid.covered[t].assign(cells, 0.0F);
  }
  for_each_sample([&](std::size_t cell, int s, double x, double y, int d) {
    if (d >= 0) area_total[static_cast<std::size_t>(d)] += 1.0;
    for (std::size_t t = 0; t < kTechnologies; ++t) {
      double share = 0.0;
      if (populations_of[t].empty()) {
        share = hit[reference[t]][cell * kSamples + s];
      } else {
        double w_here = 0.0, hit_here = 0.0, w_all = 0.0, hit_all = 0.0;
        for (const std::size_t p : populations_of[t]) {
          const double h = hit[radio_of[p]][cell * kSamples + s];
          const double n = static_cast<double>(sc.devices[p].count);
          w_all += n;
          hit_all += n * h;
          if (density[p] > 0.0 && placed_at(sc.devices[p].placement, in_district[p], d, x, y)) {
            w_here += density[p];
            hit_here += density[p] * h;
          }
        }
        share = w_here > 0.0 ? hit_here / w_here : hit_all / w_all;
      }
      grid.covered[t][cell] += static_cast<float>(share / kSamples);
      if (d >= 0) area_hit[t][static_cast<std::size_t>(d)] += share;
    }
  });

  // Devices: as the run hears them (LoRaWAN, NB-IoT: device_heard), or by the strongest access point's reach
  // (Wi-Fi, as sim/access/wifi_access.cpp associates a camera).
  const double wifi_reach = covered_reach_m(sc, reference_radio(Technology::WiFi), scenario::Gateway{});
  std::vector<double> population_heard(n_populations, 0.0);
  for (std::size_t dev = 0; dev < city.device_count(); ++dev) {
    const std::size_t p = city.device_population[dev];
    const Technology tech = sc.devices[p].technology;
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
      covered = device_heard(sc, city, dev);
    }
    if (covered) population_heard[p] += 1.0;
    const std::size_t t = index(tech), d = city.device_district[dev];
    if (d >= n_districts) continue;
    device_total[t][d] += 1.0;
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

  out.by_population.key_name = "population";
  std::vector<double> sf, margin, devices, heard, area;
  for (std::size_t p = 0; p < n_populations; ++p) {
    const CoverageRadio& r = radios[radio_of[p]];
    out.by_population.keys.push_back(sc.devices[p].name);
    sf.push_back(r.technology == Technology::LoRaWAN ? r.sf : std::numeric_limits<double>::quiet_NaN());
    margin.push_back(location_margin_db(sc.channel, r));
    devices.push_back(static_cast<double>(sc.devices[p].count));
    heard.push_back(ratio(population_heard[p], static_cast<double>(sc.devices[p].count)));
    area.push_back(ratio(placed_hit[p], placed_points[p]));
  }
  out.by_population.columns.emplace_back("sf", sf);
  out.by_population.columns.emplace_back("margin_db", margin);
  out.by_population.columns.emplace_back("location_probability",
                                         std::vector<double>(n_populations, sc.channel.location_probability));
  out.by_population.columns.emplace_back("devices", devices);
  out.by_population.columns.emplace_back("devices_covered", heard);
  out.by_population.columns.emplace_back("area_covered", area);

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
