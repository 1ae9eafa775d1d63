#include "sim/platform/analytics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/drivers/traffic_model.hpp"

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

double first_time_above(const drivers::QuantityField::Curve& curve, double threshold, double end_s) {
  const std::vector<double> knots = curve.knots(end_s, 60.0);
  if (curve.at(knots.front()) > threshold) return knots.front();
  for (size_t i = 0; i + 1 < knots.size(); ++i) {
    const double a = curve.at(knots[i]), b = curve.before(knots[i + 1]);
    if (b > threshold) return knots[i] + (threshold - a) / (b - a) * (knots[i + 1] - knots[i]);
    if (curve.at(knots[i + 1]) > threshold) return knots[i + 1];
  }
  return std::numeric_limits<double>::quiet_NaN();
}

double first_time_below(const drivers::QuantityField::Curve& curve, double threshold, double end_s) {
  const std::vector<double> knots = curve.knots(end_s, 60.0);
  if (curve.at(knots.front()) < threshold) return knots.front();
  for (size_t i = 0; i + 1 < knots.size(); ++i) {
    const double a = curve.at(knots[i]), b = curve.before(knots[i + 1]);
    if (b < threshold) return knots[i] + (threshold - a) / (b - a) * (knots[i + 1] - knots[i]);
    if (curve.at(knots[i + 1]) < threshold) return knots[i + 1];
  }
  return std::numeric_limits<double>::quiet_NaN();
}

Analytics::Analytics(const scenario::Scenario& scenario, const city::CityLayout& city,
                     const drivers::DriverSet* drivers)
    : scenario_(scenario), city_(city), rules_of_population_(scenario.devices.size()) {
  const size_t districts = scenario.city.districts.size();
  if (drivers != nullptr)
    for (const drivers::DistrictFlood& flood : drivers->flood())
      inundation_start_s_.push_back(flood.inundation_start_s);
  for (size_t r = 0; r < scenario.platform.alerts.size(); ++r) {
    const scenario::AlertRule& rule = scenario.platform.alerts[r];
    std::string senses = "river_level";
    for (size_t p = 0; p < scenario.devices.size(); ++p)
      if (scenario.devices[p].type == rule.type) {
        rules_of_population_[p].push_back(r);
        senses = scenario.devices[p].senses;
      }
    flood_rule_.push_back(senses == "river_level" || senses == "inundation_depth" ? 1 : 0);
    // The list form of drivers.river_level: as before the drivers room (same arithmetic).
    // What the readings are (a traffic counter's: the speed), hence when the event began.
    const std::string_view reading = drivers::reported_quantity(scenario, senses);
    const drivers::QuantityField* field = drivers != nullptr ? drivers->find(reading) : nullptr;
    std::vector<double> starts(districts, rule.below
                                              ? std::numeric_limits<double>::quiet_NaN()
                                              : first_time_above(scenario.drivers.river_level_m, rule.above));
    if (field != nullptr && !(senses == "river_level" && !scenario.drivers.river_level_m.points.empty()))
      for (size_t d = 0; d < districts; ++d)
        starts[d] = rule.below ? first_time_below(field->curve(d), *rule.below, scenario.run.duration_s)
                               : first_time_above(field->curve(d), rule.above, scenario.run.duration_s);
    event_start_s_.push_back(std::move(starts));
    streak_.emplace_back(districts, 0);
    active_.emplace_back(districts, 0);
  }
}

void Analytics::on_delivery(const engine::Transmission& tx, double t_delivered_s) {
  if (std::isnan(tx.value)) return;
  const uint16_t population = engine::population_of(city_, tx);
  const uint16_t district = engine::district_of(city_, tx);
  for (size_t r : rules_of_population_[population]) {
    const scenario::AlertRule& rule = scenario_.platform.alerts[r];
    if (rule.below ? tx.value < *rule.below : tx.value > rule.above) {
      if (++streak_[r][district] >= rule.consecutive && !active_[r][district]) {
        active_[r][district] = 1;
        alerts_.push_back({r, district, event_start_s_[r][district], t_delivered_s,
                           inundation_start_s_.empty() ? std::numeric_limits<double>::quiet_NaN()
                                                       : inundation_start_s_[district]});
      }
    } else {
      streak_[r][district] = 0;
      active_[r][district] = 0;
    }
  }
}

}  // namespace citytwin::sim::platform
