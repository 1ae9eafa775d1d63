#include "sim/drivers/power_outages.hpp"

#include <algorithm>

namespace citytwin::sim::drivers {

std::vector<scenario::TimeInterval> power_off_intervals(const scenario::Scenario& sc, uint32_t gateway,
                                                        int district) {
  std::vector<scenario::TimeInterval> off;
  if (district < 0 || gateway >= sc.gateways.size()) return off;
  const std::string& name = sc.city.districts[static_cast<size_t>(district)].name;
  for (const scenario::PowerOutage& outage : sc.drivers.power_outages) {
    if (std::find(outage.districts.begin(), outage.districts.end(), name) == outage.districts.end()) continue;
    const double off_from = outage.start_s + sc.gateways[gateway].backup_s;
    if (off_from < outage.end_s) off.push_back({off_from, outage.end_s});
  }
  return off;
}

}  // namespace citytwin::sim::drivers
