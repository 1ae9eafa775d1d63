#include "sim/drivers/flood.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace citytwin::sim::drivers {

std::vector<scenario::TimeInterval> intervals_above(const scenario::SeriesData& s, double threshold,
                                                    double end_s) {
  std::vector<scenario::TimeInterval> out;
  if (s.t_s.empty()) return out;
  const auto crossing = [&](size_t i) {
    const double t0 = s.t_s[i], t1 = s.t_s[i + 1];
    if (t1 == t0) return t0;
    return t0 + (threshold - s.value[i]) / (s.value[i + 1] - s.value[i]) * (t1 - t0);
  };
  bool above = s.value[0] > threshold;
  double start = s.t_s[0];
  for (size_t i = 0; i + 1 < s.t_s.size(); ++i) {
    const bool next = s.value[i + 1] > threshold;
    if (next == above) continue;
    const double t = crossing(i);
    if (next) {
      start = t;
    } else {
      out.push_back({start, t});
    }
    above = next;
  }
  if (above) out.push_back({start, std::max(start, end_s)});
  std::erase_if(out, [](const scenario::TimeInterval& i) { return !(i.t1_s > i.t0_s); });
  return out;
}

FloodResult compute_flood(const scenario::Scenario& sc, const QuantityField* river,
                          const QuantityField* rainfall) {
  const scenario::FloodSpec& spec = sc.drivers.flood;
  const double end_s = sc.run.duration_s;
  const size_t n = sc.city.districts.size();
  FloodResult out;
  for (size_t d = 0; d < n; ++d) {
    const std::string& name = sc.city.districts[d].name;
    double elevation = std::numeric_limits<double>::quiet_NaN();
    for (const auto& [district, e] : spec.elevation_m)
      if (district == name) elevation = e;
    double delay = spec.delay_s;
    for (const auto& [district, t] : spec.delays_s)
      if (district == name) delay = t;
    const bool wet_river = river != nullptr && !std::isnan(elevation);
    const bool wet_rain = rainfall != nullptr;

    // Ponding on a regular grid (trapezoidal rule on the rainfall, clamped at 0).
    scenario::SeriesData ponding;
    if (wet_rain) {
      const size_t steps = static_cast<size_t>(std::ceil(end_s / spec.step_s));
      double p = 0.0;
      ponding.t_s.push_back(0.0);
      ponding.value.push_back(0.0);
      for (size_t k = 0; k < steps; ++k) {
        const double t0 = static_cast<double>(k) * spec.step_s;
        const double t1 = std::min(end_s, t0 + spec.step_s);
        const double rain = 0.5 * (rainfall->at(d, t0) + rainfall->before(d, t1));
        p = p + (rain - spec.drainage_mm_h) / 3.6e6 * (t1 - t0);
        if (p < 1e-9) p = 0.0;  // below a nanometre: dry (and no rounding residue keeps it wet)
        ponding.t_s.push_back(t1);
        ponding.value.push_back(p);
      }
    }

    std::vector<double> times = {0.0, end_s};
    if (wet_river) {
      const QuantityField::Curve& curve = river->curve(d);
      const std::vector<double> knots = curve.knots(end_s, spec.step_s);
      for (size_t i = 0; i < knots.size(); ++i) {
        times.push_back(knots[i] + delay);
        if (i + 1 == knots.size()) break;
        // Where the river crosses the ground between two knots (linear there).
        const double va = curve.at(knots[i]) - elevation, vb = curve.before(knots[i + 1]) - elevation;
        if ((va < 0.0 && vb > 0.0) || (va > 0.0 && vb < 0.0))
          times.push_back(knots[i] + va / (va - vb) * (knots[i + 1] - knots[i]) + delay);
      }
    }
    times.insert(times.end(), ponding.t_s.begin(), ponding.t_s.end());
    std::sort(times.begin(), times.end());
    times.erase(std::unique(times.begin(), times.end()), times.end());

    QuantityField::Curve depth;
    depth.kind = scenario::QuantitySource::Kind::Points;
    depth.series.interpolation = scenario::Interpolation::Linear;
    const auto river_part = [&](double level) { return std::max(0.0, level - elevation); };
    for (double t : times) {
      if (t < 0.0 || t > end_s) continue;
      const double pond = wet_rain ? ponding.at(t) : 0.0;
      const double after = (wet_river ? river_part(river->at(d, t - delay)) : 0.0) + pond;
      const double before = (wet_river ? river_part(river->before(d, t - delay)) : 0.0) + pond;
      if (t > 0.0 && before != after) {
        depth.series.t_s.push_back(t);
        depth.series.value.push_back(before);
      }
      depth.series.t_s.push_back(t);
      depth.series.value.push_back(after);
    }

    DistrictFlood flood = flood_consequences(depth.series, spec, end_s);
    flood.elevation_m = elevation;
    flood.delay_s = delay;
    out.depth.push_back(std::move(depth));
    out.districts.push_back(flood);
  }
  return out;
}

DistrictFlood flood_consequences(const scenario::SeriesData& depth, const scenario::FloodSpec& spec,
                                 double end_s) {
  DistrictFlood flood;
  flood.elevation_m = std::numeric_limits<double>::quiet_NaN();
  const auto wet = intervals_above(depth, 0.0, end_s);
  flood.inundation_start_s = wet.empty() ? std::numeric_limits<double>::quiet_NaN() : wet.front().t0_s;
  const auto submerged = intervals_above(depth, spec.submerged_depth_m, end_s);
  flood.submerged_from_s =
      submerged.empty() ? std::numeric_limits<double>::infinity() : submerged.front().t0_s;
  std::vector<scenario::TimeInterval> cuts;
  for (const scenario::TimeInterval& i : intervals_above(depth, spec.power_depth_m, end_s))
    cuts.push_back({i.t0_s, i.t1_s + spec.restore_s});
  // Merge cuts that the restore delay makes overlap.
  for (const scenario::TimeInterval& c : cuts) {
    if (!flood.power_cut.empty() && c.t0_s <= flood.power_cut.back().t1_s)
      flood.power_cut.back().t1_s = std::max(flood.power_cut.back().t1_s, c.t1_s);
    else
      flood.power_cut.push_back(c);
  }
  return flood;
}

std::vector<DistrictFlood> given_flood(const scenario::Scenario& sc, const QuantityField& depth) {
  const double end_s = sc.run.duration_s;
  std::vector<DistrictFlood> out;
  for (size_t d = 0; d < sc.city.districts.size(); ++d) {
    // The curve as a linear series: its knots (a daily profile sampled every drivers.flood.step), a jump
    // as two points at one time, straight between them as the curve is.
    const QuantityField::Curve& curve = depth.curve(d);
    scenario::SeriesData series;
    for (double t : curve.knots(end_s, sc.drivers.flood.step_s)) {
      if (t > 0.0 && curve.before(t) != curve.at(t)) {
        series.t_s.push_back(t);
        series.value.push_back(curve.before(t));
      }
      series.t_s.push_back(t);
      series.value.push_back(curve.at(t));
    }
    out.push_back(flood_consequences(series, sc.drivers.flood, end_s));
  }
  return out;
}

}  // namespace citytwin::sim::drivers
