// The recorders of one run, subscribed to its bus: the message log (every uplink's fate -> /messages)
// and the alert log; at the end, the /kpi attributes (each component's and recorder's own, put in the
// schema's order by order_kpis) and the /kpi tables that combine several of them (by district, by
// type, by access point, by failure), the coverage of the city by its stations and /timeseries. To add a
// recorder: subscribe it here (or in sim/app/run_assembly.cpp) and let it add its KPIs in finish().
#pragma once

#include <span>

#include "output/records.hpp"
#include "sim/access/access_network.hpp"
#include "sim/access/wifi_access.hpp"
#include "sim/events/bus.hpp"
#include "sim/network/wired_network.hpp"
#include "sim/plan/coverage.hpp"
#include "sim/platform/platform_stages.hpp"
#include "sim/record/alert_log.hpp"
#include "sim/record/attack_log.hpp"
#include "sim/record/message_log.hpp"

namespace citytwin::output {
class TraceWriter;
}

namespace citytwin::sim::record {

class RunRecorder {
 public:
  // Subscribes to `bus`; every argument must outlive the recorder.
  RunRecorder(const scenario::Scenario& scenario, const city::CityLayout& city, events::Bus& bus,
              const drivers::DriverSet& drivers);
  RunRecorder(const RunRecorder&) = delete;
  RunRecorder& operator=(const RunRecorder&) = delete;

  // Appends the settled /messages rows to the trace.
  void flush(output::TraceWriter& writer) { log_.flush(writer); }
  const MessageLog& log() const { return log_; }

  // What the run's components report at the end.
  struct Sources {
    const engine::Fleet& fleet;
    const network::WiredNetwork& wired;
    std::span<const access::AccessNetwork* const> access;
    const access::WifiAccess& wifi;
    const platform::PlatformStages& platform;
    const AttackLog* attacks = nullptr;  // with scenario attacks: its KPIs and tables
  };
  struct Report {
    output::KpiList kpis;          // the /kpi attributes, in order
    output::KpiTable by_district;  // the /kpi/by_district table
  };
  // Writes the /kpi attributes and tables and /timeseries for a run that ended at t_end_s (after the
  // last flush).
  Report finish(output::TraceWriter& writer, const Sources& sources, double t_end_s) const;

 private:
  const scenario::Scenario& scenario_;
  const city::CityLayout& city_;
  const drivers::DriverSet& drivers_;  // written to /drivers as the run used them
  MessageLog log_;
  AlertLog alerts_;
  plan::Coverage coverage_;  // static: who is within reach of a station (KPIs, two /kpi tables)
};

}  // namespace citytwin::sim::record
