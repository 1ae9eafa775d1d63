#include "sim/record/alert_log.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace citytwin::sim::record {

AlertLog::AlertLog(const scenario::Scenario& scenario, events::Bus& bus, const drivers::DriverSet* drivers)
    : scenario_(scenario) {
  if (drivers != nullptr)
    for (const drivers::DistrictFlood& flood : drivers->flood())
      inundation_start_s_.push_back(flood.inundation_start_s);
  bus.subscribe<events::AlertRaised>([this](const events::AlertRaised& a) { alerts_.push_back(a); });
}

output::KpiTable AlertLog::table() const {
  output::KpiTable t;
  t.key_name = "alert";
  std::vector<double> event, fired, latency;
  for (const events::AlertRaised& a : alerts_) {
    t.keys.push_back(scenario_.platform.alerts[a.rule].name + "@" +
                     scenario_.city.districts[a.district].name);
    event.push_back(a.t_event_s);
    fired.push_back(a.t_alert_s);
    latency.push_back(a.t_alert_s - a.t_event_s);
  }
  t.columns = {{"t_event_s", event}, {"t_alert_s", fired}, {"latency_s", latency}};
  if (!inundation_start_s_.empty()) {  // drivers.flood: the latency from the district's inundation
    std::vector<double> wet, from_wet;
    for (const events::AlertRaised& a : alerts_) {
      wet.push_back(a.t_inundation_s);
      from_wet.push_back(a.t_alert_s - a.t_inundation_s);
    }
    t.columns.emplace_back("t_inundation_s", wet);
    t.columns.emplace_back("latency_from_inundation_s", from_wet);
  }
  return t;
}

void AlertLog::add_kpis(output::KpiList& kpis) const {
  if (scenario_.platform.alerts.empty()) return;
  double first = std::numeric_limits<double>::quiet_NaN();
  for (const events::AlertRaised& a : alerts_)
    if (std::isnan(first) || a.t_alert_s - a.t_event_s < first) first = a.t_alert_s - a.t_event_s;
  kpis.emplace_back("alerts", static_cast<double>(alerts_.size()));
  kpis.emplace_back("alert_latency_first_s", first);
  if (inundation_start_s_.empty()) return;
  // drivers.flood: per flooded district, its first flood alert, from the start of its inundation:
  // negative when the alert came first (lead time).
  double sum = 0.0, worst = std::numeric_limits<double>::quiet_NaN();
  size_t n = 0, flooded = 0;
  for (size_t d = 0; d < inundation_start_s_.size(); ++d) {
    if (std::isnan(inundation_start_s_[d])) continue;
    ++flooded;
    double best = std::numeric_limits<double>::infinity();
    for (const events::AlertRaised& a : alerts_)
      if (a.district == d && a.flood_rule) best = std::min(best, a.t_alert_s - inundation_start_s_[d]);
    if (!std::isfinite(best)) continue;
    sum += best;
    ++n;
    if (std::isnan(worst) || best > worst) worst = best;
  }
  kpis.emplace_back("flooded_districts", static_cast<double>(flooded));
  kpis.emplace_back("flooded_districts_alerted", static_cast<double>(n));
  kpis.emplace_back("flood_alert_latency_mean_s",
                    n > 0 ? sum / static_cast<double>(n) : std::numeric_limits<double>::quiet_NaN());
  kpis.emplace_back("flood_alert_latency_max_s", worst);
}

}  // namespace citytwin::sim::record
