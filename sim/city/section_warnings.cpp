#include "sim/city/section_warnings.hpp"

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "models/device/catalogue.hpp"
#include "sim/city/warning_text.hpp"
#include "sim/scenario/section_use.hpp"

namespace citytwin::sim::city {
namespace {

using scenario::Diagnostic;
using scenario::Technology;
using scenario::WrittenKey;

constexpr auto kLora = static_cast<std::size_t>(Technology::LoRaWAN);
constexpr auto kNbiot = static_cast<std::size_t>(Technology::NbIot);
constexpr auto kWifi = static_cast<std::size_t>(Technology::WiFi);

// Whether a written key is `key` or lies under it ("radio.capture.threshold" under "radio.capture").
bool under(std::string_view written, std::string_view key) {
  return written == key ||
         (written.size() > key.size() && written.substr(0, key.size()) == key && written[key.size()] == '.');
}

// One reason some keys of a section do nothing, and the keys it holds for, as written.
struct Clause {
  std::vector<const WrittenKey*> keys;
  std::string why;
};

// The written keys of the scenario under any of `keys`, but those `skip` says are said elsewhere.
std::vector<const WrittenKey*> pick(const scenario::Scenario& sc,
                                    std::initializer_list<std::string_view> keys,
                                    bool (*skip)(const scenario::Scenario&, const WrittenKey&) = nullptr) {
  std::vector<const WrittenKey*> out;
  for (const WrittenKey& written : sc.written_settings) {
    if (skip != nullptr && skip(sc, written)) continue;
    for (std::string_view key : keys)
      if (under(written.key, key)) {
        out.push_back(&written);
        break;
      }
  }
  return out;
}

// "radio.inter_sf", "radio.inter_sf and radio.capture.threshold", "a, b and c".
std::string listed(const std::vector<const WrittenKey*>& keys) {
  std::string text;
  for (std::size_t i = 0; i < keys.size(); ++i)
    text += (i == 0 ? "" : i + 1 == keys.size() ? " and " : ", ") + keys[i]->key;
  return text;
}

// The section's one warning, at its first idle key as written: the key's path and why when it is the only
// one, else the section's, and each clause's keys with why they do nothing.
void say(std::string_view section, const std::vector<Clause>& clauses, std::vector<Diagnostic>& out) {
  const WrittenKey* first = nullptr;  // (all point into Scenario::written_settings, in file order)
  std::size_t count = 0;
  std::string message, why;
  for (const Clause& clause : clauses) {
    if (clause.keys.empty()) continue;
    for (const WrittenKey* key : clause.keys) {
      ++count;
      if (first == nullptr || key < first) first = key;
    }
    message += (message.empty() ? "" : "; ") + listed(clause.keys) + ": " + clause.why;
    why = clause.why;
  }
  if (first == nullptr) return;
  out.push_back({first->mark, count == 1 ? first->key : std::string(section),
                 "ignored: " + (count == 1 ? why : message), Diagnostic::Severity::Warning});
}

// radio.strongest_k under the exact model: said by resolve's check_channel already.
bool said_by_check_channel(const scenario::Scenario& sc, const WrittenKey& written) {
  return under(written.key, "radio.strongest_k") && !sc.channel.approximate();
}

// The radio section sets the LoRa and NB-IoT links: propagation and the coverage criterion (also a
// LoRaWAN gateway's or an NB-IoT cell's coverage without devices, sim/plan/coverage.cpp, and a jammer's
// reach, sim/access/jamming.cpp), LoRa reception at the gateways (sim/access/radio_medium.cpp), the SNR.
// radio.region also gives the band of every link's free-space floor (LoRa and NB-IoT alike).
void check_radio(const scenario::Scenario& sc, const scenario::SectionUse& use, const std::string& where,
                 std::vector<Diagnostic>& out) {
  const bool lora = use.devices[kLora], nbiot = use.devices[kNbiot];
  const bool lora_gateways = use.stations[kLora], nbiot_cells = use.stations[kNbiot];
  std::vector<Clause> clauses;
  if (!lora && !nbiot && !lora_gateways && !nbiot_cells) {
    clauses.push_back({pick(sc, {"radio"}, said_by_check_channel),
                       "the city has no LoRaWAN or NB-IoT device, gateway or cell" + where +
                           ": these set their radio links, and a Wi-Fi camera associates by the fixed Wi-Fi "
                           "link budget (models/radio/wifi.hpp)"});
    say("radio", clauses, out);
    return;
  }
  if (!lora) {
    // With receptions: strongest_only an NB-IoT device keeps its K strongest links alone (its serving cell
    // among them: sim/city/device_links.cpp), which changes its city's memory, not its frames.
    const bool trims_nbiot_links =
        nbiot && sc.channel.receptions == scenario::RadioChannel::Receptions::StrongestOnly;
    clauses.push_back(
        {trims_nbiot_links ? pick(sc, {"radio.capture", "radio.inter_sf", "radio.interference"})
                           : pick(sc,
                                  {"radio.capture", "radio.inter_sf", "radio.interference",
                                   "radio.receptions", "radio.strongest_k"},
                                  said_by_check_channel),
         "no population has LoRaWAN devices" + where +
             ": these judge LoRa frames at the gateways (sim/access/radio_medium.hpp), and act once a "
             "population with technology: lorawan has devices"});
    if (!lora_gateways)
      clauses.push_back({pick(sc, {"radio.gateway_sensitivity"}),
                         "no LoRaWAN device or gateway" + where +
                             ": the sensitivities are a LoRaWAN gateway's, for its receptions and coverage"});
    // A jammer's reach counts the LoRaWAN gateways whose noise floor it at least doubles (attack_log.cpp).
    if (!nbiot && !(lora_gateways && !sc.attacks.jamming.empty()))
      clauses.push_back(
          {pick(sc, {"radio.noise_figure"}),
           "no LoRaWAN or NB-IoT device" + where + ": it sets the SNR of their frames (and ADR's)"});
  } else if (!sc.channel.capture.enabled) {
    // Without capture the co-SF threshold is infinite (models/radio/reception.hpp co_sf_threshold_db).
    clauses.push_back({pick(sc, {"radio.capture.threshold"}),
                       "radio.capture.enabled is false: no frame survives an overlap of its SF, whatever "
                       "the threshold"});
  }
  say("radio", clauses, out);
}

// The nbiot section is read by the NB-IoT network alone (sim/access/nbiot_network.cpp): its devices'
// random access, NPUSCH and timers. The paging time window is eDRX's (models/radio/nbiot_power.cpp).
void check_nbiot(const scenario::Scenario& sc, const scenario::SectionUse& use, const std::string& where,
                 std::vector<Diagnostic>& out) {
  if (!use.devices[kNbiot]) {
    say("nbiot",
        {{pick(sc, {"nbiot"}),
          "no population has NB-IoT devices" + where +
              ": the nbiot section sets NB-IoT's random access, uplink (NPUSCH) and device timers, which act "
              "once a population with technology: nbiot has devices"}},
        out);
    return;
  }
  if (sc.nbiot.timers.edrx_cycle_s <= 0.0)
    say("nbiot",
        {{pick(sc, {"nbiot.paging_time_window"}),
          "eDRX is off (nbiot.edrx_cycle 0 s): the paging time window is eDRX's; it acts with an "
          "edrx_cycle"}},
        out);
}

// wifi.airtime_sharing shares an access point among its cameras (sim/access/wifi_access.cpp).
void check_wifi(const scenario::Scenario& sc, const scenario::SectionUse& use, const std::string& where,
                std::vector<Diagnostic>& out) {
  if (!use.devices[kWifi])
    say("wifi",
        {{pick(sc, {"wifi"}), "no population has Wi-Fi devices" + where +
                                  ": airtime is shared among an access point's cameras (technology: wifi)"}},
        out);
}

// The platform's stages process the frames the gateways forward, LoRaWAN's and NB-IoT's alike
// (sim/network/wired_periods.cpp), and the floods of attacks.platform_dos: the network server (ns_cost,
// ns_capacity; forward_message is the size of a forwarded copy), the broker, analytics and storage
// (sim/platform/platform_pipeline.cpp), on the platform host (server_speed, server_cores). A camera's stream
// crosses the wired network to the platform (or the command centre) without them. ns_downlink_delay times
// the LoRaWAN server's downlinks (sim/access/lorawan_server.cpp), sent for confirmed uplinks and ADR alone.
// command_centre.link_length is priced as fibre (sim/plan/rollout_cost.cpp) even where nothing crosses it.
void check_platform(const scenario::Scenario& sc, const scenario::SectionUse& use, const std::string& where,
                    std::vector<Diagnostic>& out) {
  const bool reports = use.devices[kLora] || use.devices[kNbiot];
  bool server_flood = false, broker_flood = false;
  for (const scenario::PlatformDos& dos : sc.attacks.platform_dos)
    (dos.target == "network_server" ? server_flood : broker_flood) = true;
  std::vector<Clause> clauses;
  if (!use.lorawan_downlinks)
    clauses.push_back({pick(sc, {"platform.ns_downlink_delay"}),
                       "no LoRaWAN population with devices asks for downlinks" + where +
                           " (confirmed: true, or radio.adr: true): the network server has no ACK or ADR "
                           "command to time"});
  if (!reports) {
    Clause idle{{},
                "no LoRaWAN or NB-IoT device sends a report" + where +
                    (server_flood || broker_flood ? ", and no attacks.platform_dos flood reaches them" : "") +
                    ": the platform's stages they set process nothing"};
    for (const WrittenKey* key : pick(sc, {"platform"})) {
      const std::string_view k = key->key;
      const bool network_server = under(k, "platform.ns_cost") || under(k, "platform.ns_capacity");
      const bool broker = under(k, "platform.broker_capacity") || under(k, "platform.broker_cost") ||
                          under(k, "platform.analytics_cost") || under(k, "platform.storage_write") ||
                          under(k, "platform.storage_record");
      const bool host = under(k, "platform.server_speed") || under(k, "platform.server_cores");
      if ((network_server && !server_flood) || (broker && !broker_flood) ||
          (host && !server_flood && !broker_flood) || under(k, "platform.forward_message"))
        idle.keys.push_back(key);
    }
    clauses.push_back(std::move(idle));
  }
  if (sc.platform.ccc_link_length_m <= 0.0)
    clauses.push_back({pick(sc, {"platform.command_centre.link_bandwidth"}),
                       "there is no command centre apart (platform.command_centre.link_length is not given): "
                       "the one platform has no link to it"});
  else if (!use.devices[kWifi])
    clauses.push_back({pick(sc, {"platform.command_centre.link_bandwidth"}),
                       "no population has Wi-Fi devices" + where +
                           ": the command-centre link carries the cameras' streams alone"});
  say("platform", clauses, out);
}

// run.trace_every thins /messages under run.trace: sample alone (sim/app/run_set_up.cpp).
void check_run(const scenario::Scenario& sc, std::vector<Diagnostic>& out) {
  if (sc.run.trace != scenario::Run::Trace::Sample)
    say("run",
        {{pick(sc, {"run.trace_every"}), std::string("run.trace is ") + scenario::trace_name(sc.run.trace) +
                                             ": trace_every picks the devices run.trace: sample keeps"}},
        out);
}

// An OLT's district and backup act through power cuts there alone (sim/drivers/failure_schedule.cpp).
void check_olts(const scenario::Scenario& sc, std::vector<Diagnostic>& out) {
  for (std::size_t i = 0; i < sc.fibre.olts.size(); ++i) {
    const scenario::Olt& olt = sc.fibre.olts[i];
    const std::string path =
        olt.written_path.empty() ? "fibre.olts[" + std::to_string(i) + "]" : olt.written_path;
    std::vector<const WrittenKey*> keys;
    std::string why;
    if (olt.district.empty()) {
      why =
          "without a district (where the OLT takes its power) no power cut reaches it: the backup never "
          "carries it";
      for (const WrittenKey& written : olt.written_keys)
        if (written.key == "backup") keys.push_back(&written);
    } else if (!scenario::power_may_fail(sc, olt.district)) {
      why = no_power_cut_text({olt.district}) + ": the OLT never loses its power";
      for (const WrittenKey& written : olt.written_keys)
        if (written.key == "district" || written.key == "backup") keys.push_back(&written);
    }
    if (keys.empty()) continue;
    std::string names;
    for (std::size_t k = 0; k < keys.size(); ++k) names += (k == 0 ? "" : " and ") + keys[k]->key;
    out.push_back({keys.front()->mark, path + (keys.size() == 1 ? "." + keys.front()->key : ""),
                   "ignored: " + (keys.size() == 1 ? "" : names + ": ") + why,
                   Diagnostic::Severity::Warning});
  }
}

// A PON's splitter and upstream act through the gateways on it: the ports they take (a gateway past the
// split is refused: scenario_fibre.cpp) and the upstream rate they share (scenario::pon_upstream_capacity,
// sim/network/wired_network.cpp). Without any, the PON carries nothing; it is still priced (costs.pon, its
// length as fibre_km: sim/plan/rollout_cost.cpp), so only these two keys are said.
void check_pons(const scenario::Scenario& sc, const scenario::SectionUse& use, const std::string& where,
                std::vector<Diagnostic>& out) {
  for (std::size_t i = 0; i < sc.fibre.pons.size(); ++i) {
    const scenario::Pon& pon = sc.fibre.pons[i];
    if (use.pons_with_gateways.contains(pon.name)) continue;
    std::vector<const WrittenKey*> keys;
    for (const WrittenKey& written : pon.written_keys)
      if (written.key == "split" || written.key == "upstream") keys.push_back(&written);
    if (keys.empty()) continue;
    const std::string path =
        pon.written_path.empty() ? "fibre.pons[" + std::to_string(i) + "]" : pon.written_path;
    const std::string name = quoted_names({pon.name});
    out.push_back({keys.front()->mark, path + (keys.size() == 1 ? "." + keys.front()->key : ""),
                   "ignored: " + (keys.size() == 1 ? "" : keys[0]->key + " and " + keys[1]->key + ": ") +
                       "no gateway backhauls over PON " + name + where +
                       " (backhaul: {kind: pon, pon: " + scenario::excerpt(pon.name) +
                       "}): its splitter has no port taken and its upstream carries nothing (the PON is "
                       "still priced: costs.pon, and its length as costs.fibre_km)",
                   Diagnostic::Severity::Warning});
  }
}

// What gives a population an event rule on the quantity: "type: rain_gauge, or senses: rainfall with event:
// {threshold: ...}", the catalogue's types that sense it with a rule first.
std::string event_rule_on(const std::string& quantity) {
  std::string text;
  for (const models::device::SensorType& type : models::device::sensor_types())
    if (type.senses == quantity && type.event_rule) text += "type: " + std::string(type.name) + ", or ";
  return text + "senses: " + quantity + " with event: {threshold: ...}";
}

// Why a drivers.<quantity> series nothing reads does nothing, and what would read it (the readers of
// scenario::quantities_read).
std::string idle_series_text(const scenario::Scenario& sc, const std::string& q, const std::string& where) {
  if (q == "traffic_volume" && sc.drivers.traffic.enabled)
    return "nothing in the run reads the traffic_volume and traffic_speed drivers.traffic computes from it" +
           where +
           ": they are only recorded (/drivers/traffic_volume and /drivers/traffic_speed in the trace); they "
           "act once read by traffic counters (a LoRaWAN or NB-IoT population with devices sensing "
           "traffic_volume: type: traffic_counter), a population with an event rule on traffic_speed "
           "(senses: traffic_speed with event: {threshold: ...}), or Wi-Fi cameras with "
           "drivers.traffic.cctv.events_per_hour above 0";
  std::string readers =
      "a LoRaWAN or NB-IoT population with devices and an event rule on " + q + " (" + event_rule_on(q) + ")";
  if (q == "river_level" || q == "rainfall")
    readers +=
        ", or drivers.flood computing the inundation depth from it (not where drivers.inundation_depth "
        "gives the depth)";
  else if (q == "traffic_volume")
    readers +=
        ", or, with drivers.traffic, traffic counters (type: traffic_counter, or senses: traffic_volume)";
  else if (q == "parking_occupancy")
    readers +=
        ", or, with drivers.traffic, bay sensors (a population with devices sensing parking_occupancy)";
  return "nothing in the run reads " + q + where + ": it is only recorded (/drivers/" + q +
         " in the trace); it acts once read by " + readers;
}

// A drivers.<quantity> series acts through what reads it (scenario::quantities_read); read by nothing in
// the base or any phase, it is only recorded (sim/record/driver_record.cpp). A flood's depth always acts.
void check_driver_series(const scenario::Scenario& sc, const scenario::SectionUse& use,
                         const std::string& where, std::vector<Diagnostic>& out) {
  for (const scenario::QuantitySource& q : sc.drivers.quantities)
    if (!use.read_quantities.contains(q.quantity))
      out.push_back({q.mark, "drivers." + q.quantity, "ignored: " + idle_series_text(sc, q.quantity, where),
                     Diagnostic::Severity::Warning});
}

}  // namespace

void check_idle_sections(const scenario::Scenario& sc, std::vector<Diagnostic>& out) {
  const scenario::SectionUse use = scenario::plan_section_use(sc);
  const std::string where = sc.phases.empty() ? "" : " (in the base or any phase)";
  check_radio(sc, use, where, out);
  check_nbiot(sc, use, where, out);
  check_wifi(sc, use, where, out);
  check_platform(sc, use, where, out);
  check_run(sc, out);
  check_olts(sc, out);
  check_pons(sc, use, where, out);
  check_driver_series(sc, use, where, out);
}

}  // namespace citytwin::sim::city
