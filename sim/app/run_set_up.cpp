#include "sim/app/run_set_up.hpp"

#include <future>
#include <string>

#include "sim/app/progress.hpp"
#include "sim/app/version.hpp"
#include "sim/city/build_city_layout.hpp"
#include "sim/core/stop.hpp"

namespace citytwin::sim::app {
namespace {

output::DeviceTable device_table(const scenario::Scenario& sc, const city::CityLayout& city) {
  output::DeviceTable t;
  const size_t n = city.device_count();
  // The strings once, the rows as codes: a population's name and type, a district's name.
  std::vector<uint32_t> type_code(sc.devices.size());
  for (size_t p = 0; p < sc.devices.size(); ++p) {
    t.population.values.push_back(sc.devices[p].name);  // (a population's code is its index)
    type_code[p] = t.type.code_of(sc.devices[p].type);
  }
  for (const scenario::District& d : sc.city.districts) t.district.values.push_back(d.name);
  t.id.resize(n);
  t.population.codes.resize(n);
  t.type.codes.resize(n);
  t.district.codes.resize(n);
  for (uint32_t d = 0; d < n; ++d) {
    if (d % 65536 == 0 && core::stop_requested()) throw core::Stopped("stopped while tabulating the devices");
    t.id[d] = d;
    t.population.codes[d] = city.device_population[d];
    t.type.codes[d] = type_code[city.device_population[d]];
    t.district.codes[d] = city.device_district[d];
  }
  t.x_m.assign(city.device_x_m.begin(), city.device_x_m.end());
  t.y_m.assign(city.device_y_m.begin(), city.device_y_m.end());
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

RunSummary run_settings(const scenario::Scenario& sc, const RunOptions& options) {
  RunSummary summary;
  summary.seed = options.seed.value_or(sc.run.seed);
  summary.threads = run_thread_count(sc, options.threads);
  if (summary.threads < 1 || summary.threads > 1024)
    throw RunError("--threads: expected 1..1024, got " + std::to_string(summary.threads));
  if (options.output_path.empty()) throw RunError("no output path given (-o FILE.h5)");
  return summary;
}

output::RunMeta run_meta(const scenario::Scenario& sc, const RunSummary& summary,
                         const std::vector<scenario::Diagnostic>& warnings) {
  output::RunMeta meta;
  meta.citytwin_version = kVersion;
  meta.seed = summary.seed;
  meta.threads = summary.threads;
  meta.scenario_source = sc.source_name;
  meta.scenario_text = sc.text;
  meta.overrides = sc.overrides;
  meta.duration_s = sc.run.duration_s;
  for (const scenario::Diagnostic& w : warnings) meta.warnings.push_back(w.to_string());
  meta.trace = scenario::trace_name(sc.run.trace);  // run.trace: how much of /messages is kept
  meta.trace_every = sc.run.trace == scenario::Run::Trace::Sample ? sc.run.trace_every : 1;
  meta.trace_compression = sc.run.trace_compression;  // run.trace_compression: gzip level
  meta.radio_receptions = scenario::receptions_name(sc.channel.receptions);  // radio.receptions
  meta.radio_strongest_k = sc.channel.approximate() ? static_cast<uint32_t>(sc.channel.strongest_k) : 0;
  return meta;
}

void set_up_city(city::CityLayout& city, const scenario::Scenario& sc, uint64_t seed, core::ThreadPool& pool,
                 output::TraceWriter& writer, bool progress,
                 const std::function<void(const std::string&, double)>& on_set_up,
                 const std::function<void()>& meanwhile) {
  const auto stopped_in_set_up = [&](const std::string& what) {
    core::clear_stop();
    writer.finish(false);
    return RunStopped(what);
  };
  try {
    SetUpProgress shown(scenario::total_devices(sc), sc.gateways.size(), progress, on_set_up);
    city = city::build_city_layout(sc, seed, pool, [&shown](double fraction) { shown.links(fraction); });
    shown.step("writing the device and gateway tables, assembling the run");
    // The tables beside the assembly: ~0.5 s of the 1 M city's set-up on one thread while the other core
    // waited (bench/RESULTS.md, "The set-up: the links' gains eight at a time, the tables beside the
    // assembly, ADR's history").
    std::future<void> tables = std::async(std::launch::async, [&] {
      writer.write_devices(device_table(sc, city));
      writer.write_gateways(gateway_table(sc, city));
      writer.append_messages({});  // /messages exists even when no uplink is ever sent
    });
    try {
      if (meanwhile) meanwhile();
    } catch (...) {
      tables.wait();  // the trace is the caller's again before the error leaves
      throw;
    }
    tables.get();
    if (core::stop_requested()) throw stopped_in_set_up("stopped while writing the devices");
    shown.finish();
  } catch (const core::Stopped& e) {
    throw stopped_in_set_up(e.what());
  }
}

}  // namespace citytwin::sim::app
