#include "sim/city/key_warnings.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "models/device/catalogue.hpp"
#include "sim/city/warning_text.hpp"
#include "sim/scenario/scenario_reader.hpp"
#include "sim/scenario/scenario_yaml.hpp"
#include "sim/scenario/section_use.hpp"

namespace citytwin::sim::city {
namespace {

using scenario::DevicePopulation;
using scenario::Diagnostic;
using scenario::Technology;

// Why a key written for a population of this technology has no effect, or "" when it has one.
std::string ignored_for(Technology technology, const std::string& key) {
  if (technology == Technology::WiFi) {
    // A camera streams (WifiAccess); the fleet sends it no reports, so nothing of a report applies.
    static const char* const kReports[] = {"radio",    "confirmed", "max_transmissions", "traffic",
                                           "interval", "jitter",    "payload",           "mac_overhead"};
    for (const char* report : kReports)
      if (key == report || key.rfind(std::string(report) + ".", 0) == 0)
        return "a Wi-Fi population is a video stream (stream:): it sends no reports, and the Wi-Fi "
               "link budget is fixed (models/radio/wifi.hpp)";
    // The fleet runs no duty cycle for a camera, which is mains powered (sim/engine/fleet.cpp).
    if (key.rfind("firmware.", 0) == 0)
      return "a Wi-Fi population is a video stream (stream:): it runs no sensor duty cycle";
    if (key == "battery" || key == "solar")
      return "a video stream is mains powered: it has no battery to drain or charge";
    if (key == "building_penetration")
      return "a camera associates by the fixed Wi-Fi link budget (models/radio/wifi.hpp, "
             "sim/access/wifi_access.cpp), without a penetration loss";
    return "";
  }
  if (technology != Technology::NbIot) return "";
  if (key == "confirmed" || key == "max_transmissions")
    return "LoRaWAN confirmation does not apply to NB-IoT, whose delivery is acknowledged by its own "
           "HARQ/RLC";
  if (key == "mac_overhead")
    return "the LoRaWAN MAC header; NB-IoT carries the payload alone in its transport blocks";
  if (key == "radio.adr" || key == "radio.join_margin" || key == "radio.sf")
    return "an NB-IoT device has no spreading factor: its coverage class follows its link to the cell "
           "(models/radio/nbiot_phy.hpp)";
  if (key == "radio.channels") return "NB-IoT sends on its cell's carrier, not on LoRa channels";
  if (key == "radio.duty_cycle") return "NB-IoT is licensed spectrum, without a duty cycle";
  if (key.rfind("radio.", 0) == 0 && key != "radio.tx_power")
    return "a LoRa modulation setting; NB-IoT's uplink is set by its coverage class "
           "(models/radio/nbiot_phy.hpp)";
  if (key == "firmware.rx1_delay")
    return "LoRaWAN class A's receive delay; an NB-IoT modem listens as its power model says "
           "(models/radio/nbiot_power.hpp), and run.window is bounded by LoRaWAN populations' alone";
  if (key == "firmware.rx_window")
    return "LoRaWAN class A's receive windows; an NB-IoT modem listens as its power model says "
           "(models/radio/nbiot_power.hpp)";
  if (key == "firmware.tx_current" || key == "firmware.rx_current")
    return "the LoRa radio's current; an NB-IoT modem draws its own (models/radio/nbiot_power.hpp)";
  return "";
}

// Whether a warning about `key` written at `mark` is new: a placement rule's gateways, or an S-Pole's
// populations, share the entry they were written in, which is said once (at the first).
bool first_time(std::set<std::tuple<std::string, int, int, std::string>>& said,
                const scenario::SourceMark& mark, const std::string& key) {
  return said.emplace(mark.file, mark.line, mark.column, key).second;
}

// Keys written for a population that its technology or traffic ignores, said (no silent no-op): LoRaWAN's
// radio and confirmation on NB-IoT, anything of a report on a Wi-Fi stream, jitter on Poisson traffic, a
// retransmission limit without confirmation, a battery's service life where no lifetime is projected, its
// pulse rating where no burst is drawn from it.
// Warnings, not errors: a campaign may sweep a population's technology or traffic with the other keys left as
// they are.
void check_ignored_keys(const scenario::Scenario& sc, std::vector<Diagnostic>& out) {
  std::set<std::tuple<std::string, int, int, std::string>> said;
  for (size_t index = 0; index < sc.devices.size(); ++index) {
    const DevicePopulation& pop = sc.devices[index];
    for (const scenario::WrittenKey& written : pop.written_keys) {
      // The radio and firmware maps as a whole on Wi-Fi are said at each of their keys.
      if ((written.key == "radio" || written.key == "firmware") && pop.technology == Technology::WiFi)
        continue;
      std::string why = ignored_for(pop.technology, written.key);
      if (why.empty() && written.key == "jitter" && pop.traffic == scenario::Traffic::Poisson)
        why = "jitter spreads periodic reports; Poisson traffic draws exponential intervals";
      if (why.empty() && written.key == "max_transmissions" && !pop.confirmation.confirmed)
        why = "only a confirmed uplink is sent again (confirmed: true); an unconfirmed one is sent once";
      // The service life caps a projected lifetime, and none is projected without a battery alone
      // (sim/record/kpi.cpp): mains draws nothing from it, a panel refills it by day. (A camera's whole
      // battery is said above.)
      if (why.empty() && written.key == "battery.service_life" && pop.technology != Technology::WiFi &&
          !scenario::on_battery_alone(pop))
        why = pop.mains_powered
                  ? "a mains-powered population projects no battery lifetime for it to cap"
                  : "a population with a solar panel projects no battery lifetime for it to cap "
                    "(its battery refills by day)";
      // The pulse rating is checked against what a device draws from its battery
      // (sim/city/pulse_current.hpp): a mains-powered one draws its bursts from the grid.
      if (why.empty() && written.key == "battery.max_pulse_current" && pop.technology != Technology::WiFi &&
          pop.mains_powered)
        why = "a mains-powered population draws its radio's bursts from the mains, not from its battery";
      if (!why.empty() && first_time(said, written.mark, written.key))
        out.push_back({written.mark, scenario::population_path(sc, index) + "." + written.key,
                       "ignored: " + why, Diagnostic::Severity::Warning});
    }
  }
}

// Keys written for a gateway that its technology ignores: a LoRa concentrator's demodulators and the
// downlink power of a LoRaWAN gateway on an NB-IoT cell or an access point; the frame buffer and forwarding
// delay of an access point, which carries video streams, not frames; an access point's antenna gain (the
// Wi-Fi link budget is fixed). Warnings, as for populations.
void check_gateway_keys(const scenario::Scenario& sc, std::vector<Diagnostic>& out) {
  std::set<std::tuple<std::string, int, int, std::string>> said;
  for (size_t g = 0; g < sc.gateways.size(); ++g) {
    const scenario::Gateway& gw = sc.gateways[g];
    if (gw.technology == Technology::LoRaWAN) continue;
    const std::string what = gw.technology == Technology::NbIot ? "an NB-IoT cell" : "a Wi-Fi access point";
    for (const scenario::WrittenKey& written : gw.written_keys) {
      std::string why;
      if (written.key == "demodulators")
        why = "demodulation paths are a LoRaWAN gateway's concentrator's (SX1301); " + what + " has none";
      else if (written.key == "tx_power")
        why = "the downlink power of a LoRaWAN gateway (ACKs, ADR); " + what + "'s is not modelled";
      else if (gw.technology == Technology::WiFi &&
               (written.key == "buffer" || written.key == "forward_delay"))
        why = "a Wi-Fi access point carries video streams, not frames: it holds and forwards none";
      else if (gw.technology == Technology::WiFi && written.key == "antenna_gain")
        why = "the Wi-Fi link budget is fixed (models/radio/wifi.hpp)";
      if (!why.empty() && first_time(said, written.mark, written.key))
        out.push_back({written.mark, scenario::gateway_path(sc, g) + "." + written.key, "ignored: " + why,
                       Diagnostic::Severity::Warning});
    }
  }
}

// A gateway's backup battery keeps it on through a power cut in its district
// (sim/drivers/gateway_timeline.cpp): where none can come (no drivers.power_outages cut there, no flood
// driven), it never carries it. Said once per written entry, when it does nothing for every gateway the entry
// stands for (a placement rule's stand in several districts), naming their districts.
void check_gateway_backup(const scenario::Scenario& sc, std::vector<Diagnostic>& out) {
  struct Entry {
    size_t first = 0;                              // the first gateway of the entry
    const scenario::WrittenKey* backup = nullptr;  // where its backup was written
    std::vector<std::string> districts;            // where its gateways stand, each once
    bool idle = true;
  };
  std::map<std::tuple<std::string, int, int>, Entry> entries;
  std::vector<std::tuple<std::string, int, int>> order;  // the entries in gateway order
  for (size_t g = 0; g < sc.gateways.size(); ++g) {
    const scenario::Gateway& gw = sc.gateways[g];
    for (const scenario::WrittenKey& written : gw.written_keys) {
      if (written.key != "backup") continue;
      const auto at = std::make_tuple(written.mark.file, written.mark.line, written.mark.column);
      const auto [it, added] = entries.try_emplace(at, Entry{g, &written, {}, true});
      if (added) order.push_back(at);
      const int d = scenario::district_of(sc.city, gw.x_m, gw.y_m);
      const std::string district = d < 0 ? "" : sc.city.districts[static_cast<size_t>(d)].name;
      it->second.idle = it->second.idle && !scenario::power_may_fail(sc, district);
      if (std::find(it->second.districts.begin(), it->second.districts.end(), district) ==
          it->second.districts.end())
        it->second.districts.push_back(district);
    }
  }
  for (const auto& at : order) {
    const Entry& entry = entries.at(at);
    if (!entry.idle) continue;
    out.push_back(
        {entry.backup->mark, scenario::gateway_path(sc, entry.first) + ".backup",
         "ignored: " + no_power_cut_text(entry.districts) + ": the backup never carries the gateway",
         Diagnostic::Severity::Warning});
  }
}

// A type that is a near miss of a catalogue type (water_metre): free text is allowed, with the generic
// defaults, so a misspelling would silently change the battery, interval, payload, radio and event rule.
// A misspelling only (closest_match without prefixes): 'parking' is free text, not 'parking_occupancy'.
void check_type(const scenario::Scenario& sc, std::vector<Diagnostic>& out) {
  std::set<std::tuple<std::string, int, int, std::string>> said;
  for (size_t index = 0; index < sc.devices.size(); ++index) {
    const DevicePopulation& pop = sc.devices[index];
    if (models::device::find_sensor_type(pop.type) != nullptr) continue;
    for (const scenario::WrittenKey& written : pop.written_keys) {
      if (written.key != "type" || !first_time(said, written.mark, written.key)) continue;
      if (const auto hint = scenario::closest_match(pop.type, models::device::sensor_type_names(), false))
        out.push_back({written.mark, scenario::population_path(sc, index) + ".type",
                       "type '" + scenario::excerpt(pop.type) + "' is not in the catalogue: did you mean '" +
                           *hint + "'? (a free-text type gets the generic defaults)",
                       Diagnostic::Severity::Warning});
    }
  }
}

}  // namespace

void check_written_keys(const scenario::Scenario& sc, std::vector<Diagnostic>& out) {
  check_ignored_keys(sc, out);
  check_gateway_keys(sc, out);
  check_gateway_backup(sc, out);
  check_type(sc, out);
}

}  // namespace citytwin::sim::city
