#include "sim/record/run_recorder.hpp"

#include "output/trace_writer.hpp"
#include "sim/record/driver_record.hpp"
#include "sim/record/kpi.hpp"

namespace citytwin::sim::record {

RunRecorder::RunRecorder(const scenario::Scenario& scenario, const city::CityLayout& city, events::Bus& bus,
                         const drivers::DriverSet& drivers)
    : scenario_(scenario),
      city_(city),
      drivers_(drivers),
      log_(city, scenario.city.districts.size()),
      alerts_(scenario, bus, &drivers),
      coverage_(plan::compute_coverage(scenario, city)) {
  bus.subscribe<events::FrameResolved>([this](const events::FrameResolved& f) { log_.record(f, f.snr_db); });
  bus.subscribe<events::CopyDelivered>([this](const events::CopyDelivered& c) {
    if (c.first) log_.deliver(c.seq, c.t_delivered_s, c.failure);
  });
  bus.subscribe<events::CopyDropped>(
      [this](const events::CopyDropped& c) { log_.drop_copy(c.seq, c.reason, c.failure); });
}

RunRecorder::Report RunRecorder::finish(output::TraceWriter& writer, const Sources& s, double t_end_s) const {
  Report report;
  output::KpiList& kpis = report.kpis;
  add_fleet_kpis(city_, s.fleet, kpis);
  add_battery_life_kpi(scenario_, city_, s.fleet, t_end_s, kpis);
  add_pulse_limit_kpi(scenario_, city_, kpis);
  add_log_kpis(log_, kpis);
  add_wired_kpis(s.wired, kpis);
  for (const access::AccessNetwork* a : s.access) a->add_kpis(kpis);
  const bool access_points = !s.wifi.access_points().empty();
  output::KpiTable by_access_point;
  if (access_points) {
    by_access_point = access_point_kpis(scenario_, s.wifi, s.wired);
    add_backhaul_stream_kpis(kpis, by_access_point);
  }
  alerts_.add_kpis(kpis);
  s.platform.add_kpis(kpis);
  const bool attacks = s.attacks != nullptr && s.attacks->active();
  if (attacks) s.attacks->add_kpis(kpis, log_.fail_reasons());
  kpis.insert(kpis.end(), coverage_.kpis.begin(), coverage_.kpis.end());
  order_kpis(kpis);
  report.by_district = district_kpis(scenario_, city_, s.fleet, log_);

  writer.write_kpis(kpis);
  writer.write_kpi_table("by_district", report.by_district);
  writer.write_kpi_table("coverage_by_district", coverage_.by_district);
  writer.write_kpi_table("coverage_by_population", coverage_.by_population);
  writer.write_kpi_table("coverage_grid", coverage_.grid_table);
  writer.write_kpi_table("by_type", type_kpis(scenario_, city_, s.fleet, log_, t_end_s));
  if (access_points) writer.write_kpi_table("by_access_point", by_access_point);
  if (alerts_.has_table()) writer.write_kpi_table("alerts", alerts_.table());
  if (!s.wired.failures().empty()) writer.write_kpi_table("failures", failure_kpis(s.wired, log_, t_end_s));
  if (const output::KpiTable cuts = power_outage_kpis(scenario_, drivers_); !cuts.keys.empty())
    writer.write_kpi_table("power_outages", cuts);
  if (attacks) {
    writer.write_kpi_table("attacks", s.attacks->table(alerts_.alerts()));
    writer.write_kpi_table("flagged_devices", s.attacks->flagged_devices());
  }
  writer.write_timeseries(s.wired.utilisation(t_end_s));
  if (!drivers_.fields().empty()) writer.write_drivers(driver_table(scenario_, drivers_, t_end_s));
  return report;
}

}  // namespace citytwin::sim::record
