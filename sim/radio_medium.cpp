#include "sim/radio_medium.hpp"

#include <algorithm>

namespace citytwin::sim {

namespace {
constexpr uint32_t kSpreadingFactors = 6;  // SF7..SF12
}

RadioMedium::RadioMedium(const CityLayout& city, const models::radio::CaptureRule& capture)
    : city_(city), capture_(capture), incoming_(city.gateway_count()) {}

uint32_t RadioMedium::on_air_list(uint32_t gateway, uint32_t channel_hz, uint8_t spreading_factor) {
  auto it = std::find(channels_hz_.begin(), channels_hz_.end(), channel_hz);
  if (it == channels_hz_.end()) {
    channels_hz_.push_back(channel_hz);
    on_air_.resize(on_air_.size() + kSpreadingFactors * city_.gateway_count());
    it = channels_hz_.end() - 1;
  }
  const auto channel = static_cast<uint32_t>(it - channels_hz_.begin());
  return (channel * kSpreadingFactors + (spreading_factor - 7u)) * static_cast<uint32_t>(city_.gateway_count()) +
         gateway;
}

void RadioMedium::step(std::vector<Transmission>& produced, double t_s, ThreadPool& pool,
                       const std::function<void(const ResolvedFrame&)>& sink) {
  // 1. Take, in order, the transmissions that start before t_s: every frame that could overlap them
  //    has been produced by now, since a wake-up before t_s is needed to start before t_s.
  staged_.insert(staged_.end(), produced.begin(), produced.end());
  produced.clear();
  std::sort(staged_.begin(), staged_.end(), tx_before);
  const auto split = std::partition_point(staged_.begin(), staged_.end(),
                                          [&](const Transmission& tx) { return tx.t_start_s < t_s; });
  for (auto it = staged_.begin(); it != split; ++it) {
    const Transmission& tx = *it;
    const uint64_t first = reception_base_ + receptions_.size();
    const uint64_t begin = city_.link_offset[tx.device], end = city_.link_offset[tx.device + 1];
    for (uint64_t k = begin; k < end; ++k) {
      const uint32_t g = city_.link_gateway[k];
      receptions_.push_back({g, city_.link_rssi_dbm[k], 0});
      incoming_[g].push_back({tx.t_start_s, tx.t_end_s, first + (k - begin), city_.link_rssi_dbm[k],
                              on_air_list(g, tx.channel_hz, tx.spreading_factor)});
    }
    frames_.push_back({tx, first, static_cast<uint32_t>(end - begin), false});
    ++next_seq_;
  }
  staged_.erase(staged_.begin(), split);

  // 2. Per gateway, in start order: forget frames that ended before the newcomer starts, then settle
  //    the newcomer against every frame still on air on its channel and SF.
  pool.parallel_for(incoming_.size(), [&](size_t g) {
    for (const OnAir& rx : incoming_[g]) {
      std::vector<OnAir>& air = on_air_[rx.list];
      std::erase_if(air, [&](const OnAir& e) { return e.t_end_s <= rx.t_start_s; });
      for (const OnAir& e : air) {
        if (!models::radio::survives_overlap(rx.rssi_dbm, e.rssi_dbm, capture_)) reception(rx.reception).destroyed = 1;
        if (!models::radio::survives_overlap(e.rssi_dbm, rx.rssi_dbm, capture_)) reception(e.reception).destroyed = 1;
      }
      air.push_back(rx);
    }
    incoming_[g].clear();
  });

  // 3. Resolve the frames that ended by t_s, in seq order, then drop the settled prefix.
  for (size_t i = 0; i < frames_.size(); ++i) {
    Frame& f = frames_[i];
    if (f.resolved || f.tx.t_end_s > t_s) continue;
    received_scratch_.clear();
    for (uint32_t r = 0; r < f.receptions; ++r) {
      const Reception& rx = reception(f.first_reception + r);
      if (!rx.destroyed) received_scratch_.push_back(rx.gateway);
    }
    f.resolved = true;
    sink({frame_base_ + i, f.tx, received_scratch_});
  }
  while (!frames_.empty() && frames_.front().resolved) {
    const Frame& f = frames_.front();
    const uint64_t drop_to = f.first_reception + f.receptions;
    while (reception_base_ < drop_to) {
      receptions_.pop_front();
      ++reception_base_;
    }
    frames_.pop_front();
    ++frame_base_;
  }
}

}  // namespace citytwin::sim
