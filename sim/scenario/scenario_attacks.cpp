// The `attacks` section: jamming, compromised devices, denial of service on the platform (structs in
// sim/scenario/scenario.hpp). Read after devices and run.duration are known. Internal to the loader.
#include <algorithm>
#include <string>

#include "sim/scenario/scenario_reader.hpp"
#include "sim/scenario/scenario_sections.hpp"

namespace citytwin::sim::scenario {
namespace {

// start and end of an attack window; `end` is optional when end_optional (then -1).
void read_window(MapReader& map, double& start_s, double& end_s, bool end_optional) {
  set_if(start_s, map.quantity("start", Dimension::Time, Bound::non_negative(), Presence::Required));
  set_if(end_s, map.quantity("end", Dimension::Time, Bound::non_negative(),
                             end_optional ? Presence::Optional : Presence::Required));
  if (end_s >= 0.0 && end_s < start_s) map.log().error(map.location(), map.path(), "end is before start");
}

void read_jamming(DiagnosticLog& log, const YamlNode* node, const std::string& path,
                  std::vector<Jamming>& out) {
  if (node == nullptr || !expect_sequence(log, *node, path, "jammers")) return;
  for (std::size_t i = 0; i < node->items.size(); ++i) {
    const std::string item_path = index_path(path, i);
    MapReader map(log, &node->items[i], item_path, {"name", "position", "power", "start", "end", "channels"});
    Jamming jam;
    jam.mark = log.mark(node->items[i].location);
    jam.name = "jamming-" + std::to_string(i);
    set_if(jam.name, map.text("name"));
    if (const auto p = map.point("position", {}, Presence::Required)) {
      jam.x_m = (*p)[0];
      jam.y_m = (*p)[1];
    }
    set_if(jam.power_dbm, map.quantity("power", Dimension::PowerLevel, Bound::between(-30, 90, "dBm")));
    read_window(map, jam.start_s, jam.end_s, false);
    const YamlNode* channels = map.get("channels");
    if (channels != nullptr && expect_sequence(log, *channels, map.path("channels"), "channel frequencies")) {
      for (std::size_t k = 0; k < channels->items.size(); ++k)
        if (const auto hz = read_quantity(log, channels->items[k], index_path(map.path("channels"), k),
                                          Dimension::Frequency, Bound::positive()))
          jam.channels_hz.push_back(*hz);
    }
    out.push_back(jam);
  }
}

void read_compromised(DiagnosticLog& log, const YamlNode* node, const std::string& path,
                      const std::vector<DevicePopulation>& devices, std::vector<Compromised>& out) {
  if (node == nullptr || !expect_sequence(log, *node, path, "sets of compromised devices")) return;
  const bool ids_known = log.empty();
  int64_t device_count = 0;
  for (const DevicePopulation& p : devices) device_count += p.count;
  for (std::size_t i = 0; i < node->items.size(); ++i) {
    const std::string item_path = index_path(path, i);
    MapReader map(log, &node->items[i], item_path,
                  {"name", "population", "share", "devices", "start", "end", "rate_factor"});
    Compromised c;
    c.mark = log.mark(node->items[i].location);
    c.name = "compromised-" + std::to_string(i);
    set_if(c.name, map.text("name"));
    set_if(c.population, map.text("population"));
    set_if(c.share, map.number("share", Bound{0.0, 1.0, true, false, ""}));
    const YamlNode* ids = map.get("devices");
    if (ids != nullptr && expect_sequence(log, *ids, map.path("devices"), "device ids")) {
      for (std::size_t k = 0; k < ids->items.size(); ++k) {
        const auto id =
            read_integer(log, ids->items[k], index_path(map.path("devices"), k),
                         Bound::between(0, static_cast<double>(std::max<int64_t>(0, device_count - 1))));
        if (!id) continue;
        // Ids are population-major in scenario order (/devices). Checked only when nothing else is wrong
        // so far: a population whose count could not be read would shift every id after it.
        int64_t first = 0;
        for (const DevicePopulation& p : devices) {
          if (!ids_known) break;
          if (*id < first + p.count) {
            if (p.technology != Technology::LoRaWAN)
              log.error(ids->items[k].location, index_path(map.path("devices"), k),
                        "device " + std::to_string(*id) + " belongs to '" + p.name +
                            "', not a LoRaWAN population: only LoRaWAN devices can be compromised");
            break;
          }
          first += p.count;
        }
        c.devices.push_back(static_cast<uint64_t>(*id));
      }
    }
    const bool by_share = map.get("population") != nullptr || map.get("share") != nullptr;
    if (by_share == (ids != nullptr)) {
      log.error(map.location(), item_path, "give either population and share, or devices (a list of ids)");
    } else if (by_share) {
      if (map.get("population") == nullptr || map.get("share") == nullptr) {
        log.error(map.location(), item_path, "population and share go together");
      } else {
        const auto it = std::find_if(devices.begin(), devices.end(),
                                     [&](const DevicePopulation& p) { return p.name == c.population; });
        if (it == devices.end()) {
          log.error(map.get("population")->location, map.path("population"),
                    "no device population named '" + c.population + "'");
        } else if (it->technology != Technology::LoRaWAN) {
          log.error(map.get("population")->location, map.path("population"),
                    "only LoRaWAN populations can be compromised (their frames collide on the air)");
        }
      }
    }
    read_window(map, c.start_s, c.end_s, true);
    set_if(c.rate_factor, map.number("rate_factor", Bound::between(1.0, 1e6)));
    out.push_back(c);
  }
}

void read_platform_dos(DiagnosticLog& log, const YamlNode* node, const std::string& path,
                       std::vector<PlatformDos>& out) {
  if (node == nullptr || !expect_sequence(log, *node, path, "floods of bogus messages")) return;
  for (std::size_t i = 0; i < node->items.size(); ++i) {
    const std::string item_path = index_path(path, i);
    MapReader map(log, &node->items[i], item_path, {"name", "target", "rate", "start", "end"});
    PlatformDos dos;
    dos.mark = log.mark(node->items[i].location);
    dos.name = "platform_dos-" + std::to_string(i);
    set_if(dos.name, map.text("name"));
    set_if(dos.target, map.choice("target", {"broker", "network_server"}));
    set_if(dos.rate_per_s, map.number("rate", Bound::between(0.0, 1e7, "per second")));
    read_window(map, dos.start_s, dos.end_s, false);
    out.push_back(dos);
  }
}

}  // namespace

void read_attacks(DiagnosticLog& log, const YamlNode* node, Scenario& scenario) {
  MapReader map(log, node, "attacks", {"jamming", "compromised", "platform_dos", "detection"});
  MapReader detect(log, map.get("detection"), map.path("detection"), {"window", "factor", "block"});
  AnomalyDetection& rule = scenario.attacks.detection;
  set_if(rule.window_s, detect.quantity("window", Dimension::Time, Bound::positive()));
  set_if(rule.factor, detect.number("factor", Bound{1.0, 1e6, true, false, ""}));
  set_if(rule.block, detect.boolean("block"));
  read_jamming(log, map.get("jamming"), map.path("jamming"), scenario.attacks.jamming);
  read_compromised(log, map.get("compromised"), map.path("compromised"), scenario.devices,
                   scenario.attacks.compromised);
  read_platform_dos(log, map.get("platform_dos"), map.path("platform_dos"), scenario.attacks.platform_dos);
  // The rule counts the frames of compromised devices (sim/attacks/attack_set.cpp): without them it never
  // runs, so its settings would do nothing.
  if (const YamlNode* d = map.get("detection"); d != nullptr && scenario.attacks.compromised.empty())
    log.error(d->location, map.path("detection"),
              "the rate-anomaly rule watches compromised devices, and attacks.compromised lists none: "
              "give attacks.compromised, or leave detection out");
  std::vector<NamedAt> names;
  const auto add = [&](const std::string& section, std::size_t i, const std::string& name) {
    const YamlNode* list = map.get(section);
    names.push_back({name, list->items[i].location, index_path(map.path(section), i) + ".name"});
  };
  for (std::size_t i = 0; i < scenario.attacks.jamming.size(); ++i)
    add("jamming", i, scenario.attacks.jamming[i].name);
  for (std::size_t i = 0; i < scenario.attacks.compromised.size(); ++i)
    add("compromised", i, scenario.attacks.compromised[i].name);
  for (std::size_t i = 0; i < scenario.attacks.platform_dos.size(); ++i)
    add("platform_dos", i, scenario.attacks.platform_dos[i].name);
  report_duplicates(log, names, "attack");
}

}  // namespace citytwin::sim::scenario
