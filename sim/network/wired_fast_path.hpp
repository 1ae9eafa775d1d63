// Internal to the wired network (sim/network/wired_network_impl.hpp, wired_fast_path.cpp): the state of
// the analytic path of the forwarding comms, which wired_fast_path.cpp describes. Not part of the public
// interface.
#pragma once

#include <cstddef>
#include <cstdint>
#include <simgrid/s4u.hpp>
#include <utility>
#include <vector>

#include "sim/network/max_min_fluid.hpp"

namespace citytwin::sim::network::wired_detail {

// A batch whose route is loaded by no other traffic gets, in SimGrid's max-min sharing, its route's
// bound: the smallest bandwidth on it (and CM02's TCP window bound). Such batches are timed without a
// SimGrid comm; only the batches that share a loaded link (and everything coupled to them) go to
// SimGrid's solver.
struct FastPath {
  bool enabled = true;
  bool prepared = false;
  bool check = false;  // CITYTWIN_WIRED_CHECK: every batch to SimGrid, the analytic rate compared
  // Every link by id: link_order's indices, then the district aggregation links.
  std::vector<double> bandwidth_Bps;
  std::vector<simgrid::s4u::Link*> link;    // link_order's links (not the aggregation links)
  std::vector<bool> coupling;               // the traffic that may cross it can exceed its bandwidth
  std::vector<bool> streamed;               // a CCTV stream crosses it
  std::vector<std::vector<double>> events;  // per link: times it fails or comes back (sorted)
  std::vector<int> simgrid_in_flight;       // per link: SimGrid batches on the wire
  struct Active {
    double t0_s, t1_s, rate_Bps;
  };
  std::vector<std::vector<Active>> active;  // per coupling link: analytic batches not yet done
  std::vector<std::vector<size_t>> route;   // per gateway: every link id of its route to the server
  std::vector<double> bound_Bps;            // per gateway: its route's rate bound
  uint64_t analytic = 0, simgrid = 0;       // batches timed either way
  uint64_t checked = 0;
  double max_relative_error = 0.0;
  // Groups on an over-subscribed link (a PON), timed by max-min sharing (max_min_fluid.hpp): per
  // gateway, (send time, rate) of its batches not yet read by analytic_rate.
  FluidPrecision precision;  // SimGrid's surf/precision and maxmin/precision
  std::vector<std::vector<std::pair<double, double>>> shared_rates;
  uint64_t shared = 0;  // of `analytic`
  uint64_t checked_shared = 0;
  double max_relative_error_shared = 0.0;
};

}  // namespace citytwin::sim::network::wired_detail
