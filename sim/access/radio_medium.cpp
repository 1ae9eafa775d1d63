#include "sim/access/radio_medium.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>

#include "models/radio/adr.hpp"
#include "models/radio/interference.hpp"
#include "models/radio/reception.hpp"

namespace citytwin::sim::access {
namespace {
constexpr uint32_t kSpreadingFactors = 6;  // SF7..SF12
using output::FailReason;

std::optional<models::radio::InterferenceMatrix> matrix(scenario::RadioChannel::InterSf inter_sf) {
  switch (inter_sf) {
    case scenario::RadioChannel::InterSf::Goursaud:
      return models::radio::InterferenceMatrix::Goursaud;
    case scenario::RadioChannel::InterSf::Croce:
      return models::radio::InterferenceMatrix::Croce;
    case scenario::RadioChannel::InterSf::Orthogonal:
      break;
  }
  return std::nullopt;
}
}  // namespace

RadioMedium::RadioMedium(const scenario::Scenario& scenario, const city::CityLayout& city,
                         const drivers::GatewayTimeline& timeline)
    : city_(city),
      timeline_(timeline),
      sir_thresholds_db_(
          models::radio::sir_thresholds_db(scenario.channel.capture, matrix(scenario.channel.inter_sf))),
      cumulative_(scenario.channel.interference == scenario::RadioChannel::Interference::Cumulative),
      sf_lists_(scenario.channel.inter_sf == scenario::RadioChannel::InterSf::Orthogonal ? 6 : 1),
      sensitivity_125khz_dbm_(scenario.channel.gateway_sensitivity_dbm),
      noise_figure_db_(scenario.channel.noise_figure_db),
      incoming_(city.gateway_count()),
      gateways_(city.gateway_count()),
      next_local_(city.gateway_count(), 0),
      transmitting_(city.gateway_count()) {
  for (const scenario::Gateway& g : scenario.gateways)
    demodulator_free_at_s_.emplace_back(static_cast<size_t>(g.demodulators), 0.0);
  // Scenarios built in code (tests) may have fewer gateway entries than the layout: default to 8 paths.
  demodulator_free_at_s_.resize(city.gateway_count(), std::vector<double>(8, 0.0));
  // Populations on other radios count too: a shorter delay than needed only keeps frames longer.
  if (!city.populations.empty()) {
    min_rx1_delay_s_ = std::numeric_limits<double>::infinity();
    for (const city::PopulationProfile& pop : city.populations)
      min_rx1_delay_s_ = std::min(min_rx1_delay_s_, pop.machine.profile().rx1_delay_s);
  }
  if (scenario.channel.approximate()) {
    strongest_k_ = static_cast<uint32_t>(scenario.channel.strongest_k);
    // strongest_only: the set-up kept each device's K strongest links alone (a layout built otherwise,
    // in a test, still has them all, and they are chosen here).
    if (city.links_strongest_k != strongest_k_)
      strongest_.emplace(city, strongest_k_,
                         scenario.channel.receptions == scenario::RadioChannel::Receptions::Strongest);
  }
}

double RadioMedium::demodulator_refused_ratio() const {
  uint64_t asked = 0, refused = 0;
  for (const GatewayState& gs : gateways_) {
    asked += gs.demodulator_asked;
    refused += gs.demodulator_refused;
  }
  return asked > 0 ? static_cast<double>(refused) / static_cast<double>(asked)
                   : std::numeric_limits<double>::quiet_NaN();
}

bool RadioMedium::sunk_by_interference(const Reception& rx, const Energies& energies,
                                       const engine::Transmission& tx) const {
  std::array<double, kSpreadingFactors> interference_mws{};
  std::copy(energies.begin(), energies.end(), interference_mws.begin());
  return models::radio::destroying_spreading_factor(
             tx.spreading_factor, models::radio::energy_mws(rx.rssi_dbm, tx.t_end_s - tx.t_start_s),
             interference_mws, sir_thresholds_db_) != 0;
}

void RadioMedium::resolve(Frame& f, const std::function<void(const ResolvedFrame&)>& sink) {
  received_scratch_.clear();
  rssi_scratch_.clear();
  FailReason strongest_fate = FailReason::BelowSensitivity;
  float strongest = -std::numeric_limits<float>::infinity();
  for (uint32_t r = 0; r < f.receptions; ++r) {
    const Reception& rx = reception(f.first_reception + r);
    FailReason rx_fate = fate(rx.gateway, rx.local);
    if (cumulative_ && rx_fate == FailReason::None &&
        sunk_by_interference(rx, interference(f.first_reception + r), f.tx))
      rx_fate = FailReason::Collision;
    if (rx_fate == FailReason::None) {
      received_scratch_.push_back(rx.gateway);
      rssi_scratch_.push_back(rx.rssi_dbm);
    }
    if (rx.rssi_dbm > strongest) {
      strongest = rx.rssi_dbm;
      strongest_fate = rx_fate;
    }
  }
  f.resolved = true;
  ResolvedFrame out;
  out.seq = f.seq;
  out.tx = f.tx;
  out.gateways_received = received_scratch_;
  out.rssi_received_dbm = rssi_scratch_;
  out.gateways_in_range = static_cast<uint16_t>(f.receptions);
  out.best_rssi_dbm = f.receptions > 0 ? strongest : std::numeric_limits<float>::quiet_NaN();
  // The reason a lost frame gives is the one at the gateway that heard it strongest.
  out.fail_reason = !received_scratch_.empty() ? FailReason::None
                    : !f.tx.sent               ? FailReason::DeviceDead
                                               : strongest_fate;
  const double bandwidth = city_.populations[engine::population_of(city_, f.tx)].bandwidth_hz;
  out.snr_db = static_cast<float>(models::radio::snr_db(out.best_rssi_dbm, bandwidth, noise_figure_db_));
  out.t_received_s = f.tx.t_end_s;
  sink(out);
}

// radio.receptions: strongest: the frame at the gateways beyond its K strongest links takes a free
// demodulation path there (lock_only), as the exact model's reception would. Out of line, and its entries
// built in place (emplace_back with the fields), so that materialise's loop stays as the exact model had it.
[[gnu::noinline]] uint64_t RadioMedium::lock_beyond(const engine::Transmission& tx,
                                                    std::span<const uint32_t> chosen, double bandwidth,
                                                    double sensitivity,
                                                    std::vector<std::vector<OnAir>>& incoming) const {
  const uint64_t begin = city_.link_offset[tx.device], end = city_.link_offset[tx.device + 1];
  size_t next = 0;
  uint64_t locks = 0;
  for (uint64_t k = begin; k < end; ++k) {
    if (next < chosen.size() && begin + chosen[next] == k) {
      ++next;
      continue;
    }
    const float rssi = tx.tx_power_dbm + city_.link_gain_db[k];
    if (rssi < sensitivity) continue;
    // A jammed frame takes no path (its fate is set before the gateway settles it).
    const uint32_t g = city_.link_gateway[k];
    if (jamming_ != nullptr &&
        jamming_->jams(g, tx.channel_hz, bandwidth, rssi - sensitivity, tx.t_start_s, tx.t_end_s))
      continue;
    incoming[g].emplace_back(tx.t_start_s, tx.t_end_s, kLockOnly, rssi, 0u, 0u, tx.spreading_factor,
                             FailReason::None);
    ++locks;
  }
  return locks;
}

RadioMedium::Frame RadioMedium::materialise(const Submitted& s, Sink& out) const {
  const engine::Transmission& tx = s.tx;
  const uint64_t first = out.first_id + out.receptions.size();
  float best = -std::numeric_limits<float>::infinity();
  if (tx.sent) {
    const double bandwidth = city_.populations[engine::population_of(city_, tx)].bandwidth_hz;
    const double sensitivity =
        models::radio::gateway_sensitivity_dbm(tx.spreading_factor, bandwidth, sensitivity_125khz_dbm_);
    // This channel's on-air lists start here: gateway g's for this SF is lists + g * sf_lists_ (+ the SF's
    // with orthogonal SFs).
    const uint32_t lists = s.lists + (sf_lists_ > 1 ? tx.spreading_factor - 7u : 0u);
    const uint64_t begin = city_.link_offset[tx.device];
    // The device's links: all of them, or with radio.receptions: strongest, strongest_only the K strongest
    // (the same links in the same order, their gateways and gains copied side by side; strongest_only's
    // set-up keeps those alone).
    const uint32_t* gateways = city_.link_gateway.data() + begin;
    const float* gains = city_.link_gain_db.data() + begin;
    uint64_t count = city_.link_offset[tx.device + 1] - begin;
    if (strongest_) {
      const std::span<const uint32_t> chosen = strongest_->of(tx.device);
      if (strongest_->demodulators())
        out.newcomers += lock_beyond(tx, chosen, bandwidth, sensitivity, out.incoming);
      gateways = strongest_->gateways_of(tx.device);
      gains = strongest_->gains_of(tx.device);
      count = chosen.size();
    }
    for (uint64_t i = 0; i < count; ++i) {
      const float rssi = tx.tx_power_dbm + gains[i];
      if (rssi < sensitivity) continue;
      const uint32_t g = gateways[i];
      const uint64_t id = out.first_id + out.receptions.size();
      const bool jammed = jamming_ != nullptr && jamming_->jams(g, tx.channel_hz, bandwidth,
                                                                rssi - sensitivity, tx.t_start_s, tx.t_end_s);
      const uint32_t local = out.locals[g]++;
      out.receptions.push_back({g, rssi, local});
      out.incoming[g].push_back({tx.t_start_s, tx.t_end_s, id, rssi, lists + g * sf_lists_, local,
                                 tx.spreading_factor, jammed ? FailReason::Jammed : FailReason::None});
      ++out.newcomers;
      best = std::max(best, rssi);
    }
  }
  const auto receptions = static_cast<uint32_t>(out.first_id + out.receptions.size() - first);
  return {s.seq, tx, first, receptions, best, false};
}

void RadioMedium::prefetch_links(size_t submitted) const {
  if (submitted >= submitted_.size() || !submitted_[submitted].tx.sent) return;
  const uint32_t device = submitted_[submitted].tx.device;
  const uint32_t* gateways;
  const float* gains;
  size_t count;
  if (strongest_) {
    gateways = strongest_->gateways_of(device);
    gains = strongest_->gains_of(device);
    count = strongest_->of(device).size();
  } else {
    const uint64_t begin = city_.link_offset[device];
    gateways = city_.link_gateway.data() + begin;
    gains = city_.link_gain_db.data() + begin;
    count = city_.link_offset[device + 1] - begin;
  }
  __builtin_prefetch(gateways);
  __builtin_prefetch(gains);
  if (count > 1) {  // (their last line: see the declaration)
    __builtin_prefetch(gateways + count - 1);
    __builtin_prefetch(gains + count - 1);
  }
}

void RadioMedium::prefetch_resolve(size_t frame) const {
  const size_t far = frame + 2 * kResolveAhead, near = frame + kResolveAhead;
  if (resolve_ahead_)
    resolve_ahead_(far < frames_.size() ? frames_[far].tx.device : kNoDevice,
                   near < frames_.size() ? frames_[near].tx.device : kNoDevice);
  if (far < frames_.size() && frames_[far].receptions > 0) {
    const Reception* first = &reception(frames_[far].first_reception);
    __builtin_prefetch(first);
    __builtin_prefetch(first + frames_[far].receptions - 1);
  }
  if (near >= frames_.size() || frames_[near].resolved) return;
  const Frame& f = frames_[near];
  for (uint32_t r = 0; r < f.receptions; ++r) {
    const Reception& rx = reception(f.first_reception + r);
    const GatewayState& gs = gateways_[rx.gateway];
    __builtin_prefetch(gs.fates.data() + gs.offset(rx.local));
  }
}

void RadioMedium::materialise_submitted(core::ThreadPool& pool) {
  shares_used_ = 0;
  if (submitted_.empty()) return;
  // Channels seen for the first time get their on-air lists now, on this thread; the links to look at.
  uint64_t links = 0;
  // A frame's device is a random one: its offsets into the links (a miss at 1 M devices) asked for this
  // many frames ahead; prefetch_links finds them in the cache.
  constexpr size_t kOffsetsAhead = 16;
  for (size_t i = 0; i < submitted_.size(); ++i) {
    if (i + kOffsetsAhead < submitted_.size()) {
      const uint64_t* offsets = &city_.link_offset[submitted_[i + kOffsetsAhead].tx.device];
      __builtin_prefetch(offsets);
      __builtin_prefetch(offsets + 1);  // (another line for one device in eight)
    }
    Submitted& s = submitted_[i];
    if (!s.tx.sent) continue;
    s.lists = on_air_list(0, s.tx.channel_hz);
    links += city_.link_offset[s.tx.device + 1] - city_.link_offset[s.tx.device];
  }
  const uint64_t receptions_before = reception_base_ + receptions_.size();
  // One share per thread that takes a round's items now: the lane's worker, busy with a forwarding period,
  // takes none (with two threads the caller would materialise both shares alone, and the settling round
  // then read two lists a gateway and place every reception a second time). The results are the same
  // whatever the number of shares.
  const size_t takers = static_cast<size_t>(pool.size()) - (pool.lane_busy() ? 1 : 0);
  if (takers == 1 || links < kMinParallelLinks) {
    Sink out{receptions_, incoming_, next_local_, reception_base_, 0};
    for (size_t f = 0; f < submitted_.size(); ++f) {
      prefetch_links(f + kPrefetchFrames);
      frames_.push_back(materialise(submitted_[f], out));
    }
    newcomers_ += out.newcomers;
  } else {
    // Each thread a contiguous share of the frames, numbered from 0; placed in order below, so that the
    // ids, the frames and each gateway's newcomers come out as on one thread.
    const size_t n = submitted_.size();
    shares_used_ = takers;
    if (shares_.size() < shares_used_) shares_.resize(shares_used_);
    pool.parallel_for(shares_used_, [&](size_t i) {
      Share& share = shares_[i];
      share.incoming.resize(city_.gateway_count());
      share.locals.assign(city_.gateway_count(), 0);
      share.receptions.clear();
      share.frames.clear();
      Sink out{share.receptions, share.incoming, share.locals, 0, 0};
      const size_t end = (i + 1) * n / shares_used_;
      for (size_t f = i * n / shares_used_; f < end; ++f) {
        if (f + kPrefetchFrames < end) prefetch_links(f + kPrefetchFrames);
        share.frames.push_back(materialise(submitted_[f], out));
      }
      share.newcomers = out.newcomers;
    });
    // Placed in share order here: each share's first id and local indices, and its frames (a few numbers
    // per gateway and frame). Its receptions are copied into receptions_ by the settle round that
    // follows (place_share), beside the gateways, which do not read them.
    size_t placed = receptions_.size();
    for (size_t i = 0; i < shares_used_; ++i) {
      Share& share = shares_[i];
      share.first_id = reception_base_ + placed;
      share.local_base = next_local_;
      for (size_t g = 0; g < next_local_.size(); ++g) next_local_[g] += share.locals[g];
      for (Frame& f : share.frames) {
        f.first_reception += share.first_id;
        frames_.push_back(f);
      }
      newcomers_ += share.newcomers;
      placed += share.receptions.size();
    }
    receptions_.resize(placed);
  }
  submitted_.clear();
  if (cumulative_) interference_.resize(receptions_.size());  // zero energies for the new receptions
  receptions_made_ += reception_base_ + receptions_.size() - receptions_before;
}

void RadioMedium::step(std::vector<engine::Transmission>& produced, double t_s, core::ThreadPool& pool,
                       const std::function<void(const ResolvedFrame&)>& sink) {
  sequencer_.release(produced, t_s, [this](uint64_t seq, const engine::Transmission& tx) {
    if (tx.technology != scenario::Technology::LoRaWAN && tx.sent)
      throw std::logic_error("RadioMedium: a non-LoRa transmission (number every radio in sim/app)");
    submit(seq, tx);
  });
  step(t_s, pool, sink);
}

void RadioMedium::place_share(const Share& share) {
  if (share.receptions.empty()) return;
  Reception* out = &reception(share.first_id);
  for (Reception r : share.receptions) {
    r.local += share.local_base[r.gateway];
    *out++ = r;
  }
}

void RadioMedium::step(double t_s, core::ThreadPool& pool,
                       const std::function<void(const ResolvedFrame&)>& sink) {
  // 1. The receptions of the frames submitted since the last step.
  materialise_submitted(pool);

  // 2. Per gateway, in start order (on this thread alone when the window holds few receptions): the
  // newcomers of incoming_, then those of each share in share order, their ids placed. The first items
  // copy the shares' receptions into place.
  pool.parallel_for(
      shares_used_ + incoming_.size(),
      [&](size_t item) {
        if (item < shares_used_) {
          place_share(shares_[item]);
          return;
        }
        const size_t g = item - shares_used_;
        prefetch_settle(g);
        for (const OnAir& rx : incoming_[g]) settle(static_cast<uint32_t>(g), rx);
        incoming_[g].clear();
        for (size_t i = 0; i < shares_used_; ++i) {
          Share& share = shares_[i];
          for (OnAir rx : share.incoming[g]) {
            if (rx.reception != kLockOnly) {
              rx.reception += share.first_id;
              rx.local += share.local_base[g];
            }
            settle(static_cast<uint32_t>(g), rx);
          }
          share.incoming[g].clear();
        }
      },
      newcomers_, kMinParallelReceptions);
  newcomers_ = 0;

  // 3. Resolve the frames that ended by t_s, in seq order, then drop the settled prefix.
  for (size_t i = frame_front_; i < frames_.size(); ++i) {
    prefetch_resolve(i);
    Frame& f = frames_[i];
    if (!f.resolved && f.tx.t_end_s <= t_s) resolve(f, sink);
  }
  while (frame_front_ < frames_.size() && frames_[frame_front_].resolved) ++frame_front_;
  // Every downlink from now on starts after a frame resolved from now on ends, after t_s.
  prune_before_s_ = std::max(prune_before_s_, t_s);
  // Receptions of settled frames are no longer referenced (no on-air list holds one: a frame is
  // settled once nothing can overlap it). Erase the settled fronts once they are half the vectors.
  const uint64_t first_live = frame_front_ < frames_.size() ? frames_[frame_front_].first_reception
                                                            : reception_base_ + receptions_.size();
  if (frame_front_ > 0 && 2 * frame_front_ >= frames_.size()) {
    frames_.erase(frames_.begin(), frames_.begin() + static_cast<std::ptrdiff_t>(frame_front_));
    frame_front_ = 0;
  }
  const auto dead = static_cast<size_t>(first_live - reception_base_);
  if (dead > 0 && 2 * dead >= receptions_.size()) {
    receptions_.erase(receptions_.begin(), receptions_.begin() + static_cast<std::ptrdiff_t>(dead));
    if (cumulative_)
      interference_.erase(interference_.begin(), interference_.begin() + static_cast<std::ptrdiff_t>(dead));
    reception_base_ = first_live;
    trim_fates();
  }
}

void RadioMedium::trim_fates() {
  // Every live reception is settled by now: its local index lies in its gateway's fates. The lowest
  // one per gateway is where that gateway's fates are still needed (on-air entries of settled frames
  // are never looked at again: nothing that starts later overlaps them).
  trim_scratch_.resize(gateways_.size());
  for (size_t g = 0; g < gateways_.size(); ++g)
    trim_scratch_[g] = static_cast<uint32_t>(gateways_[g].fates.size());
  for (const Reception& r : receptions_) {
    trim_scratch_[r.gateway] = std::min(trim_scratch_[r.gateway], gateways_[r.gateway].offset(r.local));
  }
  for (size_t g = 0; g < gateways_.size(); ++g) {
    GatewayState& gs = gateways_[g];
    const uint32_t dead = trim_scratch_[g];
    if (dead == 0 || 2 * static_cast<size_t>(dead) < gs.fates.size()) continue;
    gs.fates.erase(gs.fates.begin(), gs.fates.begin() + static_cast<std::ptrdiff_t>(dead));
    gs.fate_base += dead;
  }
}

}  // namespace citytwin::sim::access
