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
  // The gateways' sensitivity by population (its bandwidth) and SF, looked up by every part for every
  // frame.
  for (const city::PopulationProfile& pop : city.populations)
    for (uint32_t sf = 7; sf < 7 + kSpreadingFactors; ++sf)
      sensitivity_dbm_.push_back(models::radio::gateway_sensitivity_dbm(
          static_cast<int>(sf), pop.bandwidth_hz, sensitivity_125khz_dbm_));
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

void RadioMedium::resolve(size_t frame, const std::function<void(const ResolvedFrame&)>& sink) {
  // Judged here, just before it is resolved (a downlink sent for an earlier frame may have marked it).
  for (size_t p = 0; p < parts_.size(); ++p) {
    Part& part = parts_[p];
    part.verdicts.clear();
    part.verdict_gateways.clear();
    part.verdict_rssi_dbm.clear();
    judge(p, frame);
  }
  resolve_judged(frame, 0, sink);
}

void RadioMedium::judge(size_t p, size_t frame) {
  Part& part = parts_[p];
  const Span span = part.spans[frame];
  Verdict v{static_cast<uint32_t>(part.verdict_gateways.size()), 0, span.count,
            -std::numeric_limits<float>::infinity(), FailReason::BelowSensitivity};
  for (uint64_t id = span.first; id < span.first + span.count; ++id) {
    const Reception& rx = part.reception(id);
    FailReason rx_fate = fate(rx.gateway, rx.local);
    if (cumulative_ && rx_fate == FailReason::None &&
        sunk_by_interference(rx, part.energies(id), frames_[frame].tx))
      rx_fate = FailReason::Collision;
    if (rx_fate == FailReason::None) {
      part.verdict_gateways.push_back(rx.gateway);
      part.verdict_rssi_dbm.push_back(rx.rssi_dbm);
      ++v.received;
    }
    if (rx.rssi_dbm > v.strongest_dbm) {
      v.strongest_dbm = rx.rssi_dbm;
      v.strongest_fate = rx_fate;
    }
  }
  part.verdicts.push_back(v);
}

void RadioMedium::resolve_judged(size_t frame, size_t k,
                                 const std::function<void(const ResolvedFrame&)>& sink) {
  if (parts_.size() == 1) {
    const Part& part = parts_.front();
    const Verdict& v = part.verdicts[k];
    emit(frames_[frame], {part.verdict_gateways.data() + v.first, v.received},
         {part.verdict_rssi_dbm.data() + v.first, v.received}, v.in_range, v.strongest_dbm, v.strongest_fate,
         sink);
    return;
  }
  // In part order (the links' order); the strongest: the first of the largest, as resolve finds it.
  received_scratch_.clear();
  rssi_scratch_.clear();
  FailReason strongest_fate = FailReason::BelowSensitivity;
  float strongest = -std::numeric_limits<float>::infinity();
  uint32_t in_range = 0;
  for (const Part& part : parts_) {
    const Verdict& v = part.verdicts[k];
    in_range += v.in_range;
    received_scratch_.insert(received_scratch_.end(), part.verdict_gateways.begin() + v.first,
                             part.verdict_gateways.begin() + v.first + v.received);
    rssi_scratch_.insert(rssi_scratch_.end(), part.verdict_rssi_dbm.begin() + v.first,
                         part.verdict_rssi_dbm.begin() + v.first + v.received);
    if (v.strongest_dbm > strongest) {
      strongest = v.strongest_dbm;
      strongest_fate = v.strongest_fate;
    }
  }
  emit(frames_[frame], received_scratch_, rssi_scratch_, in_range, strongest, strongest_fate, sink);
}

void RadioMedium::emit(Frame& f, std::span<const uint32_t> gateways, std::span<const float> rssi_dbm,
                       uint32_t in_range, float strongest_dbm, FailReason strongest_fate,
                       const std::function<void(const ResolvedFrame&)>& sink) const {
  f.resolved = true;
  ResolvedFrame out;
  out.seq = f.seq;
  out.tx = f.tx;
  out.gateways_received = gateways;
  out.rssi_received_dbm = rssi_dbm;
  out.gateways_in_range = static_cast<uint16_t>(in_range);
  out.best_rssi_dbm = in_range > 0 ? strongest_dbm : std::numeric_limits<float>::quiet_NaN();
  // The reason a lost frame gives is the one at the gateway that heard it strongest.
  out.fail_reason = !gateways.empty() ? FailReason::None
                    : !f.tx.sent      ? FailReason::DeviceDead
                                      : strongest_fate;
  const double bandwidth = city_.populations[engine::population_of(city_, f.tx)].bandwidth_hz;
  out.snr_db = static_cast<float>(models::radio::snr_db(out.best_rssi_dbm, bandwidth, noise_figure_db_));
  out.t_received_s = f.tx.t_end_s;
  sink(out);
}

RadioMedium::Links RadioMedium::links_of(uint32_t device) const {
  // The device's links: all of them, or with radio.receptions: strongest, strongest_only the K strongest
  // (the same links in the same order, their gateways and gains copied side by side; strongest_only's
  // set-up keeps those alone).
  if (strongest_)
    return {strongest_->gateways_of(device), strongest_->gains_of(device), strongest_->of(device).size()};
  const uint64_t begin = city_.link_offset[device];
  return {city_.link_gateway.data() + begin, city_.link_gain_db.data() + begin,
          static_cast<size_t>(city_.link_offset[device + 1] - begin)};
}

// radio.receptions: strongest: the frame at part p's gateways beyond its K strongest links takes a free
// demodulation path there (lock_only), as the exact model's reception would. Out of line, and its entries
// built in place (emplace_back with the fields), so that materialise's loop stays as the exact model had it.
[[gnu::noinline]] void RadioMedium::lock_beyond(size_t p, const engine::Transmission& tx,
                                                std::span<const uint32_t> chosen, double bandwidth,
                                                double sensitivity) {
  const uint64_t begin = city_.link_offset[tx.device], end = city_.link_offset[tx.device + 1];
  const uint32_t* gateways = city_.link_gateway.data();
  // The part's links: those to its gateways (in gateway order), and the chosen ones among them.
  uint64_t k =
      p == 0 ? begin
             : static_cast<uint64_t>(std::lower_bound(gateways + begin, gateways + end, cut_[p]) - gateways);
  size_t next = static_cast<size_t>(
      std::lower_bound(chosen.begin(), chosen.end(), static_cast<uint32_t>(k - begin)) - chosen.begin());
  for (; k < end && gateways[k] < cut_[p + 1]; ++k) {
    if (next < chosen.size() && begin + chosen[next] == k) {
      ++next;
      continue;
    }
    const float rssi = tx.tx_power_dbm + city_.link_gain_db[k];
    if (rssi < sensitivity) continue;
    // A jammed frame takes no path (its fate is set before the gateway settles it).
    const uint32_t g = gateways[k];
    if (jamming_ != nullptr &&
        jamming_->jams(g, tx.channel_hz, bandwidth, rssi - sensitivity, tx.t_start_s, tx.t_end_s))
      continue;
    incoming_[g].emplace_back(tx.t_start_s, tx.t_end_s, kLockOnly, rssi, 0u, 0u, tx.spreading_factor,
                              FailReason::None);
  }
}

RadioMedium::Span RadioMedium::materialise(size_t p, const Submitted& s) {
  Part& part = parts_[p];
  const engine::Transmission& tx = s.tx;
  const uint64_t first = part.base + part.receptions.size();
  if (tx.sent) {
    if (tx.spreading_factor - 7u >= kSpreadingFactors)
      throw std::logic_error("RadioMedium: a LoRa frame outside SF7..SF12");
    const uint16_t population = engine::population_of(city_, tx);
    const double bandwidth = city_.populations[population].bandwidth_hz;
    const double sensitivity = sensitivity_dbm_[population * kSpreadingFactors + (tx.spreading_factor - 7u)];
    // This channel's on-air lists start here: gateway g's for this SF is lists + g * sf_lists_ (+ the SF's
    // with orthogonal SFs).
    const uint32_t lists = s.lists + (sf_lists_ > 1 ? tx.spreading_factor - 7u : 0u);
    const Links links = links_of(tx.device);
    if (strongest_ && strongest_->demodulators())
      lock_beyond(p, tx, strongest_->of(tx.device), bandwidth, sensitivity);
    // The part's links: its gateways' (the links are in gateway order).
    const uint32_t first_gateway = cut_[p], end_gateway = cut_[p + 1];
    size_t i = p == 0 ? 0
                      : static_cast<size_t>(
                            std::lower_bound(links.gateways, links.gateways + links.count, first_gateway) -
                            links.gateways);
    for (; i < links.count; ++i) {
      const uint32_t g = links.gateways[i];
      if (g >= end_gateway) break;
      const float rssi = tx.tx_power_dbm + links.gains[i];
      if (rssi < sensitivity) continue;
      const uint64_t id = part.base + part.receptions.size();
      const bool jammed = jamming_ != nullptr && jamming_->jams(g, tx.channel_hz, bandwidth,
                                                                rssi - sensitivity, tx.t_start_s, tx.t_end_s);
      const uint32_t local = next_local_[g]++;
      part.receptions.push_back({g, rssi, local});
      incoming_[g].push_back({tx.t_start_s, tx.t_end_s, id, rssi, lists + g * sf_lists_, local,
                              tx.spreading_factor, jammed ? FailReason::Jammed : FailReason::None});
    }
  }
  return {first, static_cast<uint32_t>(part.base + part.receptions.size() - first)};
}

void RadioMedium::prefetch_links(size_t p, size_t submitted) const {
  if (submitted >= submitted_.size() || !submitted_[submitted].tx.sent) return;
  const Links links = links_of(submitted_[submitted].tx.device);
  if (links.count == 0) return;
  // Where the part's links would lie if the device's links fell evenly among the parts.
  const size_t parts = parts_.size();
  const size_t from = links.count * p / parts, to = std::max(from + 1, links.count * (p + 1) / parts);
  __builtin_prefetch(links.gateways + from);
  __builtin_prefetch(links.gains + from);
  if (to - from > 1) {  // (their last line: see the declaration)
    __builtin_prefetch(links.gateways + to - 1);
    __builtin_prefetch(links.gains + to - 1);
  }
}

void RadioMedium::look_ahead(size_t frame) const {
  const size_t far = frame + 2 * kResolveAhead, near = frame + kResolveAhead;
  if (resolve_ahead_)
    resolve_ahead_(far < frames_.size() ? frames_[far].tx.device : kNoDevice,
                   near < frames_.size() ? frames_[near].tx.device : kNoDevice);
}

void RadioMedium::prefetch_judge(size_t p, size_t frame) const {
  const Part& part = parts_[p];
  const size_t far = frame + 2 * kResolveAhead, near = frame + kResolveAhead;
  if (far < frames_.size()) {
    const Span span = part.spans[far];
    if (span.count > 0) {
      const Reception* first = &part.reception(span.first);
      __builtin_prefetch(first);
      __builtin_prefetch(first + span.count - 1);
    }
  }
  if (near >= frames_.size() || frames_[near].resolved) return;
  const Span span = part.spans[near];
  for (uint64_t id = span.first; id < span.first + span.count; ++id) {
    const Reception& rx = part.reception(id);
    const GatewayState& gs = gateways_[rx.gateway];
    __builtin_prefetch(gs.fates.data() + gs.offset(rx.local));
  }
}

void RadioMedium::prefetch_resolve(size_t frame) const {
  look_ahead(frame);
  const size_t far = frame + 2 * kResolveAhead, near = frame + kResolveAhead;
  if (far < frames_.size())
    for (const Part& part : parts_) {
      const Span span = part.spans[far];
      if (span.count == 0) continue;
      const Reception* first = &part.reception(span.first);
      __builtin_prefetch(first);
      __builtin_prefetch(first + span.count - 1);
    }
  if (near >= frames_.size() || frames_[near].resolved) return;
  for (const Part& part : parts_) {
    const Span span = part.spans[near];
    for (uint64_t id = span.first; id < span.first + span.count; ++id) {
      const Reception& rx = part.reception(id);
      const GatewayState& gs = gateways_[rx.gateway];
      __builtin_prefetch(gs.fates.data() + gs.offset(rx.local));
    }
  }
}

void RadioMedium::make_parts(int threads) {
  const size_t gateways = city_.gateway_count();
  const size_t count = city_.links_by_gateway ? std::clamp<size_t>(static_cast<size_t>(threads), 1,
                                                                   std::max<size_t>(1, gateways))
                                              : 1;
  parts_ = std::vector<Part>(count);
  cut_.assign(count + 1, 0);
  cut_[count] = static_cast<uint32_t>(gateways);
  trim_scratch_.resize(gateways);
  if (count == 1) return;
  // The links per gateway of a sample of the devices (every device up to 65,536): where the work lies.
  std::vector<uint64_t> weight(gateways, 0);
  const size_t devices = city_.device_count(), stride = std::max<size_t>(1, devices / 65536);
  uint64_t total = 0;
  for (size_t d = 0; d < devices; d += stride) {
    const Links links = links_of(static_cast<uint32_t>(d));
    for (size_t i = 0; i < links.count; ++i) ++weight[links.gateways[i]];
    total += links.count;
  }
  // Part p - 1 ends where the weight so far first reaches p parts' worth, leaving each part a gateway.
  uint64_t so_far = 0;
  size_t g = 0;
  for (size_t p = 1; p < count; ++p) {
    const uint64_t target = total * p / count;
    while (g < gateways && so_far < target) so_far += weight[g++];
    cut_[p] =
        static_cast<uint32_t>(std::clamp(g, static_cast<size_t>(cut_[p - 1]) + 1, gateways - (count - p)));
  }
}

void RadioMedium::run_part(size_t p, std::optional<double> judge_by_s) {
  tidy(p);
  Part& part = parts_[p];
  // 1. Its receptions of the frames submitted since the last step, in seq order.
  const size_t n = submitted_.size();
  const uint64_t before = part.base + part.receptions.size();
  for (size_t f = 0; f < n; ++f) {
    // A frame's device is a random one: its offsets into the links (a miss at 1 M devices, and in this
    // thread's cache only if it read them) asked for twice as far ahead as its links.
    if (f + 3 * kPrefetchFrames < n) __builtin_prefetch(&submitted_[f + 3 * kPrefetchFrames]);
    if (f + 2 * kPrefetchFrames < n) {
      const uint64_t* offsets = &city_.link_offset[submitted_[f + 2 * kPrefetchFrames].tx.device];
      __builtin_prefetch(offsets);
      __builtin_prefetch(offsets + 1);  // (another line for one device in eight)
    }
    prefetch_links(p, f + kPrefetchFrames);
    part.spans.push_back(materialise(p, submitted_[f]));
  }
  part.made = part.base + part.receptions.size() - before;
  if (cumulative_) part.interference.resize(part.receptions.size());  // zero energies for the new ones
  // 2. Its gateways' newcomers, each gateway's in start order.
  const size_t end = cut_[p + 1];
  for (size_t g = cut_[p]; g < end; ++g) {
    prefetch_settle(g, end);
    for (const OnAir& rx : incoming_[g]) settle(part, static_cast<uint32_t>(g), rx);
    incoming_[g].clear();
  }
  // 3. Its verdicts on the frames due by judge_by_s, in seq order.
  part.verdicts.clear();
  part.verdict_gateways.clear();
  part.verdict_rssi_dbm.clear();
  if (!judge_by_s) return;
  for (size_t i = frame_front_; i < frames_.size(); ++i) {
    prefetch_judge(p, i);
    if (!frames_[i].resolved && frames_[i].tx.t_end_s <= *judge_by_s) judge(p, i);
  }
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

void RadioMedium::step(double t_s, core::ThreadPool& pool,
                       const std::function<void(const ResolvedFrame&)>& sink) {
  if (parts_.empty()) make_parts(pool.size());
  // 1. The frames submitted since the last step; channels seen for the first time get their on-air lists
  // now, on this thread; the links to look at.
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
    frames_.push_back({s.seq, s.tx, false});
    if (!s.tx.sent) continue;
    s.lists = on_air_list(0, s.tx.channel_hz);
    links += city_.link_offset[s.tx.device + 1] - city_.link_offset[s.tx.device];
  }

  // 2. Each part makes its receptions and settles its gateways, on the pool when the window holds many
  // links (the results are the same either way: a part writes only its own gateways' state).
  // The frames due by t_s are judged there too, by the parts that hold their receptions, unless a downlink
  // the sink sends while they are resolved could still mark one of them: every downlink from now on starts
  // at least min_rx1_delay_s_ after prune_before_s_ (and marks only frames that end after it starts), so
  // not in the first step, nor in a step longer than the shortest receive delay.
  const std::optional<double> judge_by_s =
      t_s <= prune_before_s_ + min_rx1_delay_s_ ? std::optional<double>(t_s) : std::nullopt;
  pool.parallel_for(
      parts_.size(), [&](size_t p) { run_part(p, judge_by_s); }, links, kMinParallelLinks);
  submitted_.clear();
  for (const Part& part : parts_) receptions_made_ += part.made;

  // 3. Resolve the frames that ended by t_s, in seq order, then drop the settled prefix.
  size_t judged = 0;
  judged_by_s_ = judge_by_s;
  for (size_t i = frame_front_; i < frames_.size(); ++i) {
    if (judge_by_s) {
      look_ahead(i);
    } else {
      prefetch_resolve(i);
    }
    if (frames_[i].resolved || frames_[i].tx.t_end_s > t_s) continue;
    if (judge_by_s) {
      resolve_judged(i, judged++, sink);
    } else {
      resolve(i, sink);
    }
  }
  judged_by_s_.reset();
  while (frame_front_ < frames_.size() && frames_[frame_front_].resolved) ++frame_front_;
  // Every downlink from now on starts after a frame resolved from now on ends, after t_s.
  prune_before_s_ = std::max(prune_before_s_, t_s);
  // Receptions of settled frames are no longer referenced (no on-air list holds one: a frame is
  // settled once nothing can overlap it): each part erases its settled front at its next round, on its own
  // thread (written here, its receptions, spans and fates would pass to this core and back).
  if (frame_front_ > 0 && 2 * frame_front_ >= frames_.size()) {
    frames_.erase(frames_.begin(), frames_.begin() + static_cast<std::ptrdiff_t>(frame_front_));
    for (Part& part : parts_) part.settled_frames = frame_front_;
    frame_front_ = 0;
  }
  for (Part& part : parts_)
    part.first_live = frame_front_ < frames_.size() ? part.spans[part.settled_frames + frame_front_].first
                                                    : part.base + part.receptions.size();
}

void RadioMedium::tidy(size_t p) {
  Part& part = parts_[p];
  part.spans.erase(part.spans.begin(), part.spans.begin() + static_cast<std::ptrdiff_t>(part.settled_frames));
  part.settled_frames = 0;
  const auto dead = static_cast<size_t>(part.first_live - part.base);
  if (dead == 0 || 2 * dead < part.receptions.size()) return;
  part.receptions.erase(part.receptions.begin(), part.receptions.begin() + static_cast<std::ptrdiff_t>(dead));
  if (cumulative_)
    part.interference.erase(part.interference.begin(),
                            part.interference.begin() + static_cast<std::ptrdiff_t>(dead));
  part.base = part.first_live;
  trim_fates(p);
}

void RadioMedium::trim_fates(size_t p) {
  // Every live reception is settled by now: its local index lies in its gateway's fates. The lowest
  // one per gateway is where that gateway's fates are still needed (on-air entries of settled frames
  // are never looked at again: nothing that starts later overlaps them).
  const size_t from = cut_[p], to = cut_[p + 1];
  for (size_t g = from; g < to; ++g) trim_scratch_[g] = static_cast<uint32_t>(gateways_[g].fates.size());
  for (const Reception& r : parts_[p].receptions)
    trim_scratch_[r.gateway] = std::min(trim_scratch_[r.gateway], gateways_[r.gateway].offset(r.local));
  for (size_t g = from; g < to; ++g) {
    GatewayState& gs = gateways_[g];
    const uint32_t dead = trim_scratch_[g];
    if (dead == 0 || 2 * static_cast<size_t>(dead) < gs.fates.size()) continue;
    gs.fates.erase(gs.fates.begin(), gs.fates.begin() + static_cast<std::ptrdiff_t>(dead));
    gs.fate_base += dead;
  }
}

}  // namespace citytwin::sim::access
