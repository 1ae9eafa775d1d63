// The radio medium's parts (sim/access/radio_medium.hpp): the gateways split among the threads, and what one
// part does in a window's round on its thread: the receptions at its gateways of the window's frames
// (materialise, the locks beyond the K with radio.receptions: strongest), the settling of its gateways'
// newcomers (radio_settle.cpp), its verdicts on the frames due, and the erasing of its settled front. The
// windows' steps and the frames' resolving are in radio_medium.cpp.
#include <algorithm>
#include <limits>
#include <span>
#include <stdexcept>
#include <thread>

#include "sim/access/radio_medium.hpp"

namespace citytwin::sim::access {
namespace {
using output::FailReason;
}  // namespace

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
  // Where the work lies: the links per gateway of a sample of the devices (every device up to 65,536), each
  // weighed by how often its device sends (its population's reports a second). Devices on other radios
  // (NB-IoT, Wi-Fi) send no LoRa frame: their links weigh nothing.
  std::vector<double> weight(gateways, 0.0);
  const size_t devices = city_.device_count(), stride = std::max<size_t>(1, devices / 65536);
  double total = 0.0;
  for (size_t d = 0; d < devices; d += stride) {
    double rate = 1.0;
    if (d < city_.device_population.size()) {
      const city::PopulationProfile& pop = city_.populations[city_.device_population[d]];
      if (pop.technology != scenario::Technology::LoRaWAN) continue;
      if (pop.interval_s > 0.0) rate = 1.0 / pop.interval_s;
    }
    const Links links = links_of(static_cast<uint32_t>(d));
    size_t linked = 0;  // (packed links end at the first kNoGateway)
    while (linked < links.count && links.gateways[linked] != kNoGateway) ++linked;
    for (size_t i = 0; i < linked; ++i) weight[links.gateways[i]] += rate;
    total += rate * static_cast<double>(linked);
  }
  if (!(total > 0.0)) {  // no LoRa link in the sample: as many gateways a part
    for (size_t p = 1; p < count; ++p) cut_[p] = static_cast<uint32_t>(gateways * p / count);
    return;
  }
  // Part p - 1 ends where the weight so far first reaches p parts' worth, leaving each part a gateway. Two
  // parts beside a lane: the caller (who claims part 0) takes kLaneShare more, since the other thread also
  // carries the lane's tasks. On the 100k bench city for 4 hours (summary trace) the loop took 2-5 % less
  // with 4 or 5 points than with none; 8 points did no better than 4 (bench/RESULTS.md, "What a part reads
  // of a frame, in half a line"). Timing only: the cut changes no result.
  const double shift = count == 2 && lane_ ? kLaneShare : 0.0;
  double so_far = 0.0;
  size_t g = 0;
  for (size_t p = 1; p < count; ++p) {
    const double target = total * (static_cast<double>(p) / static_cast<double>(count) + shift);
    while (g < gateways && so_far < target) so_far += weight[g++];
    cut_[p] =
        static_cast<uint32_t>(std::clamp(g, static_cast<size_t>(cut_[p - 1]) + 1, gateways - (count - p)));
  }
}

size_t RadioMedium::first_link_of_part(size_t p, const uint32_t* gateways, size_t count) const {
  if (p == 0) return 0;
  return static_cast<size_t>(std::lower_bound(gateways, gateways + count, cut_[p]) - gateways);
}

void RadioMedium::run_part(size_t p, std::optional<double> judge_by_s) {
  tidy(p);
  Part& part = parts_[p];
  part.thread = std::this_thread::get_id();
  // 1. Its receptions of the frames submitted since the last step, in seq order.
  const size_t n = submitted_.size();
  const uint64_t before = part.base + part.receptions.size();
  for (size_t f = 0; f < n; ++f) {
    // A frame's device is a random one: its offsets into the links (a miss at 1 M devices, and in this
    // thread's cache only if it read them) asked for twice as far ahead as its links (packed links need
    // none). What the part reads of the frame (written by the simulation thread: from the other core on a
    // worker) three times as far.
    if (f + 3 * kPrefetchFrames < n) __builtin_prefetch(&airings_[f + 3 * kPrefetchFrames]);
    if (packed_words_ == 0 && f + 2 * kPrefetchFrames < n) {
      const uint64_t* offsets = &city_.link_offset[airings_[f + 2 * kPrefetchFrames].device];
      __builtin_prefetch(offsets);
      __builtin_prefetch(offsets + 1);  // (another line for one device in eight)
    }
    prefetch_links(p, f + kPrefetchFrames);
    part.spans.push_back(materialise(p, f));
  }
  part.made = part.base + part.receptions.size() - before;
  if (cumulative_) part.interference.resize(part.receptions.size());  // zero energies for the new ones
  // 2. Its gateways' newcomers, each gateway's in start order.
  const size_t end = cut_[p + 1];
  for (size_t g = cut_[p]; g < end; ++g) {
    prefetch_settle(g, end);
    for (const OnAir& rx : incoming_[g].list) settle(part, static_cast<uint32_t>(g), rx);
    incoming_[g].list.clear();
  }
  // 3. Its verdicts on the frames due by judge_by_s, in seq order.
  part.clear_verdicts();
  if (!judge_by_s) return;
  for (size_t i = frame_front_; i < part.spans.size(); ++i) {
    prefetch_judge(p, i);
    if (!part.spans[i].judged && part.spans[i].t_end_s <= *judge_by_s) judge(p, i);
  }
}

RadioMedium::Links RadioMedium::links_of(uint32_t device) const {
  // The device's links: all of them, or with radio.receptions: strongest, strongest_only the K strongest
  // (the same links in the same order, their gateways and gains copied side by side; strongest_only's
  // set-up keeps those alone).
  if (strongest_)
    return {strongest_->gateways_of(device), strongest_->gains_of(device), strongest_->of(device).size()};
  if (packed_words_ != 0) {
    const uint32_t* gateways = packed_gateways(device);
    return {gateways, reinterpret_cast<const float*>(gateways + strongest_k_), strongest_k_};
  }
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
  uint64_t k = begin + first_link_of_part(p, gateways + begin, static_cast<size_t>(end - begin));
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
    incoming_[g].list.emplace_back(tx.t_start_s, tx.t_end_s, kLockOnly, rssi, 0u, 0u, tx.spreading_factor,
                                   FailReason::None);
  }
}

// A jammer's verdict on a reception (out of line: it reads the whole frame, which the parts read only here).
[[gnu::noinline]] bool RadioMedium::jammed(uint32_t gateway, const engine::Transmission& tx,
                                           float rssi_dbm) const {
  const uint16_t population = engine::population_of(city_, tx);
  const double sensitivity = sensitivity_dbm_[sensitivity_slot(population, tx.spreading_factor)];
  return jamming_->jams(gateway, tx.channel_hz, city_.populations[population].bandwidth_hz,
                        rssi_dbm - sensitivity, tx.t_start_s, tx.t_end_s);
}

RadioMedium::Span RadioMedium::materialise(size_t p, size_t f) {
  Part& part = parts_[p];
  const Airing& a = airings_[f];
  const uint64_t first = part.base + part.receptions.size();
  if (a.threshold_dbm != kNotSent) {
    const uint8_t spreading_factor = airing_sf_[f];
    const Links links = links_of(a.device);
    if (strongest_ && strongest_->demodulators()) {
      const engine::Transmission& tx = submitted_[f].tx;
      const uint16_t population = engine::population_of(city_, tx);
      lock_beyond(p, tx, strongest_->of(a.device), city_.populations[population].bandwidth_hz,
                  sensitivity_dbm_[sensitivity_slot(population, spreading_factor)]);
    }
    // The part's links: its gateways' (the links are in gateway order).
    const uint32_t end_gateway = cut_[p + 1];
    for (size_t i = first_link_of_part(p, links.gateways, links.count); i < links.count; ++i) {
      const uint32_t g = links.gateways[i];
      if (g >= end_gateway) break;
      const float rssi = a.tx_power_dbm + links.gains[i];
      if (rssi < a.threshold_dbm) continue;
      const uint64_t id = part.base + part.receptions.size();
      const bool jam = jamming_ != nullptr && jammed(g, submitted_[f].tx, rssi);
      Newcomers& newcomers = incoming_[g];
      const uint32_t local = newcomers.next_local++;
      part.receptions.push_back({g, rssi, local});
      newcomers.list.push_back({a.t_start_s, a.t_end_s, id, rssi, a.lists + g * sf_lists_, local,
                                spreading_factor, jam ? FailReason::Jammed : FailReason::None});
    }
  }
  return {first, a.t_end_s, static_cast<uint32_t>(part.base + part.receptions.size() - first), false};
}

void RadioMedium::prefetch_links(size_t p, size_t submitted) const {
  if (submitted >= airings_.size() || airings_[submitted].threshold_dbm == kNotSent) return;
  if (packed_words_ != 0) {  // the device's line (two at K > 8)
    const auto* line = reinterpret_cast<const char*>(packed_gateways(airings_[submitted].device));
    __builtin_prefetch(line);
    __builtin_prefetch(line + packed_words_ * sizeof(uint32_t) - 1);
    return;
  }
  const Links links = links_of(airings_[submitted].device);
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

void RadioMedium::judge(size_t p, size_t frame) {
  Part& part = parts_[p];
  part.spans[frame].judged = true;
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

void RadioMedium::prefetch_judge(size_t p, size_t frame) const {
  const Part& part = parts_[p];
  const size_t far = frame + 2 * kResolveAhead, near = frame + kResolveAhead;
  if (far < part.spans.size()) {
    const Span span = part.spans[far];
    if (span.count > 0) {
      const Reception* first = &part.reception(span.first);
      __builtin_prefetch(first);
      __builtin_prefetch(first + span.count - 1);
    }
  }
  if (near >= part.spans.size() || part.spans[near].judged) return;
  const Span span = part.spans[near];
  for (uint64_t id = span.first; id < span.first + span.count; ++id) {
    const Reception& rx = part.reception(id);
    const GatewayState& gs = gateways_[rx.gateway];
    __builtin_prefetch(gs.fates.data() + gs.offset(rx.local));
  }
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
