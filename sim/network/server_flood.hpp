// Denial of service on the LoRaWAN network server (scenario attacks.platform_dos with target
// network_server): bogus frames (forged joins and uplinks from devices that do not exist, as a botnet
// of rogue packet forwarders sends them over the backhaul) reach the network server at `rate` per second
// (Poisson arrivals from the stream (seed, "ns-dos", attack index)) during each attack's window, clipped
// to the run. The server must process each before it can tell it is bogus: it takes platform.ns_cost
// like a real copy, in the same FIFO queue (sim/network/server_queue.hpp, at most platform.ns_capacity
// in the system), so real copies wait behind them and, once the queue is full, are dropped
// (fail_reason server_overload).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::network {

class ServerFlood {
 public:
  ServerFlood(const scenario::Scenario& scenario, uint64_t seed);

  bool empty() const { return attacks_.empty(); }
  // The time of the next bogus frame (infinity when none is left); pop() moves past it.
  double next_s() const;
  // Removes the next bogus frame and returns its attack (index into scenario.attacks.platform_dos).
  size_t pop();
  // The server dropped a bogus frame of attack a (its queue was full).
  void record_drop(size_t a) { ++dropped_[a]; }

  // Per entry of scenario.attacks.platform_dos (0 for those aimed at the broker): bogus frames that
  // arrived, and those the full queue dropped.
  const std::vector<uint64_t>& sent() const { return sent_; }
  const std::vector<uint64_t>& dropped() const { return dropped_; }

 private:
  struct Source {
    size_t attack;
    double rate_per_s, end_s;
    uint64_t key, counter;
    double next_s;
  };
  void draw_next(Source& s);
  std::vector<Source> attacks_;
  std::vector<uint64_t> sent_, dropped_;
};

}  // namespace citytwin::sim::network
