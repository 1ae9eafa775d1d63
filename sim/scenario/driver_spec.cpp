#include "sim/scenario/driver_spec.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace citytwin::sim::scenario {

namespace {

// The value between points prev = next - 1 and next (next: the first point after t, or at/after t for
// before()): linear, or the earlier point's with step interpolation; held before the first and after the
// last.
double value_from(const SeriesData& s, double t, size_t next) {
  if (next == 0) return s.value.front();
  if (next == s.t_s.size()) return s.value.back();
  const size_t prev = next - 1;
  if (s.interpolation == Interpolation::Step) return s.value[prev];
  const double w = (t - s.t_s[prev]) / (s.t_s[next] - s.t_s[prev]);
  return s.value[prev] + w * (s.value[next] - s.value[prev]);
}

}  // namespace

// Linear: the same arithmetic as Series::at (drivers.river_level's values, hence traces, unchanged).
// Points at the same time make a jump: the value is the last one's from that time on.
double SeriesData::at(double t) const {
  if (t_s.empty()) return 0.0;
  return value_from(*this, t, static_cast<size_t>(std::upper_bound(t_s.begin(), t_s.end(), t) - t_s.begin()));
}

double SeriesData::before(double t) const {
  if (t_s.empty()) return 0.0;
  return value_from(*this, t, static_cast<size_t>(std::lower_bound(t_s.begin(), t_s.end(), t) - t_s.begin()));
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
