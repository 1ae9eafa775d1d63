// Internal to the wired network (sim/network/wired_network_impl.hpp, wired_periods.cpp): a forwarding
// period's copies, batched per gateway, and what preparing the period decides for them. Not part of the
// public interface.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "sim/core/uninitialised.hpp"

namespace citytwin::sim::network::wired_detail {

struct Copy {
  uint64_t frame_seq;
  double t_rx_s;
};
// One forwarding period's copies, a batch per gateway that has any, in gateway order, held flat (one
// allocation a period, not one per gateway: at 2,000 gateways of 5 copies each, the per-gateway vectors'
// malloc and free were ~16 % of a period; bench/wired_period.cpp).
struct PeriodBatches {
  std::vector<uint32_t> gateway;           // batch i's gateway
  std::vector<size_t> bounds{0};           // batch i: copies[bounds[i], bounds[i + 1])
  core::UninitialisedVector<Copy> copies;  // resized, then every place written (send_batches)
  // Sent at the instant of the period before it (send_batches): a drain at the instant of a period, not
  // from app::run, which sends its last period with the drain. Its batches would share their gateways'
  // links with that period's, which only SimGrid sees (plan_period).
  bool same_instant = false;
  size_t size() const { return gateway.size(); }
  std::span<const Copy> copies_of(size_t i) const {
    return {copies.data() + bounds[i], bounds[i + 1] - bounds[i]};
  }
};

// A copy leaving its gateway: forward_delay after reception, or, while a link of its route is down,
// when the route is back (failure: the failure that held it, or -1).
struct Leaving {
  uint64_t frame_seq;
  double t_rx_s, t_leave_s;
  int failure;
};
// A period once its copies' departures and its batches' timing are decided (prepare_period): what
// carry_period needs to deliver them.
struct PreparedPeriod {
  double t_send_s = 0.0;
  std::vector<uint32_t> gateway;  // batch i's gateway
  std::vector<Leaving> leaving;   // batch i's copies that leave: [leaving_bounds[i], [i + 1])
  std::vector<size_t> leaving_bounds{0};
  std::vector<double> comm_bytes;  // per batch: the bytes it carries (held ones included), or 0
  std::vector<bool> to_simgrid;    // per batch: a SimGrid comm (or, checking, every batch)
  std::vector<bool> planned;       // plan_period's choice (differs from to_simgrid when checking)
  bool any_simgrid() const {
    for (size_t i = 0; i < gateway.size(); ++i)
      if (to_simgrid[i] && comm_bytes[i] > 0.0) return true;
    return false;
  }
};
// A period queued for the pool of forwarding workers (WiredNetwork::Impl::queue_forward_job).
struct ForwardJob {
  double t_s = 0.0;
  PeriodBatches batches;
  std::optional<PreparedPeriod> prepared;  // already prepared at t_s (then batches is empty)
  bool quit = false;                       // the end of the run: the worker returns
};

}  // namespace citytwin::sim::network::wired_detail
