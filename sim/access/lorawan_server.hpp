// The LoRaWAN MAC side of the network server: acknowledgements of confirmed uplinks and ADR.
//
// For each resolved frame (in seq order) that some gateway received, the server decides whether a
// downlink is needed (an ACK for a confirmed uplink; a LinkADRReq when ADR changes the device's
// setting) and schedules it class-A style: in RX1 (rx1_delay after the uplink, on the region's RX1
// channel and RX1 data rate for the uplink's: EU868 the uplink's own, US915 DR10..DR13 at 500 kHz) from
// the receiving gateway with the best RSSI that is neither transmitting nor barred by its own
// sub-band duty cycle, else in RX2 (one second later, the region's RX2 channel and data rate), else
// not at all (counted as a failed downlink). A downlink occupies the gateway: it hears nothing meanwhile
// (RadioMedium::block_gateway). The device gets a sent downlink if its power there reaches the device's
// sensitivity at the window's data rate (models/radio/reception.hpp, end_device_sensitivity_dbm): the
// uplink's received power at that gateway, less the device's transmit power, plus the gateway's
// (gateways[].tx_power): the same path, antennas, shadowing and walls both ways. One it does not hear
// (downlinks_unheard) was still sent: the gateway was busy and spent its duty cycle, and the server, which
// cannot tell, counts its ADR command and starts the device's ADR history again (20 more uplinks before
// the next decision, as ns-3); the device waits for its ACK and keeps its setting. A downlink
// heard keeps the device's receiver on until it ends (and RX2 closed after one in RX1): the charge beyond
// the empty windows the fleet charged is published as events::ChargeDrawn (models/device/firmware.hpp,
// DutyCycleMachine::downlink_charge_mah).
// The decision is taken when the frame is resolved, within the window of its end, i.e. before RX1, but
// timed as the network would allow it: the server knows of the frame once its first copy arrives (the
// frame's end, plus the least over the receiving gateways of forward_delay and the route's latency up),
// answers platform.ns_downlink_delay later (ChirpStack's deduplication delay), and a gateway transmits in
// a window only if the downlink reaches it by the window's start (its route's latency down). Latencies
// are the routes' propagation and the operators' stated latencies (scenario::route_latency_s), without
// the wired network's queueing: a cellular or satellite backhaul of several hundred milliseconds moves
// the ACKs to RX2 or loses them (downlinks_rx1_late), as a 1 s RX1 delay does on real networks. A sent
// downlink is published (events::DownlinkSent); the fleet, subscribed, hands it to the device.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "models/radio/adr.hpp"
#include "models/radio/duty_cycle.hpp"
#include "sim/access/radio_medium.hpp"
#include "sim/city/city_layout.hpp"
#include "sim/events/bus.hpp"
#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::access {

class LorawanServer {
 public:
  // reachable(gateway, t): whether the network server is up and the gateway's backhaul works at t
  // (drivers.failures); a downlink needs both.
  using Reachability = std::function<bool(uint32_t gateway, double t_s)>;
  LorawanServer(const scenario::Scenario& scenario, const city::CityLayout& city, RadioMedium& medium,
                Reachability reachable = {});
  // The medium calls back into this server (its look-ahead on resolve): it stays where it was built.
  LorawanServer(const LorawanServer&) = delete;
  LorawanServer& operator=(const LorawanServer&) = delete;

  // Decides and schedules frame's downlink, if it needs one, and publishes it on bus.
  void on_frame(const ResolvedFrame& frame, events::Bus& bus);

  uint64_t downlinks_sent() const { return downlinks_sent_; }
  uint64_t downlinks_rx2() const { return downlinks_rx2_; }
  uint64_t downlinks_failed() const { return downlinks_failed_; }
  uint64_t downlinks_unheard() const { return downlinks_unheard_; }  // sent, below the device's sensitivity
  // Downlinks for which no receiving gateway could be reached by RX1's start (sent in RX2, or not at all).
  uint64_t downlinks_rx1_late() const { return downlinks_rx1_late_; }
  uint64_t adr_commands() const { return adr_commands_; }

 private:
  enum class Downlink { NotSent, Unheard, Heard };
  // Sends a downlink of payload_bytes for frame where some gateway can, with its gateway, window and time
  // on the air set in sent; whether the device hears it.
  Downlink send_downlink(const ResolvedFrame& frame, int payload_bytes, events::DownlinkSent& sent);
  // The medium's look-ahead on resolve: a device's ADR slot for the far frame, its history for the near
  // one (the slot, asked for 8 frames before, is then in the cache).
  void prefetch_adr(uint32_t far_device, uint32_t near_device) const;

  const scenario::Scenario& scenario_;
  const city::CityLayout& city_;
  RadioMedium& medium_;
  Reachability reachable_;
  std::vector<models::radio::DutyCycleRegulator> gateway_duty_cycle_;
  // ADR's history of a device of an ADR population: the maximum of the best RSSIs of its last 20 uplinks, as
  // the floats the frames carry. Its maximum SNR is snr_db(its maximum RSSI), the very double the maximum of
  // the uplinks' SNRs was (the noise floor is the population's constant, and subtracting it keeps the
  // order): one 64-byte line a device (models::radio::RecentMax; the ring of 20 floats took 84 bytes, two
  // or three lines, and models::radio::AdrHistory's doubles 168), for the ADR populations' devices alone
  // (run_budget's kBytesPerAdrDevice).
  using RecentRssi = models::radio::RecentMax;
  static_assert(sizeof(RecentRssi) == 64, "run_budget's kBytesPerAdrDevice counts 64 B");
  // Where a device's RecentRssi is: the ADR populations' devices as runs of consecutive ids (a population's
  // devices are one run, and a city's ADR devices a few), their slots consecutive; with more than
  // kMaxAdrRuns runs, a slot for every device instead (adr_slot_). The runs are a few bytes in the cache
  // where the 4 B a device were a miss an uplink at 1 M devices (bench/RESULTS.md).
  struct AdrRun {
    uint32_t first, end, slot;  // devices [first, end) have slots slot, slot + 1, ...
  };
  static constexpr size_t kMaxAdrRuns = 16;
  static constexpr uint32_t kNoSlot = UINT32_MAX;
  uint32_t adr_slot(uint32_t device) const;  // kNoSlot: not an ADR device
  std::vector<AdrRun> adr_runs_;
  std::vector<uint32_t> adr_slot_;  // per device, when the runs are too many
  std::vector<RecentRssi> adr_recent_;
  std::vector<uint32_t> gateway_order_;
  // Per gateway: a copy's way up to the network server (forward_delay + the route's latency), and a
  // downlink's way back down (the route's latency).
  std::vector<double> uplink_lead_s_, downlink_lead_s_;
  uint64_t downlinks_sent_ = 0, downlinks_rx2_ = 0, downlinks_failed_ = 0, downlinks_unheard_ = 0,
           downlinks_rx1_late_ = 0, adr_commands_ = 0;
};

// LoRaWAN frame sizes (LoRaWAN L2 1.0.4, section 4): MHDR 1 + FHDR 7 + MIC 4 = 12 B without FPort or
// payload: an empty ACK; a LinkADRReq MAC command adds 5 B in FOpts.
inline constexpr int kAckBytes = 12;
inline constexpr int kLinkAdrReqBytes = 5;

}  // namespace citytwin::sim::access
