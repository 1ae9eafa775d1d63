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
    derived_.push_back(0);
    frame_gateways_ = gateways_.size();
    gateways_.insert(gateways_.end(), frame.gateways_received.begin(), frame.gateways_received.end());
    rssi_.insert(rssi_.end(), frame.rssi_received_dbm.begin(), frame.rssi_received_dbm.end());
    frame_open_ = true;
  }
  // A copy that is the next of the frame just added (access::publish_resolved: one per receiving
  // gateway, in their order, at the frame's reception time) is counted, not stored: the replay makes it
  // again from the frame's gateways. A 1 M-device day has ~700 M copies; storing each (24 B) on the
  // radio's thread for the lane to read was ~5 % of the run's CPU (bench/RESULTS.md).
  void add(const CopyForwarded& copy) {
    if (frame_open_) {
      const FrameResolved& frame = frames_.back();
      uint32_t& derived = derived_.back();
      if (copy.seq == frame.seq && copy.t_s == frame.t_received_s &&
          derived < frame.gateways_received.size() && copy.gateway == gateways_[frame_gateways_ + derived]) {
        ++derived;
        return;
      }
    }
    frame_open_ = false;
    order_.push_back(Kind::Copy);
    copies_.push_back(copy);
  }
  void add(const StreamStarted& stream) {
    frame_open_ = false;
    order_.push_back(Kind::Stream);
    streams_.push_back(stream);
  }
  bool empty() const { return order_.empty(); }

  // Publishes every event on bus, in the order added, then forgets them (keeping the storage). On the lane,
  // it joins a round started meanwhile every 64 events (sim/core/round_joining.hpp).
  void replay(const Bus& bus) {
    size_t frame = 0, copy = 0, stream = 0, gateway = 0, rssi = 0, events = 0;
    for (const Kind kind : order_) {
      if ((++events & 63) == 0) core::join_waiting_round();
      switch (kind) {
        case Kind::Frame: {
          const uint32_t derived = derived_[frame];
          FrameResolved f = frames_[frame++];
          f.gateways_received = {gateways_.data() + gateway, f.gateways_received.size()};
          f.rssi_received_dbm = {rssi_.data() + rssi, f.rssi_received_dbm.size()};
          gateway += f.gateways_received.size();
          rssi += f.rssi_received_dbm.size();
          bus.publish(f);
          for (uint32_t i = 0; i < derived; ++i)
            bus.publish(CopyForwarded{f.seq, f.gateways_received[i], f.t_received_s});
          break;
        }
        case Kind::Copy:
          bus.publish(copies_[copy++]);
          break;
        case Kind::Stream:
          bus.publish(streams_[stream++]);
          break;
      }
    }
    order_.clear();
    frames_.clear();
    derived_.clear();
    gateways_.clear();
    rssi_.clear();
    copies_.clear();
    streams_.clear();
    frame_open_ = false;
  }

 private:
  enum class Kind : uint8_t { Frame, Copy, Stream };
  std::vector<Kind> order_;
  std::vector<FrameResolved> frames_;  // their spans' lengths; the values in gateways_ and rssi_
  std::vector<uint32_t> derived_;  // per frame: its copies counted by add(CopyForwarded), replayed after it
  std::vector<uint32_t> gateways_;
  std::vector<float> rssi_;
  std::vector<CopyForwarded> copies_;  // the others (not right after their frame, or not of its gateways)
  std::vector<StreamStarted> streams_;
  bool frame_open_ = false;    // the last event added is a frame or one of its counted copies
  size_t frame_gateways_ = 0;  // where the last frame's gateways start in gateways_
};

}  // namespace citytwin::sim::events
