#include "sim/kpi.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace citytwin::sim {
namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
double ratio(double a, double b) { return b > 0.0 ? a / b : kNaN; }
}  // namespace

double percentile(std::vector<float>& values, double p) {
  if (values.empty()) return kNaN;
  const auto n = values.size();
  const auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(n)));
  const size_t index = std::min(n - 1, rank == 0 ? 0 : rank - 1);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(index), values.end());
  return values[index];
}

output::KpiList compute_kpis(const CityLayout& city, const Fleet& fleet, const MessageLog& log,
                             const WiredNetwork& wired) {
  std::vector<float> latencies = log.latencies_s();
  double energy = 0.0;
  for (uint32_t d = 0; d < city.device_count(); ++d) energy += fleet.energy_used_mah(d);
  const auto devices = static_cast<double>(city.device_count());
  return {
      {"devices", devices},
      {"gateways", static_cast<double>(city.gateway_count())},
      {"uplinks_sent", static_cast<double>(log.sent())},
      {"uplinks_delivered", static_cast<double>(log.delivered())},
      {"delivery_ratio", ratio(static_cast<double>(log.delivered()), static_cast<double>(log.sent()))},
      {"latency_p50_s", percentile(latencies, 0.50)},
      {"latency_p95_s", percentile(latencies, 0.95)},
      {"energy_mean_mah", ratio(energy, devices)},
      {"devices_dead", static_cast<double>(fleet.dead_count())},
      {"copies_forwarded", static_cast<double>(wired.copies_forwarded())},
  };
}

output::KpiTable district_kpis(const Scenario& sc, const CityLayout& city, const Fleet& fleet,
                               const MessageLog& log) {
  const size_t n = sc.city.districts.size();
  std::vector<double> devices(n, 0.0), energy(n, 0.0);
  for (uint32_t d = 0; d < city.device_count(); ++d) {
    devices[city.device_district[d]] += 1.0;
    energy[city.device_district[d]] += fleet.energy_used_mah(d);
  }
  output::KpiTable t;
  t.key_name = "district";
  std::vector<double> sent(n), delivered(n), dr(n), latency(n), energy_mean(n);
  for (size_t i = 0; i < n; ++i) {
    t.keys.push_back(sc.city.districts[i].name);
    const bool any = !log.district_sent().empty();
    sent[i] = any ? static_cast<double>(log.district_sent()[i]) : 0.0;
    delivered[i] = any ? static_cast<double>(log.district_delivered()[i]) : 0.0;
    dr[i] = ratio(delivered[i], sent[i]);
    latency[i] = any ? ratio(log.district_latency_sum_s()[i], delivered[i]) : kNaN;
    energy_mean[i] = ratio(energy[i], devices[i]);
  }
  t.columns = {{"devices", devices},           {"uplinks_sent", sent},       {"uplinks_delivered", delivered},
               {"delivery_ratio", dr},         {"latency_mean_s", latency},  {"energy_mean_mah", energy_mean}};
  return t;
}

}  // namespace citytwin::sim
