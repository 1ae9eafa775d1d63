#include "sim/record/kpi.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <string>

#include "models/device/battery.hpp"
#include "sim/city/pulse_current.hpp"

namespace citytwin::sim::record {
namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
double ratio(double a, double b) { return b > 0.0 ? a / b : kNaN; }
}  // namespace

double percentile(std::vector<float>& values, double p) {
  if (values.empty()) return kNaN;
  const auto n = values.size();
  const auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(n)));
  const size_t index = std::min(n - 1, rank == 0 ? 0 : rank - 1);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(index), values.end());
  return values[index];
}

void order_kpis(output::KpiList& kpis) {
  const std::span<const output::KpiAttribute> listed = output::kpi_attributes();
  const auto ordered_end =
      std::find_if(listed.begin(), listed.end(), [](const auto& a) { return !a.ordered; });
  const auto rank = [&](const std::string& name) {
    return std::find_if(listed.begin(), ordered_end, [&](const auto& a) { return a.name == name; }) -
           listed.begin();
  };
  std::stable_sort(kpis.begin(), kpis.end(),
                   [&](const auto& a, const auto& b) { return rank(a.first) < rank(b.first); });
}

void add_fleet_kpis(const city::CityLayout& city, const engine::Fleet& fleet, output::KpiList& kpis) {
  double energy = 0.0;
  for (uint32_t d = 0; d < city.device_count(); ++d) energy += fleet.energy_used_mah(d);
  const auto devices = static_cast<double>(city.device_count());
  kpis.emplace_back("devices", devices);
  kpis.emplace_back("gateways", static_cast<double>(city.gateway_count()));
  kpis.emplace_back("energy_mean_mah", ratio(energy, devices));
  kpis.emplace_back("devices_dead", static_cast<double>(fleet.dead_count()));
  kpis.emplace_back("uplinks_deferred_duty_cycle", static_cast<double>(fleet.deferred_by_duty_cycle()));
}

namespace {
// The lifetime of a group's mean device, with the battery model (models/device/battery.hpp): each device's
// load from its drain over the run (load_current_ma: its self-discharge taken out), then a full cell of the
// mean capacity under the mean load and the mean self-discharge (time_to_empty_s), capped by the mean rated
// service life (project_lifetime). Before, the run's drain with its self-discharge was extrapolated as a
// constant loss, the model the battery rejects: 17 % shorter at 1 %/yr for a 30-year cell, more for Li-ion.
// Each device is also projected on its own, to count those whose charge would outlast their cell's rated
// life: the ceiling, not the charge, ends them (service_limited).
struct LifeProjection {
  double devices = 0.0, capacity_mah = 0.0, load_ma = 0.0, self_discharge = 0.0, service_life_s = 0.0;
  double service_limited = 0.0;
  void add(const city::PopulationProfile& pop, double used_mah, double duration_s) {
    const double load = models::device::load_current_ma(pop.battery_mah, pop.battery_mah - used_mah,
                                                        duration_s, pop.self_discharge_rate_per_s);
    devices += 1.0;
    capacity_mah += pop.battery_mah;
    load_ma += load;
    self_discharge += pop.self_discharge_per_year;
    service_life_s += pop.battery.service_life_s;
    const models::device::LifetimeProjection own = models::device::project_lifetime(
        cell(pop.battery_mah, pop.self_discharge_per_year, pop.battery.service_life_s), load);
    // A device that drew nothing (mains) has no life to cap; one on its battery always draws its sleep.
    if (load > 0.0 && own.service_limited()) service_limited += 1.0;
  }
  static models::device::BatterySpec cell(double capacity_mah, double self_discharge, double service_life_s) {
    return {.capacity_mah = capacity_mah,
            .self_discharge_per_year = self_discharge,
            .service_life_s = service_life_s};
  }
  // NaN years without devices or load (a mains-powered type).
  models::device::LifetimeProjection projection() const {
    if (!(devices > 0.0) || !(load_ma > 0.0)) return {.energy_years = kNaN, .service_life_years = kNaN};
    return models::device::project_lifetime(
        cell(capacity_mah / devices, self_discharge / devices, service_life_s / devices), load_ma / devices);
  }
};
}  // namespace

void add_battery_life_kpi(const scenario::Scenario& sc, const city::CityLayout& city,
                          const engine::Fleet& fleet, double duration_s, output::KpiList& kpis) {
  LifeProjection life;
  for (uint32_t d = 0; d < city.device_count(); ++d) {
    if (!scenario::on_battery_alone(sc.devices[city.device_population[d]])) continue;
    life.add(city.populations[city.device_population[d]], fleet.energy_used_mah(d), duration_s);
  }
  const models::device::LifetimeProjection projection = life.projection();
  kpis.emplace_back("battery_life_years", projection.years());
  kpis.emplace_back("battery_life_energy_years", projection.energy_years);
  kpis.emplace_back("devices_service_life_limited", life.service_limited);
}

namespace {
// Per population, whether its devices draw beyond their cell's pulse rating (a property of the scenario).
std::vector<bool> populations_over_pulse_limit(const scenario::Scenario& sc) {
  std::vector<bool> over(sc.devices.size());
  for (size_t p = 0; p < sc.devices.size(); ++p) over[p] = city::over_pulse_limit(sc.devices[p]);
  return over;
}
}  // namespace

void add_pulse_limit_kpi(const scenario::Scenario& sc, const city::CityLayout& city, output::KpiList& kpis) {
  const std::vector<bool> over = populations_over_pulse_limit(sc);
  double devices = 0.0;
  for (uint32_t d = 0; d < city.device_count(); ++d) devices += over[city.device_population[d]] ? 1.0 : 0.0;
  kpis.emplace_back("devices_over_pulse_limit", devices);
}

void add_log_kpis(const MessageLog& log, output::KpiList& kpis) {
  LogHistogram latencies(kLatencyRelativeError);  // kept per population by the log; pooled here
  for (const auto& p : log.by_population()) latencies.merge(p.latencies_s);
  uint64_t reports = 0, reports_delivered = 0;
  for (const auto& p : log.by_population()) {
    reports += p.reports;
    reports_delivered += p.reports_delivered;
  }
  const auto fails = log.fail_reasons();
  auto lost = [&](output::FailReason r) { return static_cast<double>(fails[static_cast<size_t>(r)]); };
  const output::KpiList mine = {
      {"uplinks_sent", static_cast<double>(log.sent())},
      {"uplinks_delivered", static_cast<double>(log.delivered())},
      {"delivery_ratio", ratio(static_cast<double>(log.delivered()), static_cast<double>(log.sent()))},
      {"latency_p50_s", latencies.percentile(0.50)},
      {"latency_p95_s", latencies.percentile(0.95)},
      {"reports", static_cast<double>(reports)},
      {"reports_delivered", static_cast<double>(reports_delivered)},
      {"report_delivery_ratio", ratio(static_cast<double>(reports_delivered), static_cast<double>(reports))},
      {"lost_below_sensitivity", lost(output::FailReason::BelowSensitivity)},
      {"lost_collision", lost(output::FailReason::Collision)},
      {"lost_no_demodulator", lost(output::FailReason::NoDemodulator)},
      {"lost_gateway_transmitting", lost(output::FailReason::GatewayTransmitting)},
      {"lost_random_access", lost(output::FailReason::RandomAccess)},
      {"lost_gateway_down", lost(output::FailReason::GatewayDown)},
      {"lost_buffer_full", lost(output::FailReason::BufferFull)},
      {"lost_server_down", lost(output::FailReason::ServerDown)},
      {"reports_device_dead", lost(output::FailReason::DeviceDead)},
      {"latency_air_mean_s", log.air_mean_s()},
  };
  kpis.insert(kpis.end(), mine.begin(), mine.end());
}

void add_wired_kpis(const network::WiredNetwork& wired, output::KpiList& kpis) {
  const network::WiredNetwork::LatencyBreakdown hops = wired.latency_breakdown();
  kpis.emplace_back("copies_forwarded", static_cast<double>(wired.copies_forwarded()));
  kpis.emplace_back("copies_buffered", static_cast<double>(wired.copies_buffered()));
  kpis.emplace_back("latency_gateway_mean_s", hops.gateway_s);
  kpis.emplace_back("latency_backhaul_mean_s", hops.backhaul_s);
  kpis.emplace_back("latency_server_mean_s", hops.server_s);
}

output::KpiTable district_kpis(const scenario::Scenario& sc, const city::CityLayout& city,
                               const engine::Fleet& fleet, const MessageLog& log) {
  const size_t n = sc.city.districts.size();
  std::vector<double> devices(n, 0.0), energy(n, 0.0);
  for (uint32_t d = 0; d < city.device_count(); ++d) {
    devices[city.device_district[d]] += 1.0;
    energy[city.device_district[d]] += fleet.energy_used_mah(d);
  }
  output::KpiTable t;
  t.key_name = "district";
  std::vector<double> sent(n), delivered(n), dr(n), latency(n), energy_mean(n);
  for (size_t i = 0; i < n; ++i) {
    t.keys.push_back(sc.city.districts[i].name);
    const bool any = !log.district_sent().empty();
    sent[i] = any ? static_cast<double>(log.district_sent()[i]) : 0.0;
    delivered[i] = any ? static_cast<double>(log.district_delivered()[i]) : 0.0;
    dr[i] = ratio(delivered[i], sent[i]);
    latency[i] = any ? ratio(log.district_latency_sum_s()[i], delivered[i]) : kNaN;
    energy_mean[i] = ratio(energy[i], devices[i]);
  }
  t.columns = {{"devices", devices},   {"uplinks_sent", sent},      {"uplinks_delivered", delivered},
               {"delivery_ratio", dr}, {"latency_mean_s", latency}, {"energy_mean_mah", energy_mean}};
  return t;
}

output::KpiTable type_kpis(const scenario::Scenario& sc, const city::CityLayout& city,
                           const engine::Fleet& fleet, const MessageLog& log, double duration_s) {
  std::vector<std::string> types;
  std::vector<size_t> type_of(sc.devices.size());
  for (size_t p = 0; p < sc.devices.size(); ++p) {
    auto it = std::find(types.begin(), types.end(), sc.devices[p].type);
    if (it == types.end()) it = types.insert(types.end(), sc.devices[p].type);
    type_of[p] = static_cast<size_t>(it - types.begin());
  }
  const size_t n = types.size();
  std::vector<double> devices(n), energy(n), dead(n), reports(n), tx(n), delivered(n), reports_delivered(n),
      over_pulse(n), radio(n, -2.0);
  const std::vector<bool> over = populations_over_pulse_limit(sc);
  std::vector<LifeProjection> life(n);
  // Types with a solar panel: their battery's net drain over the run depends on the hour it ends (it refills
  // by day), so neither a daily drain nor a lifetime is projected from it.
  std::vector<bool> solar(n, false);
  for (size_t p = 0; p < sc.devices.size(); ++p)
    if (sc.devices[p].solar.peak_power_w > 0.0 && !sc.devices[p].mains_powered) solar[type_of[p]] = true;
  for (size_t p = 0; p < sc.devices.size(); ++p) {
    const double code = static_cast<double>(sc.devices[p].technology);
    double& r = radio[type_of[p]];
    r = r == -2.0 || r == code ? code : -1.0;  // -1: populations of this type use different radios
  }
  std::vector<LogHistogram> latencies(n, LogHistogram(kLatencyRelativeError));
  for (uint32_t d = 0; d < city.device_count(); ++d) {
    const size_t t = type_of[city.device_population[d]];
    devices[t] += 1.0;
    energy[t] += fleet.energy_used_mah(d);
    life[t].add(city.populations[city.device_population[d]], fleet.energy_used_mah(d), duration_s);
    dead[t] += fleet.dead(d) ? 1.0 : 0.0;
    over_pulse[t] += over[city.device_population[d]] ? 1.0 : 0.0;
  }
  const auto& pops = log.by_population();
  for (size_t p = 0; p < pops.size(); ++p) {
    const size_t t = type_of[p];
    reports[t] += static_cast<double>(pops[p].reports);
    tx[t] += static_cast<double>(pops[p].transmissions);
    delivered[t] += static_cast<double>(pops[p].delivered);
    reports_delivered[t] += static_cast<double>(pops[p].reports_delivered);
    latencies[t].merge(pops[p].latencies_s);
  }
  output::KpiTable table;
  table.key_name = "type";
  table.keys = types;
  std::vector<double> report_ratio(n), p50(n), p95(n), energy_mean(n), per_day(n), lifetime(n),
      energy_lifetime(n), service_limited(n);
  for (size_t t = 0; t < n; ++t) {
    report_ratio[t] = ratio(reports_delivered[t], reports[t]);
    p50[t] = latencies[t].percentile(0.50);
    p95[t] = latencies[t].percentile(0.95);
    energy_mean[t] = ratio(energy[t], devices[t]);
    per_day[t] = duration_s > 0.0 && !solar[t] ? energy_mean[t] * 86400.0 / duration_s : kNaN;
    const models::device::LifetimeProjection projection = life[t].projection();
    lifetime[t] = solar[t] ? kNaN : projection.years();
    energy_lifetime[t] = solar[t] ? kNaN : projection.energy_years;
    service_limited[t] = solar[t] ? 0.0 : life[t].service_limited;
  }
  table.columns = {{"radio", radio},
                   {"devices", devices},
                   {"reports", reports},
                   {"transmissions", tx},
                   {"transmissions_delivered", delivered},
                   {"reports_delivered", reports_delivered},
                   {"report_delivery_ratio", report_ratio},
                   {"latency_p50_s", p50},
                   {"latency_p95_s", p95},
                   {"energy_mean_mah", energy_mean},
                   {"energy_per_day_mah", per_day},
                   {"projected_lifetime_years", lifetime},
                   {"energy_lifetime_years", energy_lifetime},
                   {"devices_service_life_limited", service_limited},
                   {"devices_over_pulse_limit", over_pulse},
                   {"devices_dead", dead}};
  return table;
}

output::KpiTable access_point_kpis(const scenario::Scenario& sc, const access::WifiAccess& wifi,
                                   const network::WiredNetwork& wired) {
  output::KpiTable t;
  t.key_name = "access_point";
  std::vector<double> cameras, offered, carried, backhaul, utilisation, saturated, outage;
  for (const access::AccessPointLoad& ap : wifi.access_points()) {
    t.keys.push_back(sc.gateways[ap.gateway].name);
    cameras.push_back(static_cast<double>(ap.cameras.size()));
    offered.push_back(ap.offered_bps);
    carried.push_back(ap.carried_bps);
    backhaul.push_back(
        ap.carried_bps > 0.0 ? std::min(ap.carried_bps, wired.stream_throughput_bps(ap.gateway)) : 0.0);
    utilisation.push_back(ap.utilisation);
    saturated.push_back(ap.saturated ? 1.0 : 0.0);
    outage.push_back(wired.stream_outage_s(ap.gateway));
  }
  t.columns = {{"cameras", cameras},
               {"offered_bps", offered},
               {"carried_air_bps", carried},
               {"carried_backhaul_bps", backhaul},
               {"airtime_utilisation", utilisation},
               {"saturated", saturated},
               {"outage_s", outage}};
  return t;
}

output::KpiTable failure_kpis(const network::WiredNetwork& wired, const MessageLog& log, double t_end_s) {
  output::KpiTable t;
  t.key_name = "target";
  const auto& failures = wired.failures();
  const auto& effects = wired.failure_effects();
  const auto count = [](const std::vector<uint64_t>& v, size_t i) {
    return i < v.size() ? static_cast<double>(v[i]) : 0.0;
  };
  std::vector<double> start, end, delayed, lost, copies_delayed, copies_lost, stream_outage;
  // The failures are in order of start (drivers::failure_schedule), so those of the run are the first
  // ones and /messages/failure's indices stay theirs: one that begins at or after the run's end (a
  // schedule past a stopped run, an availability profile's last draw) did nothing and is not a row.
  for (size_t i = 0; i < failures.size() && failures[i].start_s < t_end_s; ++i) {
    t.keys.push_back(failures[i].target);
    start.push_back(failures[i].start_s);
    end.push_back(failures[i].end_s);
    delayed.push_back(count(log.delayed_by_failure(), i));
    lost.push_back(count(log.lost_by_failure(), i));
    copies_delayed.push_back(static_cast<double>(effects[i].copies_delayed));
    copies_lost.push_back(static_cast<double>(effects[i].copies_lost));
    stream_outage.push_back(effects[i].stream_outage_s);
  }
  t.columns = {{"start_s", start},
               {"end_s", end},
               {"uplinks_delayed", delayed},
               {"uplinks_lost", lost},
               {"copies_delayed", copies_delayed},
               {"copies_lost", copies_lost},
               {"stream_outage_s", stream_outage}};
  return t;
}

output::KpiTable power_outage_kpis(const scenario::Scenario& scenario, const drivers::DriverSet& drivers) {
  output::KpiTable t;
  t.key_name = "district";
  std::vector<double> start, end, from_flood;
  const auto add = [&](const std::vector<scenario::PowerOutage>& cuts, double flood) {
    for (const scenario::PowerOutage& cut : cuts)
      for (const std::string& district : cut.districts) {
        t.keys.push_back(district);
        start.push_back(cut.start_s);
        end.push_back(cut.end_s);
        from_flood.push_back(flood);
      }
  };
  add(scenario.drivers.power_outages, 0.0);
  add(drivers.flood_power_outages(), 1.0);
  t.columns = {{"start_s", start}, {"end_s", end}, {"from_flood", from_flood}};
  return t;
}

void add_backhaul_stream_kpis(output::KpiList& kpis, const output::KpiTable& aps) {
  double backhaul = 0.0, saturated = 0.0;
  for (const auto& [name, values] : aps.columns) {
    for (double v : values) {
      if (name == "carried_backhaul_bps") backhaul += v;
      if (name == "saturated") saturated += v;
    }
  }
  kpis.emplace_back("stream_carried_backhaul_bps", backhaul);
  kpis.emplace_back("access_points_saturated", saturated);
}

}  // namespace citytwin::sim::record
