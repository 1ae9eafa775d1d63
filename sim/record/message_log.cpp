#include "sim/record/message_log.hpp"

#include <algorithm>
#include <limits>

#include "output/trace_writer.hpp"
#include "sim/core/prefetch.hpp"
#include "sim/core/round_joining.hpp"

namespace citytwin::sim::record {

MessageLog::Row& MessageLog::row(uint64_t seq) {
  while (base_ + rows_.size() <= seq) {
    if (rows_.full()) rows_.set_capacity(std::max<size_t>(1024, 2 * rows_.capacity()));
    rows_.push_back(Row{});
  }
  return rows_[static_cast<size_t>(seq - base_)];
}

void MessageLog::record(const events::FrameResolved& frame, float snr_db) {
  Row& r = row(frame.seq);
  r.tx = frame.tx;
  r.gateways_heard = static_cast<uint16_t>(frame.gateways_received.size());
  r.rssi_dbm = frame.best_rssi_dbm;
  r.snr_db = snr_db;
  r.fail_reason = frame.fail_reason;
  r.recorded = true;
}

void MessageLog::apply_deliveries() {
  // The rows ahead asked for (every line of a row: 96 bytes, two lines or three); rows not made yet are made
  // as they come.
  constexpr size_t kAhead = 32;
  const size_t n = deliveries_.size();
  for (size_t i = 0; i < n; ++i) {
    if ((i & 255) == 255) core::join_waiting_round();  // (on the pool's lane: sim/core/round_joining.hpp)
    if (i + kAhead < n) {
      const uint64_t ahead = deliveries_[i + kAhead].seq;
      if (ahead >= base_ && ahead - base_ < rows_.size())
        core::prefetch_for_write(&rows_[static_cast<size_t>(ahead - base_)], sizeof(Row));
    }
    const Delivery& d = deliveries_[i];
    if (d.seq < base_) continue;  // written already: it was delivered before
    Row& r = row(d.seq);
    if (r.t_delivered_s >= 0.0) continue;  // a later copy
    r.t_delivered_s = d.t_s;
    r.failure = static_cast<int16_t>(d.failure);
  }
  deliveries_.clear();
}

void MessageLog::drop_copy(uint64_t seq, output::FailReason reason, int failure) {
  if (seq < base_) return;
  Row& r = row(seq);
  ++r.copies_dropped;
  r.drop_reason = reason;
  r.drop_failure = static_cast<int16_t>(failure);
}

void MessageLog::count(const Row& r) {
  if (district_sent_.empty()) {
    district_sent_.assign(district_count_, 0);
    district_delivered_.assign(district_count_, 0);
    district_latency_sum_s_.assign(district_count_, 0.0);
  }
  if (by_population_.empty()) by_population_.resize(city_.populations.size());
  const uint16_t district = engine::district_of(city_, r.tx);
  PopulationCounts& pop = by_population_[engine::population_of(city_, r.tx)];
  const bool ok = r.t_delivered_s >= 0.0;
  ++fail_reasons_[static_cast<size_t>(ok ? output::FailReason::None : reason(r))];
  if (const int16_t f = failure(r); f >= 0) {
    auto& counts = ok ? delayed_by_failure_ : lost_by_failure_;
    if (counts.size() <= static_cast<size_t>(f)) counts.resize(static_cast<size_t>(f) + 1, 0);
    ++counts[static_cast<size_t>(f)];
  }
  uint8_t& report_done = report_delivered_[r.tx.device];
  // A first attempt writes its device's byte without reading it (a load that misses the caches stalls,
  // a store does not: at 1 M devices it was a miss a row); a retry reads it.
  // A compromised device's frames beyond its schedule are transmissions, not reports due (they made parking's
  // report_delivery_ratio read 0.41 in city_attacks, 0.98 without the attack).
  const bool first_attempt = r.tx.attempt == 0 && !r.tx.extra;
  if (first_attempt) {
    ++pop.reports;
    report_done = r.tx.sent && ok ? 1 : 0;
  }
  if (!r.tx.sent) return;
  ++sent_;
  ++district_sent_[district];
  ++pop.transmissions;
  if (ok) {
    const double latency = r.t_delivered_s - r.tx.t_start_s;
    ++delivered_;
    air_sum_s_ += r.tx.t_end_s - r.tx.t_start_s;
    ++district_delivered_[district];
    district_latency_sum_s_[district] += latency;
    ++pop.delivered;
    // A report counts once, at its first delivered attempt (a later one follows a lost ACK).
    if (!r.tx.extra) {
      if (first_attempt || !report_done) ++pop.reports_delivered;
      report_done = 1;
    }
    pop.latencies_s.add(latency);
  }
}

void MessageLog::flush(output::TraceWriter& writer) {
  apply_deliveries();
  if (report_delivered_.empty()) report_delivered_.assign(city_.device_count(), 0);
  // A row's device's byte of report_delivered_ asked for this many rows ahead: a random device's, a miss
  // at 1 M devices that held the stores behind it (stores leave the core in order) until it came.
  constexpr size_t kAhead = 16;
  for (size_t made = 1; !rows_.empty() && settled(rows_.front()); ++made) {
    if ((made & 255) == 0) core::join_waiting_round();
    if (kAhead < rows_.size() && rows_[kAhead].tx.device < report_delivered_.size())
      core::prefetch_for_write(&report_delivered_[rows_[kAhead].tx.device]);
    const Row& r = rows_.front();
    count(r);
    const bool ok = r.t_delivered_s >= 0.0;
    batch_.device.push_back(r.tx.device);
    batch_.t_tx_s.push_back(r.tx.t_start_s);
    batch_.radio.push_back(static_cast<uint8_t>(r.tx.technology));
    batch_.sf.push_back(r.tx.spreading_factor);
    batch_.channel_hz.push_back(r.tx.channel_hz);
    batch_.tx_power_dbm.push_back(r.tx.tx_power_dbm);
    batch_.airtime_s.push_back(r.tx.t_end_s - r.tx.t_start_s);
    batch_.gateways_heard.push_back(r.gateways_heard);
    batch_.rssi_dbm.push_back(r.rssi_dbm);
    batch_.snr_db.push_back(r.snr_db);
    batch_.retransmissions.push_back(r.tx.attempt);
    batch_.delivered.push_back(ok ? 1 : 0);
    batch_.fail_reason.push_back(static_cast<uint8_t>(ok ? output::FailReason::None : reason(r)));
    batch_.failure.push_back(failure(r));
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

}  // namespace citytwin::sim::record
