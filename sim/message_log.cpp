#include "sim/message_log.hpp"

#include <limits>

namespace citytwin::sim {

MessageLog::Row& MessageLog::row(uint64_t seq) {
  while (base_ + rows_.size() <= seq) rows_.emplace_back();
  return rows_[static_cast<size_t>(seq - base_)];
}

void MessageLog::record(uint64_t seq, const Transmission& tx, uint16_t gateways_heard) {
  Row& r = row(seq);
  r.tx = tx;
  r.gateways_heard = gateways_heard;
  r.recorded = true;
}

void MessageLog::deliver(uint64_t seq, double t_delivered_s) { row(seq).t_delivered_s = t_delivered_s; }

void MessageLog::count(const Row& r) {
  if (district_sent_.empty()) {
    district_sent_.assign(district_count_, 0);
    district_delivered_.assign(district_count_, 0);
    district_latency_sum_s_.assign(district_count_, 0.0);
  }
  const uint16_t district = city_.device_district[r.tx.device];
  ++sent_;
  ++district_sent_[district];
  if (r.t_delivered_s >= 0.0) {
    const double latency = r.t_delivered_s - r.tx.t_start_s;
    ++delivered_;
    ++district_delivered_[district];
    district_latency_sum_s_[district] += latency;
    latencies_s_.push_back(static_cast<float>(latency));
  }
}

void MessageLog::flush(output::TraceWriter& writer) {
  while (!rows_.empty() && settled(rows_.front())) {
    const Row& r = rows_.front();
    count(r);
    const bool ok = r.t_delivered_s >= 0.0;
    batch_.device.push_back(r.tx.device);
    batch_.t_tx_s.push_back(r.tx.t_start_s);
    batch_.sf.push_back(r.tx.spreading_factor);
    batch_.channel_hz.push_back(r.tx.channel_hz);
    batch_.airtime_s.push_back(r.tx.t_end_s - r.tx.t_start_s);
    batch_.gateways_heard.push_back(r.gateways_heard);
    batch_.delivered.push_back(ok ? 1 : 0);
    batch_.t_delivered_s.push_back(ok ? r.t_delivered_s : std::numeric_limits<double>::quiet_NaN());
    batch_.battery_mah_left.push_back(r.tx.battery_mah_left);
    rows_.pop_front();
    ++base_;
  }
  if (batch_.size() > 0) {
    writer.append_messages(batch_);
    batch_.clear();
  }
}

}  // namespace citytwin::sim
