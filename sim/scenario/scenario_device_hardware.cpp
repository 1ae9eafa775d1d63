// A device population's hardware, each a map of its own under devices[]: radio (the LoRa PHY, its
// transmit power and channels, ADR, the duty cycle), firmware (the current and duration of each state a
// report passes through), battery and solar (a panel that charges it). Internal to the loader; called by
// read_devices (sim/scenario/scenario_devices.cpp).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/radio/lora_phy.hpp"
#include "sim/scenario/scenario_reader.hpp"
#include "sim/scenario/scenario_sections.hpp"

namespace citytwin::sim::scenario {
namespace {

// A firmware state written as {duration: 5 ms, current: 2 mA}.
void read_state(MapReader& firmware, std::string_view key, double& duration_s, double& current_ma) {
  MapReader state(firmware.log(), firmware.get(key), firmware.path(key), {"duration", "current"});
  set_if(duration_s, state.quantity("duration", Dimension::Time, Bound::non_negative()));
  set_if(current_ma, state.quantity("current", Dimension::Current, Bound::non_negative()));
}

}  // namespace

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

}  // namespace citytwin::sim::scenario
