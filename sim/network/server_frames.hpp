// What the network server knows of the frames it receives: which it has delivered (a later copy, from
// another gateway or out of a buffer, is a duplicate) and, for confirmed uplinks, which report each carries.
// A confirmed report's retransmissions (sent when the device heard no ACK) carry its frame counter, FCnt,
// unchanged (LoRaWAN L2 1.0.4, section 4.3.1.5; ns-3's lorawan module since signetlabdei/lorawan#68), and a
// server acknowledges each but passes the report on to the application once ("the application will see the
// confirmed uplink message at most once", The Things Stack, "Confirmed uplinks behavior"). So the platform
// (broker, analytics, storage) takes each report once, whichever of its transmissions arrives first.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "sim/events/events.hpp"
#include "sim/network/wired_network.hpp"

namespace citytwin::sim::network {

class ServerFrames {
 public:
  // Every resolved frame, in seq order, before any of its copies reaches the server.
  void on_resolved(const events::FrameResolved& frame);
  // The server processed a copy of frame seq: what it made of it (WiredNetwork::Delivery).
  WiredNetwork::Delivery deliver(uint64_t seq);
  // A copy of frame seq was lost before the server processed it (dropped behind its gateway, blocked).
  void drop(uint64_t seq);

  // Confirmed frames some gateway received whose copies are not all processed or lost yet.
  size_t confirmed_in_flight() const { return frames_.size(); }

 private:
  // A confirmed device's reports, numbered from 1 in the order it sends them, and which the server has
  // passed on: the newest, and the 63 before it as bits (bit i: report newest - i), a replay window as
  // IPsec's (RFC 4303, 3.4.3). A report older than the window (a frame held 64 reports in a gateway's
  // buffer) is taken as new.
  struct Device {
    uint32_t reports = 0;
    uint32_t newest_passed = 0;
    uint64_t passed = 0;
    bool pass(uint32_t report);  // true when report was not passed on yet (and marks it)
  };
  struct Frame {
    uint32_t device, report, copies_left;
  };
  bool bit(uint64_t seq, size_t plane) const;
  bool set(uint64_t seq, size_t plane);  // sets the bit; returns whether it was clear

  // Two bits a frame, in pairs of words (64 frames: delivered, then confirmed-and-received), so that one
  // line holds both: 1/4 B a frame (run_budget's kBytesPerLoraReport counts 2 B a report).
  std::vector<uint64_t> words_;
  std::unordered_map<uint32_t, Device> devices_;  // confirmed devices alone
  std::unordered_map<uint64_t, Frame> frames_;    // confirmed frames in flight
};

}  // namespace citytwin::sim::network
