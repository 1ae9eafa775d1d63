// Stream analytics at the city operations centre: alert rules (sim/scenario.hpp AlertRule) evaluated
// on the readings as the network server delivers them, per district. Each alert records when the
// physical event began (the river first exceeding the threshold, from drivers.river_level) and when
// the alert fired, so the alert latency from event to operations centre is a KPI.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "output/records.hpp"
#include "sim/city/city_layout.hpp"
#include "sim/engine/fleet.hpp"
#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::platform {

struct Alert {
  size_t rule = 0;
  size_t district = 0;
  double t_event_s = 0.0;  // NaN when the driver never exceeds the threshold (a false alarm)
  double t_alert_s = 0.0;
};

class Analytics {
 public:
  Analytics(const scenario::Scenario& scenario, const city::CityLayout& city);

  // A reading reached the platform (called in delivery order).
  void on_delivery(const engine::Transmission& tx, double t_delivered_s);

  // In the order they fired (PlatformStages publishes each as events::AlertRaised).
  const std::vector<Alert>& alerts() const { return alerts_; }

 private:
  const scenario::Scenario& scenario_;
  const city::CityLayout& city_;
  std::vector<std::vector<size_t>> rules_of_population_;
  std::vector<double> event_start_s_;         // per rule
  std::vector<std::vector<int>> streak_;      // per rule and district: consecutive readings above
  std::vector<std::vector<uint8_t>> active_;  // per rule and district: alert raised, not cleared
  std::vector<Alert> alerts_;
};

// The first time a series exceeds a threshold (linear between points), or NaN.
double first_time_above(const scenario::Series& series, double threshold);

}  // namespace citytwin::sim::platform
