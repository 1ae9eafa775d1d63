// The devices section as the scenario states it (a population's placement, traffic, LoRa radio,
// confirmation, penetration, firmware and battery), in SI units. Part of Scenario
// (sim/scenario/scenario.hpp); every default lives here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/device/battery.hpp"
#include "models/device/event_rule.hpp"
#include "models/device/firmware.hpp"
#include "models/radio/lora_phy.hpp"
#include "models/radio/technology.hpp"
#include "sim/scenario/source_mark.hpp"

namespace citytwin::sim::scenario {

// LoRa radio settings of a device population.
struct LoraRadio {
  models::radio::LoraPhyParams phy;  // phy.low_data_rate_optimize is resolved from ldro at load time
  // Low-data-rate optimisation: Auto turns it on when a symbol lasts more than 16 ms (SF11/SF12 at
  // 125 kHz), as the LoRaWAN regional parameters require.
  enum class Ldro { Auto, On, Off } ldro = Ldro::Auto;
  double tx_power_dbm = 14.0;
  // Uplink channels (centre frequencies); a device picks one uniformly at random per uplink among
  // those its duty cycle leaves open. EU868 default channels: LoRaWAN Regional Parameters
  // RP002-1.0.3, section 2.5.2.
  std::vector<double> channels_hz = {868.1e6, 868.3e6, 868.5e6};
  bool channels_given = false;  // written in the scenario (else US915 takes sub-band 2's channels)
  // sf: auto -> at join, the smallest SF whose gateway sensitivity the best link clears by
  // join_margin_db (models/radio/adr.hpp spreading_factor_for_link).
  bool sf_auto = false;
  double join_margin_db = 5.0;
  bool adr = false;        // the network server runs ADR for these devices (models/radio/adr.hpp)
  bool duty_cycle = true;  // obey the region's sub-band duty-cycle limits (ETSI EN 300 220)
  // Where sf, tx_power and each channel were written (file, or --set), for the region's checks
  // (sim/city/resolve.cpp); none where the population's type or the defaults gave them.
  std::optional<SourceMark> sf_mark;
  std::optional<SourceMark> tx_power_mark;
  std::vector<SourceMark> channel_marks;  // per channels_hz entry, where channels_given
};

// Confirmed uplinks are acknowledged by a downlink in RX1 or RX2; without one the device transmits
// the report again, up to max_transmissions in all (LoRaWAN L2 1.0.4 section 4.3.1.1 / NbTrans).
struct Confirmation {
  bool confirmed = false;
  int max_transmissions = 8;
};

// Building penetration loss added to every link of a population (indoor or underground devices),
// Gaussian in dB; 0/0 means outdoor. Typical values: models/radio/shadowing.hpp (ITU-R P.2109).
struct Penetration {
  double mean_db = 0.0;
  double sigma_db = 0.0;
};

enum class Traffic { Periodic, Poisson };

// The radio access network a device or gateway belongs to. NB-IoT "gateways" are eNodeB cells.
using models::radio::Technology;

// Where a population's devices are placed: uniformly at random over the listed districts (weighted
// by area), or uniformly in a disc (centre and radius), which must lie in districts.
struct Placement {
  std::vector<std::string> districts;  // empty with disc_radius_m > 0 means "disc"
  double disc_x_m = 0.0;
  double disc_y_m = 0.0;
  double disc_radius_m = 0.0;
  SourceMark mark;
};

struct DevicePopulation {
  std::string name;
  // Free text. A type of the device catalogue (models/device/catalogue.hpp: river_level, water_meter,
  // parking_occupancy, ...) supplies its defaults for payload, interval, firmware, battery, power,
  // technology and confirmation; keys given in the scenario override them.
  std::string type = "generic";
  Technology technology = Technology::LoRaWAN;
  bool technology_in_scenario = false;  // written (not only the catalogue type's or the default)
  // Mains-powered devices draw from the grid: their battery does not drain (energy KPIs count 0).
  bool mains_powered = false;
  // Wi-Fi video streams (CCTV): a constant bitrate from the camera to the platform through the
  // strongest access point and its backhaul, instead of reports.
  double stream_bps = 0.0;
  int64_t count = 0;
  Placement placement;
  Traffic traffic = Traffic::Periodic;
  double interval_s = 900.0;  // mean time between reports
  double jitter = 0.1;        // periodic: each interval drawn uniformly in interval*(1 +- jitter)
  int payload_bytes = 10;     // application payload
  // LoRaWAN MAC overhead added to the payload on air: MHDR 1 + FHDR 7 + FPort 1 + MIC 4 = 13 B
  // (LoRaWAN L2 1.0.4, section 4).
  int mac_overhead_bytes = 13;
  // Event-driven reporting (models/device/event_rule.hpp) on the value of drivers.river_level: sample
  // every sample_interval_s, report every event->normal_interval_s (= interval_s) at or below the
  // threshold, every fast_interval_s above it, and at once on a crossing. Without the driver, the
  // population reports periodically.
  std::optional<models::device::EventRule> event;
  double sample_interval_s = 60.0;
  bool event_in_scenario = false;  // given by the scenario (not only a catalogue default)
  // The quantity the event rule samples (sim/scenario/quantities.hpp), in the device's district: the
  // catalogue type's, or `senses`; river_level when neither says.
  std::string senses = "river_level";
  bool senses_in_scenario = false;
  // Where the device is mounted: on the ground or below it (meters in pits, in-ground bay sensors),
  // where a flood deeper than drivers.flood.submerged_depth kills it, or on a pole or wall, above water.
  enum class Mounting : uint8_t { Pole, Ground } mounting = Mounting::Pole;
  LoraRadio radio;
  Confirmation confirmation;
  Penetration penetration;
  models::device::FirmwareProfile firmware;
  models::device::BatterySpec battery;
  models::device::SolarPanel solar;  // peak_power 0: no panel
  SourceMark mark;
  // Its keys as written, radio's, firmware's and battery's also as "radio.<key>", ... , in file order.
  std::vector<WrittenKey> written_keys;
  // The key path of the entry it was read from (devices[2], s_poles[0].devices[1], phases[1].add.devices[0]),
  // which placement rules, bundles and phases make differ from its index in devices; "" when built in code.
  std::string written_path;
};

// Whether a population runs on its battery alone (no mains, no solar panel, no video stream: a camera is
// mains powered), the devices whose battery lifetime is projected (sim/record/kpi.cpp) and so whose
// battery.service_life caps something (sim/city/key_warnings.cpp).
inline bool on_battery_alone(const DevicePopulation& pop) {
  return !pop.mains_powered && pop.stream_bps <= 0.0 && pop.solar.peak_power_w <= 0.0;
}

}  // namespace citytwin::sim::scenario
