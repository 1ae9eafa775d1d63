#include "sim/city/schedule_warnings.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "sim/city/warning_text.hpp"
#include "sim/scenario/scenario_yaml.hpp"
#include "sim/scenario/section_use.hpp"

namespace citytwin::sim::city {
namespace {

using scenario::DevicePopulation;
using scenario::Diagnostic;

// Scheduled entries that start when the run is over: the run stops at run.duration (sim/app/run.cpp), and
// nothing is scheduled at or after it (the fleet's reports, the wired network's failures: both keep times
// before the end), so the entry never acts. `what` says what was written ("the power cut in 'docks'").
void late(const scenario::Scenario& sc, const scenario::WrittenEntry& written, const std::string& what,
          double start_s, std::vector<Diagnostic>& out) {
  const double end_s = sc.run.duration_s;
  if (start_s < end_s) return;
  const std::string row = written.csv_row.empty() ? "" : written.csv_row + ": ";
  out.push_back({written.mark, written.path,
                 row + what + " starts at " + when_text(start_s) +
                     ", at or after the run's end (run.duration, " + when_text(end_s) +
                     "): it never happens in the run",
                 Diagnostic::Severity::Warning});
}

// Driver events, traffic incidents, power cuts and failure intervals that start at or after the run's end.
void check_late_drivers(const scenario::Scenario& sc, std::vector<Diagnostic>& out) {
  for (const scenario::QuantitySource& q : sc.drivers.quantities)
    for (const scenario::DriverEvent& e : q.events)
      late(sc, e.written,
           "the event on " + q.quantity + (e.districts.empty() ? "" : " in " + quoted_names(e.districts)),
           e.start_s, out);
  for (const scenario::TrafficIncident& i : sc.drivers.traffic.incidents)
    late(sc, i.written, "the incident in " + quoted_names({i.district}), i.start_s, out);
  for (const scenario::PowerOutage& o : sc.drivers.power_outages)
    late(sc, o.written, "the power cut in " + quoted_names(o.districts), o.start_s, out);
  for (const scenario::Failure& f : sc.drivers.failures)
    if (f.mtbf_s <= 0.0)  // a profile draws its failures over the run
      late(sc, f.written, "the failure of " + quoted_names({f.target}), f.start_s, out);
}

// Power cuts that switch nothing off: a cut takes down the gateways standing in its districts and the
// backbone of an OLT powered there (fibre.olts[].district), nothing else (sim/drivers/gateway_timeline.cpp,
// failure_schedule.cpp); one in districts where neither is, in the base or any phase, does nothing. (A cut
// after the run's end is said by check_late_drivers.)
void check_idle_power_cuts(const scenario::Scenario& sc, std::vector<Diagnostic>& out) {
  const scenario::SectionUse use = scenario::plan_section_use(sc);
  for (const scenario::PowerOutage& o : sc.drivers.power_outages) {
    if (o.start_s >= sc.run.duration_s || o.written.path.empty()) continue;
    if (std::any_of(o.districts.begin(), o.districts.end(),
                    [&](const std::string& d) { return use.powered_districts.count(d) > 0; }))
      continue;
    const std::string row = o.written.csv_row.empty() ? "" : o.written.csv_row + ": ";
    out.push_back({o.written.mark, o.written.path,
                   row + "the power cut in " + quoted_names(o.districts) +
                       " switches nothing off: no gateway stands there, and no OLT takes its power there "
                       "(fibre.olts[].district)" +
                       (sc.phases.empty() ? "" : ", in the base or any phase"),
                   Diagnostic::Severity::Warning});
  }
}

// Attacks that would never act, said (no silent no-op): a window that starts at or after the run's end, a
// jammer on no channel a LoRaWAN device uses (scenario::Jamming::jams, as access::JammingField) in the base
// or any phase (attacks are written once for a whole rollout, as the settings sections), a share of a
// population that rounds to no device.
void check_attacks(const scenario::Scenario& sc, std::vector<Diagnostic>& out) {
  const scenario::Attacks& a = sc.attacks;
  const double end_s = sc.run.duration_s;
  const scenario::SectionUse use =
      a.jamming.empty() ? scenario::SectionUse{} : scenario::plan_section_use(sc);
  const bool lora_devices = use.devices[static_cast<size_t>(scenario::Technology::LoRaWAN)];
  const std::string anywhere = sc.phases.empty() ? "" : " (in the base or any phase)";
  const auto late_attack = [&](const scenario::SourceMark& mark, const std::string& path, double start_s) {
    if (start_s >= end_s)
      out.push_back({mark, path,
                     "starts at " + seconds_text(start_s) + ", at or after the run's end (" +
                         seconds_text(end_s) + "): it never acts",
                     Diagnostic::Severity::Warning});
  };
  for (size_t i = 0; i < a.jamming.size(); ++i) {
    const scenario::Jamming& j = a.jamming[i];
    const std::string path = "attacks.jamming[" + std::to_string(i) + "]";
    late_attack(j.mark, path, j.start_s);
    if (j.channels_hz.empty()) {
      // Every channel: it loses frames where a LoRaWAN device sends any, in the base or a phase.
      if (!lora_devices)
        out.push_back(
            {j.mark, path,
             "no population has LoRaWAN devices" + anywhere + ": the jammer, on every channel, loses nothing",
             Diagnostic::Severity::Warning});
      continue;
    }
    if (std::none_of(use.lorawan_channels_hz.begin(), use.lorawan_channels_hz.end(),
                     [&](double hz) { return j.jams(hz); }))
      out.push_back({j.mark, path + ".channels",
                     "no LoRaWAN device uses these channels" + anywhere + ": the jammer loses nothing",
                     Diagnostic::Severity::Warning});
  }
  for (size_t i = 0; i < a.compromised.size(); ++i) {
    const scenario::Compromised& c = a.compromised[i];
    const std::string path = "attacks.compromised[" + std::to_string(i) + "]";
    late_attack(c.mark, path, c.start_s);
    if (!c.devices.empty()) continue;
    for (const DevicePopulation& p : sc.devices)
      if (p.name == c.population && std::llround(c.share * static_cast<double>(p.count)) == 0)
        out.push_back({c.mark, path + ".share",
                       significant(c.share) + " of the " + std::to_string(p.count) + " devices of '" +
                           p.name + "' is no device: the attack never acts",
                       Diagnostic::Severity::Warning});
  }
  for (size_t i = 0; i < a.platform_dos.size(); ++i)
    late_attack(a.platform_dos[i].mark, "attacks.platform_dos[" + std::to_string(i) + "]",
                a.platform_dos[i].start_s);
}

}  // namespace

void check_schedule(const scenario::Scenario& sc, std::vector<Diagnostic>& out) {
  check_late_drivers(sc, out);
  check_idle_power_cuts(sc, out);
  check_attacks(sc, out);
}

}  // namespace citytwin::sim::city
