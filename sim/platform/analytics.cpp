#include "sim/platform/analytics.hpp"

#include <algorithm>
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
    const drivers::QuantityField* field = drivers != nullptr ? drivers->find(senses) : nullptr;
    std::vector<double> starts(districts, first_time_above(scenario.drivers.river_level_m, rule.above));
    if (field != nullptr && !(senses == "river_level" && !scenario.drivers.river_level_m.points.empty()))
      for (size_t d = 0; d < districts; ++d)
        starts[d] = first_time_above(field->curve(d), rule.above, scenario.run.duration_s);
    event_start_s_.push_back(std::move(starts));
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

output::KpiTable Analytics::table() const {
  output::KpiTable t;
  t.key_name = "alert";
  std::vector<double> event, fired, latency;
  for (const Alert& a : alerts_) {
    t.keys.push_back(scenario_.platform.alerts[a.rule].name + "@" +
                     scenario_.city.districts[a.district].name);
    event.push_back(a.t_event_s);
    fired.push_back(a.t_alert_s);
    latency.push_back(a.t_alert_s - a.t_event_s);
  }
  t.columns = {{"t_event_s", event}, {"t_alert_s", fired}, {"latency_s", latency}};
  if (!inundation_start_s_.empty()) {  // drivers.flood: the latency from the district's inundation
    std::vector<double> wet, from_wet;
    for (const Alert& a : alerts_) {
      wet.push_back(a.t_inundation_s);
      from_wet.push_back(a.t_alert_s - a.t_inundation_s);
    }
    t.columns.emplace_back("t_inundation_s", wet);
    t.columns.emplace_back("latency_from_inundation_s", from_wet);
  }
  return t;
}

void Analytics::add_kpis(output::KpiList& kpis) const {
  if (scenario_.platform.alerts.empty()) return;
  double first = std::numeric_limits<double>::quiet_NaN();
  for (const Alert& a : alerts_)
    if (std::isnan(first) || a.t_alert_s - a.t_event_s < first) first = a.t_alert_s - a.t_event_s;
  kpis.emplace_back("alerts", static_cast<double>(alerts_.size()));
  kpis.emplace_back("alert_latency_first_s", first);
  if (inundation_start_s_.empty()) return;
  // drivers.flood: per flooded district, its first flood alert (a rule on a type sensing river_level or
  // inundation_depth), from the start of its inundation: negative when the alert came first (lead time).
  double sum = 0.0, worst = std::numeric_limits<double>::quiet_NaN();
  size_t n = 0;
  for (size_t d = 0; d < inundation_start_s_.size(); ++d) {
    if (std::isnan(inundation_start_s_[d])) continue;
    double best = std::numeric_limits<double>::infinity();
    for (const Alert& a : alerts_)
      if (a.district == d && flood_rule_[a.rule]) best = std::min(best, a.t_alert_s - inundation_start_s_[d]);
    if (!std::isfinite(best)) continue;
    sum += best;
    ++n;
    if (std::isnan(worst) || best > worst) worst = best;
  }
  kpis.emplace_back("flooded_districts",
                    static_cast<double>(std::count_if(inundation_start_s_.begin(), inundation_start_s_.end(),
                                                      [](double t) { return !std::isnan(t); })));
  kpis.emplace_back("flooded_districts_alerted", static_cast<double>(n));
  kpis.emplace_back("flood_alert_latency_mean_s",
                    n > 0 ? sum / static_cast<double>(n) : std::numeric_limits<double>::quiet_NaN());
  kpis.emplace_back("flood_alert_latency_max_s", worst);
}

}  // namespace citytwin::sim::platform
