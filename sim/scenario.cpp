#include "sim/scenario.hpp"

#include <algorithm>

namespace citytwin::sim {

double Series::at(double t_s) const {
  if (points.empty()) return 0.0;
  if (t_s <= points.front().first) return points.front().second;
  if (t_s >= points.back().first) return points.back().second;
  const auto next = std::upper_bound(points.begin(), points.end(), t_s,
                                     [](double t, const std::pair<double, double>& p) { return t < p.first; });
  const auto prev = next - 1;
  const double w = (t_s - prev->first) / (next->first - prev->first);
  return prev->second + w * (next->second - prev->second);
}

}  // namespace citytwin::sim
