#include "sim/scenario.hpp"

#include <algorithm>
#include <tuple>

#include "sim/rng.hpp"

namespace citytwin::sim {

double Series::at(double t_s) const {
  if (points.empty()) return 0.0;
  if (t_s <= points.front().first) return points.front().second;
  if (t_s >= points.back().first) return points.back().second;
  const auto next =
      std::upper_bound(points.begin(), points.end(), t_s,
                       [](double t, const std::pair<double, double>& p) { return t < p.first; });
  const auto prev = next - 1;
  const double w = (t_s - prev->first) / (next->first - prev->first);
  return prev->second + w * (next->second - prev->second);
}

std::vector<std::string> route_link_names(const Scenario& scenario, const Gateway& g) {
  switch (g.backhaul) {
    case BackhaulKind::Fibre:
      return {"fibre:" + g.name};
    case BackhaulKind::Pon: {
      for (const Pon& pon : scenario.fibre.pons) {
        if (pon.name != g.pon) continue;
        std::vector<std::string> route = {"drop:" + g.name, "pon:" + pon.name, "backbone:" + pon.olt};
        for (const Olt& olt : scenario.fibre.olts)
          if (olt.name == pon.olt) route.insert(route.end(), olt.core_route.begin(), olt.core_route.end());
        return route;
      }
      return {"drop:" + g.name};
    }
    case BackhaulKind::Cellular:
      return {"cellular:" + g.name};
    case BackhaulKind::LeasedLine:
      return {"leased:" + g.name};
    case BackhaulKind::WifiMesh: {
      std::vector<std::string> hops;
      for (int hop = 0; hop < g.mesh_hops; ++hop)
        hops.push_back("mesh:" + g.name + ":" + std::to_string(hop));
      return hops;
    }
  }
  return {};
}

int district_of(const City& city, double x_m, double y_m) {
  for (size_t i = 0; i < city.districts.size(); ++i)
    if (city.districts[i].contains(x_m, y_m)) return static_cast<int>(i);
  return -1;
}

std::vector<TimeInterval> power_off_intervals(const Scenario& scenario, uint32_t gateway, int district) {
  std::vector<TimeInterval> off;
  if (district < 0 || gateway >= scenario.gateways.size()) return off;
  const std::string& name = scenario.city.districts[static_cast<size_t>(district)].name;
  for (const PowerOutage& outage : scenario.drivers.power_outages) {
    if (std::find(outage.districts.begin(), outage.districts.end(), name) == outage.districts.end()) continue;
    const double off_from = outage.start_s + scenario.gateways[gateway].backup_s;
    if (off_from < outage.end_s) off.push_back({off_from, outage.end_s});
  }
  return off;
}

std::vector<Failure> failure_schedule(const Scenario& scenario, uint64_t seed) {
  std::vector<Failure> schedule;
  const auto& failures = scenario.drivers.failures;
  for (size_t i = 0; i < failures.size(); ++i) {
    const Failure& f = failures[i];
    if (f.mtbf_s <= 0.0) {
      schedule.push_back(f);
      continue;
    }
    // Alternating renewal process: up ~ Exp(mtbf), down ~ Exp(mttr); its long-run availability is
    // mtbf / (mtbf + mttr) (e.g. Trivedi, "Probability and Statistics with Reliability, Queuing and
    // Computer Science Applications", 2nd ed., section 8.2).
    Stream rng(seed, "failures", i);
    for (double t = rng.exponential(f.mtbf_s); t < scenario.run.duration_s;) {
      const double down = rng.exponential(f.mttr_s);
      schedule.push_back({f.target, t, t + down, 0.0, 0.0});
      t += down + rng.exponential(f.mtbf_s);
    }
  }
  std::stable_sort(schedule.begin(), schedule.end(), [](const Failure& a, const Failure& b) {
    return std::tie(a.start_s, a.target) < std::tie(b.start_s, b.target);
  });
  return schedule;
}

}  // namespace citytwin::sim
