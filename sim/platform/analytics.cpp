#include "sim/platform/analytics.hpp"

#include <cmath>
#include <limits>

namespace citytwin::sim::platform {

double first_time_above(const scenario::Series& series, double threshold) {
  const auto& p = series.points;
  if (p.empty()) return std::numeric_limits<double>::quiet_NaN();
  if (p.front().second > threshold) return 0.0;
  for (size_t i = 1; i < p.size(); ++i) {
    if (p[i].second > threshold) {
      const double w = (threshold - p[i - 1].second) / (p[i].second - p[i - 1].second);
      return p[i - 1].first + w * (p[i].first - p[i - 1].first);
    }
  }
  return std::numeric_limits<double>::quiet_NaN();
}

Analytics::Analytics(const scenario::Scenario& scenario, const city::CityLayout& city)
    : scenario_(scenario), city_(city), rules_of_population_(scenario.devices.size()) {
  const size_t districts = scenario.city.districts.size();
  for (size_t r = 0; r < scenario.platform.alerts.size(); ++r) {
    const scenario::AlertRule& rule = scenario.platform.alerts[r];
    for (size_t p = 0; p < scenario.devices.size(); ++p)
      if (scenario.devices[p].type == rule.type) rules_of_population_[p].push_back(r);
    event_start_s_.push_back(first_time_above(scenario.drivers.river_level_m, rule.above));
    streak_.emplace_back(districts, 0);
    active_.emplace_back(districts, 0);
  }
}

void Analytics::on_delivery(const engine::Transmission& tx, double t_delivered_s) {
  if (std::isnan(tx.value)) return;
  const uint16_t population = city_.device_population[tx.device];
  const uint16_t district = city_.device_district[tx.device];
  for (size_t r : rules_of_population_[population]) {
    const scenario::AlertRule& rule = scenario_.platform.alerts[r];
    if (tx.value > rule.above) {
      if (++streak_[r][district] >= rule.consecutive && !active_[r][district]) {
        active_[r][district] = 1;
        alerts_.push_back({r, district, event_start_s_[r], t_delivered_s});
      }
    } else {
      streak_[r][district] = 0;
      active_[r][district] = 0;
    }
  }
}

}  // namespace citytwin::sim::platform
