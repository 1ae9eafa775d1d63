#include "sim/city/resolve.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <numbers>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "models/device/catalogue.hpp"
#include "models/radio/duty_cycle.hpp"
#include "models/radio/lora_phy.hpp"
#include "models/radio/lorawan_region.hpp"
#include "models/radio/reception.hpp"
#include "models/radio/wifi.hpp"
#include "sim/city/city_layout.hpp"
#include "sim/city/downlink_warnings.hpp"
#include "sim/city/driver_warnings.hpp"
#include "sim/city/key_warnings.hpp"
#include "sim/city/pulse_current.hpp"
#include "sim/city/schedule_warnings.hpp"
#include "sim/city/section_warnings.hpp"
#include "sim/city/warning_text.hpp"
#include "sim/drivers/failure_schedule.hpp"
#include "sim/drivers/sumo_output.hpp"
#include "sim/drivers/traffic_model.hpp"

namespace citytwin::sim::city {
namespace {

using scenario::DevicePopulation;
using scenario::Diagnostic;
using scenario::Technology;

std::string technology_name(Technology t) {
  return t == Technology::NbIot ? "nbiot" : t == Technology::WiFi ? "wifi" : "lorawan";
}

std::string station_name(Technology t) {
  return t == Technology::NbIot  ? "NB-IoT cell"
         : t == Technology::WiFi ? "Wi-Fi access point"
                                 : "LoRaWAN gateway";
}

std::string metres(double m) { return std::to_string(std::lround(m)) + " m"; }

// A channel in MHz to the kHz (869.525 MHz, which three digits printed as 870).
std::string megahertz(double hz) { return significant(hz / 1e6, 7) + " MHz"; }

// Distance from a point to the nearest point where the population may be placed.
double distance_to_placement(const scenario::Scenario& sc, const DevicePopulation& pop, double x, double y) {
  const scenario::Placement& p = pop.placement;
  if (p.districts.empty()) return std::max(0.0, std::hypot(x - p.disc_x_m, y - p.disc_y_m) - p.disc_radius_m);
  double best = std::numeric_limits<double>::infinity();
  for (const std::string& name : p.districts)
    for (const scenario::District& d : sc.city.districts) {
      if (d.name != name) continue;
      const double dx = std::max({0.0, d.x_min_m - x, x - d.x_max_m});
      const double dy = std::max({0.0, d.y_min_m - y, y - d.y_max_m});
      best = std::min(best, std::hypot(dx, dy));
    }
  return best;
}

// Checks of one population's frame and placement; errors go to `out`.
void check_population(const scenario::Scenario& sc, size_t index, std::vector<Diagnostic>& out) {
  const DevicePopulation& pop = sc.devices[index];
  const auto error = [&](const scenario::SourceMark& mark, const std::string& key, std::string message) {
    out.push_back({mark, scenario::population_path(sc, index) + "." + key, std::move(message),
                   Diagnostic::Severity::Error});
  };
  if (pop.technology == Technology::LoRaWAN) {
    const std::array<double, 6> airtime = airtime_by_sf_s(pop);
    const std::string frame = std::to_string(pop.payload_bytes + pop.mac_overhead_bytes) + " B frame at ";
    const double bandwidth = pop.radio.phy.bandwidth_hz;
    const int sf = pop.radio.phy.spreading_factor;
    if (!pop.radio.sf_auto && !sf_allowed(sc, pop, airtime, sf)) {
      const std::string rate =
          "SF" + std::to_string(sf) + "/" + std::to_string(std::lround(bandwidth / 1e3)) + " kHz";
      const scenario::SourceMark& at = pop.radio.sf_mark ? *pop.radio.sf_mark : pop.mark;
      if (!sf_is_data_rate(sc, pop, sf))
        error(at, "radio.sf", rate + " is not an uplink data rate of the region");
      else
        error(at, "radio.sf",
              "a " + frame + rate + " lasts " + std::to_string(airtime[static_cast<size_t>(sf - 7)] * 1e3) +
                  " ms, beyond the region's 400 ms dwell time (use a smaller SF or payload)");
    } else {
      bool any = false;
      for (int s = 7; s <= 12; ++s) any = any || sf_allowed(sc, pop, airtime, s);
      if (!any) error(pop.mark, "payload", "a " + frame + "no spreading factor fits the region's limits");
    }
  }
  if (pop.technology == Technology::LoRaWAN && pop.radio.duty_cycle) {
    const models::radio::DutyCycleRegulator fresh(sc.channel.region);
    for (size_t i = 0; i < pop.radio.channels_hz.size(); ++i) {
      const double f = pop.radio.channels_hz[i];
      if (std::isfinite(fresh.earliest_start_s(f))) continue;
      const bool written = i < pop.radio.channel_marks.size();
      error(written ? pop.radio.channel_marks[i] : pop.mark,
            written ? "radio.channels[" + std::to_string(i) + "]" : "radio.channels",
            megahertz(f) +
                " is outside every sub-band the region allows (set radio.duty_cycle: false to ignore)");
    }
    // The sub-band's radiated power limit (EN 300 220-2 Table B.1: 14 dBm ERP on 868.0-868.6 MHz), which
    // tx_power is held to as the gateways' downlinks are (models::radio::max_conducted_dbm). A device's
    // antenna is isotropic here (the link budget adds the gateway's gain alone): 0 dBi, so 16.15 dBm.
    for (const double f : pop.radio.channels_hz) {
      const double cap = models::radio::max_conducted_dbm(sc.channel.region, f, 0.0);
      if (pop.radio.tx_power_dbm <= cap) continue;
      error(pop.radio.tx_power_mark.value_or(pop.mark), "radio.tx_power",
            significant(pop.radio.tx_power_dbm, 4) + " dBm is above the " + significant(cap, 4) + " dBm (" +
                significant(models::radio::max_radiated_dbm(sc.channel.region, f), 4) +
                " dBm ERP from a 0 dBi antenna) the region allows on " + megahertz(f) +
                " (set radio.duty_cycle: false to ignore the region's limits)");
      break;
    }
  }
  for (const std::string& name : pop.placement.districts)
    for (const scenario::District& d : sc.city.districts)
      if (d.name == name && d.shape &&
          d.area_m2() < kMinPolygonFill * (d.x_max_m - d.x_min_m) * (d.y_max_m - d.y_min_m))
        out.push_back({pop.placement.mark, scenario::population_path(sc, index) + ".districts",
                       "district '" + name + "' fills less than " + significant(kMinPolygonFill * 100.0) +
                           " % of its bounding box: devices cannot be placed in it by rejection",
                       Diagnostic::Severity::Error});
  if (pop.placement.districts.empty() && pop.placement.disc_radius_m > 0.0 && pop.count > 0) {
    const double coverage = disc_coverage(sc.city, pop.placement);
    if (coverage < kMinDiscCoverage)
      out.push_back({pop.placement.mark, scenario::population_path(sc, index) + ".disc",
                     "the disc lies (almost) entirely outside the districts: " +
                         significant(coverage * 100.0) + " % of its area is in a district, at least " +
                         significant(kMinDiscCoverage * 100.0) + " % is needed",
                     Diagnostic::Severity::Error});
  }
}

// The warning when no station of the population's technology can serve any of its devices. `shared`: the
// entry it was written in stands for several populations (a bundle's parts), which the warning then names.
void check_coverage(const scenario::Scenario& sc, size_t index, bool shared, std::vector<Diagnostic>& out) {
  const DevicePopulation& pop = sc.devices[index];
  if (pop.count == 0) return;
  const std::string devices = std::to_string(pop.count) + " " + technology_name(pop.technology) + " devices";
  double nearest = std::numeric_limits<double>::infinity();
  std::string nearest_name;
  bool any_station = false, in_range = false;
  // The farthest a median link reaches: the sensitivity at its SF (LoRa), the maximum coupling loss (NB-IoT),
  // association (Wi-Fi, 5 GHz budget of sim/access/wifi_access.cpp); penetration loss counted,
  // shadowing not.
  const double wall_db = std::max(0.0, pop.penetration.mean_db);
  // A LoRa frame is heard at the SF it is sent at: a fixed SF, else (sf: auto, ADR) the largest the
  // region allows.
  int reach_sf = pop.radio.phy.spreading_factor;
  if (pop.technology == Technology::LoRaWAN && (pop.radio.sf_auto || pop.radio.adr)) {
    const std::array<double, 6> airtime = airtime_by_sf_s(pop);
    for (int sf = 7; sf <= 12; ++sf)
      if (sf_allowed(sc, pop, airtime, sf)) reach_sf = sf;
  }
  for (const scenario::Gateway& gw : sc.gateways) {
    if (gw.technology != pop.technology) continue;
    any_station = true;
    const double d = distance_to_placement(sc, pop, gw.x_m, gw.y_m);
    if (d < nearest) {
      nearest = d;
      nearest_name = gw.name;
    }
    if (pop.technology == Technology::WiFi) {
      const models::radio::WifiLinkBudget budget;
      in_range = in_range || models::radio::wifi_associates(budget.received_power_dbm(std::max(d, 1.0)),
                                                            models::radio::WifiConfig{});
      continue;
    }
    const double floor = pop.technology == Technology::NbIot
                             ? pop.radio.tx_power_dbm - kNbiotMaxCouplingLossDb
                             : models::radio::gateway_sensitivity_dbm(reach_sf, pop.radio.phy.bandwidth_hz,
                                                                      sc.channel.gateway_sensitivity_dbm);
    const double rssi =
        pop.radio.tx_power_dbm + gw.antenna_gain_dbi - sc.channel.path_loss.loss_db(d) - wall_db;
    in_range = in_range || rssi >= floor;
  }
  if (in_range) return;
  std::string message =
      !any_station
          ? "no " + station_name(pop.technology) + " in the scenario: its " + devices + " will never be heard"
          : "no " + station_name(pop.technology) + " in range: the nearest, '" + nearest_name + "', is " +
                metres(nearest) + " from where its " + devices +
                " are placed, beyond a median link's reach (shadowing aside)";
  if (shared) message = "population '" + pop.name + "': " + message;
  out.push_back({pop.mark, scenario::population_path(sc, index) + ".technology", message,
                 Diagnostic::Severity::Warning});
}

void check_defaults(const scenario::Scenario& sc, size_t index, std::vector<Diagnostic>& out) {
  const DevicePopulation& pop = sc.devices[index];
  const models::device::SensorType* type = models::device::find_sensor_type(pop.type);
  // A camera is Wi-Fi by nature, an "nbiot_terminal" by its name; a traffic counter is NB-IoT only by
  // the catalogue's say.
  if (type != nullptr && !pop.technology_in_scenario && pop.technology == Technology::NbIot &&
      pop.type.find("nbiot") == std::string::npos)
    out.push_back({pop.mark, scenario::population_path(sc, index) + ".technology",
                   "type '" + pop.type + "' makes it " + technology_name(pop.technology) +
                       " (the catalogue's radio for the type; write 'technology: " +
                       technology_name(pop.technology) + "' to say so)",
                   Diagnostic::Severity::Warning});
  if (pop.event && !pop.event_in_scenario && !pop.senses_in_scenario && !sc.drives(pop.senses))
    out.push_back({pop.mark, scenario::population_path(sc, index) + ".event",
                   "type '" + pop.type + "' reports on " +
                       (pop.senses == "river_level" ? std::string("the river level") : pop.senses) +
                       ", and the scenario has no drivers." + pop.senses +
                       ": it reports periodically instead (write 'event: none' to say so)",
                   Diagnostic::Severity::Warning});
}

void check_alerts(const scenario::Scenario& sc, std::vector<Diagnostic>& out) {
  for (size_t i = 0; i < sc.platform.alerts.size(); ++i) {
    const scenario::AlertRule& rule = sc.platform.alerts[i];
    const bool watched = std::any_of(sc.devices.begin(), sc.devices.end(), [&](const DevicePopulation& p) {
      return p.type == rule.type && p.count > 0;
    });
    if (!watched)
      out.push_back(
          {rule.mark, "platform.alerts[" + std::to_string(i) + "].type",
           "no device population of type '" + rule.type + "': alert '" + rule.name + "' never fires",
           Diagnostic::Severity::Warning});
  }
}

// Flood settings that would do nothing, said (no silent no-op): a flood whose river reaches no district (no
// elevation given) floods nowhere from the river. (A depth given directly, drivers.inundation_depth, floods
// as the computed one does: sim/drivers/flood.hpp, given_flood.)
void check_flood(const scenario::Scenario& sc, std::vector<Diagnostic>& out) {
  const scenario::SourceMark file{sc.source_name, 1, 1};
  const bool depth_given =
      std::any_of(sc.drivers.quantities.begin(), sc.drivers.quantities.end(),
                  [](const scenario::QuantitySource& q) { return q.quantity == "inundation_depth"; });
  if (sc.drivers.flood.enabled && !depth_given && sc.drivers.flood.elevation_m.empty() &&
      sc.drives("river_level"))
    out.push_back(
        {file, "drivers.flood.elevation",
         "no district has an elevation: the river floods none (only rainfall beyond the drainage ponds)",
         Diagnostic::Severity::Warning});
}

// radio.strongest_k written for the exact model, which receives every frame at every gateway, and
// radio.shadowing.correlation_distance written without shadowing to correlate: no silent no-op (a campaign
// may sweep radio.receptions with one K, or the sigma with one distance, so warnings, not errors).
void check_channel(const scenario::Scenario& sc, std::vector<Diagnostic>& out) {
  if (sc.channel.strongest_k_mark && !sc.channel.approximate())
    out.push_back({*sc.channel.strongest_k_mark, "radio.strongest_k",
                   "ignored: radio.receptions is exact (K applies to strongest and strongest_only)",
                   Diagnostic::Severity::Warning});
  if (sc.channel.shadowing_correlation_mark && !(sc.channel.shadowing_sigma_db > 0.0))
    out.push_back({*sc.channel.shadowing_correlation_mark, "radio.shadowing.correlation_distance",
                   "ignored: radio.shadowing.sigma is 0 dB (no shadowing to correlate)",
                   Diagnostic::Severity::Warning});
}

void check_sizes(const scenario::Scenario& sc, uint64_t seed, std::vector<Diagnostic>& out) {
  const scenario::SourceMark file{sc.source_name, 1, 1};
  uint64_t devices = 0;
  for (const DevicePopulation& pop : sc.devices)
    devices += static_cast<uint64_t>(std::max<int64_t>(0, pop.count));
  if (devices > kMaxDevices)
    out.push_back({sc.devices.empty() ? file : sc.devices.back().mark, "devices",
                   "the scenario has " + std::to_string(devices) + " devices; at most " +
                       std::to_string(kMaxDevices) + " are supported",
                   Diagnostic::Severity::Error});
  if (sc.devices.size() > kMaxPopulations)
    out.push_back({sc.devices.back().mark, "devices",
                   std::to_string(sc.devices.size()) + " populations; at most " +
                       std::to_string(kMaxPopulations) + " are supported",
                   Diagnostic::Severity::Error});
  if (sc.city.districts.size() > kMaxDistricts)
    out.push_back({file, "city.districts",
                   std::to_string(sc.city.districts.size()) + " districts; at most " +
                       std::to_string(kMaxDistricts) + " are supported",
                   Diagnostic::Severity::Error});
  const size_t failures = drivers::failure_schedule(sc, seed).size();
  if (failures > kMaxFailureIntervals) {
    // Name the entry expected to contribute most: a profile with the most cycles over the run.
    size_t worst = 0;
    double most = -1.0;
    for (size_t i = 0; i < sc.drivers.failures.size(); ++i) {
      const scenario::Failure& f = sc.drivers.failures[i];
      const double cycles = f.mtbf_s > 0.0 ? sc.run.duration_s / (f.mtbf_s + f.mttr_s) : 1.0;
      if (cycles > most) {
        most = cycles;
        worst = i;
      }
    }
    const scenario::WrittenEntry& written = sc.drivers.failures[worst].written;
    const bool marked = !written.path.empty();
    out.push_back({marked ? written.mark : file, marked ? written.path : "drivers.failures",
                   (marked && !written.csv_row.empty() ? written.csv_row + ": " : "") +
                       std::to_string(failures) + " failure intervals over the run (seed " +
                       std::to_string(seed) + "); at most " + std::to_string(kMaxFailureIntervals) +
                       " are supported (raise mtbf?)",
                   Diagnostic::Severity::Error});
  }
}

// A diagnostic said alike for several populations or gateways written in one entry (a bundle's parts, a
// placement rule's gateways) is said once, at that entry.
void drop_repeats(std::vector<Diagnostic>& diagnostics) {
  std::set<std::string> said;
  std::vector<Diagnostic> kept;
  for (Diagnostic& d : diagnostics)
    if (said.insert(d.to_string()).second) kept.push_back(std::move(d));
  diagnostics = std::move(kept);
}

void sort_by_place(std::vector<Diagnostic>& diagnostics) {
  std::stable_sort(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.mark.line, a.mark.column) < std::tie(b.mark.line, b.mark.column);
  });
}

}  // namespace

std::array<double, 6> airtime_by_sf_s(const DevicePopulation& pop) {
  std::array<double, 6> airtime{};
  for (int sf = 7; sf <= 12; ++sf) {
    models::radio::LoraPhyParams phy = pop.radio.phy;
    phy.spreading_factor = sf;
    // ADR may move a device to another SF: low-data-rate optimisation follows the SF unless forced.
    if (pop.radio.ldro == scenario::LoraRadio::Ldro::Auto)
      phy.low_data_rate_optimize = models::radio::low_data_rate_optimize_required(sf, phy.bandwidth_hz);
    airtime[static_cast<size_t>(sf - 7)] =
        models::radio::time_on_air_s(pop.payload_bytes + pop.mac_overhead_bytes, phy);
  }
  return airtime;
}

bool sf_is_data_rate(const scenario::Scenario& sc, const DevicePopulation& pop, int sf) {
  return sc.channel.region != models::radio::Region::US915 ||
         models::radio::uplink_data_rate_index(sc.channel.region, sf, pop.radio.phy.bandwidth_hz) >= 0;
}

bool sf_allowed(const scenario::Scenario& sc, const DevicePopulation& pop,
                const std::array<double, 6>& airtime_s, int sf) {
  const double dwell_s = models::radio::region_params(sc.channel.region).max_dwell_time_s;
  return sf_is_data_rate(sc, pop, sf) && airtime_s[static_cast<size_t>(sf - 7)] <= dwell_s;
}

double disc_coverage(const scenario::City& city, const scenario::Placement& p) {
  if (!p.districts.empty() || p.disc_radius_m <= 0.0) return 1.0;
  const double cx = p.disc_x_m, cy = p.disc_y_m, r = p.disc_radius_m;
  if (std::any_of(city.districts.begin(), city.districts.end(),
                  [](const scenario::District& d) { return d.shape != nullptr; })) {
    // Polygon districts: the share of a 256 x 256 lattice over the disc that lies in a district.
    constexpr int kSide = 256;
    int inside = 0, in_disc = 0;
    for (int j = 0; j < kSide; ++j)
      for (int i = 0; i < kSide; ++i) {
        const double x = cx - r + (i + 0.5) * 2.0 * r / kSide, y = cy - r + (j + 0.5) * 2.0 * r / kSide;
        if (std::hypot(x - cx, y - cy) > r) continue;
        ++in_disc;
        if (scenario::district_of(city, x, y) >= 0) ++inside;
      }
    return in_disc > 0 ? static_cast<double>(inside) / in_disc : 0.0;
  }
  // Slabs between the districts' vertical edges: in each, the covered y-intervals are fixed, and the
  // disc's chord is integrated numerically (midpoint rule).
  std::vector<double> xs = {cx - r, cx + r};
  for (const scenario::District& d : city.districts)
    for (double x : {d.x_min_m, d.x_max_m})
      if (x > cx - r && x < cx + r) xs.push_back(x);
  std::sort(xs.begin(), xs.end());
  xs.erase(std::unique(xs.begin(), xs.end()), xs.end());
  constexpr int kSteps = 256;
  double area = 0.0;
  for (size_t k = 0; k + 1 < xs.size(); ++k) {
    const double x0 = xs[k], x1 = xs[k + 1];
    std::vector<std::pair<double, double>> spans;
    for (const scenario::District& d : city.districts)
      if (d.x_min_m <= x0 && d.x_max_m >= x1) spans.emplace_back(d.y_min_m, d.y_max_m);
    if (spans.empty()) continue;
    std::sort(spans.begin(), spans.end());
    std::vector<std::pair<double, double>> merged = {spans.front()};
    for (const auto& s : spans) {
      if (s.first <= merged.back().second)
        merged.back().second = std::max(merged.back().second, s.second);
      else
        merged.push_back(s);
    }
    const double dx = (x1 - x0) / kSteps;
    for (int i = 0; i < kSteps; ++i) {
      const double x = x0 + (i + 0.5) * dx;
      const double h = std::sqrt(std::max(0.0, r * r - (x - cx) * (x - cx)));
      for (const auto& [lo, hi] : merged)
        area += std::max(0.0, std::min(hi, cy + h) - std::max(lo, cy - h)) * dx;
    }
  }
  return std::min(1.0, area / (std::numbers::pi * r * r));
}

// drivers.traffic.sumo: SUMO's files parse (errors name the SUMO file and line), so a bad file is bad
// input (exit 2) before the run, not a failed run.
void check_traffic(const scenario::Scenario& sc, std::vector<Diagnostic>& out) {
  if (!sc.drivers.traffic.enabled || sc.drivers.traffic.sumo_network.empty()) return;
  try {
    drivers::compute_traffic(sc, nullptr);
  } catch (const drivers::SumoError& e) {
    out.push_back({{sc.source_name, 0, 0}, "drivers.traffic.sumo", e.what(), Diagnostic::Severity::Error});
  }
}

std::vector<Diagnostic> resolve(const scenario::Scenario& sc, uint64_t seed, bool strict) {
  std::vector<Diagnostic> errors, warnings;
  check_sizes(sc, seed, errors);
  check_traffic(sc, errors);
  std::map<std::string, size_t> populations_of;  // written entry -> the populations it stands for
  for (size_t i = 0; i < sc.devices.size(); ++i) ++populations_of[scenario::population_path(sc, i)];
  for (size_t i = 0; i < sc.devices.size(); ++i) {
    check_population(sc, i, errors);
    check_coverage(sc, i, populations_of[scenario::population_path(sc, i)] > 1, warnings);
    check_defaults(sc, i, warnings);
  }
  check_written_keys(sc, warnings);   // sim/city/key_warnings.hpp
  check_pulse_current(sc, warnings);  // sim/city/pulse_current.hpp
  check_alerts(sc, warnings);
  check_flood(sc, warnings);
  check_driver_times(sc, warnings);
  check_schedule(sc, warnings);         // sim/city/schedule_warnings.hpp
  check_downlink_timing(sc, warnings);  // sim/city/downlink_warnings.hpp
  check_channel(sc, warnings);
  check_idle_sections(sc, warnings);  // sim/city/section_warnings.hpp
  drop_repeats(errors);
  drop_repeats(warnings);
  sort_by_place(errors);
  sort_by_place(warnings);
  if (strict) {
    errors.insert(errors.end(), warnings.begin(), warnings.end());
    warnings.clear();
  }
  if (!errors.empty()) {
    errors.insert(errors.end(), warnings.begin(), warnings.end());
    throw scenario::ScenarioError(std::move(errors));
  }
  return warnings;
}

}  // namespace citytwin::sim::city
