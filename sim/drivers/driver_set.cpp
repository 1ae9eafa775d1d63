#include "sim/drivers/driver_set.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/drivers/flood.hpp"
#include "sim/drivers/traffic_model.hpp"

namespace citytwin::sim::drivers {
namespace {

using scenario::QuantitySource;

bool applies(const std::vector<std::string>& districts, const std::string& name) {
  return districts.empty() || std::find(districts.begin(), districts.end(), name) != districts.end();
}

void sort_unique(std::vector<double>& times) {
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
}

}  // namespace

double QuantityField::Curve::at(double t) const {
  double v = kind == QuantitySource::Kind::Daily      ? daily.at(t)
             : kind == QuantitySource::Kind::Constant ? constant
                                                      : series.at(t);
  for (const scenario::DriverEvent& e : events)
    if (e.start_s <= t && t < e.end_s) v = v * e.factor + e.add;
  return v;
}

double QuantityField::Curve::before(double t) const {
  double v = kind == QuantitySource::Kind::Daily      ? daily.at(t)
             : kind == QuantitySource::Kind::Constant ? constant
                                                      : series.before(t);
  for (const scenario::DriverEvent& e : events)
    if (e.start_s < t && t <= e.end_s) v = v * e.factor + e.add;
  return v;
}

std::vector<double> QuantityField::Curve::knots(double end_s, double grid_s) const {
  std::vector<double> out = {0.0, end_s};
  if (kind == QuantitySource::Kind::Daily) {
    for (double t = grid_s; t < end_s; t += grid_s) out.push_back(t);
  } else if (kind != QuantitySource::Kind::Constant) {
    for (double t : series.t_s)
      if (t > 0.0 && t < end_s) out.push_back(t);
  }
  for (const scenario::DriverEvent& e : events) {
    if (e.start_s > 0.0 && e.start_s < end_s) out.push_back(e.start_s);
    if (e.end_s > 0.0 && e.end_s < end_s) out.push_back(e.end_s);
  }
  sort_unique(out);
  return out;
}

DriverSet::DriverSet(const scenario::Scenario& sc) : districts_(sc.city.districts.size()) {
  for (const QuantitySource& source : sc.drivers.quantities) {
    const scenario::QuantityKind* kind = scenario::find_quantity(source.quantity);
    if (kind == nullptr) continue;  // the loader accepts only known quantities
    const bool uniform = source.per_district.empty() && source.districts.empty() &&
                         std::all_of(source.events.begin(), source.events.end(),
                                     [](const scenario::DriverEvent& e) { return e.districts.empty(); });
    std::vector<QuantityField::Curve> curves;
    for (size_t d = 0; d < (uniform ? 1 : districts_); ++d) {
      const std::string& name = uniform ? std::string() : sc.city.districts[d].name;
      QuantityField::Curve curve;
      const bool covered = uniform || applies(source.districts, name);
      if (covered) {
        curve.kind = source.kind;
        curve.constant = source.constant;
        curve.series = source.series;
        curve.daily = source.daily;
        for (const auto& [district, series] : source.per_district)
          if (district == name) curve.series = series;
      } else {
        curve.constant = kind->rest;
      }
      // An event without districts applies where its source does (docs/SCENARIO.md), not in a district
      // the source leaves at rest; one that names districts applies in those.
      for (const scenario::DriverEvent& e : source.events)
        if (e.districts.empty() ? covered : applies(e.districts, name)) curve.events.push_back(e);
      curves.push_back(std::move(curve));
    }
    fields_.emplace_back(*kind, uniform, std::move(curves));
  }
  if (sc.drivers.traffic.enabled) {  // traffic_volume becomes what passes; traffic_speed from BPR or SUMO
    traffic_ = sc.drivers.traffic;
    TrafficResult traffic = compute_traffic(sc, find("traffic_volume"));
    QuantityField volume(*scenario::find_quantity("traffic_volume"), false, std::move(traffic.volume));
    auto demand = std::find_if(fields_.begin(), fields_.end(),
                               [](const QuantityField& f) { return f.name() == "traffic_volume"; });
    if (demand != fields_.end())
      *demand = std::move(volume);
    else
      fields_.push_back(std::move(volume));
    fields_.emplace_back(*scenario::find_quantity("traffic_speed"), false, std::move(traffic.speed));
  }
  if (const QuantityField* depth = find("inundation_depth")) {  // given: it floods as the bathtub's would
    flood_ = given_flood(sc, *depth);
  } else if (sc.drivers.flood.enabled) {
    FloodResult flood = compute_flood(sc, find("river_level"), find("rainfall"));
    flood_ = std::move(flood.districts);
    fields_.emplace_back(*scenario::find_quantity("inundation_depth"), false, std::move(flood.depth));
  }
  for (size_t d = 0; d < flood_.size(); ++d)
    for (const scenario::TimeInterval& cut : flood_[d].power_cut)
      flood_outages_.push_back({{sc.city.districts[d].name}, cut.t0_s, cut.t1_s});
}

const QuantityField* DriverSet::find(std::string_view quantity) const {
  for (const QuantityField& field : fields_)
    if (field.name() == quantity) return &field;
  return nullptr;
}

DriverRecording DriverSet::record(double end_s, double grid_s) const {
  grid_s = std::max(grid_s, end_s / 100000.0);
  std::vector<double> times;
  for (double t = 0.0; t < end_s; t += grid_s) times.push_back(t);
  times.push_back(end_s);
  for (const QuantityField& field : fields_)
    for (size_t d = 0; d < (field.uniform() ? 1 : districts_); ++d) {
      const std::vector<double> knots = field.curve(d).knots(end_s, grid_s);
      times.insert(times.end(), knots.begin(), knots.end());
    }
  sort_unique(times);
  DriverRecording out;
  for (const QuantityField& field : fields_)
    out.fields.push_back({std::string(field.name()),
                          std::string(field.unit()),
                          std::string(field.kind().description),
                          field.uniform(),
                          {}});
  const auto row = [&](double t, bool before) {
    out.t_s.push_back(t);
    for (size_t f = 0; f < fields_.size(); ++f)
      for (size_t d = 0; d < (fields_[f].uniform() ? 1 : districts_); ++d)
        out.fields[f].values.push_back(before ? fields_[f].before(d, t) : fields_[f].at(d, t));
  };
  for (double t : times) {
    bool jump = false;
    for (const QuantityField& field : fields_)
      for (size_t d = 0; d < (field.uniform() ? 1 : districts_) && !jump; ++d)
        jump = field.before(d, t) != field.at(d, t);
    if (jump && t > 0.0) row(t, true);
    row(t, false);
  }
  return out;
}

std::vector<scenario::PowerOutage> power_outages(const scenario::Scenario& sc) {
  std::vector<scenario::PowerOutage> out = sc.drivers.power_outages;
  if (!sc.drives("inundation_depth")) return out;  // no flood, computed or given
  const DriverSet drivers(sc);
  out.insert(out.end(), drivers.flood_power_outages().begin(), drivers.flood_power_outages().end());
  return out;
}

}  // namespace citytwin::sim::drivers
