#include "sim/app/run.hpp"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <fstream>
#include <limits>
#include <string>
#include <unordered_map>

#include "models/radio/adr.hpp"
#include "sim/access/lorawan_server.hpp"
#include "sim/access/nbiot_network.hpp"
#include "sim/access/radio_medium.hpp"
#include "sim/access/wifi_access.hpp"
#include "sim/app/progress.hpp"
#include "sim/app/run_budget.hpp"
#include "sim/app/version.hpp"
#include "sim/city/city_layout.hpp"
#include "sim/city/resolve.hpp"
#include "sim/core/stop.hpp"
#include "sim/core/thread_pool.hpp"
#include "sim/drivers/failure_schedule.hpp"
#include "sim/drivers/gateway_timeline.hpp"
#include "sim/engine/fleet.hpp"
#include "sim/network/wired_network.hpp"
#include "sim/platform/analytics.hpp"
#include "sim/platform/platform_pipeline.hpp"
#include "sim/record/kpi.hpp"
#include "sim/record/message_log.hpp"

namespace citytwin::sim::app {
namespace {

output::DeviceTable device_table(const scenario::Scenario& sc, const city::CityLayout& city) {
  output::DeviceTable t;
  for (uint32_t d = 0; d < city.device_count(); ++d) {
    if (d % 65536 == 0 && core::stop_requested()) throw core::Stopped("stopped while tabulating the devices");
    const scenario::DevicePopulation& pop = sc.devices[city.device_population[d]];
    t.id.push_back(d);
    t.population.push_back(pop.name);
    t.type.push_back(pop.type);
    t.district.push_back(sc.city.districts[city.device_district[d]].name);
    t.x_m.push_back(city.device_x_m[d]);
    t.y_m.push_back(city.device_y_m[d]);
  }
  return t;
}

output::GatewayTable gateway_table(const scenario::Scenario& sc, const city::CityLayout& city) {
  output::GatewayTable t;
  for (uint32_t g = 0; g < sc.gateways.size(); ++g) {
    t.id.push_back(g);
    t.name.push_back(sc.gateways[g].name);
    const int d = city.gateway_district[g];
    t.district.push_back(d < 0 ? "" : sc.city.districts[static_cast<size_t>(d)].name);
    t.x_m.push_back(sc.gateways[g].x_m);
    t.y_m.push_back(sc.gateways[g].y_m);
  }
  return t;
}

}  // namespace

void request_stop() { core::request_stop(); }
bool stop_requested() { return core::stop_requested(); }

int default_thread_count() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return static_cast<int>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
}

RunSummary run(const scenario::Scenario& sc, const RunOptions& options) {
  RunSummary summary;
  summary.seed = options.seed.value_or(sc.run.seed);
  summary.threads = options.threads.value_or(default_thread_count());
  if (summary.threads < 1 || summary.threads > 1024)
    throw RunError("--threads: expected 1..1024, got " + std::to_string(summary.threads));
  if (options.output_path.empty()) throw RunError("no output path given (-o FILE.h5)");

  // Everything that can refuse the scenario, before anything is written (ScenarioError).
  const std::vector<scenario::Diagnostic> warnings = city::resolve(sc, summary.seed, options.strict);
  check_run_budget(estimate_run(sc), available_memory_bytes(), summary.threads, options.force);

  // Create the output first: an unwritable path fails before any simulation work.
  output::RunMeta meta;
  meta.citytwin_version = kVersion;
  meta.seed = summary.seed;
  meta.threads = summary.threads;
  meta.scenario_source = sc.source_name;
  meta.scenario_text = sc.text;
  meta.overrides = sc.overrides;
  meta.duration_s = sc.run.duration_s;
  for (const scenario::Diagnostic& w : warnings) meta.warnings.push_back(w.to_string());
  meta.trace = scenario::trace_name(sc.run.trace);  // h-trace: run.trace
  meta.trace_every = sc.run.trace == scenario::Run::Trace::Sample ? sc.run.trace_every : 1;
  output::TraceWriter writer(options.output_path, meta, options.overwrite);

  core::ThreadPool pool(summary.threads);
  // A stop request during the set-up abandons it: the trace is finished as stopped (complete = 0,
  // under its final name as a stop between windows leaves it), and the CLI says so (exit 130).
  const auto stopped_in_set_up = [&](const std::string& what) {
    core::clear_stop();
    writer.finish(false);
    return RunStopped(what);
  };
  const city::CityLayout city = [&] {
    try {
      return city::build_city_layout(sc, summary.seed, pool);
    } catch (const core::Stopped& e) {
      throw stopped_in_set_up(e.what());
    }
  }();
  try {
    writer.write_devices(device_table(sc, city));
  } catch (const core::Stopped& e) {
    throw stopped_in_set_up(e.what());
  }
  writer.write_gateways(gateway_table(sc, city));
  writer.append_messages({});  // /messages exists even when no uplink is ever sent
  if (stop_requested()) throw stopped_in_set_up("stopped while writing the devices");

  const double duration = sc.run.duration_s;
  engine::Fleet fleet(city, summary.seed, duration, summary.threads, sc.drivers.river_level_m);
  std::vector<scenario::Failure> failures = drivers::failure_schedule(sc, summary.seed);
  if (failures.size() > static_cast<size_t>(std::numeric_limits<int16_t>::max()))
    throw RunError("drivers.failures: " + std::to_string(failures.size()) +
                   " failure intervals over the run; at most 32767 are supported (raise mtbf?)");
  // Power, backhaul and network-server outages per gateway: every access network and the wired one ask it.
  const drivers::GatewayTimeline timeline(sc, std::move(failures));
  access::RadioMedium medium(sc, city, timeline);
  access::NbiotNetwork nbiot(sc, city, summary.seed, timeline);
  medium.set_other_technology_handler(
      [&nbiot](uint64_t seq, const engine::Transmission& tx) { nbiot.submit(seq, tx); });
  record::MessageLog log(city, sc.city.districts.size());
  platform::Analytics analytics(sc, city);
  platform::PlatformPipeline pipeline(sc.platform);
  std::unordered_map<uint64_t, engine::Transmission>
      awaiting_ingest;  // delivered, not yet through the broker
  network::WiredNetwork wired(
      sc, timeline,
      [&log, &awaiting_ingest, alerts = !sc.platform.alerts.empty()](uint64_t seq, double t, int failure) {
        if (!log.deliver(seq, t, failure)) return false;
        // The row may reach the trace before the platform's stages have run: keep what the alert rules
        // need.
        if (alerts) awaiting_ingest.emplace(seq, log.transmission(seq));
        return true;
      },
      [&log](uint64_t seq, output::FailReason reason, int failure) { log.drop_copy(seq, reason, failure); },
      [&awaiting_ingest, &analytics, &pipeline](uint64_t seq, double t, double broker_speed,
                                                double analytics_speed) {
        const auto times = pipeline.ingest(t, broker_speed, analytics_speed);
        const auto it = awaiting_ingest.find(seq);
        if (it == awaiting_ingest.end()) return;  // no alert rules
        // The alert rules see a reading once the broker has passed it to the analytics.
        if (times) analytics.on_delivery(it->second, times->t_analysed_s);
        awaiting_ingest.erase(it);
      });
  // The network server answers through powered gateways it can reach, and only while it is up.
  access::LorawanServer server(sc, city, medium, fleet, [&timeline](uint32_t gateway, double t_s) {
    return timeline.reachable(gateway, t_s);
  });
  const access::WifiAccess wifi(sc, city);
  for (const access::AccessPointLoad& ap : wifi.access_points())
    if (ap.carried_bps > 0.0) wired.start_stream(ap.gateway, ap.carried_bps, duration);
  Progress progress(duration, options.progress);

  const auto on_resolved = [&](const access::ResolvedFrame& f) {
    const double bandwidth = city.populations[city.device_population[f.tx.device]].bandwidth_hz;
    log.record(
        f, static_cast<float>(models::radio::snr_db(f.best_rssi_dbm, bandwidth, sc.channel.noise_figure_db)));
    server.on_frame(f);
    for (uint32_t g : f.gateways_received) wired.forward(g, f.seq, f.tx.t_end_s);
  };

  const auto on_nbiot = [&](const access::NbiotOutcome& o) {
    access::ResolvedFrame f;
    f.seq = o.seq;
    f.tx = o.tx;
    f.gateways_received = o.served ? std::span<const uint32_t>(&o.cell, 1) : std::span<const uint32_t>();
    f.rssi_received_dbm = o.served ? std::span<const float>(&o.rssi_dbm, 1) : std::span<const float>();
    f.gateways_in_range = std::isnan(o.rssi_dbm) ? 0 : 1;
    f.best_rssi_dbm = o.rssi_dbm;
    f.fail_reason = o.fail_reason;
    // NB-IoT SNR on its 180 kHz carrier (the module's noise figure is the gateway one's here).
    log.record(f, static_cast<float>(models::radio::snr_db(o.rssi_dbm, 180e3, sc.channel.noise_figure_db)));
    if (o.served) wired.forward(o.cell, o.seq, o.t_served_s);
    fleet.post_charge(o.tx.device, o.charge_mah);
  };

  std::vector<engine::Transmission> produced;
  double t = 0.0;
  uint64_t window = 0;
  double next_batch = sc.run.forward_batch_s;
  bool stopped = false;
  while (t < duration) {
    t = std::min(duration, static_cast<double>(++window) * sc.run.window_s);
    fleet.advance(t, pool, produced);
    medium.step(produced, t, pool, on_resolved);
    nbiot.step(t, on_nbiot);
    if (t >= next_batch) {
      wired.advance(t);
      log.flush(writer);
      next_batch = (std::floor(t / sc.run.forward_batch_s) + 1.0) * sc.run.forward_batch_s;
    }
    progress.update(t, medium.frames_started());
    if (options.on_progress) options.on_progress(t, duration, medium.frames_started());
    if (core::stop_requested()) {
      stopped = true;
      break;
    }
  }
  // Settle what is still on the air and in the network. Frames already produced belong to wake-ups
  // before t, so they are part of the run.
  medium.step(produced, std::numeric_limits<double>::infinity(), pool, on_resolved);
  nbiot.step(std::numeric_limits<double>::infinity(), on_nbiot);
  wired.drain(t);
  log.flush(writer);
  fleet.finish(t);

  summary.kpis = record::compute_kpis(city, fleet, log, wired, server);
  summary.kpis.emplace_back("nbiot_preamble_collisions", static_cast<double>(nbiot.preamble_collisions()));
  summary.kpis.emplace_back("nbiot_access_failures", static_cast<double>(nbiot.access_failures()));
  if (std::any_of(sc.devices.begin(), sc.devices.end(), [](const scenario::DevicePopulation& p) {
        return p.technology == scenario::Technology::NbIot;
      }))
    summary.kpis.emplace_back("nbiot_downlink_delay_mean_s",
                              models::radio::downlink_reachability(sc.nbiot.timers).mean_delay_s);
  summary.by_district = record::district_kpis(sc, city, fleet, log);
  const output::KpiTable by_type = record::type_kpis(sc, city, fleet, log, t);
  const output::KpiTable access_points = record::access_point_kpis(sc, wifi, wired);
  if (!wifi.access_points().empty()) record::add_stream_kpis(summary.kpis, wifi, access_points);
  analytics.add_kpis(summary.kpis);
  const network::WiredNetwork::LatencyBreakdown hops = wired.latency_breakdown();
  summary.kpis.emplace_back("latency_air_mean_s", log.air_mean_s());
  summary.kpis.emplace_back("latency_gateway_mean_s", hops.gateway_s);
  summary.kpis.emplace_back("latency_backhaul_mean_s", hops.backhaul_s);
  summary.kpis.emplace_back("latency_server_mean_s", hops.server_s);
  summary.kpis.emplace_back("latency_broker_mean_s", pipeline.broker_wait_mean_s());
  summary.kpis.emplace_back("latency_analytics_mean_s", pipeline.analytics_mean_s());
  summary.kpis.emplace_back("latency_storage_mean_s", pipeline.storage_mean_s());
  summary.kpis.emplace_back("platform_stored", static_cast<double>(pipeline.stored()));
  summary.kpis.emplace_back("platform_dropped", static_cast<double>(pipeline.dropped()));
  summary.kpis.emplace_back("broker_queue_peak", static_cast<double>(pipeline.broker_peak()));
  writer.write_kpis(summary.kpis);
  writer.write_kpi_table("by_district", summary.by_district);
  writer.write_kpi_table("by_type", by_type);
  if (!wifi.access_points().empty()) writer.write_kpi_table("by_access_point", access_points);
  if (!sc.platform.alerts.empty()) writer.write_kpi_table("alerts", analytics.table());
  if (!wired.failures().empty()) writer.write_kpi_table("failures", record::failure_kpis(wired, log));
  writer.write_timeseries(wired.utilisation(t));
  summary.complete = !stopped;
  writer.finish(summary.complete);
  summary.output_path = writer.path();
  summary.wall_s = progress.wall_s();
  progress.finish(t, medium.frames_started(), summary.complete);
  core::clear_stop();  // a stop request applies to one run
  return summary;
}

}  // namespace citytwin::sim::app
