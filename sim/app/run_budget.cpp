#include "sim/app/run_budget.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <numbers>
#include <unordered_set>

#include "models/radio/reception.hpp"
#include "output/trace_writer.hpp"
#include "sim/access/radio_medium.hpp"
#include "sim/app/run.hpp"
#include "sim/city/city_layout.hpp"
#include "sim/engine/fleet.hpp"

namespace citytwin::sim::app {
namespace {

// Area of the rectangle [x0, x1] x [y0, y1] inside the district.
double overlap_m2(const scenario::District& d, double x0, double y0, double x1, double y1) {
  const double w = std::min(x1, d.x_max_m) - std::max(x0, d.x_min_m);
  const double h = std::min(y1, d.y_max_m) - std::max(y0, d.y_min_m);
  if (!(w > 0.0 && h > 0.0)) return 0.0;
  // A polygon district: its bounding box's overlap times the share of the box the polygons fill.
  const double box_m2 = (d.x_max_m - d.x_min_m) * (d.y_max_m - d.y_min_m);
  return d.shape && box_m2 > 0.0 ? w * h * d.area_m2() / box_m2 : w * h;
}

// Expected gateways in range of one device of the population: for each gateway of its technology, the
// share of the population's area within the mean range of a link. The range is that of the full power
// at the largest SF the device can use (as sim/city/device_links.cpp keeps links) after the mean penetration
// loss, widened for log-normal shadowing (the mean area of a log-normally shadowed coverage, exp(2 s^2) with
// s = sigma ln10 / 10 n); the disc around the gateway is taken as its bounding square times pi/4.
double links_per_device(const scenario::Scenario& sc, const scenario::DevicePopulation& pop) {
  if (pop.technology == scenario::Technology::WiFi)
    return 0.0;  // associated by the Wi-Fi model, no link table
  const bool nbiot = pop.technology == scenario::Technology::NbIot;
  double floor_dbm = pop.radio.tx_power_dbm - city::kNbiotMaxCouplingLossDb;
  if (!nbiot) {
    // As sim/city/device_links.cpp keeps them: down to the sensitivity of the largest SF the device can
    // send with (its fixed SF; SF12 when chosen at join or by ADR: an upper bound).
    const int sf = pop.radio.sf_auto || pop.radio.adr ? 12 : pop.radio.phy.spreading_factor;
    try {
      floor_dbm = models::radio::gateway_sensitivity_dbm(sf, pop.radio.phy.bandwidth_hz,
                                                         sc.channel.gateway_sensitivity_dbm);
    } catch (const std::exception&) {
      return static_cast<double>(sc.gateways.size());  // unknown: every gateway
    }
  }
  const double sigma_db = std::hypot(sc.channel.shadowing_sigma_db, pop.penetration.sigma_db);
  const double s = sigma_db * std::numbers::ln10 / (10.0 * sc.channel.path_loss.exponent);
  const double area_factor = std::exp(std::min(2.0 * s * s, 50.0));

  // The population's region: its districts, or the bounding square of its disc.
  std::vector<scenario::District> region;
  if (pop.placement.districts.empty()) {
    const scenario::Placement& p = pop.placement;
    scenario::District d;
    d.x_min_m = p.disc_x_m - p.disc_radius_m;
    d.x_max_m = p.disc_x_m + p.disc_radius_m;
    d.y_min_m = p.disc_y_m - p.disc_radius_m;
    d.y_max_m = p.disc_y_m + p.disc_radius_m;
    region.push_back(d);
  } else {
    for (const std::string& name : pop.placement.districts)
      for (const scenario::District& d : sc.city.districts)
        if (d.name == name) region.push_back(d);
  }
  double region_m2 = 0.0;
  for (const scenario::District& d : region) region_m2 += d.area_m2();
  if (!(region_m2 > 0.0)) return 0.0;

  double links = 0.0;
  for (const scenario::Gateway& gw : sc.gateways) {
    if (gw.technology != pop.technology) continue;
    const double loss_db =
        pop.radio.tx_power_dbm + gw.antenna_gain_dbi - std::max(0.0, pop.penetration.mean_db) - floor_dbm;
    const double range_m =
        sc.channel.path_loss.distance_for_loss_m(loss_db) * std::sqrt(area_factor);  // mean coverage radius
    double inside_m2 = 0.0;
    for (const scenario::District& d : region)
      inside_m2 += overlap_m2(d, gw.x_m - range_m, gw.y_m - range_m, gw.x_m + range_m, gw.y_m + range_m);
    links += std::min(1.0, std::numbers::pi / 4.0 * inside_m2 / region_m2);
  }
  return links;
}

std::string human_bytes(double bytes) {
  char text[32];
  if (bytes >= 1024.0 * 1024 * 1024)
    std::snprintf(text, sizeof text, "%.3g GiB", bytes / (1024.0 * 1024 * 1024));
  else
    std::snprintf(text, sizeof text, "%.3g MiB", bytes / (1024.0 * 1024));
  return text;
}

std::string human_seconds(double s) {
  char text[32];
  if (s >= 86400.0)
    std::snprintf(text, sizeof text, "%.3g d", s / 86400.0);
  else if (s >= 3600.0)
    std::snprintf(text, sizeof text, "%.3g h", s / 3600.0);
  else if (s >= 60.0)
    std::snprintf(text, sizeof text, "%.3g min", s / 60.0);
  else
    std::snprintf(text, sizeof text, "%.3g s", s);
  return text;
}

std::string count_text(double n) {
  char text[32];
  std::snprintf(text, sizeof text, n < 1e6 ? "%.0f" : "%.3g", n);
  return text;
}

}  // namespace

std::string RunEstimate::describe() const {
  return std::to_string(devices) + " devices, ~" + count_text(links) + " radio links, ~" +
         count_text(reports) + " reports, " +
         (samples > 0.0 ? "~" + count_text(samples) + " samples, " : "") + "~" + count_text(receptions) +
         " receptions, " + count_text(windows) + " windows, ~" + count_text(comms) + " wired transfers" +
         (setup_pairs > 0.0 ? ", ~" + count_text(setup_pairs) + " set-up pairs (correlated shadowing)" : "") +
         ": about " + human_bytes(memory_bytes) + " of memory and " + human_seconds(compute_s) +
         " of computing on one core";
}

RunEstimate estimate_run(const scenario::Scenario& sc) {
  RunEstimate e;
  const double duration = sc.run.duration_s;
  double strongest_bytes = 0.0, adr_devices = 0.0;
  const bool strongest_only = sc.channel.receptions == scenario::RadioChannel::Receptions::StrongestOnly;
  std::vector<double> heard_by_population;  // per population: the links an uplink is heard on (LoRa)
  for (const scenario::DevicePopulation& pop : sc.devices) {
    heard_by_population.push_back(0.0);
    const double n = static_cast<double>(std::max<int64_t>(pop.count, 0));
    e.devices += static_cast<uint64_t>(std::max<int64_t>(pop.count, 0));
    const double links = links_per_device(sc, pop);
    const double strongest = std::min(links, static_cast<double>(sc.channel.strongest_k));
    // strongest_only: the set-up keeps a device's K strongest links alone (sim/city/city_layout.hpp).
    e.links += n * (strongest_only ? strongest : links);
    if (pop.radio.adr) adr_devices += n;  // as LorawanServer gives them a history
    if (pop.technology == scenario::Technology::WiFi && pop.stream_bps > 0.0)
      continue;  // streams: counted below
    double rate_hz = 1.0 / pop.interval_s;
    const scenario::TrafficSpec& traffic = sc.drivers.traffic;
    const scenario::TrafficRole role =
        scenario::traffic_role(traffic, pop.technology, pop.senses, sc.drives(pop.senses));
    if (role == scenario::TrafficRole::Counter) {
      // Counters on drivers.traffic: a report every
      // vehicles_per_report vehicles, no more than the road's capacity passes, and a heartbeat.
      rate_hz = traffic.capacity_vph / 3600.0 / std::max(1, traffic.vehicles_per_report) +
                1.0 / traffic.counter_heartbeat_s;
    } else if (role == scenario::TrafficRole::Parking) {
      // A bay on drivers.traffic: a report at each change and a heartbeat. A car stays
      // parking_duration_s on average, so a bay changes at most twice in that time (at occupancy 1).
      rate_hz = 2.0 / traffic.parking_duration_s + 1.0 / traffic.parking_heartbeat_s;
    } else if (pop.event && sc.drives(pop.senses)) {
      // An event-driven population samples and reports fast only when the scenario drives what it
      // senses; otherwise it reports periodically (sim/city/build_city_layout.cpp, the warning of
      // sim/city/resolve.cpp). Reports: at most the fast interval's (crossings add one each: not
      // counted, they follow the driver's data). Samples: engine events, neither heard nor written.
      rate_hz = std::max(rate_hz, 1.0 / pop.event->fast_interval_s);
      e.samples += n * duration / pop.sample_interval_s;
    }
    // Each LoRa uplink is heard on the device's links (kept down to the sensitivity of its SF; with the
    // SF chosen at join or by ADR down to SF12's: an upper bound); radio.receptions: strongest or
    // strongest_only, at most K (strongest's demodulator locks beyond K are not counted: they cost less).
    const double heard = sc.channel.approximate() ? strongest : links;
    if (pop.technology == scenario::Technology::LoRaWAN) {
      e.receptions += n * duration * rate_hz * heard;
      heard_by_population.back() = heard;
    }
    // strongest: the selection is made for every device, whatever its radio (NB-IoT devices' cells too,
    // Wi-Fi's none), beside its links.
    if (sc.channel.receptions == scenario::RadioChannel::Receptions::Strongest)
      strongest_bytes += n * (kBytesPerStrongestDevice + kBytesPerStrongestLink * heard);
    if (strongest_only)  // every device's place in the packed links, whatever its radio
      strongest_bytes +=
          n * 4.0 *
          access::RadioMedium::packed_words(static_cast<uint32_t>(std::max(sc.channel.strongest_k, 0)));
    e.reports += n * duration * rate_hz;
    if (pop.technology == scenario::Technology::NbIot) e.nbiot_reports += n * duration * rate_hz;
  }
  // Correlated shadowing: every pair of a LoRaWAN or NB-IoT device and a station of its technology.
  if (sc.channel.shadowing_correlation_m > 0.0 && sc.channel.shadowing_sigma_db > 0.0)
    for (const scenario::DevicePopulation& pop : sc.devices) {
      if (pop.technology == scenario::Technology::WiFi) continue;
      const auto stations =
          std::count_if(sc.gateways.begin(), sc.gateways.end(),
                        [&](const scenario::Gateway& g) { return g.technology == pop.technology; });
      e.setup_pairs += static_cast<double>(std::max<int64_t>(pop.count, 0)) * static_cast<double>(stations);
    }
  // Compromised devices (attacks.compromised, sim/engine/compromised_traffic.cpp) send LoRa frames at
  // (rate_factor - 1) / their population's interval on top of their reports while the attack lasts: the
  // population's share of its devices, or the ids given (population-major in scenario order).
  const auto add_compromised = [&](size_t population, double devices, const scenario::Compromised& c) {
    const scenario::DevicePopulation& pop = sc.devices[population];
    if (pop.technology != scenario::Technology::LoRaWAN || c.rate_factor <= 1.0) return;
    const double end = c.end_s < 0.0 ? duration : std::min(c.end_s, duration);
    const double frames = devices * (c.rate_factor - 1.0) / pop.interval_s * std::max(0.0, end - c.start_s);
    e.reports += frames;
    e.receptions += frames * heard_by_population[population];
  };
  std::vector<uint64_t> ends;  // each population's end in device ids (population-major)
  for (const scenario::DevicePopulation& pop : sc.devices)
    ends.push_back((ends.empty() ? 0 : ends.back()) + static_cast<uint64_t>(std::max<int64_t>(pop.count, 0)));
  // A device in several attacks sends as the first that took it (CompromisedTraffic): an id given again
  // counts once, and each attack adds, in expectation, the devices no earlier one took (a population's share
  // is drawn uniformly among all its devices, taken or not). Per population: the expected count taken so
  // far, and the chance that a given device escaped every share drawn so far.
  std::vector<double> taken(sc.devices.size(), 0.0), escaped(sc.devices.size(), 1.0);
  std::unordered_set<uint64_t> taken_ids;
  for (const scenario::Compromised& c : sc.attacks.compromised) {
    if (!c.population.empty()) {
      for (size_t p = 0; p < sc.devices.size(); ++p) {
        const auto count = static_cast<double>(std::max<int64_t>(sc.devices[p].count, 0));
        if (sc.devices[p].name != c.population || count == 0.0) continue;
        const double drawn = std::round(c.share * count);
        const double added = drawn * (1.0 - taken[p] / count);
        add_compromised(p, added, c);
        taken[p] += added;
        escaped[p] *= 1.0 - drawn / count;
      }
      continue;
    }
    for (const uint64_t id : c.devices) {  // population p holds ids [ends[p - 1], ends[p])
      const auto p = static_cast<size_t>(std::upper_bound(ends.begin(), ends.end(), id) - ends.begin());
      if (p >= ends.size() || !taken_ids.insert(id).second) continue;
      add_compromised(p, escaped[p], c);
      taken[p] += escaped[p];
    }
  }
  e.windows = std::ceil(duration / sc.run.window_s);
  for (const scenario::Failure& f : sc.drivers.failures)
    e.failures += f.mtbf_s > 0.0 ? duration / (f.mtbf_s + f.mttr_s) : 1.0;

  // Wired network: a forward batch per gateway per batch period, a chunk per CCTV access point per
  // /timeseries interval; /timeseries bins for every wired link and the server.
  double access_points = 0.0;
  for (const scenario::Gateway& gw : sc.gateways)
    if (gw.technology == scenario::Technology::WiFi) access_points += 1.0;
  const double series = std::ceil(duration / sc.run.timeseries_interval_s);
  e.comms = static_cast<double>(sc.gateways.size()) * std::ceil(duration / sc.run.forward_batch_s) +
            access_points * series;
  const double wired_links =
      2.0 * static_cast<double>(sc.gateways.size()) +
      static_cast<double>(sc.fibre.core.links.size() + sc.fibre.olts.size() + sc.fibre.pons.size()) + 2.0;
  e.series_bins = (wired_links + 1.0) * series;

  const double lora_reports = e.reports - e.nbiot_reports;
  e.memory_bytes = kBytesPerProcess +
                   static_cast<double>(e.devices) * static_cast<double>(city::kBytesPerDevice) +
                   e.links * kBytesPerLink + lora_reports * kBytesPerLoraReport +
                   e.nbiot_reports * kBytesPerNbiotReport + e.series_bins * kBytesPerSeriesBin;
  static_assert(kTraceChunksHeld == output::TraceWriter::kWriterQueueChunks + 4,
                "the chunks the trace holds");
  if (sc.run.trace != scenario::Run::Trace::Summary)
    e.trace_bytes =
        kTraceChunksHeld * static_cast<double>(output::TraceWriter::kMessageChunkRows) * kBytesPerMessageRow;
  e.memory_bytes += strongest_bytes + e.trace_bytes;
  if (adr_devices > 0.0)
    e.memory_bytes += adr_devices * kBytesPerAdrDevice + static_cast<double>(e.devices) * kBytesPerAdrSlot;
  e.compute_s = e.wall_s(1);
  return e;
}

double RunEstimate::wall_s(int threads) const {
  const int t = std::max(1, threads);
  const double report_s = (reports - nbiot_reports) * kSecondsPerLoraReport +
                          nbiot_reports * kSecondsPerNbiotReport + samples * kSecondsPerSample;
  // The pool is woken only in windows with enough work (sim/access/radio_medium.hpp, sim/engine/fleet.hpp):
  // with the load spread evenly over the run, either every window or none.
  const bool pool_rounds =
      t > 1 && windows > 0.0 &&
      (receptions / windows >= static_cast<double>(access::RadioMedium::kMinParallelLinks) ||
       (reports + samples) / windows >= static_cast<double>(engine::Fleet::kMinParallelEvents));
  const double window_s = kSecondsPerWindow + (pool_rounds ? kSecondsPerPoolRound : 0.0);
  return (report_s + setup_pairs * kSecondsPerCorrelatedPair) / t + receptions * kSecondsPerReception +
         windows * window_s + comms * kSecondsPerComm;
}

double receptions_per_window(const RunEstimate& e) {
  return e.windows > 0.0 ? e.receptions / e.windows : 0.0;
}

int default_run_threads(const RunEstimate& e, int cores) {
  return receptions_per_window(e) >= kMinReceptionsPerWindowForThreads ? std::max(1, cores) : 1;
}

void check_run_budget(const RunEstimate& e, uint64_t available_bytes, int threads, bool force) {
  if (e.devices > scenario::kMaxDevices)
    throw RunError("the scenario has " + std::to_string(e.devices) + " devices; at most " +
                   std::to_string(scenario::kMaxDevices) + " are supported");
  if (e.failures > kMaxFailureIntervals)
    throw RunError("drivers.failures: about " + count_text(e.failures) +
                   " failure intervals over the run; at most " + count_text(kMaxFailureIntervals) +
                   " are supported (raise mtbf?)");
  if (force) return;
  const std::string hint = " (--force runs it anyway)";
  if (available_bytes != 0 && e.memory_bytes > static_cast<double>(available_bytes))
    throw RunError("the run needs more memory than is available (" + human_bytes(available_bytes) +
                   "): " + e.describe() + hint);
  const double wall_s = e.wall_s(threads);
  if (wall_s > kMaxRunSeconds)
    throw RunError("the run would take about " + human_seconds(wall_s) + " on " + std::to_string(threads) +
                   (threads == 1 ? " thread" : " threads") + ", more than " + human_seconds(kMaxRunSeconds) +
                   ": " + e.describe() + hint);
}

uint64_t available_memory_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  uint64_t kib = 0;
  std::string unit;
  while (meminfo >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib * 1024;
  return 0;
}

}  // namespace citytwin::sim::app
