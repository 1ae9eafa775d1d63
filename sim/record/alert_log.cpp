#include "sim/record/alert_log.hpp"

#include <cmath>
#include <limits>

namespace citytwin::sim::record {

AlertLog::AlertLog(const scenario::Scenario& scenario, events::Bus& bus) : scenario_(scenario) {
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
  return t;
}

void AlertLog::add_kpis(output::KpiList& kpis) const {
  if (scenario_.platform.alerts.empty()) return;
  double first = std::numeric_limits<double>::quiet_NaN();
  for (const events::AlertRaised& a : alerts_)
    if (std::isnan(first) || a.t_alert_s - a.t_event_s < first) first = a.t_alert_s - a.t_event_s;
  kpis.emplace_back("alerts", static_cast<double>(alerts_.size()));
  kpis.emplace_back("alert_latency_first_s", first);
}

}  // namespace citytwin::sim::record
