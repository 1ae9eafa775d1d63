#include "sim/network/wired_bus.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace citytwin::sim::network {
namespace {
// Which frames the network server has delivered: one bit per seq (1.2 MB for the reference day's
// 9.6 M uplinks), so that a later copy (another gateway's, or one held in a buffer) is a duplicate.
class DeliveredFrames {
 public:
  // Marks seq delivered; true when it was not yet.
  bool mark(uint64_t seq) {
    const auto word = static_cast<size_t>(seq >> 6);
    if (word >= words_.size()) words_.resize(std::max(word + 1, words_.size() * 2), 0);
    const uint64_t bit = uint64_t{1} << (seq & 63);
    const bool first = (words_[word] & bit) == 0;
    words_[word] |= bit;
    return first;
  }

 private:
  std::vector<uint64_t> words_;
};
}  // namespace

std::unique_ptr<WiredNetwork> make_wired_network(const scenario::Scenario& scenario,
                                                 const drivers::GatewayTimeline& timeline, events::Bus& bus,
                                                 std::function<bool(uint64_t seq, double t_s)> blocked) {
  auto delivered = std::make_shared<DeliveredFrames>();
  auto wired = std::make_unique<WiredNetwork>(
      scenario, timeline,
      [&bus, delivered, blocked = std::move(blocked)](uint64_t seq, double t_s, int failure) {
        if (blocked && blocked(seq, t_s)) {
          bus.publish(events::CopyDropped{seq, output::FailReason::Blocked, -1});
          return false;
        }
        const bool first = delivered->mark(seq);
        bus.publish(events::CopyDelivered{seq, t_s, failure, first});
        return first;
      },
      [&bus](uint64_t seq, output::FailReason reason, int failure) {
        bus.publish(events::CopyDropped{seq, reason, failure});
      },
      [&bus](uint64_t seq, double t_s, double broker_flops_per_s, double analytics_flops_per_s) {
        bus.publish(events::MessageIngested{seq, t_s, broker_flops_per_s, analytics_flops_per_s});
      });
  WiredNetwork* w = wired.get();
  // Each receiving gateway's copy of a resolved frame (events::FrameResolved), in their order. Subscribed
  // after the recorders and the platform (sim/app/run_assembly.cpp): they see the frame before its copies go.
  bus.subscribe<events::FrameResolved>([w](const events::FrameResolved& f) {
    for (uint32_t g : f.gateways_received) w->forward(g, f.seq, f.t_received_s);
  });
  bus.subscribe<events::StreamStarted>([w](const events::StreamStarted& s) {
    w->start_stream(s.gateway, s.bits_per_s, s.duration_s, s.extra_bps, s.extra_interval_s);
  });
  return wired;
}

}  // namespace citytwin::sim::network
