// Events kept to be published later, in the order they came: the access networks' events for the wired
// network and the recorders, which run one forwarding period behind the radio on the thread pool's lane
// (sim/app/run_assembly.hpp). A FrameResolved's spans point into its access network's buffers, which the
// next window reuses: the log copies what they show.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/round_joining.hpp"
#include "sim/events/bus.hpp"
#include "sim/events/events.hpp"

namespace citytwin::sim::events {

// On cache lines of its own: the simulation thread writes one log's vector headers at every event while the
// lane's worker reads its neighbours (the other log, the bus it publishes on).
class alignas(64) EventLog {
 public:
  void add(const FrameResolved& frame) {
    order_.push_back(Kind::Frame);
    frames_.push_back(frame);
    gateways_.insert(gateways_.end(), frame.gateways_received.begin(), frame.gateways_received.end());
    rssi_.insert(rssi_.end(), frame.rssi_received_dbm.begin(), frame.rssi_received_dbm.end());
  }
  void add(const StreamStarted& stream) {
    order_.push_back(Kind::Stream);
    streams_.push_back(stream);
  }
  bool empty() const { return order_.empty(); }

  // Publishes every event on bus, in the order added, then forgets them (keeping the storage). On the lane,
  // it joins a round started meanwhile every 64 events (sim/core/round_joining.hpp).
  void replay(const Bus& bus) {
    size_t frame = 0, stream = 0, gateway = 0, rssi = 0, events = 0;
    for (const Kind kind : order_) {
      if ((++events & 63) == 0) core::join_waiting_round();
      switch (kind) {
        case Kind::Frame: {
          FrameResolved f = frames_[frame++];
          f.gateways_received = {gateways_.data() + gateway, f.gateways_received.size()};
          f.rssi_received_dbm = {rssi_.data() + rssi, f.rssi_received_dbm.size()};
          gateway += f.gateways_received.size();
          rssi += f.rssi_received_dbm.size();
          bus.publish(f);
          break;
        }
        case Kind::Stream:
          bus.publish(streams_[stream++]);
          break;
      }
    }
    order_.clear();
    frames_.clear();
    gateways_.clear();
    rssi_.clear();
    streams_.clear();
  }

 private:
  enum class Kind : uint8_t { Frame, Stream };
  std::vector<Kind> order_;
  std::vector<FrameResolved> frames_;  // their spans' lengths; the values in gateways_ and rssi_
  std::vector<uint32_t> gateways_;
  std::vector<float> rssi_;
  std::vector<StreamStarted> streams_;
};

}  // namespace citytwin::sim::events
