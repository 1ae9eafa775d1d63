#include "sim/platform/platform_stages.hpp"

namespace citytwin::sim::platform {

PlatformStages::PlatformStages(const scenario::Scenario& scenario, const city::CityLayout& city,
                               events::Bus& bus, const drivers::DriverSet* drivers)
    : bus_(bus),
      pipeline_(scenario.platform),
      analytics_(scenario, city, drivers),
      broker_flops_per_s_(scenario.platform.server_speed_flops),
      analytics_flops_per_s_(scenario.platform.server_speed_flops) {
  if (!scenario.platform.alerts.empty()) {
    bus.subscribe<events::FrameResolved>([this](const events::FrameResolved& f) {
      if (!f.gateways_received.empty())
        awaiting_ingest_.emplace(f.seq, Reading{f.tx, static_cast<uint32_t>(f.gateways_received.size())});
    });
    // A retransmission of a report the network server passed on already: no reading follows.
    bus.subscribe<events::CopyDelivered>([this](const events::CopyDelivered& c) {
      if (c.first && c.retransmission) awaiting_ingest_.erase(c.seq);
    });
    bus.subscribe<events::CopyDropped>([this](const events::CopyDropped& c) {
      const auto it = awaiting_ingest_.find(c.seq);
      if (it != awaiting_ingest_.end() && --it->second.copies_left == 0) awaiting_ingest_.erase(it);
    });
  }
  bus.subscribe<events::MessageIngested>([this](const events::MessageIngested& m) { on_ingested(m); });
}

void PlatformStages::on_ingested(const events::MessageIngested& m) {
  broker_flops_per_s_ = m.broker_flops_per_s;
  analytics_flops_per_s_ = m.analytics_flops_per_s;
  if (flood_ != nullptr)
    flood_->inject_until(m.t_delivered_s, pipeline_, m.broker_flops_per_s, m.analytics_flops_per_s);
  const auto times = pipeline_.ingest(m.t_delivered_s, m.broker_flops_per_s, m.analytics_flops_per_s);
  if (flood_ != nullptr) flood_->check_alarm(m.t_delivered_s, pipeline_);
  bus_.publish(events::MessageBrokered{m.seq, m.t_delivered_s, times.has_value()});
  const auto it = awaiting_ingest_.find(m.seq);
  if (it == awaiting_ingest_.end()) return;  // no alert rules
  // The alert rules see a reading once the broker has passed it to the analytics.
  if (times) {
    const size_t before = analytics_.alerts().size();
    analytics_.on_delivery(it->second.tx, times->t_analysed_s);
    for (size_t i = before; i < analytics_.alerts().size(); ++i) {
      const Alert& a = analytics_.alerts()[i];
      bus_.publish(events::AlertRaised{a.rule, a.district, a.t_event_s, a.t_alert_s, a.t_inundation_s,
                                       analytics_.flood_rule(a.rule)});
    }
  }
  awaiting_ingest_.erase(it);
}

void PlatformStages::finish(double t_end_s) {
  if (flood_ != nullptr)
    flood_->inject_until(t_end_s, pipeline_, broker_flops_per_s_, analytics_flops_per_s_);
}

void PlatformStages::add_kpis(output::KpiList& kpis) const {
  kpis.emplace_back("latency_broker_mean_s", pipeline_.broker_wait_mean_s());
  kpis.emplace_back("latency_analytics_mean_s", pipeline_.analytics_mean_s());
  kpis.emplace_back("latency_storage_mean_s", pipeline_.storage_mean_s());
  kpis.emplace_back("platform_stored", static_cast<double>(pipeline_.stored()));
  kpis.emplace_back("platform_dropped", static_cast<double>(pipeline_.dropped()));
  kpis.emplace_back("broker_queue_peak", static_cast<double>(pipeline_.broker_peak()));
}

}  // namespace citytwin::sim::platform
