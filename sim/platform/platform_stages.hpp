// The platform behind the network server as one component on the run's bus: every delivered frame
// (events::MessageIngested) goes through the broker, analytics and storage (PlatformPipeline); the
// alert rules (Analytics) see its reading once the broker has passed it on, and each alert they raise
// is published (events::AlertRaised). A frame's row may reach the trace before its stages have run,
// so the readings the rules need are kept from the frame's resolution until it is ingested or every
// copy of it is lost (only when the scenario has alert rules). Whether the broker took each message or
// dropped it is published (events::MessageBrokered).
#pragma once

#include <cstdint>
#include <unordered_map>

#include "output/records.hpp"
#include "sim/events/bus.hpp"
#include "sim/platform/analytics.hpp"
#include "sim/platform/platform_flood.hpp"
#include "sim/platform/platform_pipeline.hpp"

namespace citytwin::sim::platform {

class PlatformStages {
 public:
  // Subscribes to `bus`, which must outlive the stages' use (so must scenario and city).
  // drivers (may be null): what the alert rules' events and the flood's inundation are timed against.
  PlatformStages(const scenario::Scenario& scenario, const city::CityLayout& city, events::Bus& bus,
                 const drivers::DriverSet* drivers = nullptr);
  PlatformStages(const PlatformStages&) = delete;
  PlatformStages& operator=(const PlatformStages&) = delete;

  // latency_broker_mean_s, latency_analytics_mean_s, latency_storage_mean_s, platform_stored,
  // platform_dropped, broker_queue_peak.
  void add_kpis(output::KpiList& kpis) const;
  const PlatformPipeline& pipeline() const { return pipeline_; }
  // Bogus messages at the broker (attacks.platform_dos, platform_flood.hpp), taken in time order with
  // the delivered ones; null: none. It must outlive the stages.
  void set_flood(PlatformFlood* flood) { flood_ = flood != nullptr && !flood->empty() ? flood : nullptr; }
  // After the last delivery: the flood's bogus messages up to t_end_s.
  void finish(double t_end_s);

 private:
  struct Reading {
    engine::Transmission tx;
    uint32_t copies_left;  // forwarded copies not yet lost
  };
  void on_ingested(const events::MessageIngested& m);

  events::Bus& bus_;
  PlatformPipeline pipeline_;
  Analytics analytics_;
  std::unordered_map<uint64_t, Reading> awaiting_ingest_;  // received, not yet through the broker
  PlatformFlood* flood_ = nullptr;
  double broker_flops_per_s_, analytics_flops_per_s_;  // the speeds the last delivered message obtained
};

}  // namespace citytwin::sim::platform
