// The typed events of a run. Components publish them to the run's Bus (sim/events/bus.hpp) and
// recorders subscribe: a component never calls a recorder, and a recorder owns its KPIs and tables.
// To add an event: a struct here and its name in the Bus's list (bus.hpp).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <vector>

#include "models/radio/adr.hpp"
#include "output/records.hpp"
#include "sim/engine/fleet.hpp"

namespace citytwin::sim::events {

// An uplink (of any radio) whose fate at every gateway, cell or access point is settled, in seq order
// within one access network's step. Each gateway (or cell) in gateways_received hands its copy to the wired
// network at t_received_s, when it holds the frame: the wired network forwards them from this event, in
// their order (sim/network/wired_bus.cpp). Published once per frame, with no event per copy: a copy's
// event was a call through the bus for each of ~20 copies a frame on the simulation thread, and with a lane
// one more through its log (bench/RESULTS.md, "A frame's copies forwarded from the frame").
struct FrameResolved {
  uint64_t seq = 0;  // position in (t_start, device) order over every radio, from 0 (engine::Sequencer)
  engine::Transmission tx;
  std::span<const uint32_t> gateways_received;                // gateways that demodulated it intact
  std::span<const float> rssi_received_dbm;                   // the received power at each of them
  uint16_t gateways_in_range = 0;                             // above sensitivity, whatever happened next
  float best_rssi_dbm = 0.0f;                                 // strongest in range (NaN when none)
  float snr_db = std::numeric_limits<float>::quiet_NaN();     // at that gateway
  double t_received_s = 0.0;                                  // when the receiving gateways hold it
  output::FailReason fail_reason = output::FailReason::None;  // None when received by some gateway
};

// The LoRaWAN network server sent a class-A downlink for frame seq (an ACK of a confirmed uplink, a
// LinkADRReq, or both) through `gateway`, on the air over [t_start_s, t_end_s] in receive window
// rx_window (1 or 2). The device gets it at the end of its receive windows (engine::Fleet::post_downlink,
// subscribed in app::RunAssembly).
struct DownlinkSent {
  uint64_t seq = 0;
  uint32_t device = 0;
  uint32_t gateway = 0;
  double t_start_s = 0.0;
  double t_end_s = 0.0;
  int rx_window = 1;
  bool ack = false;                              // acknowledges a confirmed uplink
  std::optional<models::radio::AdrSetting> adr;  // the LinkADRReq's new setting, if any
};

// The network server finished processing a copy of frame seq; `first` when this copy delivered the
// frame (the later ones are duplicates, deduplicated). `failure`: the wired failure (row of
// /kpi/failures) that held it in its gateway's buffer, or -1. `retransmission`: the delivered frame
// repeats a confirmed report the server has already passed on to the platform (its FCnt, after an ACK
// the device did not hear): acknowledged, not passed on again (sim/network/server_frames.hpp), so no
// MessageIngested follows it.
struct CopyDelivered {
  uint64_t seq = 0;
  double t_delivered_s = 0.0;
  int failure = -1;
  bool first = false;
  bool retransmission = false;
};

// A copy of frame seq was lost behind its gateway (full buffer, server down), by `failure` or -1.
struct CopyDropped {
  uint64_t seq = 0;
  output::FailReason reason = output::FailReason::None;
  int failure = -1;
};

// A delivered frame handed to the platform once the period's stages have run, with the speeds
// (flop/s) the broker and the analytics obtained on the platform host.
struct MessageIngested {
  uint64_t seq = 0;
  double t_delivered_s = 0.0;
  double broker_flops_per_s = 0.0;
  double analytics_flops_per_s = 0.0;
};

// The broker took (accepted) or, its ingest queue full, dropped the message of frame seq delivered
// at t_delivered_s (sim/platform/platform_stages.hpp).
struct MessageBrokered {
  uint64_t seq = 0;
  double t_delivered_s = 0.0;
  bool accepted = false;
};

// Charge a device's radio drew outside the fleet's own accounting (an NB-IoT message, or a LoRaWAN downlink's
// reception).
struct ChargeDrawn {
  uint32_t device = 0;
  double charge_mah = 0.0;
};

// A constant-bitrate stream (CCTV through a Wi-Fi access point) from a gateway to the platform over
// [0, duration_s]; published before the first window.
struct StreamStarted {
  uint32_t gateway = 0;
  double bits_per_s = 0.0;
  double duration_s = 0.0;
  // On top, per interval of extra_interval_s from 0 (CCTV event clips under congestion); empty: none.
  std::vector<double> extra_bps;
  double extra_interval_s = 0.0;
};

// An alert rule fired at the platform (sim/platform/analytics.hpp).
struct AlertRaised {
  size_t rule = 0;
  size_t district = 0;
  double t_event_s = 0.0;  // NaN when the driver never exceeds the threshold (a false alarm)
  double t_alert_s = 0.0;
  double t_inundation_s = 0.0;  // when the district's inundation began (any flood); NaN if never
  bool flood_rule = false;      // the rule's type senses river_level or inundation_depth
};

}  // namespace citytwin::sim::events
