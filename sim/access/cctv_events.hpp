// CCTV event streams under congestion (drivers.traffic.cctv): besides its constant stream, each camera
// (a Wi-Fi stream population) sends an event clip, cctv.clip long at its stream's bitrate, plus
// cctv.metadata bytes, for every event its on-board analytics detect (a queue, a stopped vehicle, a
// crash). Events are a non-homogeneous Poisson process of rate
//   lambda(t) = events_per_hour / 3600 x (1 + congestion_gain x congestion_d(t)),
//   congestion_d(t) = clamp(1 - traffic_speed_d(t) / free_flow_speed, 0, 1)
// in the camera's district d, drawn from the camera's own random stream (purpose "cctv-events"), so the
// clips do not depend on the thread count. A clip's bits are spread evenly over the clip's time and
// added, per /timeseries interval, to its access point's stream on the backhaul (events::StreamStarted
// extra_bps): the backhaul and the CCC link carry more while districts are congested. Limits: the Wi-Fi
// airtime sharing is computed on the constant streams (event bits are not limited by it), and a clip is
// not retransmitted when its route is down (the stream's chunk is lost like any video of an outage).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/city/city_layout.hpp"
#include "sim/drivers/driver_set.hpp"
#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::access {

struct CctvClip {
  double t_s = 0.0;  // the event (the clip starts)
  uint32_t camera = 0;
  double bits = 0.0;  // clip and metadata
};

// Every camera's event clips over [0, end_s), in (time, camera) order. Empty unless drivers.traffic
// gives cctv.events_per_hour > 0 and the run has traffic_speed.
std::vector<CctvClip> cctv_event_clips(const scenario::Scenario& scenario, const city::CityLayout& city,
                                       const drivers::DriverSet& drivers, uint64_t seed);

// The clips' bits per interval of interval_s over [0, end_s), as a bitrate (bit/s), for the cameras in
// `cameras` (an access point's).
std::vector<double> clip_bitrate(const std::vector<CctvClip>& clips, const std::vector<uint32_t>& cameras,
                                 double clip_s, double interval_s, double end_s);

}  // namespace citytwin::sim::access
