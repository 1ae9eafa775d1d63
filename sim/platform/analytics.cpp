#include "sim/platform/analytics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/drivers/traffic_model.hpp"

namespace citytwin::sim::platform {

std::vector<double> crossings_above(const scenario::Series& series, double threshold) {
  const auto& p = series.points;
  std::vector<double> starts;
  if (p.empty()) return starts;
  if (p.front().second > threshold) starts.push_back(0.0);
  for (size_t i = 1; i < p.size(); ++i) {
    if (p[i].second > threshold && p[i - 1].second <= threshold) {
      const double w = (threshold - p[i - 1].second) / (p[i].second - p[i - 1].second);
      starts.push_back(p[i - 1].first + w * (p[i].first - p[i - 1].first));
    }
  }
  return starts;
}

namespace {

// The times a driver's curve goes beyond a threshold over [0, end_s] (above it, or below it when `below`):
// linear between its knots, and at a knot where it steps.
std::vector<double> crossings(const drivers::QuantityField::Curve& curve, double threshold, double end_s,
                              bool below) {
  const auto beyond = [&](double v) { return below ? v < threshold : v > threshold; };
  const std::vector<double> knots = curve.knots(end_s, 60.0);
  std::vector<double> starts;
  if (beyond(curve.at(knots.front()))) starts.push_back(knots.front());
  for (size_t i = 0; i + 1 < knots.size(); ++i) {
    const double a = curve.at(knots[i]), b = curve.before(knots[i + 1]);
    if (!beyond(a) && beyond(b)) {
      starts.push_back(knots[i] + (threshold - a) / (b - a) * (knots[i + 1] - knots[i]));
    } else if (!beyond(b) && beyond(curve.at(knots[i + 1]))) {
      starts.push_back(knots[i + 1]);
    }
  }
  return starts;
}

double first_or_nan(const std::vector<double>& starts) {
  return starts.empty() ? std::numeric_limits<double>::quiet_NaN() : starts.front();
}

}  // namespace

double first_time_above(const scenario::Series& series, double threshold) {
  return first_or_nan(crossings_above(series, threshold));
}

double first_time_above(const drivers::QuantityField::Curve& curve, double threshold, double end_s) {
  return first_or_nan(crossings(curve, threshold, end_s, false));
}

double first_time_below(const drivers::QuantityField::Curve& curve, double threshold, double end_s) {
  return first_or_nan(crossings(curve, threshold, end_s, true));
}

std::vector<double> crossings_above(const drivers::QuantityField::Curve& curve, double threshold,
                                    double end_s) {
  return crossings(curve, threshold, end_s, false);
}

std::vector<double> crossings_below(const drivers::QuantityField::Curve& curve, double threshold,
                                    double end_s) {
  return crossings(curve, threshold, end_s, true);
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
    std::vector<std::vector<double>> starts(
        districts,
        rule.below ? std::vector<double>{} : crossings_above(scenario.drivers.river_level_m, rule.above));
    if (field != nullptr && !(senses == "river_level" && !scenario.drivers.river_level_m.points.empty()))
      for (size_t d = 0; d < districts; ++d)
        starts[d] = rule.below ? crossings_below(field->curve(d), *rule.below, scenario.run.duration_s)
                               : crossings_above(field->curve(d), rule.above, scenario.run.duration_s);
    event_starts_s_.push_back(std::move(starts));
    cleared_s_.emplace_back(districts, -std::numeric_limits<double>::infinity());
    streak_.emplace_back(districts, 0);
    active_.emplace_back(districts, 0);
    newest_s_.emplace_back(districts, -std::numeric_limits<double>::infinity());
  }
}

double Analytics::event_start(size_t rule, size_t district, double t_alert_s) const {
  const std::vector<double>& starts = event_starts_s_[rule][district];
  const auto next = std::lower_bound(starts.begin(), starts.end(), cleared_s_[rule][district]);
  return next != starts.end() && *next <= t_alert_s ? *next : std::numeric_limits<double>::quiet_NaN();
}

void Analytics::on_delivery(const engine::Transmission& tx, double t_delivered_s) {
  if (std::isnan(tx.value)) return;
  const uint16_t population = engine::population_of(city_, tx);
  const uint16_t district = engine::district_of(city_, tx);
  for (size_t r : rules_of_population_[population]) {
    const scenario::AlertRule& rule = scenario_.platform.alerts[r];
    const bool beyond = rule.below ? tx.value < *rule.below : tx.value > rule.above;
    double& newest = newest_s_[r][district];
    if (tx.t_start_s < newest) {
      if (!beyond || streak_[r][district] == 0) continue;  // superseded by the newer readings applied
    } else {
      newest = tx.t_start_s;
    }
    if (beyond) {
      if (++streak_[r][district] >= rule.consecutive && !active_[r][district]) {
        active_[r][district] = 1;
        alerts_.push_back({r, district, event_start(r, district, t_delivered_s), t_delivered_s,
                           inundation_start_s_.empty() ? std::numeric_limits<double>::quiet_NaN()
                                                       : inundation_start_s_[district]});
      }
    } else {
      streak_[r][district] = 0;
      if (active_[r][district]) cleared_s_[r][district] = tx.t_start_s;
      active_[r][district] = 0;
    }
  }
}

}  // namespace citytwin::sim::platform
