// A catalogue of the sensor types a city deploys (ITU-D Q1/2 final report, data collection layer: the
// sensor types it names), with realistic defaults, looked up by snake_case name. Each entry cites
// its sources in catalogue.cpp; values marked "assumption" are engineering estimates.
//
// Energy model of a type (what average_current_ma computes):
//   I = quiescent + (n_samples x sample charge + radio charge) / interval,  n_samples = interval /
//   sample_interval
// sample charge = sense + processing (MCU active); radio charge = transmit + receive of one report. Activity
// currents are added on top of the quiescent current (conservative by the quiescent current times the
// activity time, microamps x seconds). With an event rule this is the quiet state (below the threshold).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "models/device/battery.hpp"
#include "models/device/event_rule.hpp"
#include "models/device/firmware.hpp"
#include "models/radio/technology.hpp"

namespace citytwin::models::device {

enum class PowerSource : uint8_t { Battery = 0, Mains, MainsWithBackup, SolarBattery };
enum class Mobility : uint8_t { Static = 0, Mobile };

// "battery", "mains", "mains_with_backup", "solar_battery"; "static", "mobile".
const char* to_string(PowerSource power);
const char* to_string(Mobility mobility);

struct SensorType {
  std::string_view name;  // snake_case key
  std::string_view description;
  int payload_bytes = 0;           // application payload of one report (MAC headers not included)
  double interval_s = 0.0;         // default reporting interval (the normal interval of an event rule)
  double sample_interval_s = 0.0;  // how often the value is sensed; equal to interval_s without a rule
  double sense_duration_s = 0.0;   // one sample: sensor powered and read
  double sense_current_ma = 0.0;
  double process_duration_s = 0.0;  // one sample: MCU active (filtering, packing)
  double process_current_ma = 0.0;
  double quiescent_current_ma = 0.0;  // always: MCU stop or run, radio idle, always-on front ends
  radio::Technology radio = radio::Technology::LoRaWAN;
  PowerSource power = PowerSource::Battery;
  BatterySpec battery{.capacity_mah = 0.0};  // capacity 0: no battery
  SolarPanel solar{};                        // peak_power_w 0: no panel
  Mobility mobility = Mobility::Static;
  bool confirmed_uplinks = false;
  std::optional<EventRule> event_rule{};
  double stream_bitrate_bps = 0.0;  // continuous video stream; 0 = a reporting sensor
  // What it senses: a quantity a driver may produce (sim/scenario/quantities.hpp), which its event
  // rule samples; "" when no driver models it.
  std::string_view senses{};
  // In or on the ground (meter pits, in-ground bay sensors, buried probes): drowned by a flood;
  // otherwise on a pole or wall, above water.
  bool ground_mounted = false;

  bool has_battery() const { return battery.capacity_mah > 0.0; }
  bool streams() const { return stream_bitrate_bps > 0.0; }
};

// All types, in a stable order.
std::span<const SensorType> sensor_types();
// The type of that exact name, or nullptr.
const SensorType* find_sensor_type(std::string_view name);
// The names, for "did you mean" hints (sim::closest_match takes this list) and for "expected one of".
std::vector<std::string_view> sensor_type_names();
std::string sensor_type_names_text();  // "river_level, rain_gauge, ..."

// Energy of one report of the radios other than LoRaWAN (LoRaWAN: the duty-cycle machine and the
// frame's airtime), on top of the quiescent current.
struct RadioReportCost {
  double tx_duration_s = 0.0;
  double tx_current_ma = 0.0;
  double connected_duration_s = 0.0;  // receiving / waiting for the network before going idle again
  double connected_current_ma = 0.0;
  constexpr double charge_mas() const {
    return tx_duration_s * tx_current_ma + connected_duration_s * connected_current_ma;
  }
};
// NB-IoT at 23 dBm: TX 167 mA, RX 54 mA, idle DRX 1.28 s 0.4 mA, PSM 3 uA (China Mobile M5311
// module, as listed by the M5Stack "Module NB-IoT" product page; Quectel BC95-G is of the same class).
// 0.5 s of transmission (random access, data and a few repetitions) and 20 s connected until the RRC
// inactivity timer releases the link, receiving all along (no connected-mode DRX): assumptions, the same
// as models/radio/nbiot_power.hpp. Michelinakis et al., "Dissecting energy consumption of NB-IoT devices
// empirically", IEEE IoT Journal 8(2), 2021, find this connected state the main energy term of a report;
// with connected-mode DRX it costs several times less, so this errs on the safe side for battery sizing.
inline constexpr RadioReportCost kNbiotReportCost{0.5, 167.0, 20.0, 54.0};
// Wi-Fi (ESP32 datasheet v3, RF power table: TX 802.11g 54 Mbit/s at 16 dBm 190 mA, RX ~100 mA):
// 0.1 s of transmission and 1.5 s associated (association, DHCP lease reuse, one TCP exchange): assumption.
inline constexpr RadioReportCost kWifiReportCost{0.1, 190.0, 1.5, 100.0};

// MAC overhead of a LoRaWAN uplink: MHDR 1 + FHDR 7 + FPort 1 + MIC 4 = 13 B (LoRaWAN L2 1.0.4, section 4).
inline constexpr int kLorawanMacOverheadBytes = 13;

// The type's firmware profile for the existing duty-cycle machine: sleep current = quiescent, and the
// processing folded into the Sense state (duration = sense + processing, current = charge-weighted mean)
// until the firmware has a Process state of its own. Radio fields keep the SX1276 defaults.
FirmwareProfile firmware_profile(const SensorType& type);

// Airtime of one report at a spreading factor, 125 kHz, CR 4/5, explicit header, CRC, LDRO as required.
double lorawan_airtime_s(const SensorType& type, int spreading_factor);

// A LoRaWAN type's transmit power: the scenario's default radio.tx_power (docs/SCENARIO.md), 14 dBm.
inline constexpr double kLorawanTxPowerDbm = 14.0;

// Radio charge of one report on top of the quiescent current, mA s: LoRaWAN (EU868, at spreading_factor,
// 125 kHz and kLorawanTxPowerDbm) transmit + the two class A receive windows of the duty-cycle machine;
// NB-IoT and Wi-Fi the constants above (the spreading factor is then ignored).
double radio_report_charge_mas(const SensorType& type, int spreading_factor);

// Mean current (see the energy model at the top), mA; the quiescent current alone for a streaming camera.
double average_current_ma(const SensorType& type, int spreading_factor);

// Years on a full battery at SF9 (LoRaWAN) or with the radio constants, capped by the cell's rated service
// life (project_lifetime: no catalogue type's charge outlasts it today); infinite for mains power
// (a backup battery only matters when the mains is cut: see backup_hours). For solar types this is the
// autonomy without any sun; whether the panel covers a day is a matter of solar_charge_mah.
double projected_lifetime_years(const SensorType& type, int spreading_factor = 9);

// Hours a mains-with-backup device lives on its battery once the mains is cut.
double backup_hours(const SensorType& type, int spreading_factor = 9);

// The NB-IoT universal terminal (ITU-D Q1/2: MCU + NB-IoT module + RS485/UART/I2C/GPIO + power module,
// mains powered with a battery that keeps it alive three days or more).
inline constexpr double kBackupRequiredHours = 72.0;
// Size the backup for a cell at end of life: 80 % of rated capacity (the usual end-of-life criterion,
// Battery University BU-808).
inline constexpr double kBackupUsableFraction = 0.8;
// Capacity that covers hours at a mean current with only usable_fraction of it available, rounded up
// to the next 100 mAh.
constexpr double backup_capacity_mah(double average_current_ma, double hours, double usable_fraction) {
  const double needed = average_current_ma * hours / usable_fraction;
  const double hundreds = static_cast<double>(static_cast<long long>(needed / 100.0));
  return (hundreds * 100.0 < needed ? hundreds + 1.0 : hundreds) * 100.0;
}

}  // namespace citytwin::models::device
