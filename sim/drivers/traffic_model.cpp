#include "sim/drivers/traffic_model.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <stdexcept>

#include "sim/drivers/sumo_output.hpp"

namespace citytwin::sim::drivers {
namespace {

// Length of the overlap of [a0, a1] and [b0, b1] (negative if disjoint).
double overlap(double a0, double a1, double b0, double b1) { return std::min(a1, b1) - std::max(a0, b0); }

}  // namespace

std::vector<std::vector<size_t>> district_neighbours(const scenario::City& city, double tolerance_m) {
  const auto& d = city.districts;
  std::vector<std::vector<size_t>> out(d.size());
  for (size_t i = 0; i < d.size(); ++i) {
    for (size_t j = i + 1; j < d.size(); ++j) {
      const auto& a = d[i];
      const auto& b = d[j];
      // A shared vertical border (a's east or west edge on b's west or east edge) with the y ranges
      // overlapping over more than the tolerance, or the same for a horizontal border.
      const bool vertical =
          std::abs(a.x_max_m - b.x_min_m) <= tolerance_m || std::abs(b.x_max_m - a.x_min_m) <= tolerance_m;
      const bool horizontal =
          std::abs(a.y_max_m - b.y_min_m) <= tolerance_m || std::abs(b.y_max_m - a.y_min_m) <= tolerance_m;
      const bool touch = (vertical && overlap(a.y_min_m, a.y_max_m, b.y_min_m, b.y_max_m) > tolerance_m) ||
                         (horizontal && overlap(a.x_min_m, a.x_max_m, b.x_min_m, b.x_max_m) > tolerance_m);
      if (touch) {
        out[i].push_back(j);
        out[j].push_back(i);
      }
    }
  }
  for (auto& n : out) std::sort(n.begin(), n.end());
  return out;
}

std::vector<int> hops_from(const std::vector<std::vector<size_t>>& neighbours, size_t from) {
  std::vector<int> hops(neighbours.size(), -1);
  if (from >= neighbours.size()) return hops;
  std::deque<size_t> queue{from};
  hops[from] = 0;
  while (!queue.empty()) {
    const size_t u = queue.front();
    queue.pop_front();
    for (size_t v : neighbours[u]) {
      if (hops[v] >= 0) continue;
      hops[v] = hops[u] + 1;
      queue.push_back(v);
    }
  }
  return hops;
}

double bpr_speed_kmh(double free_flow_kmh, double volume_vph, double capacity_vph, double alpha,
                     double beta) {
  if (volume_vph <= 0.0) return free_flow_kmh;
  if (capacity_vph <= 0.0) return 0.0;
  return free_flow_kmh / (1.0 + alpha * std::pow(volume_vph / capacity_vph, beta));
}

TrafficModel::TrafficModel(const scenario::City& city, const scenario::TrafficSpec& spec,
                           const QuantityField* demand)
    : spec_(spec),
      district_count_(city.districts.size()),
      demand_(demand),
      neighbours_(district_neighbours(city)),
      reach_(city.districts.size()),
      measured_(city.districts.size()) {
  for (auto& per_district : reach_) per_district.resize(spec_.incidents.size());
  for (size_t i = 0; i < spec_.incidents.size(); ++i) {
    const scenario::TrafficIncident& incident = spec_.incidents[i];
    int at = -1;
    for (size_t d = 0; d < district_count_; ++d)
      if (city.districts[d].name == incident.district) at = static_cast<int>(d);
    if (at < 0)
      throw std::invalid_argument("traffic incident in unknown district '" + incident.district + "'");
    const std::vector<int> hops = hops_from(neighbours_, static_cast<size_t>(at));
    for (size_t d = 0; d < district_count_; ++d) {
      if (hops[d] < 0 || hops[d] > spec_.spread_hops) continue;
      const double t0 = incident.start_s + hops[d] * spec_.delay_per_hop_s;
      const double t1 = incident.start_s + incident.duration_s;
      if (t0 >= t1) continue;
      reach_[d][i] = {incident.capacity_lost * std::pow(spec_.spread, hops[d]), t0, t1};
    }
  }
}

void TrafficModel::set_measured(size_t district, MeasuredTraffic measured) {
  measured_.at(district) = std::move(measured);
}

double TrafficModel::demand_vph(size_t district, double t_s) const {
  const MeasuredTraffic& measured = measured_[district];
  if (!measured.volume_vph.points.empty()) return measured.volume_vph.at(t_s);
  return demand_ != nullptr ? demand_->at(district, t_s) : 0.0;
}

double TrafficModel::capacity_vph(size_t district, double t_s) const {
  double c = spec_.capacity_vph;
  for (const Reach& r : reach_[district])
    if (r.loss > 0.0 && t_s >= r.t0_s && t_s < r.t1_s) c *= 1.0 - std::min(1.0, r.loss);
  return c;
}

double TrafficModel::volume_vph(size_t district, double t_s) const {
  if (!measured_[district].volume_vph.points.empty()) return demand_vph(district, t_s);
  return std::min(demand_vph(district, t_s), capacity_vph(district, t_s));
}

double TrafficModel::speed_kmh(size_t district, double t_s) const {
  const MeasuredTraffic& measured = measured_[district];
  if (!measured.speed_kmh.points.empty()) return measured.speed_kmh.at(t_s);
  return bpr_speed_kmh(spec_.free_flow_speed_kmh, demand_vph(district, t_s), capacity_vph(district, t_s),
                       spec_.bpr_alpha, spec_.bpr_beta);
}

std::vector<double> TrafficModel::jumps(size_t district, double end_s) const {
  std::vector<double> out;
  if (!measured_[district].volume_vph.points.empty()) return out;  // measured: no incidents applied
  for (const Reach& r : reach_[district]) {
    if (r.loss <= 0.0) continue;
    for (double t : {r.t0_s, r.t1_s})
      if (t > 0.0 && t < end_s) out.push_back(t);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

TrafficResult compute_traffic(const scenario::Scenario& sc, const QuantityField* demand) {
  const scenario::TrafficSpec& spec = sc.drivers.traffic;
  TrafficModel model(sc.city, spec, demand);
  if (!spec.sumo_network.empty()) {
    const SumoNetwork network = read_sumo_network(spec.sumo_network);
    const Point offset{spec.sumo_offset_x_m, spec.sumo_offset_y_m};
    std::vector<MeasuredTraffic> measured(sc.city.districts.size());
    if (!spec.sumo_loops.empty())
      measured = district_traffic(sc.city, read_loop_positions(spec.sumo_loop_detectors, network),
                                  read_loop_output(spec.sumo_loops), offset);
    if (!spec.sumo_edge_data.empty()) {  // edges win where both cover a district
      std::vector<MeasuredTraffic> edges =
          district_traffic(sc.city, network, read_edge_data(spec.sumo_edge_data), offset);
      for (size_t d = 0; d < edges.size(); ++d)
        if (!edges[d].volume_vph.points.empty()) measured[d] = std::move(edges[d]);
    }
    for (size_t d = 0; d < measured.size(); ++d)
      if (!measured[d].volume_vph.points.empty()) model.set_measured(d, std::move(measured[d]));
  }
  const double end_s = sc.run.duration_s;
  TrafficResult out;
  for (size_t d = 0; d < sc.city.districts.size(); ++d) {
    // Times: a grid of step_s, the demand's own knots, and each capacity jump twice (before, after).
    std::vector<double> times;
    for (double t = 0.0; t < end_s; t += spec.step_s) times.push_back(t);
    times.push_back(end_s);
    if (demand != nullptr)
      for (double t : demand->curve(d).knots(end_s, spec.step_s)) times.push_back(t);
    std::sort(times.begin(), times.end());
    times.erase(std::unique(times.begin(), times.end()), times.end());
    const std::vector<double> jumps = model.jumps(d, end_s);
    QuantityField::Curve volume, speed;
    volume.kind = speed.kind = scenario::QuantitySource::Kind::Points;
    const auto add = [&](double t, double at) {  // at: where to evaluate (just before a jump)
      volume.series.t_s.push_back(t);
      volume.series.value.push_back(model.volume_vph(d, at));
      speed.series.t_s.push_back(t);
      speed.series.value.push_back(model.speed_kmh(d, at));
    };
    for (double t : times) {
      if (std::binary_search(jumps.begin(), jumps.end(), t)) add(t, std::nextafter(t, -1.0));
      add(t, t);
    }
    out.volume.push_back(std::move(volume));
    out.speed.push_back(std::move(speed));
  }
  return out;
}

std::string_view reported_quantity(const scenario::Scenario& sc, std::string_view senses) {
  if (sc.drivers.traffic.enabled && senses == "traffic_volume") return "traffic_speed";
  return senses;
}

}  // namespace citytwin::sim::drivers
