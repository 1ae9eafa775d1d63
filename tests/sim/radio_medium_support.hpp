// The radio medium's tests' shared helpers: a city given by its link table, transmissions, a scenario, and a
// medium stepped window by window with the outcomes by device (radio_medium_test.cpp,
// radio_medium_threads_test.cpp).
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <vector>

#include "sim/access/radio_medium.hpp"
#include "tests/sim/rooms.hpp"

namespace citytwin::sim::radio_test {

inline constexpr float kTxPower = 14.0f;

// A city of `rssi.size()` devices; device d is heard by gateway g at rssi[d][g] when transmitting at
// kTxPower (NaN: no link).
inline CityLayout layout(const std::vector<std::vector<float>>& rssi, size_t gateways) {
  CityLayout city;
  city.populations.emplace_back();
  city.gateway_district.assign(gateways, 0);
  city.link_offset.push_back(0);
  for (size_t d = 0; d < rssi.size(); ++d) {
    city.device_population.push_back(0);
    city.device_district.push_back(0);
    city.device_x_m.push_back(0);
    city.device_y_m.push_back(0);
    for (size_t g = 0; g < gateways; ++g) {
      if (std::isnan(rssi[d][g])) continue;
      city.link_gateway.push_back(static_cast<uint32_t>(g));
      city.link_gain_db.push_back(rssi[d][g] - kTxPower);
    }
    city.link_offset.push_back(city.link_gateway.size());
  }
  city.links_by_gateway = true;  // (added in gateway order)
  return city;
}

inline Transmission tx(uint32_t device, double start, double end, uint32_t channel = 868100000,
                       uint8_t sf = 7) {
  Transmission t;
  t.t_start_s = start;
  t.t_end_s = end;
  t.device = device;
  t.channel_hz = channel;
  t.spreading_factor = sf;
  t.tx_power_dbm = kTxPower;
  return t;
}

inline Scenario scenario(bool capture, size_t gateways, int demodulators = 8,
                         RadioChannel::InterSf inter_sf = RadioChannel::InterSf::Orthogonal,
                         RadioChannel::Interference interference = RadioChannel::Interference::Pairwise) {
  Scenario sc;
  sc.city.districts.resize(1);  // layout() puts every device and gateway in district 0
  sc.channel.capture = {capture, 6.0};
  sc.channel.inter_sf = inter_sf;
  sc.channel.interference = interference;
  sc.gateways.resize(gateways);
  for (Gateway& g : sc.gateways) g.demodulators = demodulators;
  return sc;
}

struct Outcome {
  uint64_t seq;
  std::vector<uint32_t> gateways;
  output::FailReason reason;
  uint16_t in_range;
};

class Medium {
 public:
  Medium(const CityLayout& city, bool capture, int demodulators = 8,
         RadioChannel::InterSf inter_sf = RadioChannel::InterSf::Orthogonal,
         RadioChannel::Interference interference = RadioChannel::Interference::Pairwise)
      : scenario_(scenario(capture, city.gateway_count(), demodulators, inter_sf, interference)),
        timeline_(scenario_, {}),
        medium_(scenario_, city, timeline_),
        pool_(2) {}
  // Feeds the transmissions for the window ending at t; returns outcomes by device.
  std::map<uint32_t, Outcome> step(std::vector<Transmission> produced, double t) {
    std::map<uint32_t, Outcome> out;
    medium_.step(produced, t, pool_, [&](const ResolvedFrame& f) {
      if (on_resolved) on_resolved(f);
      out[f.tx.device] = {f.seq,
                          {f.gateways_received.begin(), f.gateways_received.end()},
                          f.fail_reason,
                          f.gateways_in_range};
    });
    return out;
  }
  bool idle() const { return medium_.idle(); }
  RadioMedium& medium() { return medium_; }
  // Called for each resolved frame inside the step, as the network server is (it sends the downlinks).
  std::function<void(const ResolvedFrame&)> on_resolved;

 private:
  Scenario scenario_;
  GatewayTimeline timeline_;
  RadioMedium medium_;
  ThreadPool pool_;
};

inline const float kNone = std::numeric_limits<float>::quiet_NaN();

}  // namespace citytwin::sim::radio_test
