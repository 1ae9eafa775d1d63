#include "sim/scenario.hpp"

#include <algorithm>

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
      for (const Pon& pon : scenario.fibre.pons)
        if (pon.name == g.pon) return {"drop:" + g.name, "pon:" + pon.name, "backbone:" + pon.olt};
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

}  // namespace citytwin::sim
