// radio.receptions: strongest and strongest_only (approximations, never the default): each LoRa frame
// is received only at the K gateways of its device's strongest links, those with the largest link gain
// (antenna gain less path, shadowing and building losses: the mean received power less the transmit
// power; the shadowing is drawn once per link, sim/city/city_layout.hpp, and there is no per-frame
// fading, so a frame's received powers are transmit power + link gain, in the links' order). Every
// gateway receives the frame at the same transmit power, so those above a frame's sensitivity are a
// prefix of its links sorted by gain: the K strongest links that hear a frame are the K strongest links
// filtered by the frame's sensitivity, and the selection is made once per device.
//
// What the approximation ignores, at a gateway g outside a frame's K strongest (each of the K hears the
// frame at least as strongly as g does; ties: the earlier link):
//   - the frame is not received at g, even where it would have survived there: a copy fewer for the
//     network server (copies_forwarded falls), and a lost frame when each of the K loses it while g
//     would have received it (fewer gateways to save it: delivery is underestimated);
//   - the frame does not interfere at g: a frame that g receives (among its own device's K strongest)
//     cannot be collided there by it, nor lose to it by capture, nor get its energy with
//     radio.interference: cumulative (frames lost to collision at g may survive: overestimated);
//   - strongest_only: the frame does not hold one of g's demodulation paths while on the air (the
//     exact model locks a free path on every frame above the sensitivity, received or not), so frames
//     are no longer lost at g for want of a demodulator: a large overestimate where paths saturate.
//     strongest keeps that lock (the radio medium's lock-only pass: same checks, same order), so its
//     demodulator occupancy is the exact model's;
//   - a gateway among the K that is off or transmitting a downlink still takes its place: the frame is
//     not offered to the (K+1)-th gateway instead.
// Where the error is small: a frame is left out at g only when K gateways hear it at least as strongly,
// so at g it is one of the fainter frames (from devices with K gateways nearer), and its fate changes
// only when every one of its K gateways loses it. The exact model already leaves out every reception
// below the sensitivity (it neither interferes nor holds a demodulator): that cut is the model's, and
// no cheaper cut keeps its results. tests/sim/strongest_links_test.cpp measures the error.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sim/city/city_layout.hpp"

namespace citytwin::sim::access {

// The positions, within each device's links (city.link_offset), of its k strongest links, in
// increasing position (the order the exact model visits them): with k at least a device's link
// count, all of them. Ties in gain: the earlier link.
class StrongestLinks {
 public:
  StrongestLinks(const city::CityLayout& city, uint32_t k, bool demodulators = false);

  std::span<const uint32_t> of(uint32_t device) const {
    return {position_.data() + offset_[device], static_cast<size_t>(offset_[device + 1] - offset_[device])};
  }
  // The same links' gateways and gains (copies of city.link_gateway and city.link_gain_db at those
  // positions): a device's K side by side, where the city's links put them among all its others (a cache
  // miss or two a device instead of two a link at a million devices, bench/RESULTS.md).
  const uint32_t* gateways_of(uint32_t device) const { return gateway_.data() + offset_[device]; }
  const float* gains_of(uint32_t device) const { return gain_db_.data() + offset_[device]; }
  uint32_t k() const { return k_; }
  // Whether the frames beyond the K still hold demodulation paths (strongest; strongest_only: not).
  bool demodulators() const { return demodulators_; }

 private:
  uint32_t k_;
  bool demodulators_;
  std::vector<uint64_t> offset_;    // device d: position_[offset_[d], offset_[d + 1])
  std::vector<uint32_t> position_;  // link k is city.link_offset[d] + position
  std::vector<uint32_t> gateway_;   // city.link_gateway[k] of position_'s link k
  std::vector<float> gain_db_;      // city.link_gain_db[k]
};

}  // namespace citytwin::sim::access
