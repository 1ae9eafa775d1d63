#include "sim/access/cctv_events.hpp"

#include <algorithm>
#include <cmath>

#include "sim/core/rng.hpp"
#include "sim/drivers/traffic_reporters.hpp"

namespace citytwin::sim::access {

std::vector<CctvClip> cctv_event_clips(const scenario::Scenario& sc, const city::CityLayout& city,
                                       const drivers::DriverSet& drivers, uint64_t seed) {
  std::vector<CctvClip> clips;
  const scenario::TrafficSpec& spec = sc.drivers.traffic;
  const drivers::QuantityField* speed = drivers.find("traffic_speed");
  if (!spec.enabled || spec.cctv_events_per_h <= 0.0 || speed == nullptr) return clips;
  const double end_s = sc.run.duration_s;
  for (uint32_t cam = 0; cam < city.device_count(); ++cam) {
    const scenario::DevicePopulation& pop = sc.devices[city.device_population[cam]];
    if (pop.technology != scenario::Technology::WiFi) continue;
    const size_t district = city.device_district[cam];
    const drivers::RateFunction rate = [&](double t) {
      const double congestion = std::clamp(1.0 - speed->at(district, t) / spec.free_flow_speed_kmh, 0.0, 1.0);
      return spec.cctv_events_per_h / 3600.0 * (1.0 + spec.cctv_congestion_gain * congestion);
    };
    core::Stream rng(seed, "cctv-events", cam);
    const double bits = pop.stream_bps * spec.cctv_clip_s + 8.0 * spec.cctv_metadata_bytes;
    // Events: where the integrated rate reaches successive unit exponentials (time rescaling).
    for (double t = 0.0;;) {
      t = drivers::time_to_integral(rate, t, -std::log(1.0 - rng.uniform()), 10.0, end_s);
      if (t >= end_s) break;
      clips.push_back({t, cam, bits});
    }
  }
  std::sort(clips.begin(), clips.end(), [](const CctvClip& a, const CctvClip& b) {
    return a.t_s < b.t_s || (a.t_s == b.t_s && a.camera < b.camera);
  });
  return clips;
}

std::vector<double> clip_bitrate(const std::vector<CctvClip>& clips, const std::vector<uint32_t>& cameras,
                                 double clip_s, double interval_s, double end_s) {
  const size_t n = static_cast<size_t>(std::ceil(end_s / interval_s));
  std::vector<double> bits(n, 0.0);
  for (const CctvClip& c : clips) {
    if (!std::binary_search(cameras.begin(), cameras.end(), c.camera)) continue;
    // Spread evenly over [t, t + clip_s) (metadata with it; a clip of 0 s lands in one interval).
    const double t0 = c.t_s, t1 = std::min(end_s, c.t_s + std::max(clip_s, 1e-9));
    for (size_t i = static_cast<size_t>(t0 / interval_s); i < n && i * interval_s < t1; ++i) {
      const double a = std::max(t0, i * interval_s), b = std::min(t1, (i + 1) * interval_s);
      if (b > a) bits[i] += c.bits * (b - a) / (t1 - t0);
    }
  }
  for (double& b : bits) b /= interval_s;
  return bits;
}

}  // namespace citytwin::sim::access
