// The platform's rate-anomaly rule (scenario attacks.detection): every device's frames delivered by
// the network server are counted in tumbling windows of `window` (from t = 0); a device whose count in
// a window exceeds `factor` times the count its population's interval gives (the fast interval for
// event-driven populations; at least 1) is flagged at the delivery that crosses it. With `block`, the
// network server drops the device's frames from then on. The rule knows nothing of which devices are
// compromised: an honest device can be flagged (a false positive), e.g. one whose retransmissions pile
// up.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "sim/city/city_layout.hpp"
#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::platform {

class RateAnomalyDetector {
 public:
  RateAnomalyDetector(const scenario::Scenario& scenario, const city::CityLayout& city);

  // A frame of the device was delivered at t_s (called in delivery order). Returns true when this
  // delivery flags the device.
  bool on_delivery(uint32_t device, double t_s);
  // Whether the network server drops the device's frames arriving at t_s.
  bool blocks(uint32_t device, double t_s) const { return block_ && t_s >= flagged_at_s_[device]; }
  // When the device was flagged (infinity: never).
  double flagged_at_s(uint32_t device) const { return flagged_at_s_[device]; }
  // The count a device may reach in a window without being flagged.
  double threshold(uint32_t device) const { return threshold_[city_.device_population[device]]; }

 private:
  const city::CityLayout& city_;
  double window_s_;
  bool block_;
  std::vector<double> threshold_;  // per population
  std::vector<uint32_t> count_;    // per device, in its current window
  std::vector<uint32_t> window_;   // per device: the window count_ belongs to
  std::vector<double> flagged_at_s_;
};

}  // namespace citytwin::sim::platform
