// Stream analytics at the city operations centre: alert rules (sim/scenario.hpp AlertRule) evaluated
// on the readings as the network server delivers them, per district. Each alert records when the
// physical event began (the river first exceeding the threshold, from drivers.river_level) and when
// the alert fired, so the alert latency from event to operations centre is a KPI.
//
// Readings arrive in delivery order, which is not the order they were taken in: a gateway's buffer holds
// them through a backhaul outage and sends them hours later. A rule's state in a district follows the
// newest reading it has applied (its time: the frame's start). A late one, taken before that, can only add
// to a streak the newer readings carry on; otherwise it is superseded and changes nothing (a gauge's
// buffered readings of a flood that has since receded fired the alert again, hours after the event). A
// retry (after an ACK the device did not hear) repeats its report's value, and the network server passes a
// report on once (sim/network/server_frames.hpp): taken as new readings, the repeats' stale values raised
// the alert again and again as the river fell.
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
  // When the event began: the quantity's first crossing of the threshold since the district's last alert
  // was cleared; NaN when there was none (a false alarm)
  double t_event_s = 0.0;
  double t_alert_s = 0.0;
  double t_inundation_s = 0.0;  // when the district's inundation began (any flood); NaN if never
};

class Analytics {
 public:
  // drivers (may be null): the quantity each rule's type senses gives when the event began, per
  // district; the flood gives when each district's inundation began.
  Analytics(const scenario::Scenario& scenario, const city::CityLayout& city,
            const drivers::DriverSet* drivers = nullptr);

  // A reading reached the platform (called in delivery order; taken at tx.t_start_s).
  void on_delivery(const engine::Transmission& tx, double t_delivered_s);

  // In the order they fired (PlatformStages publishes each as events::AlertRaised).
  const std::vector<Alert>& alerts() const { return alerts_; }
  // Whether rule r is a flood rule (its type senses river_level or inundation_depth).
  bool flood_rule(size_t r) const { return r < flood_rule_.size() && flood_rule_[r] != 0; }

 private:
  const scenario::Scenario& scenario_;
  const city::CityLayout& city_;
  std::vector<std::vector<size_t>> rules_of_population_;
  // When the event an alert raised at t_alert_s answers began: the first time the quantity went beyond
  // the threshold since the district's last alert was cleared (by a reading taken then); NaN when it has
  // not by t_alert_s (a false alarm: readings near the threshold, sampled as it falls back, raise it again).
  double event_start(size_t rule, size_t district, double t_alert_s) const;

  // per rule and district: each time the quantity goes beyond the threshold (from the drivers), ascending
  std::vector<std::vector<std::vector<double>>> event_starts_s_;
  std::vector<std::vector<double>> cleared_s_;  // per rule and district: when its last alert was cleared
  std::vector<double> inundation_start_s_;      // per district (a flood, computed or given), else empty
  std::vector<uint8_t> flood_rule_;             // per rule: its type senses river_level or inundation_depth
  std::vector<std::vector<int>> streak_;        // per rule and district: consecutive readings above
  std::vector<std::vector<uint8_t>> active_;    // per rule and district: alert raised, not cleared
  std::vector<std::vector<double>> newest_s_;   // per rule and district: the newest reading applied, taken at
  std::vector<Alert> alerts_;
};

// Every time a series goes above a threshold (linear between points; 0 when it starts above), ascending.
std::vector<double> crossings_above(const scenario::Series& series, double threshold);
// The same for a driver's curve over [0, end_s], above or below.
std::vector<double> crossings_above(const drivers::QuantityField::Curve& curve, double threshold,
                                    double end_s);
std::vector<double> crossings_below(const drivers::QuantityField::Curve& curve, double threshold,
                                    double end_s);
// The first time a series exceeds a threshold (linear between points), or NaN.
double first_time_above(const scenario::Series& series, double threshold);
// The same for a driver's curve over [0, end_s].
double first_time_above(const drivers::QuantityField::Curve& curve, double threshold, double end_s);
// The first time a driver's curve falls below a threshold over [0, end_s] (a congestion's onset), or NaN.
double first_time_below(const drivers::QuantityField::Curve& curve, double threshold, double end_s);

}  // namespace citytwin::sim::platform
