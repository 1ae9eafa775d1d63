#include "sim/access/wifi_access.hpp"

#include <cmath>
#include <limits>

namespace citytwin::sim::access {

WifiAccess::WifiAccess(const scenario::Scenario& scenario, const city::CityLayout& city) {
  const models::radio::WifiConfig config;
  const models::radio::WifiLinkBudget budget;
  std::vector<int64_t> slot(scenario.gateways.size(), -1);
  for (uint32_t g = 0; g < scenario.gateways.size(); ++g) {
    if (scenario.gateways[g].technology != scenario::Technology::WiFi) continue;
    slot[g] = static_cast<int64_t>(access_points_.size());
    access_points_.push_back({g, {}, 0.0, 0.0, 0.0, false});
  }
  std::vector<std::vector<models::radio::StationDemand>> demands(access_points_.size());
  for (uint32_t d = 0; d < city.device_count(); ++d) {
    const scenario::DevicePopulation& pop = scenario.devices[city.device_population[d]];
    if (pop.technology != scenario::Technology::WiFi) continue;
    ++cameras_;
    offered_bps_ += pop.stream_bps;
    double best_rssi = -std::numeric_limits<double>::infinity();
    int64_t best = -1;
    for (uint32_t g = 0; g < scenario.gateways.size(); ++g) {
      if (slot[g] < 0) continue;
      const scenario::Gateway& ap = scenario.gateways[g];
      const double rssi =
          budget.received_power_dbm(std::hypot(ap.x_m - city.device_x_m[d], ap.y_m - city.device_y_m[d]));
      if (rssi > best_rssi) {
        best_rssi = rssi;
        best = slot[g];
      }
    }
    if (best < 0 || !models::radio::wifi_associates(best_rssi, config)) continue;
    ++associated_;
    access_points_[static_cast<size_t>(best)].cameras.push_back(d);
    demands[static_cast<size_t>(best)].push_back({best_rssi, pop.stream_bps});
  }
  for (size_t i = 0; i < access_points_.size(); ++i) {
    const models::radio::AccessPointShare share =
        models::radio::share_access_point(demands[i], config, scenario.wifi.airtime_sharing);
    access_points_[i].offered_bps = share.offered_bps;
    access_points_[i].carried_bps = share.carried_bps;
    access_points_[i].utilisation = share.utilisation;
    access_points_[i].saturated = share.saturated();
  }
}

double WifiAccess::carried_bps() const {
  double total = 0.0;
  for (const AccessPointLoad& ap : access_points_) total += ap.carried_bps;
  return total;
}

void WifiAccess::add_event_clips(std::vector<CctvClip> clips, double clip_s, double interval_s) {
  clips_ = std::move(clips);
  clip_s_ = clip_s;
  clip_interval_s_ = interval_s;
}

void WifiAccess::start(double duration_s, events::Bus& bus) {
  for (const AccessPointLoad& ap : access_points_) {
    if (ap.carried_bps <= 0.0) continue;
    events::StreamStarted stream{ap.gateway, ap.carried_bps, duration_s, {}, 0.0};
    if (!clips_.empty()) {
      stream.extra_bps = clip_bitrate(clips_, ap.cameras, clip_s_, clip_interval_s_, duration_s);
      stream.extra_interval_s = clip_interval_s_;
    }
    bus.publish(stream);
  }
}

void WifiAccess::add_kpis(output::KpiList& kpis) const {
  if (access_points_.empty()) return;
  kpis.emplace_back("cameras", static_cast<double>(cameras()));
  kpis.emplace_back("cameras_associated", static_cast<double>(associated()));
  kpis.emplace_back("stream_offered_bps", offered_bps());
  kpis.emplace_back("stream_carried_air_bps", carried_bps());
  if (clips_.empty()) return;
  double bits = 0.0;
  for (const CctvClip& c : clips_) bits += c.bits;
  kpis.emplace_back("cctv_event_clips", static_cast<double>(clips_.size()));
  kpis.emplace_back("cctv_event_bytes", bits / 8.0);
}

}  // namespace citytwin::sim::access
