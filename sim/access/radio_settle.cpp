// A gateway's side of the radio medium (sim/access/radio_medium.hpp): its on-air lists, the settling of
// each newcomer against them (demodulation paths, half duplex, power cuts, collisions), the downlinks
// that block it, and what the settling round asks for ahead. A part's round (the receptions made, the
// verdicts) is in radio_parts.cpp; the windows' steps and the frames' resolving in radio_medium.cpp.
#include <algorithm>
#include <limits>
#include <stdexcept>

#include "models/radio/interference.hpp"
#include "models/radio/reception.hpp"
#include "sim/access/radio_medium.hpp"
#include "sim/core/prefetch.hpp"

namespace citytwin::sim::access {
namespace {
using output::FailReason;
}  // namespace

uint32_t RadioMedium::on_air_list(uint32_t gateway, uint32_t channel_hz) {
  auto it = std::find(channels_hz_.begin(), channels_hz_.end(), channel_hz);
  if (it == channels_hz_.end()) {
    channels_hz_.push_back(channel_hz);
    on_air_.resize(on_air_.size() + city_.gateway_count() * sf_lists_);
    it = channels_hz_.end() - 1;
  }
  const auto channel = static_cast<uint32_t>(it - channels_hz_.begin());
  return (channel * static_cast<uint32_t>(city_.gateway_count()) + gateway) * sf_lists_;
}

bool RadioMedium::gateway_busy(uint32_t gateway, double t0_s, double t1_s) const {
  for (const Interval& i : transmitting_[gateway])
    if (i.t0_s < t1_s && t0_s < i.t1_s) return true;
  return false;
}

void RadioMedium::block_gateway(uint32_t gateway, double t0_s, double t1_s) {
  if (t0_s < gateways_[gateway].dropped_through_s)
    throw std::logic_error("RadioMedium: a downlink starts before frames its gateway's on-air lists dropped");
  transmitting_[gateway].push_back({t0_s, t1_s});
  // Frames already on the air at this gateway that overlap the downlink are lost there.
  const auto per_channel = static_cast<uint32_t>(city_.gateway_count()) * sf_lists_;
  for (uint32_t first = gateway * sf_lists_; first < on_air_.size(); first += per_channel)
    for (uint32_t list = first; list < first + sf_lists_; ++list)
      for (const OnAir& e : on_air_[list].frames)
        if (e.t_end_s > t0_s && e.t_start_s < t1_s) {
          if (judged_by_s_ && e.t_end_s <= *judged_by_s_)
            throw std::logic_error("RadioMedium: a downlink marks a frame already judged in the round");
          fate(gateway, e.local) = FailReason::GatewayTransmitting;
        }
}

// One newcomer at one gateway, in start order.
void RadioMedium::settle(Part& part, uint32_t g, const OnAir& rx) {
  if (rx.reception == kLockOnly) {
    lock_only(g, rx);
    return;
  }
  GatewayState& gs = gateways_[g];
  // Receptions are settled at their gateway in the order of their local indices.
  if (gs.offset(rx.local) != gs.fates.size())
    throw std::logic_error("RadioMedium: a reception settled out of its gateway's order");
  gs.fates.push_back(rx.fate);
  FailReason& mine = gs.fates.back();
  // A power cut in a gateway's district switches it off once its backup runs out, until power returns.
  if (timeline_.off_during(g, rx.t_start_s, rx.t_end_s)) mine = FailReason::GatewayDown;
  std::vector<Interval>& tx = transmitting_[g];
  std::erase_if(tx, [&](const Interval& i) { return i.t1_s <= rx.t_start_s; });
  for (const Interval& i : tx)
    if (i.t0_s < rx.t_end_s && rx.t_start_s < i.t1_s) mine = FailReason::GatewayTransmitting;
  if (mine == FailReason::None) {
    // A free demodulation path locks on the preamble and holds it to the end of the frame.
    auto& paths = demodulator_free_at_s_[g];
    auto path =
        std::find_if(paths.begin(), paths.end(), [&](double free_at) { return free_at <= rx.t_start_s; });
    ++gs.demodulator_asked;
    if (path == paths.end()) {
      mine = FailReason::NoDemodulator;
      ++gs.demodulator_refused;
    } else {
      *path = rx.t_end_s;
    }
  }
  // Collisions: every reception on the air interferes, demodulated or not. Same SF: the capture rule
  // (no capture: no SIR is enough); other SFs: the inter-SF matrix (orthogonal SFs share no list).
  AirList& air = on_air_[rx.list];
  const double kept_after = kept_after_s(rx);
  gs.dropped_through_s = std::max(gs.dropped_through_s, kept_after);
  if (air.last_end_s > rx.t_start_s) {
    collide(part, gs, rx, mine, air, kept_after);
  } else if (air.last_end_s <= kept_after) {
    air.frames.clear();  // every frame in it ended before rx starts, and before any downlink still to come
  }
  air.frames.push_back(rx);
  air.last_end_s = std::max(air.last_end_s, rx.t_end_s);
}

// A frame beyond a device's K strongest (radio.receptions: strongest) at a gateway: it takes a free
// demodulation path as the exact model's reception would (same checks, same order), and nothing else.
void RadioMedium::lock_only(uint32_t g, const OnAir& rx) {
  if (timeline_.off_during(g, rx.t_start_s, rx.t_end_s)) return;
  std::vector<Interval>& tx = transmitting_[g];
  std::erase_if(tx, [&](const Interval& i) { return i.t1_s <= rx.t_start_s; });
  for (const Interval& i : tx)
    if (i.t0_s < rx.t_end_s && rx.t_start_s < i.t1_s) return;
  auto& paths = demodulator_free_at_s_[g];
  auto path =
      std::find_if(paths.begin(), paths.end(), [&](double free_at) { return free_at <= rx.t_start_s; });
  GatewayState& gs = gateways_[g];
  ++gs.demodulator_asked;
  if (path != paths.end()) {
    *path = rx.t_end_s;
  } else {
    ++gs.demodulator_refused;
  }
}

void RadioMedium::collide(Part& part, GatewayState& gs, const OnAir& rx, FailReason& mine, AirList& list,
                          double kept_after_s) {
  // One pass: frames that ended before rx starts are not judged, and dropped from the list if they ended
  // by kept_after_s (kept ones stay in order); the others are judged against rx. With
  // orthogonal SFs the list holds rx's SF alone (sf_lists_), so every frame in it is one rx can meet.
  std::vector<OnAir>& air = list.frames;
  size_t kept = 0;
  if (cumulative_) {  // summed now, judged when the frame is resolved
    Energies& mine_mws = part.energies(rx.reception);
    for (size_t i = 0; i < air.size(); ++i) {
      const OnAir& e = air[i];
      if (e.t_end_s > kept_after_s) air[kept++] = e;
      if (e.t_end_s <= rx.t_start_s) continue;
      const double overlap = models::radio::overlap_s(e.t_start_s, e.t_end_s, rx.t_start_s, rx.t_end_s);
      if (overlap > 0.0) {
        mine_mws[e.spreading_factor - 7u] +=
            static_cast<float>(models::radio::energy_mws(e.rssi_dbm, overlap));
        part.energies(e.reception)[rx.spreading_factor - 7u] +=
            static_cast<float>(models::radio::energy_mws(rx.rssi_dbm, overlap));
      }
    }
    air.resize(kept);
    return;
  }
  // The SIR of a frame over another is the difference of their received powers, in dB.
  for (size_t i = 0; i < air.size(); ++i) {
    const OnAir& e = air[i];
    if (e.t_end_s > kept_after_s) air[kept++] = e;
    if (e.t_end_s <= rx.t_start_s) continue;
    if (!models::radio::sir_suffices(rx.rssi_dbm - e.rssi_dbm,
                                     needs_db(rx.spreading_factor, e.spreading_factor)) &&
        mine == FailReason::None)
      mine = FailReason::Collision;
    FailReason& other = gs.fate(e.local);
    if (!models::radio::sir_suffices(e.rssi_dbm - rx.rssi_dbm,
                                     needs_db(e.spreading_factor, rx.spreading_factor)) &&
        other == FailReason::None)
      other = FailReason::Collision;
  }
  air.resize(kept);
}

void RadioMedium::prefetch_settle(size_t gateway, size_t end) const {
  if (gateway + 3 < end) {
    const size_t g = gateway + 3;
    const std::vector<OnAir>& in = incoming_[g].list;
    if (!in.empty()) {
      __builtin_prefetch(in.data());
      __builtin_prefetch(reinterpret_cast<const char*>(in.data()) + 64);
    }
    core::prefetch_for_write(&gateways_[g]);
    core::prefetch_for_write(demodulator_free_at_s_[g].data());
  }
  if (gateway + 2 < end)
    for (const OnAir& rx : incoming_[gateway + 2].list) core::prefetch_for_write(&on_air_[rx.list]);
  if (gateway + 1 < end) {
    const size_t g = gateway + 1;
    for (const OnAir& rx : incoming_[g].list) {
      if (rx.reception == kLockOnly) continue;
      // Its list is short (most of it over, and cleared or compacted when rx is compared with it).
      const char* frames = reinterpret_cast<const char*>(on_air_[rx.list].frames.data());
      core::prefetch_for_write(frames);
      core::prefetch_for_write(frames + 64);
    }
    const std::vector<FailReason>& fates = gateways_[g].fates;
    core::prefetch_for_write(fates.data() + fates.size());
  }
}

}  // namespace citytwin::sim::access
