// The `devices` section: device populations, their placement, radio, firmware and battery.
#include <algorithm>
#include <cmath>

#include "models/device/catalogue.hpp"
#include "models/radio/lora_phy.hpp"
#include "sim/scenario/quantities.hpp"
#include "sim/scenario/scenario_reader.hpp"
#include "sim/scenario/scenario_sections.hpp"

namespace citytwin::sim::scenario {
namespace {

// LoRa's largest PHY payload (SX1276 datasheet rev. 7, section 4.1.1.6: payload length up to 255 B).
constexpr int kMaxPhyPayloadBytes = 255;

std::optional<int> read_byte_count(MapReader& map, std::string_view key) {
  const std::optional<double> bytes =
      map.quantity(key, Dimension::DataSize, Bound::between(0, kMaxPhyPayloadBytes, "B"));
  if (!bytes) return std::nullopt;
  if (*bytes != std::floor(*bytes)) {
    map.log().error(map.get(key)->location, map.path(key),
                    "expected a whole number of bytes, got " + map.get(key)->scalar);
    return std::nullopt;
  }
  return static_cast<int>(*bytes);
}

void read_district_list(DiagnosticLog& log, const YamlNode& node, const std::string& path,
                        const DistrictIndex& districts, Placement& placement) {
  if (!expect_sequence(log, node, path, "district names")) return;
  if (node.items.empty()) log.error(node.location, path, "expected at least one district");
  for (std::size_t i = 0; i < node.items.size(); ++i) {
    const YamlNode& item = node.items[i];
    const std::optional<std::string> name = read_text(log, item, index_path(path, i));
    if (!name) continue;
    if (std::find(placement.districts.begin(), placement.districts.end(), *name) !=
        placement.districts.end()) {
      log.error(item.location, path, "district '" + *name + "' listed twice");
      continue;
    }
    if (!districts.has(*name) && !districts.city.districts.empty()) {
      std::string message = "no district named '" + *name + "'";
      if (auto hint = closest_match(*name, districts.names())) {
        message += " (did you mean '" + *hint + "'?)";
      } else {
        std::string known;
        for (std::string_view known_name : districts.names())
          known += (known.empty() ? "" : ", ") + std::string(known_name);
        message += " (districts: " + known + ")";
      }
      log.error(item.location, path, message);
      continue;
    }
    placement.districts.push_back(*name);
  }
}

void read_placement(MapReader& population, const DistrictIndex& districts, Placement& placement) {
  DiagnosticLog& log = population.log();
  const YamlNode* list = population.get("districts");
  const YamlNode* disc = population.get("disc");
  if (list != nullptr && disc != nullptr) {
    log.error(disc->location, population.path("disc"), "give either 'districts' or 'disc', not both");
    return;
  }
  if (list == nullptr && disc == nullptr) {
    log.error(population.location(), population.path(),
              "missing placement: give 'districts: [names]' or 'disc: {centre: [x, y], radius: r}'");
    return;
  }
  if (list != nullptr) {
    placement.mark = log.mark(list->location);
    read_district_list(log, *list, population.path("districts"), districts, placement);
    return;
  }
  placement.mark = log.mark(disc->location);
  MapReader map(log, disc, population.path("disc"), {"centre", "radius"});
  const auto centre = map.point("centre", {}, Presence::Required);
  set_if(placement.disc_radius_m,
         map.quantity("radius", Dimension::Length, Bound::positive(), Presence::Required));
  if (!centre) return;
  placement.disc_x_m = (*centre)[0];
  placement.disc_y_m = (*centre)[1];
  if (districts.complete && !districts.covers(placement.disc_x_m, placement.disc_y_m)) {
    log.error(
        map.get("centre")->location, map.path("centre"),
        "disc centre " + format_point_m(placement.disc_x_m, placement.disc_y_m) + " lies in no district");
  }
}

void read_radio(DiagnosticLog& log, const YamlNode* node, const std::string& path, LoraRadio& radio) {
  MapReader map(log, node, path,
                {"sf", "bandwidth", "coding_rate", "preamble", "header", "crc", "ldro", "tx_power",
                 "channels", "join_margin", "adr", "duty_cycle"});
  models::radio::LoraPhyParams& phy = radio.phy;
  if (const YamlNode* sf = map.get("sf"); sf != nullptr && sf->is_scalar() && sf->scalar == "auto") {
    radio.sf_auto = true;
    phy.spreading_factor = 12;  // until the join assigns one
  } else {
    set_if(phy.spreading_factor, map.integer("sf", Bound::between(7, 12)));
  }
  if (const YamlNode* sf = map.get("sf")) radio.sf_mark = log.mark(sf->location);
  if (const YamlNode* power = map.get("tx_power")) radio.tx_power_mark = log.mark(power->location);
  set_if(radio.join_margin_db, map.quantity("join_margin", Dimension::Gain, Bound::non_negative()));
  set_if(radio.adr, map.boolean("adr"));
  set_if(radio.duty_cycle, map.boolean("duty_cycle"));
  if (const auto bandwidth = map.quantity("bandwidth", Dimension::Frequency)) {
    if (*bandwidth == 125e3 || *bandwidth == 250e3 || *bandwidth == 500e3) {
      phy.bandwidth_hz = *bandwidth;
    } else {
      log.error(map.get("bandwidth")->location, map.path("bandwidth"),
                "expected 125 kHz, 250 kHz or 500 kHz, got " + map.get("bandwidth")->scalar);
    }
  }
  if (const auto rate = map.choice("coding_rate", {"4/5", "4/6", "4/7", "4/8"})) {
    phy.coding_rate = (*rate)[2] - '4';  // 4/5 -> 1 .. 4/8 -> 4
  }
  set_if(phy.preamble_symbols, map.integer("preamble", Bound::between(6, 65535)));
  if (const auto header = map.choice("header", {"explicit", "implicit"}))
    phy.explicit_header = *header == "explicit";
  set_if(phy.crc, map.boolean("crc"));
  if (const auto ldro = map.choice("ldro", {"auto", "on", "off"})) {
    radio.ldro = *ldro == "auto" ? LoraRadio::Ldro::Auto
                 : *ldro == "on" ? LoraRadio::Ldro::On
                                 : LoraRadio::Ldro::Off;
  }
  set_if(radio.tx_power_dbm, map.quantity("tx_power", Dimension::PowerLevel, Bound::between(-10, 30, "dBm")));
  if (const YamlNode* channels = map.get("channels")) {
    const std::string channels_path = map.path("channels");
    if (expect_sequence(log, *channels, channels_path, "frequencies")) {
      if (channels->items.empty())
        log.error(channels->location, channels_path, "expected at least one channel");
      std::vector<double> frequencies;
      std::vector<SourceMark> marks;
      for (std::size_t i = 0; i < channels->items.size(); ++i) {
        const auto hz = read_quantity(log, channels->items[i], index_path(channels_path, i),
                                      Dimension::Frequency, Bound::positive());
        if (hz) frequencies.push_back(*hz);
        marks.push_back(log.mark(channels->items[i].location));
      }
      if (!frequencies.empty() && frequencies.size() == channels->items.size()) {
        radio.channels_hz = frequencies;
        radio.channel_marks = std::move(marks);
      }
      radio.channels_given = true;
    }
  }
  switch (radio.ldro) {
    case LoraRadio::Ldro::Auto:
      phy.low_data_rate_optimize =
          models::radio::low_data_rate_optimize_required(phy.spreading_factor, phy.bandwidth_hz);
      break;
    case LoraRadio::Ldro::On:
      phy.low_data_rate_optimize = true;
      break;
    case LoraRadio::Ldro::Off:
      phy.low_data_rate_optimize = false;
      break;
  }
}

// A firmware state written as {duration: 5 ms, current: 2 mA}.
void read_state(MapReader& firmware, std::string_view key, double& duration_s, double& current_ma) {
  MapReader state(firmware.log(), firmware.get(key), firmware.path(key), {"duration", "current"});
  set_if(duration_s, state.quantity("duration", Dimension::Time, Bound::non_negative()));
  set_if(current_ma, state.quantity("current", Dimension::Current, Bound::non_negative()));
}

void read_firmware(DiagnosticLog& log, const YamlNode* node, const std::string& path,
                   models::device::FirmwareProfile& firmware) {
  MapReader map(
      log, node, path,
      {"sleep_current", "wake", "sense", "process", "tx_current", "rx1_delay", "rx_window", "rx_current"});
  const Bound current = Bound::non_negative();
  set_if(firmware.sleep_current_ma, map.quantity("sleep_current", Dimension::Current, current));
  read_state(map, "wake", firmware.wake_duration_s, firmware.wake_current_ma);
  read_state(map, "sense", firmware.sense_duration_s, firmware.sense_current_ma);
  read_state(map, "process", firmware.process_duration_s, firmware.process_current_ma);
  set_if(firmware.tx_current_ma, map.quantity("tx_current", Dimension::Current, current));
  set_if(firmware.rx1_delay_s, map.quantity("rx1_delay", Dimension::Time, Bound::positive()));
  set_if(firmware.rx_window_duration_s, map.quantity("rx_window", Dimension::Time, Bound::non_negative()));
  set_if(firmware.rx_current_ma, map.quantity("rx_current", Dimension::Current, current));
}

void read_confirmation(MapReader& population, Confirmation& confirmation) {
  set_if(confirmation.confirmed, population.boolean("confirmed"));
  set_if(confirmation.max_transmissions, population.integer("max_transmissions", Bound::between(1, 15)));
}

void read_penetration(DiagnosticLog& log, const YamlNode* node, const std::string& path, Penetration& loss) {
  MapReader map(log, node, path, {"mean", "sigma"});
  set_if(loss.mean_db, map.quantity("mean", Dimension::Gain, Bound::non_negative()));
  set_if(loss.sigma_db, map.quantity("sigma", Dimension::Gain, Bound::non_negative()));
}

void read_solar(DiagnosticLog& log, const YamlNode* node, const std::string& path,
                DevicePopulation& population) {
  if (node == nullptr) return;
  MapReader map(log, node, path, {"peak_power_w", "efficiency", "sunrise", "day_length"});
  models::device::SolarPanel& panel = population.solar;
  if (const auto watts = map.number("peak_power_w", Bound::non_negative())) panel.peak_power_w = *watts;
  set_if(panel.system_efficiency, map.number("efficiency", Bound{0.0, 1.0, false, false, ""}));
  set_if(panel.sunrise_s, map.quantity("sunrise", Dimension::Time, Bound::between(0, 86400, "s")));
  set_if(panel.day_length_s, map.quantity("day_length", Dimension::Time, Bound::between(0, 86400, "s")));
  if (panel.sunrise_s + panel.day_length_s > 86400.0)
    log.error(map.location(), path, "sunrise + day_length must be within the day (24 h)");
  population.battery.rechargeable = true;  // a panel charges a rechargeable cell
}

void read_battery(DiagnosticLog& log, const YamlNode* node, const std::string& path,
                  models::device::BatterySpec& battery) {
  MapReader map(log, node, path,
                {"capacity", "voltage", "self_discharge", "service_life", "max_pulse_current"});
  set_if(battery.capacity_mah, map.quantity("capacity", Dimension::Charge, Bound::positive()));
  set_if(battery.voltage_v, map.quantity("voltage", Dimension::Voltage, Bound::positive()));
  // Per year: "1 %" (Li-SOCl2) .. "30 %" (Li-ion, 2.5 % a month).
  set_if(battery.self_discharge_per_year,
         map.quantity("self_discharge", Dimension::Percent, Bound{0.0, 1.0, true, false, ""}));
  // The rated life that caps the projected lifetime ("20 yr"); at most a duration's limit, 100 years.
  set_if(battery.service_life_s, map.quantity("service_life", Dimension::Time, Bound::positive()));
  // The largest pulse the cell is rated for ("150 mA", a bobbin AA Li-SOCl2): a flag against the radio's
  // peak draw (sim/city/pulse_current.hpp), at most a current's physical limit.
  set_if(battery.max_pulse_current_ma,
         map.quantity("max_pulse_current", Dimension::Current, Bound::positive()));
}

// Jitter is a fraction (0.1) or a percentage (10 %), 0 <= jitter < 1.
void read_jitter(MapReader& population, double& jitter) {
  const YamlNode* node = population.get("jitter");
  if (node == nullptr) return;
  DiagnosticLog& log = population.log();
  const std::string path = population.path("jitter");
  const bool percent = node->is_scalar() && node->scalar.find('%') != std::string::npos;
  const Bound bound{0.0, 1.0, false, true, ""};
  if (node->is_scalar() && !percent && !parse_number(node->scalar)) {
    log.error(node->location, path,
              "expected a fraction (0.1) or a percentage (10 %), got '" + node->scalar + "'");
    return;
  }
  const std::optional<double> value =
      percent ? read_quantity(log, *node, path, Dimension::Percent) : read_number(log, *node, path);
  if (!value) return;
  if (!bound.contains(*value)) {
    log.error(node->location, path, "expected >= 0 and < 1 (or 0 % to < 100 %), got " + node->scalar);
    return;
  }
  jitter = *value;
}

// A catalogue type's defaults, before the population's own keys are read.
void apply_catalogue_defaults(DevicePopulation& population) {
  const models::device::SensorType* type = models::device::find_sensor_type(population.type);
  if (type == nullptr) return;
  if (type->streams()) {  // a camera: a Wi-Fi video stream, mains powered
    population.technology = Technology::WiFi;
    population.stream_bps = type->stream_bitrate_bps;
    population.mains_powered = true;
    return;
  }
  population.payload_bytes = type->payload_bytes;
  population.interval_s = type->interval_s;
  population.firmware = models::device::firmware_profile(*type);
  population.battery = type->battery;
  population.solar = type->solar;
  population.mains_powered = type->power == models::device::PowerSource::Mains ||
                             type->power == models::device::PowerSource::MainsWithBackup;
  population.technology = type->radio;
  population.confirmation.confirmed = type->confirmed_uplinks;
  // A type with a rule reports on the quantity it senses (periodically when no driver produces it).
  if (!type->senses.empty()) population.senses = std::string(type->senses);
  population.mounting =
      type->ground_mounted ? DevicePopulation::Mounting::Ground : DevicePopulation::Mounting::Pole;
  if (type->event_rule && !type->senses.empty()) {
    population.event = type->event_rule;
    population.sample_interval_s = type->sample_interval_s;
  }
}

void read_event(MapReader& population, DevicePopulation& out) {
  const YamlNode* node = population.get("event");
  if (node == nullptr) return;
  // "none": periodic reports every interval, the type's rule (a rain gauge's, a parking sensor's) set aside.
  if (node->is_scalar() && node->scalar == "none") {
    out.event.reset();
    return;
  }
  if (!node->is_map()) {
    population.log().error(
        node->location, population.path("event"),
        "expected an event rule (a map: {threshold: ...}), or 'none' for periodic reports, got " +
            node->describe());
    return;
  }
  MapReader map(
      population.log(), node, population.path("event"),
      {"threshold", "fast_interval", "sample_interval", "hysteresis", "consecutive", "report_on_crossing"});
  models::device::EventRule rule = out.event.value_or(models::device::EventRule{});
  // Thresholds and hysteresis in the unit of the quantity sensed (a length for the river level).
  const QuantityKind* kind = find_quantity(out.senses);
  const auto value = [&](std::string_view key, Presence presence) -> std::optional<double> {
    const YamlNode* v = map.find(key, presence);
    if (v == nullptr || kind == nullptr) return std::nullopt;
    if (!v->is_scalar()) {
      map.log().error(v->location, map.path(key),
                      "expected " + std::string(kind->name) + ", got " + v->describe());
      return std::nullopt;
    }
    std::string error;
    const auto parsed = parse_threshold(*kind, v->scalar, &error);
    if (!parsed) map.log().error(v->location, map.path(key), error);
    return parsed;
  };
  set_if(rule.threshold, value("threshold", out.event ? Presence::Optional : Presence::Required));
  set_if(rule.fast_interval_s, map.quantity("fast_interval", Dimension::Time, Bound::positive()));
  set_if(out.sample_interval_s, map.quantity("sample_interval", Dimension::Time, Bound::positive()));
  if (const auto h = value("hysteresis", Presence::Optional)) {
    if (*h < 0.0)
      map.log().error(map.get("hysteresis")->location, map.path("hysteresis"), "expected >= 0");
    else
      rule.hysteresis = *h;
  }
  set_if(rule.consecutive, map.integer("consecutive", Bound::between(1, 1000)));
  set_if(rule.report_on_crossing, map.boolean("report_on_crossing"));
  out.event = rule;
  out.event_in_scenario = true;
}

DevicePopulation read_population(DiagnosticLog& log, const YamlNode& node, const std::string& path,
                                 const DistrictIndex& districts) {
  DevicePopulation population;
  population.mark = log.mark(node.location);
  population.placement.mark = population.mark;  // until the placement keys are found
  if (node.kind == YamlNode::Kind::Null) {
    log.error(node.location, path, "expected a device population (a map), got nothing");
    return population;
  }
  MapReader map(log, &node, path,
                {"name",
                 "type",
                 "technology",
                 "stream",
                 "power",
                 "event",
                 "senses",
                 "mounting",
                 "count",
                 "districts",
                 "disc",
                 "traffic",
                 "interval",
                 "jitter",
                 "payload",
                 "mac_overhead",
                 "radio",
                 "confirmed",
                 "max_transmissions",
                 "building_penetration",
                 "firmware",
                 "battery",
                 "solar"});
  if (!map.is_map()) return population;
  for (const YamlEntry& entry : node.entries) {
    population.written_keys.push_back({entry.key, log.mark(entry.value.location)});
    if ((entry.key == "radio" || entry.key == "firmware" || entry.key == "battery") && entry.value.is_map())
      for (const YamlEntry& sub : entry.value.entries)
        population.written_keys.push_back({entry.key + "." + sub.key, log.mark(sub.value.location)});
  }
  set_if(population.name, map.text("name", Presence::Required));
  set_if(population.type, map.text("type"));
  apply_catalogue_defaults(population);
  if (const auto power = map.choice("power", {"battery", "mains"}))
    population.mains_powered = *power == "mains";
  if (const auto technology = map.technology("technology")) {
    population.technology = *technology;
    population.technology_in_scenario = true;
  }
  set_if(population.stream_bps, map.quantity("stream", Dimension::Bitrate, Bound::link_rate()));
  if (population.technology == Technology::WiFi && population.stream_bps <= 0.0)
    map.log().error(map.location(), map.path("stream"),
                    "a Wi-Fi population is a video stream: give its bitrate, e.g. 'stream: 4 Mbps'");
  if (population.technology != Technology::WiFi && map.get("stream") != nullptr)
    map.log().error(map.get("stream")->location, map.path("stream"),
                    "only Wi-Fi populations stream (technology: wifi)");
  // A camera is mains powered, as the catalogue's: the battery model is a sensor's (milliamps asleep, a
  // radio's bursts), not a video stream's watts, which nothing would draw (a battery camera read as 66
  // years).
  if (population.stream_bps > 0.0) {
    const YamlNode* power = map.get("power");
    if (power != nullptr && power->is_scalar() && power->scalar == "battery")
      map.log().error(power->location, map.path("power"),
                      "a camera (stream) on battery is not modelled: its video's draw would drain nothing "
                      "(leave power out: a stream is mains powered)");
    population.mains_powered = true;
  }
  set_if(population.count,
         map.integer("count", Bound::between(0, static_cast<double>(kMaxDevices)), Presence::Required));
  read_placement(map, districts, population.placement);
  if (const auto traffic = map.choice("traffic", {"periodic", "poisson"})) {
    population.traffic = *traffic == "poisson" ? Traffic::Poisson : Traffic::Periodic;
  }
  set_if(population.interval_s, map.quantity("interval", Dimension::Time, Bound::positive()));
  if (const auto senses = map.choice("senses", quantity_names())) {
    population.senses = *senses;
    population.senses_in_scenario = true;
  }
  if (const auto mounting = map.choice("mounting", {"pole", "ground"}))
    population.mounting =
        *mounting == "ground" ? DevicePopulation::Mounting::Ground : DevicePopulation::Mounting::Pole;
  read_event(map, population);
  if (population.event) population.event->normal_interval_s = population.interval_s;
  read_jitter(map, population.jitter);
  const std::optional<int> payload = read_byte_count(map, "payload");
  const std::optional<int> overhead = read_byte_count(map, "mac_overhead");
  set_if(population.payload_bytes, payload);
  set_if(population.mac_overhead_bytes, overhead);
  if ((payload || overhead) &&
      population.payload_bytes + population.mac_overhead_bytes > kMaxPhyPayloadBytes) {
    const std::string_view key = payload ? "payload" : "mac_overhead";
    log.error(map.get(key)->location, map.path(key),
              "payload " + std::to_string(population.payload_bytes) + " B + MAC overhead " +
                  std::to_string(population.mac_overhead_bytes) + " B exceeds the LoRa maximum of " +
                  std::to_string(kMaxPhyPayloadBytes) + " B");
  }
  // An NB-IoT module transmits at 23 dBm (UE power class 3, 3GPP TS 36.101 table 6.2.2F-1) unless told.
  if (population.technology == Technology::NbIot) population.radio.tx_power_dbm = 23.0;
  if (population.technology == Technology::NbIot && population.confirmation.confirmed) {
    // NB-IoT delivery is acknowledged by its own HARQ/RLC: LoRaWAN confirmation does not apply.
    population.confirmation.confirmed = false;
  }
  read_radio(log, map.get("radio"), map.path("radio"), population.radio);
  read_confirmation(map, population.confirmation);
  read_penetration(log, map.get("building_penetration"), map.path("building_penetration"),
                   population.penetration);
  read_firmware(log, map.get("firmware"), map.path("firmware"), population.firmware);
  read_battery(log, map.get("battery"), map.path("battery"), population.battery);
  read_solar(log, map.get("solar"), map.path("solar"), population);
  return population;
}

}  // namespace

void read_devices(DiagnosticLog& log, const YamlNode* node, const DistrictIndex& districts,
                  std::vector<DevicePopulation>& devices) {
  if (node == nullptr || !expect_sequence(log, *node, "devices", "device populations")) return;
  if (node->items.empty()) log.error(node->location, "devices", "expected at least one device population");
  std::vector<NamedAt> names;
  uint64_t total = 0;
  for (std::size_t i = 0; i < node->items.size(); ++i) {
    const std::string path = index_path("devices", i);
    devices.push_back(read_population(log, node->items[i], path, districts));
    const YamlNode* name = node->items[i].find("name");
    if (name != nullptr && name->is_scalar()) names.push_back({name->scalar, name->location, path + ".name"});
    total += static_cast<uint64_t>(std::max<int64_t>(0, devices.back().count));  // each <= kMaxDevices
    if (total > kMaxDevices) {
      log.error(node->items[i].location, path + ".count",
                "the populations add up to more than " + std::to_string(kMaxDevices) +
                    " devices (device ids are 32-bit)");
      total = 0;  // reported once per excess
    }
  }
  report_duplicates(log, names, "population");
}

}  // namespace citytwin::sim::scenario
