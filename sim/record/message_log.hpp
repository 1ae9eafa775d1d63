// Collects the fate of every uplink. Frames are resolved out of order (a long frame settles after
// shorter ones that started later; deliveries come back from SimGrid later still), so rows wait in a
// reorder buffer and reach the trace in seq order, i.e. ordered by (t_tx_s, device). It also keeps
// what the KPIs need.
#pragma once

#include <array>
#include <boost/circular_buffer.hpp>
#include <cstdint>
#include <vector>

#include "output/records.hpp"
#include "sim/city/city_layout.hpp"
#include "sim/engine/fleet.hpp"
#include "sim/events/events.hpp"
#include "sim/record/log_histogram.hpp"

namespace citytwin::output {
class TraceWriter;
}

namespace citytwin::sim::record {

// The latency percentiles (/kpi latency_p50_s, latency_p95_s, and by type) are within this relative
// error of the exact nearest-rank ones (output/SCHEMA.md).
inline constexpr double kLatencyRelativeError = 1e-3;

class MessageLog {
 public:
  MessageLog(const city::CityLayout& city, size_t district_count)
      : city_(city), district_count_(district_count) {}

  // The radio outcome of a frame. Frames received by no gateway are settled (lost) at once.
  void record(const events::FrameResolved& frame, float snr_db);
  // The network server delivered frame seq (recorded earlier, or later: both orders work). The first
  // delivery of a frame counts; a later one is a duplicate and changes nothing (a copy held in a buffer
  // during a failure reaches the server after another gateway's, perhaps after the row was written).
  // `failure` is the wired failure (row of /kpi/failures) that held the delivering copy, or -1.
  // Kept, and applied to the rows at the next flush in a loop that asks for the rows ahead: a delivered
  // frame's row was written a forwarding period before, and at 1 M devices it has left the caches (a
  // miss a delivery, bench/RESULTS.md).
  void deliver(uint64_t seq, double t_delivered_s, int failure = -1) {
    deliveries_.push_back({seq, t_delivered_s, failure});
  }
  // One copy of frame seq was lost behind its gateway (by `failure`, or -1); when every copy is lost,
  // so is the frame.
  void drop_copy(uint64_t seq, output::FailReason reason, int failure = -1);

  // The transmission of a recorded frame (deliveries only come for recorded frames).
  const engine::Transmission& transmission(uint64_t seq) { return row(seq).tx; }

  // Appends to the writer every settled row that no unsettled row precedes.
  void flush(output::TraceWriter& writer);
  // Rows not yet written (unsettled frames block the rows behind them).
  size_t pending() const { return rows_.size(); }

  // Per population: reports due (first attempts, sent or not), transmissions, delivered transmissions,
  // reports delivered at some attempt, and the latencies of the delivered transmissions as a
  // log-binned histogram (its percentiles within kLatencyRelativeError of the exact ones; memory
  // bounded by the range of the latencies, not their number).
  struct PopulationCounts {
    uint64_t reports = 0, transmissions = 0, delivered = 0, reports_delivered = 0;
    LogHistogram latencies_s{kLatencyRelativeError};
  };
  const std::vector<PopulationCounts>& by_population() const { return by_population_; }
  std::array<uint64_t, output::kFailReasons> fail_reasons() const { return fail_reasons_; }
  // Per wired failure (by index): transmissions it delayed (delivered from a gateway's buffer) and
  // lost (every copy lost behind gateways, the last one to it). Sized on demand: index past the end = 0.
  const std::vector<uint64_t>& delayed_by_failure() const { return delayed_by_failure_; }
  const std::vector<uint64_t>& lost_by_failure() const { return lost_by_failure_; }

  uint64_t sent() const { return sent_; }
  // Mean time on air of the delivered transmissions (the first hop of their latency).
  double air_mean_s() const { return delivered_ > 0 ? air_sum_s_ / static_cast<double>(delivered_) : 0.0; }
  uint64_t delivered() const { return delivered_; }
  // Per district: sent, delivered, sum of latencies.
  const std::vector<uint64_t>& district_sent() const { return district_sent_; }
  const std::vector<uint64_t>& district_delivered() const { return district_delivered_; }
  const std::vector<double>& district_latency_sum_s() const { return district_latency_sum_s_; }

 private:
  struct Row {
    engine::Transmission tx;
    uint16_t gateways_heard = 0;
    float rssi_dbm = 0.0f;
    float snr_db = 0.0f;
    output::FailReason fail_reason = output::FailReason::None;
    double t_delivered_s = -1.0;  // < 0: not delivered (yet)
    uint16_t copies_dropped = 0;
    output::FailReason drop_reason = output::FailReason::None;
    int16_t failure = -1;       // that held the delivering copy
    int16_t drop_failure = -1;  // that lost the last dropped copy
    bool recorded = false;
  };
  Row& row(uint64_t seq);
  bool settled(const Row& r) const {
    return r.recorded &&
           (r.gateways_heard == 0 || r.t_delivered_s >= 0.0 || r.copies_dropped >= r.gateways_heard);
  }
  void count(const Row& r);
  // The deliveries kept since the last flush, applied in the order they came.
  struct Delivery {
    uint64_t seq;
    double t_s;
    int failure;
  };
  void apply_deliveries();
  // A frame received by gateways but lost behind them carries the reason of its last lost copy.
  static bool lost_behind_gateways(const Row& r) {
    return r.gateways_heard > 0 && r.copies_dropped >= r.gateways_heard;
  }
  static output::FailReason reason(const Row& r) {
    return lost_behind_gateways(r) ? r.drop_reason : r.fail_reason;
  }
  // The failure that delayed (delivered) or lost (every copy dropped) a frame, or -1.
  static int16_t failure(const Row& r) {
    return r.t_delivered_s >= 0.0 ? r.failure : lost_behind_gateways(r) ? r.drop_failure : int16_t{-1};
  }

  const city::CityLayout& city_;
  size_t district_count_;
  // rows_[i] is seq base_ + i. A ring (Boost.Circular_buffer, grown by doubling when full) rather than a
  // deque: a row is one address computation away, and the rows lie in one block of memory.
  boost::circular_buffer<Row> rows_;
  uint64_t base_ = 0;
  output::MessageBatch batch_;
  uint64_t sent_ = 0, delivered_ = 0;
  double air_sum_s_ = 0.0;
  std::vector<uint64_t> district_sent_, district_delivered_;
  std::vector<double> district_latency_sum_s_;
  std::vector<PopulationCounts> by_population_;
  std::array<uint64_t, output::kFailReasons> fail_reasons_{};
  std::vector<uint64_t> delayed_by_failure_, lost_by_failure_;
  std::vector<uint8_t> report_delivered_;  // per device: its current report got through
  std::vector<Delivery> deliveries_;
};

}  // namespace citytwin::sim::record
