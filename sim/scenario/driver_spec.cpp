#include "sim/scenario/driver_spec.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace citytwin::sim::scenario {

// Linear: the same arithmetic as Series::at (drivers.river_level's values, hence traces, unchanged).
// Points at the same time make a jump: the value is the last one's from that time on.
double SeriesData::at(double t) const {
  if (t_s.empty()) return 0.0;
  const size_t next = static_cast<size_t>(std::upper_bound(t_s.begin(), t_s.end(), t) - t_s.begin());
  if (next == 0) return value.front();
  if (next == t_s.size()) return value.back();
  const size_t prev = next - 1;
  if (interpolation == Interpolation::Step) return value[prev];
  const double w = (t - t_s[prev]) / (t_s[next] - t_s[prev]);
  return value[prev] + w * (value[next] - value[prev]);
}

double SeriesData::before(double t) const {
  if (t_s.empty()) return 0.0;
  const size_t next = static_cast<size_t>(std::lower_bound(t_s.begin(), t_s.end(), t) - t_s.begin());
  if (next == 0) return value.front();
  if (next == t_s.size()) return value.back();
  const size_t prev = next - 1;
  if (interpolation == Interpolation::Step) return value[prev];
  const double w = (t - t_s[prev]) / (t_s[next] - t_s[prev]);
  return value[prev] + w * (value[next] - value[prev]);
}

double DailyProfile::at(double t) const {
  const double day = std::fmod(t + start_of_day_s, 86400.0);
  double lift = 0.0;
  for (const RushHour& r : rush_hours) {
    // Distance to the peak on the 24 h circle.
    double d = std::fabs(day - std::fmod(r.peak_s, 86400.0));
    d = std::min(d, 86400.0 - d);
    if (d >= r.width_s) continue;
    const double shape = 0.5 * (1.0 + std::cos(std::numbers::pi * d / r.width_s));
    lift = std::max(lift, (r.value - base) * shape);
  }
  return base + lift;
}

}  // namespace citytwin::sim::scenario
