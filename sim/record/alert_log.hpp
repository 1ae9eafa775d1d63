// The alerts the platform raised (events::AlertRaised): the /kpi/alerts table (one row per alert,
// "rule@district", with the time of the physical event, of the alert and the latency between) and
// the alerts and alert_latency_first_s attributes, when the scenario has alert rules.
#pragma once

#include <vector>

#include "output/records.hpp"
#include "sim/drivers/driver_set.hpp"
#include "sim/events/bus.hpp"
#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::record {

class AlertLog {
 public:
  // drivers (may be null): with a flood (drivers.flood or drivers.inundation_depth), the table and KPIs also
  // time each flood alert from its district's inundation (flooded_districts, flood_alert_latency_mean_s /
  // _max_s).
  AlertLog(const scenario::Scenario& scenario, events::Bus& bus, const drivers::DriverSet* drivers = nullptr);
  AlertLog(const AlertLog&) = delete;
  AlertLog& operator=(const AlertLog&) = delete;

  const std::vector<events::AlertRaised>& alerts() const { return alerts_; }
  bool has_table() const { return !scenario_.platform.alerts.empty(); }
  output::KpiTable table() const;
  void add_kpis(output::KpiList& kpis) const;

 private:
  const scenario::Scenario& scenario_;
  std::vector<events::AlertRaised> alerts_;
  std::vector<double> inundation_start_s_;  // per district (a flood, computed or given), else empty
};

}  // namespace citytwin::sim::record
