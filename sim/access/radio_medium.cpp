#include "sim/access/radio_medium.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>
#include <thread>

#include "models/radio/adr.hpp"
#include "models/radio/interference.hpp"
#include "models/radio/reception.hpp"
#include "sim/core/stream_store.hpp"

namespace citytwin::sim::access {
namespace {
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
      noise_figure_db_(scenario.channel.noise_figure_db),
      incoming_(city.gateway_count()),
      gateways_(city.gateway_count()),
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
          static_cast<int>(sf), pop.bandwidth_hz, scenario.channel.gateway_sensitivity_dbm));
  // The same as the smallest float at or above each (Airing::threshold_dbm).
  for (const double sensitivity : sensitivity_dbm_) {
    float threshold = static_cast<float>(sensitivity);
    if (static_cast<double>(threshold) < sensitivity)
      threshold = std::nextafter(threshold, std::numeric_limits<float>::infinity());
    threshold_dbm_.push_back(threshold);
  }
  if (scenario.channel.approximate()) {
    strongest_k_ = static_cast<uint32_t>(scenario.channel.strongest_k);
    // strongest_only: the set-up kept each device's K strongest links alone (a layout built otherwise,
    // in a test, still has them all, and they are chosen here).
    if (city.links_strongest_k != strongest_k_)
      strongest_.emplace(city, strongest_k_,
                         scenario.channel.receptions == scenario::RadioChannel::Receptions::Strongest);
    else
      pack_links();
  }
}

void RadioMedium::pack_links() {
  const uint32_t k = strongest_k_, words = packed_words(k);
  const size_t devices = city_.device_count();
  if (words == 0 || devices == 0 || city_.link_offset.size() != devices + 1) return;
  for (size_t d = 0; d < devices; ++d)
    if (city_.link_offset[d + 1] - city_.link_offset[d] > k) return;  // (not the set-up's K: left as it is)
  packed_.resize((devices * words * sizeof(uint32_t) + sizeof(PackedLine) - 1) / sizeof(PackedLine));
  packed_words_ = words;
  auto* out = reinterpret_cast<uint32_t*>(packed_.data()->bytes);
  for (size_t d = 0; d < devices; ++d, out += words) {
    const uint64_t begin = city_.link_offset[d], end = city_.link_offset[d + 1];
    std::fill(out, out + k, kNoGateway);
    std::copy(city_.link_gateway.begin() + static_cast<std::ptrdiff_t>(begin),
              city_.link_gateway.begin() + static_cast<std::ptrdiff_t>(end), out);
    float* gains = reinterpret_cast<float*>(out + k);
    std::fill(gains, gains + k, 0.0f);
    std::copy(city_.link_gain_db.begin() + static_cast<std::ptrdiff_t>(begin),
              city_.link_gain_db.begin() + static_cast<std::ptrdiff_t>(end), gains);
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
    parts_[p].clear_verdicts();
    judge(p, frame);
  }
  resolve_judged(frame, 0, sink);
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

void RadioMedium::look_ahead(size_t frame) const {
  const size_t far = frame + 2 * kResolveAhead, near = frame + kResolveAhead;
  if (resolve_ahead_)
    resolve_ahead_(far < frames_.size() ? frames_[far].tx.device : kNoDevice,
                   near < frames_.size() ? frames_[near].tx.device : kNoDevice);
}

void RadioMedium::prefetch_resolve(size_t frame) const {
  look_ahead(frame);
  for (size_t p = 0; p < parts_.size(); ++p) prefetch_judge(p, frame);
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
  // 1. The frames submitted since the last step, and what the parts will read of them; channels seen for the
  // first time get their on-air lists now, on this thread; the links to look at.
  uint64_t links = 0;
  // Where a worker ran a part of the last round, the airings are streamed (core::stream_store): it read this
  // vector's lines, and an ordinary store would first take each of them back from its core and wait. Where
  // this thread ran every part (one thread; or a lane too busy to join the rounds, as on the realistic 1 M
  // city), it reads them right after from its own cache, where ordinary stores leave them, and from memory
  // if they were streamed (bench/RESULTS.md, "Lines the two threads shared").
  airings_.resize(submitted_.size());  // (not written here: each is stored below)
  const bool stream = worker_ran_a_part_;
  airing_sf_.clear();
  // A frame's device is a random one: its offsets into the links (a miss at 1 M devices) asked for this
  // many frames ahead, for the count of links read here (each part asks for them again on its thread).
  // Packed links (strongest_only) are counted as K a frame, at most what it has: the parts read no offsets
  // then, and this thread need not either.
  constexpr size_t kOffsetsAhead = 16;
  for (size_t i = 0; i < submitted_.size(); ++i) {
    if (packed_words_ == 0 && i + kOffsetsAhead < submitted_.size()) {
      const uint64_t* offsets = &city_.link_offset[submitted_[i + kOffsetsAhead].tx.device];
      __builtin_prefetch(offsets);
      __builtin_prefetch(offsets + 1);  // (another line for one device in eight)
    }
    const engine::Transmission& tx = submitted_[i].tx;
    frames_.push_back({submitted_[i].seq, tx, false});
    Airing a{tx.t_start_s, tx.t_end_s, tx.device, 0, tx.tx_power_dbm, kNotSent};
    airing_sf_.push_back(tx.spreading_factor);
    if (tx.sent) {
      if (tx.spreading_factor - 7u >= kSpreadingFactors)
        throw std::logic_error("RadioMedium: a LoRa frame outside SF7..SF12");
      a.lists = on_air_list(0, tx.channel_hz) + (sf_lists_ > 1 ? tx.spreading_factor - 7u : 0u);
      a.threshold_dbm =
          threshold_dbm_[sensitivity_slot(engine::population_of(city_, tx), tx.spreading_factor)];
      links +=
          packed_words_ != 0 ? strongest_k_ : city_.link_offset[tx.device + 1] - city_.link_offset[tx.device];
    }
    if (stream) {
      core::stream_store(&airings_[i], a);
    } else {
      airings_[i] = a;
    }
  }
  if (stream) core::stream_fence();

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
  worker_ran_a_part_ = false;
  for (const Part& part : parts_) {
    receptions_made_ += part.made;
    worker_ran_a_part_ |= part.thread != std::this_thread::get_id();
  }

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

}  // namespace citytwin::sim::access
