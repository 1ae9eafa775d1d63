// The wired network on the run's bus: it carries the copy each receiving gateway of a resolved frame forwards
// (events::FrameResolved), carries the streams that start (events::StreamStarted), and publishes what its
// network server did with each copy (events::CopyDelivered, the first copy of a frame delivering it:
// deduplication; CopyDropped) and the delivered frames the platform's stages take (events::MessageIngested):
// each report once, a confirmed report's retransmissions not again (sim/network/server_frames.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "sim/events/bus.hpp"
#include "sim/network/wired_network.hpp"

namespace citytwin::sim::network {

// Creates the SimGrid engine and platform (one per process: sim/app/run.hpp) and subscribes it to
// `bus`, which must outlive it. `blocked` (may be empty): the network server drops a copy of frame seq
// arriving at t_s, before deduplication, when it returns true (events::CopyDropped, fail_reason blocked:
// attacks.detection.block, sim/attacks/attack_set.hpp).
std::unique_ptr<WiredNetwork> make_wired_network(const scenario::Scenario& scenario,
                                                 const drivers::GatewayTimeline& timeline, events::Bus& bus,
                                                 std::function<bool(uint64_t seq, double t_s)> blocked = {});

}  // namespace citytwin::sim::network
