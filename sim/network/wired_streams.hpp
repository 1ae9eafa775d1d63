// Internal to the wired network (sim/network/wired_network_impl.hpp, wired_streams.cpp): a CCTV stream's
// state over the wired network. Not part of the public interface.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <simgrid/s4u.hpp>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::network::wired_detail {

struct Stream {
  uint32_t gateway = 0;
  double bits_per_s = 0.0, duration_s = 0.0;
  std::vector<double> extra_bps;  // per interval of extra_interval_s: CCTV event clips on top
  double extra_interval_s = 0.0;
  double rate_bps(double t_s) const {
    if (extra_bps.empty()) return bits_per_s;
    const auto i = static_cast<size_t>(t_s / extra_interval_s);
    return bits_per_s + (i < extra_bps.size() ? extra_bps[i] : 0.0);
  }
  double peak_bps() const {
    double peak = 0.0;
    for (double e : extra_bps) peak = std::max(peak, e);
    return bits_per_s + peak;
  }
  std::vector<size_t> links;                 // indices into link_order, to the stream's destination
  std::vector<scenario::TimeInterval> down;  // merged: when its route is down
  double delivered_bytes = 0.0, outage_s = 0.0;
  simgrid::s4u::CommPtr active;   // the chunk on the wire
  double remaining_at_cut = 0.0;  // its bytes still to send when it was cut or stopped
  bool stopped = false;
  double end_s = 0.0;             // where it ended: duration_s, or where a stopped run stopped
  double asleep_until_s = -1.0;   // while its sender sleeps through an outage (counted): its end
  simgrid::s4u::ActorPtr sender;  // its actor (run_stream)
};

}  // namespace citytwin::sim::network::wired_detail
