#include "sim/network/wired_bus.hpp"

#include <memory>

#include "sim/network/server_frames.hpp"

namespace citytwin::sim::network {

std::unique_ptr<WiredNetwork> make_wired_network(const scenario::Scenario& scenario,
                                                 const drivers::GatewayTimeline& timeline, events::Bus& bus,
                                                 std::function<bool(uint64_t seq, double t_s)> blocked) {
  using Delivery = WiredNetwork::Delivery;
  auto frames = std::make_shared<ServerFrames>();
  auto wired = std::make_unique<WiredNetwork>(
      scenario, timeline,
      [&bus, frames, blocked = std::move(blocked)](uint64_t seq, double t_s, int failure) {
        if (blocked && blocked(seq, t_s)) {
          frames->drop(seq);
          bus.publish(events::CopyDropped{seq, output::FailReason::Blocked, -1});
          return Delivery::Duplicate;
        }
        const Delivery delivery = frames->deliver(seq);
        bus.publish(events::CopyDelivered{seq, t_s, failure, delivery != Delivery::Duplicate,
                                          delivery == Delivery::Retransmission});
        return delivery;
      },
      [&bus, frames](uint64_t seq, output::FailReason reason, int failure) {
        frames->drop(seq);
        bus.publish(events::CopyDropped{seq, reason, failure});
      },
      [&bus](uint64_t seq, double t_s, double broker_flops_per_s, double analytics_flops_per_s) {
        bus.publish(events::MessageIngested{seq, t_s, broker_flops_per_s, analytics_flops_per_s});
      });
  WiredNetwork* w = wired.get();
  // Each receiving gateway's copy of a resolved frame (events::FrameResolved), in their order. Subscribed
  // after the recorders and the platform (sim/app/run_assembly.cpp): they see the frame before its copies go.
  bus.subscribe<events::FrameResolved>([w, frames](const events::FrameResolved& f) {
    frames->on_resolved(f);
    for (uint32_t g : f.gateways_received) w->forward(g, f.seq, f.t_received_s);
  });
  bus.subscribe<events::StreamStarted>([w](const events::StreamStarted& s) {
    w->start_stream(s.gateway, s.bits_per_s, s.duration_s, s.extra_bps, s.extra_interval_s);
  });
  return wired;
}

}  // namespace citytwin::sim::network
