// Public Wi-Fi access points serving CCTV cameras: each camera associates with the access point it
// receives strongest (5 GHz link budget, association threshold), and each access point shares its
// airtime among its cameras (models/radio/wifi.hpp). What an access point carries then crosses its
// backhaul as one rate-limited SimGrid flow (sim/wired_network.hpp), where it shares the fibre.
#pragma once

#include <cstdint>
#include <vector>

#include "models/radio/wifi.hpp"
#include "sim/access/access_network.hpp"
#include "sim/access/cctv_events.hpp"
#include "sim/city/city_layout.hpp"
#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::access {

struct AccessPointLoad {
  uint32_t gateway = 0;
  std::vector<uint32_t> cameras;
  double offered_bps = 0.0;  // by its associated cameras
  double carried_bps = 0.0;  // over the air
  double utilisation = 0.0;  // airtime used, at most 1
  bool saturated = false;
};

class WifiAccess final : public AccessNetwork {
 public:
  WifiAccess(const scenario::Scenario& scenario, const city::CityLayout& city);

  // Cameras stream; they send no uplinks of their own (the fleet skips them).
  bool carries(const engine::Transmission& /*tx*/) const override { return false; }
  void submit(uint64_t /*seq*/, const engine::Transmission& /*tx*/) override {}
  void step(double /*t_s*/, core::ThreadPool& /*pool*/, events::Bus& /*bus*/) override {}
  // What each access point carries becomes a stream on its backhaul (events::StreamStarted).
  void start(double duration_s, events::Bus& bus) override;
  // cameras, cameras_associated, stream_offered_bps, stream_carried_air_bps, when the city has access
  // points (what crosses the backhaul is sim/record's: it needs the wired network).
  void add_kpis(output::KpiList& kpis) const override;

  // CCTV event clips under congestion (cctv_events.hpp): added to their access points' streams, per
  // interval_s. Call before start().
  void add_event_clips(std::vector<CctvClip> clips, double clip_s, double interval_s);
  const std::vector<CctvClip>& event_clips() const { return clips_; }

  const std::vector<AccessPointLoad>& access_points() const { return access_points_; }
  size_t cameras() const { return cameras_; }
  size_t associated() const { return associated_; }
  double offered_bps() const { return offered_bps_; }  // by every camera, associated or not
  double carried_bps() const;

 private:
  std::vector<AccessPointLoad> access_points_;  // one per Wi-Fi gateway, in gateway order
  size_t cameras_ = 0, associated_ = 0;
  double offered_bps_ = 0.0;
  std::vector<CctvClip> clips_;
  double clip_s_ = 0.0, clip_interval_s_ = 0.0;
};

}  // namespace citytwin::sim::access
