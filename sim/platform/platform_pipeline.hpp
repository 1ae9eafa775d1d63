// The data platform behind the network server (sim/scenario.hpp Platform): ingest queue (bounded),
// stream analytics, storage. Each stage is a FIFO server timed analytically (Lindley's recursion),
// fed in delivery order, at the speed its SimGrid execution obtained on the platform host
// (sim/wired_network.hpp); a message that finds the ingest queue full is dropped and counted.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>

#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::platform {

struct PipelineTimes {
  double t_ingested_s = 0.0;  // left the broker
  double t_analysed_s = 0.0;  // alert rules evaluated
  double t_stored_s = 0.0;    // written to storage
};

class PlatformPipeline {
 public:
  explicit PlatformPipeline(const scenario::Platform& platform) : platform_(platform) {}

  // A message the network server delivered at t_s; nullopt when the ingest queue was full. The broker
  // and the analytics work at the speeds (flop/s) their stages obtain on the platform host.
  std::optional<PipelineTimes> ingest(double t_s, double broker_flops_per_s, double analytics_flops_per_s);

  uint64_t stored() const { return stored_; }
  uint64_t dropped() const { return dropped_; }
  double broker_wait_mean_s() const { return stored_ ? broker_wait_s_ / static_cast<double>(stored_) : 0.0; }
  double analytics_mean_s() const { return stored_ ? analytics_s_ / static_cast<double>(stored_) : 0.0; }
  double storage_mean_s() const { return stored_ ? storage_s_ / static_cast<double>(stored_) : 0.0; }
  size_t broker_peak() const { return broker_peak_; }

 private:
  const scenario::Platform& platform_;
  std::deque<double> broker_departures_;  // of the messages in the ingest queue, increasing
  double analytics_free_s_ = 0.0, storage_free_s_ = 0.0;
  uint64_t stored_ = 0, dropped_ = 0;
  double broker_wait_s_ = 0.0, analytics_s_ = 0.0, storage_s_ = 0.0;
  size_t broker_peak_ = 0;
};

}  // namespace citytwin::sim::platform
