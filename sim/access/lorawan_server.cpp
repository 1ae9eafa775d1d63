#include "sim/access/lorawan_server.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <utility>

#include "models/device/firmware.hpp"
#include "models/radio/lora_phy.hpp"
#include "models/radio/lorawan_region.hpp"
#include "models/radio/lorawan_timing.hpp"
#include "models/radio/reception.hpp"
#include "sim/core/prefetch.hpp"

namespace citytwin::sim::access {

LorawanServer::LorawanServer(const scenario::Scenario& scenario, const city::CityLayout& city,
                             RadioMedium& medium, Reachability reachable)
    : scenario_(scenario),
      city_(city),
      medium_(medium),
      reachable_(std::move(reachable)),
      gateway_duty_cycle_(city.gateway_count(), models::radio::DutyCycleRegulator(city.region)) {
  for (const scenario::Gateway& g : scenario.gateways) {
    const double route_s = scenario::route_latency_s(scenario, g);
    uplink_lead_s_.push_back(g.forward_delay_s + route_s);
    downlink_lead_s_.push_back(route_s);
  }
  const bool any_adr = std::any_of(city.populations.begin(), city.populations.end(),
                                   [](const city::PopulationProfile& p) { return p.adr; });
  if (!any_adr) return;
  uint32_t slots = 0;
  for (uint32_t d = 0; d < city.device_count(); ++d) {
    if (!city.populations[city.device_population[d]].adr) continue;
    if (adr_runs_.empty() || adr_runs_.back().end != d) adr_runs_.push_back({d, d, slots});
    ++adr_runs_.back().end;
    ++slots;
  }
  if (adr_runs_.size() > kMaxAdrRuns) {
    adr_slot_.assign(city.device_count(), kNoSlot);
    for (const AdrRun& run : adr_runs_)
      for (uint32_t d = run.first; d < run.end; ++d) adr_slot_[d] = run.slot + (d - run.first);
    adr_runs_.clear();
  }
  adr_recent_.resize(slots);
  medium_.look_ahead_on_resolve([this](uint32_t far, uint32_t near) { prefetch_adr(far, near); });
}

uint32_t LorawanServer::adr_slot(uint32_t device) const {
  if (!adr_slot_.empty()) return adr_slot_[device];
  for (const AdrRun& run : adr_runs_)
    if (device >= run.first && device < run.end) return run.slot + (device - run.first);
  return kNoSlot;
}

void LorawanServer::prefetch_adr(uint32_t far_device, uint32_t near_device) const {
  if (far_device != RadioMedium::kNoDevice && !adr_slot_.empty()) __builtin_prefetch(&adr_slot_[far_device]);
  if (near_device == RadioMedium::kNoDevice) return;
  const uint32_t slot = adr_slot(near_device);
  if (slot == kNoSlot) return;  // (not an ADR device)
  // One line (RecentMax), written (add): asked for as a line to be written.
  core::prefetch_for_write(&adr_recent_[slot], sizeof(RecentRssi));
}

LorawanServer::Downlink LorawanServer::send_downlink(const ResolvedFrame& frame, int payload_bytes,
                                                     events::DownlinkSent& sent) {
  const auto& region = models::radio::region_params(city_.region);
  const auto& pop = city_.populations[engine::population_of(city_, frame.tx)];
  const double rx1_delay = pop.machine.profile().rx1_delay_s;
  // Receiving gateways by decreasing RSSI (ties by gateway id).
  gateway_order_.resize(frame.gateways_received.size());
  std::iota(gateway_order_.begin(), gateway_order_.end(), 0u);
  std::sort(gateway_order_.begin(), gateway_order_.end(), [&](uint32_t a, uint32_t b) {
    return frame.rssi_received_dbm[a] > frame.rssi_received_dbm[b] ||
           (frame.rssi_received_dbm[a] == frame.rssi_received_dbm[b] &&
            frame.gateways_received[a] < frame.gateways_received[b]);
  });
  struct Window {
    double t_s, frequency_hz;
    models::radio::LoraPhyParams phy;
  };
  // Each window at its data rate: RX1 the region's RX1 data rate for the uplink's (RX1DROffset 0: in
  // US915 SF10..SF7 at 500 kHz for DR0..DR3, not the uplink's SF at 125 kHz), RX2 the region's RX2 data
  // rate (RP002-1.0.3; models/radio/lorawan_region.hpp).
  const auto phy_at = [](models::radio::LoraRate rate) {
    models::radio::LoraPhyParams phy;
    phy.spreading_factor = rate.spreading_factor;
    phy.bandwidth_hz = rate.bandwidth_hz;
    phy.crc = false;  // downlinks carry no payload CRC (LoRaWAN L2 1.0.4 section 4.1)
    phy.low_data_rate_optimize =
        models::radio::low_data_rate_optimize_required(rate.spreading_factor, rate.bandwidth_hz);
    return phy;
  };
  const models::radio::LoraPhyParams rx1_phy =
      phy_at(models::radio::rx1_rate(city_.region, frame.tx.spreading_factor, pop.bandwidth_hz));
  const models::radio::LoraPhyParams rx2_phy = phy_at(models::radio::rx2_rate(city_.region));
  const double rx1_open_s = frame.tx.t_end_s + rx1_delay;
  // When the server can hand the downlink to a gateway: its first copy in, and its answer's delay.
  double first_copy_s = std::numeric_limits<double>::infinity();
  for (const uint32_t g : frame.gateways_received) first_copy_s = std::min(first_copy_s, uplink_lead_s_[g]);
  const auto in_time = [&](uint32_t g, double window_s) {
    return models::radio::downlink_at_gateway_s(frame.tx.t_end_s, first_copy_s,
                                                scenario_.platform.ns_downlink_delay_s,
                                                downlink_lead_s_[g]) <= window_s;
  };
  if (std::none_of(frame.gateways_received.begin(), frame.gateways_received.end(),
                   [&](uint32_t g) { return in_time(g, rx1_open_s); }))
    ++downlinks_rx1_late_;
  const Window windows[2] = {
      {rx1_open_s, models::radio::rx1_frequency_hz(city_.region, frame.tx.channel_hz), rx1_phy},
      {models::radio::rx2_open_s(rx1_open_s), region.rx2_frequency_hz, rx2_phy}};
  for (int w = 0; w < 2; ++w) {
    const Window& win = windows[w];
    const double airtime = models::radio::time_on_air_s(payload_bytes, win.phy);
    for (uint32_t i : gateway_order_) {
      const uint32_t g = frame.gateways_received[i];
      if (!in_time(g, win.t_s)) continue;
      auto& duty = gateway_duty_cycle_[g];
      if (duty.earliest_start_s(win.frequency_hz) > win.t_s) continue;
      if (reachable_ && !reachable_(g, win.t_s)) continue;
      if (medium_.gateway_busy(g, win.t_s, win.t_s + airtime)) continue;
      duty.record(win.frequency_hz, win.t_s + airtime, airtime);
      medium_.block_gateway(g, win.t_s, win.t_s + airtime);
      ++downlinks_sent_;
      if (w == 1) ++downlinks_rx2_;
      sent.gateway = g;
      sent.t_start_s = win.t_s;
      sent.t_end_s = win.t_s + airtime;
      sent.rx_window = w + 1;
      // Sent, it reaches the device if its power there, the uplink's path reversed, is at or above the
      // device's sensitivity at the window's data rate. The server cannot tell: it has sent it either way.
      // (Its power: the gateway's conducted power, held to the sub-band's ERP limit, EU868 RX1 14 dBm,
      // RX2 27 dBm, through its antenna: the path's gain includes antenna_gain_dbi.)
      const double power_dbm =
          std::min(scenario_.gateways[g].tx_power_dbm,
                   models::radio::max_conducted_dbm(city_.region, win.frequency_hz,
                                                    scenario_.gateways[g].antenna_gain_dbi));
      const double rx_dbm =
          static_cast<double>(frame.rssi_received_dbm[i]) - frame.tx.tx_power_dbm + power_dbm;
      if (rx_dbm <
          models::radio::end_device_sensitivity_dbm(win.phy.spreading_factor, win.phy.bandwidth_hz)) {
        ++downlinks_unheard_;
        return Downlink::Unheard;
      }
      return Downlink::Heard;
    }
  }
  ++downlinks_failed_;
  return Downlink::NotSent;
}

void LorawanServer::on_frame(const ResolvedFrame& frame, events::Bus& bus) {
  if (frame.gateways_received.empty()) return;
  const auto& pop = city_.populations[engine::population_of(city_, frame.tx)];
  std::optional<models::radio::AdrSetting> adr;
  RecentRssi* recent = nullptr;
  if (pop.adr) {
    recent = &adr_recent_[adr_slot(frame.tx.device)];
    recent->add(*std::max_element(frame.rssi_received_dbm.begin(), frame.rssi_received_dbm.end()));
    const models::radio::AdrSetting current{frame.tx.spreading_factor, frame.tx.tx_power_dbm};
    models::radio::AdrParams params;
    params.max_tx_power_dbm = pop.tx_power_dbm;
    const auto decided = models::radio::adr_decide(
        recent->size(), recent->full(),
        models::radio::snr_db(recent->max(), pop.bandwidth_hz, scenario_.channel.noise_figure_db), current,
        params);
    if (decided && !(*decided == current)) adr = decided;
  }
  if (!frame.tx.confirmed && !adr) return;
  const int bytes = kAckBytes + (adr ? kLinkAdrReqBytes : 0);
  events::DownlinkSent sent;
  const Downlink downlink = send_downlink(frame, bytes, sent);
  if (downlink == Downlink::NotSent) return;
  if (adr) {
    ++adr_commands_;
    // The next decision waits for 20 more uplinks, as ns-3's AdrComponent does: the server cannot tell
    // whether the device heard the command, and clears the history even when it did not (the device then
    // sends its next 20 uplinks at the old setting before ADR acts again).
    recent->clear();
  }
  if (downlink == Downlink::Unheard) return;  // (the device keeps waiting for its ACK, and its setting)
  // The device's receiver stays on for the downlink, and does not open RX2 after one in RX1: its charge
  // beyond the two empty windows the fleet charged with the uplink (models/device/firmware.hpp).
  const models::device::Uplink uplink =
      models::device::lorawan_uplink(city_.region, frame.tx.spreading_factor, pop.bandwidth_hz,
                                     frame.tx.t_end_s - frame.tx.t_start_s, frame.tx.tx_power_dbm);
  const double charge =
      pop.machine.downlink_charge_mah(uplink, sent.rx_window, sent.t_end_s - sent.t_start_s);
  if (charge != 0.0 && !pop.mains_powered) bus.publish(events::ChargeDrawn{frame.tx.device, charge});
  sent.seq = frame.seq;
  sent.device = frame.tx.device;
  sent.ack = frame.tx.confirmed;
  sent.adr = adr;
  bus.publish(sent);
}

}  // namespace citytwin::sim::access
