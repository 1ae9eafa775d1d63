#include "sim/platform/platform_pipeline.hpp"

#include <algorithm>

namespace citytwin::sim::platform {

std::optional<PipelineTimes> PlatformPipeline::ingest(double t_s, double broker_flops_per_s,
                                                      double analytics_flops_per_s) {
  while (!broker_departures_.empty() && broker_departures_.front() <= t_s) broker_departures_.pop_front();
  if (broker_departures_.size() >= static_cast<size_t>(platform_.broker_capacity)) {
    ++dropped_;
    return std::nullopt;
  }
  PipelineTimes times;
  const double start = broker_departures_.empty() ? t_s : std::max(t_s, broker_departures_.back());
  times.t_ingested_s = start + platform_.broker_cost_flops / broker_flops_per_s;
  broker_departures_.push_back(times.t_ingested_s);
  broker_peak_ = std::max(broker_peak_, broker_departures_.size());
  times.t_analysed_s = std::max(times.t_ingested_s, analytics_free_s_) +
                       platform_.analytics_cost_flops / analytics_flops_per_s;
  analytics_free_s_ = times.t_analysed_s;
  times.t_stored_s = std::max(times.t_analysed_s, storage_free_s_) +
                     platform_.storage_record_bytes * 8.0 / platform_.storage_write_bps;
  storage_free_s_ = times.t_stored_s;
  ++stored_;
  broker_wait_s_ += times.t_ingested_s - t_s;
  analytics_s_ += times.t_analysed_s - times.t_ingested_s;
  storage_s_ += times.t_stored_s - times.t_analysed_s;
  return times;
}

}  // namespace citytwin::sim::platform
