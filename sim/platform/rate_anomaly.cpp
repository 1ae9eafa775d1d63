#include "sim/platform/rate_anomaly.hpp"

#include <algorithm>
#include <cmath>

namespace citytwin::sim::platform {

RateAnomalyDetector::RateAnomalyDetector(const scenario::Scenario& scenario, const city::CityLayout& city)
    : city_(city), window_s_(scenario.attacks.detection.window_s), block_(scenario.attacks.detection.block) {
  for (const city::PopulationProfile& pop : city.populations) {
    const double interval = pop.event ? std::min(pop.interval_s, pop.event->fast_interval_s) : pop.interval_s;
    threshold_.push_back(scenario.attacks.detection.factor * std::max(1.0, window_s_ / interval));
  }
  count_.assign(city.device_count(), 0);
  window_.assign(city.device_count(), 0);
  flagged_at_s_.assign(city.device_count(), std::numeric_limits<double>::infinity());
}

bool RateAnomalyDetector::on_delivery(uint32_t device, double t_s) {
  const auto window = static_cast<uint32_t>(std::floor(t_s / window_s_));
  if (window != window_[device]) {
    window_[device] = window;
    count_[device] = 0;
  }
  ++count_[device];
  if (std::isinf(flagged_at_s_[device]) && static_cast<double>(count_[device]) > threshold(device)) {
    flagged_at_s_[device] = t_s;
    return true;
  }
  return false;
}

}  // namespace citytwin::sim::platform
