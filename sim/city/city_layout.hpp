// The static city the fleet engine runs on: every device's population, district and position, every
// gateway's district, and for each device the gateways that can hear it (with the received power),
// in compressed-sparse-row form. Built once from the scenario (sim/city/build_city_layout.hpp); read-only
// during the run.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/device/battery.hpp"
#include "models/device/event_rule.hpp"
#include "models/device/firmware.hpp"
#include "models/radio/lorawan_region.hpp"
#include "sim/core/uninitialised.hpp"
#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::city {

// Per-population constants the fleet engine needs on every event.
struct PopulationProfile {
  std::array<double, 6> airtime_by_sf_s{};  // time on air of the population's frame at SF7..SF12
  // The largest SF the region allows this frame (US915: an uplink data rate, and within the 400 ms
  // dwell time); sf: auto picks no larger one.
  int max_sf = 12;
  double bandwidth_hz = 125e3;
  double tx_power_dbm = 14.0;
  std::vector<uint32_t> channels_hz;
  std::vector<double> channels_hz_f;  // the same, as the duty-cycle model takes them
  scenario::Traffic traffic = scenario::Traffic::Periodic;
  double interval_s = 900.0;
  double jitter = 0.0;
  double battery_mah = 0.0;
  bool confirmed = false;
  int max_transmissions = 1;
  bool duty_cycle = true;
  bool adr = false;
  scenario::Technology technology = scenario::Technology::LoRaWAN;
  int payload_bytes = 10;
  bool mains_powered = false;
  double self_discharge_per_year = 0.0;
  double self_discharge_rate_per_s = 0.0;  // models::device::self_discharge_rate_per_s of the above
  models::device::BatterySpec battery;
  models::device::SolarPanel solar;
  // Event-driven reporting on the quantity it senses (only when a driver produces it).
  std::optional<models::device::EventRule> event;
  std::string senses;           // the quantity (sim/scenario/quantities.hpp)
  bool ground_mounted = false;  // dies once a flood (computed or given) submerges it
  double sample_interval_s = 60.0;
  models::device::DutyCycleMachine machine{models::device::FirmwareProfile{}};
};

struct CityLayout {
  models::radio::Region region = models::radio::Region::EU868;
  std::vector<PopulationProfile> populations;

  // Devices, population-major in scenario order: device id = index.
  std::vector<uint16_t> device_population;
  std::vector<uint16_t> device_district;
  std::vector<double> device_x_m;
  std::vector<double> device_y_m;
  std::vector<uint8_t> device_sf;  // spreading factor at join (sf: auto picks it from the best link)

  // Gateways in scenario order.
  std::vector<int32_t> gateway_district;  // -1 when outside every district
  std::vector<scenario::Technology> gateway_technology;

  // Device d can be heard by link_gateway[k] with link gain link_gain_db[k] (antenna gain minus path,
  // shadowing and penetration losses; received power = transmit power + gain), for k in
  // [link_offset[d], link_offset[d+1]). Links are kept where the device's full power would reach the
  // sensitivity of the largest SF it can ever send with (SF12 with ADR; else its SF, fixed or chosen at
  // join), less 0.01 dB: whether a frame is heard depends on its SF and power, decided per frame.
  // A LoRa device with no link at its own SF keeps its links down to the SF12 floor (never heard by
  // its frames, nor counted as covered: sim/plan/coverage_reach.hpp device_heard).
  // NB-IoT devices link to NB-IoT cells within the maximum coupling loss (164 dB), LoRa devices to
  // LoRa gateways only.
  // With radio.receptions: strongest_only (links_strongest_k = K > 0) a device keeps only its K strongest
  // links (ties: the earlier), as sim/access/strongest_links.hpp chooses them: the others are never used.
  std::vector<uint64_t> link_offset;
  // Written in parallel by the set-up (sim/core/uninitialised.hpp); otherwise plain vectors.
  core::UninitialisedVector<uint32_t> link_gateway;
  core::UninitialisedVector<float> link_gain_db;
  uint32_t links_strongest_k = 0;  // 0: every link kept
  // Whether each device's links are in increasing gateway order (build_city_layout keeps them so): the radio
  // medium then gives each thread a contiguous range of gateways and reads of a frame's links only those in
  // its range (sim/access/radio_medium.hpp); a layout without the order is materialised on one thread.
  bool links_by_gateway = false;

  size_t device_count() const { return device_population.size(); }
  size_t gateway_count() const { return gateway_district.size(); }
};

// NB-IoT's maximum coupling loss, the Rel-13 design target (3GPP TR 45.820): beyond it, no coverage.
inline constexpr double kNbiotMaxCouplingLossDb = 164.0;

// Bytes of memory the run needs per device, before links (layout, fleet state, message log, the
// trace's device table, now written while the run is assembled): measured, 159 B at 1e6 devices since the
// duty cycle's sub-bands moved onto the fleet state's line (bench/measure_run_cost.sh, docs/RELIABILITY.md;
// 202 B with a 56-byte regulator a device, 181 B when the table was written before the assembly, 158 B
// before the fleet's state took a cache line a device), with a margin: the realistic 1 M hour peaks at
// 492 MiB against an estimate of 512 MiB. The links, the reports and ADR's histories are counted apart
// (sim/app/run_budget.hpp).
inline constexpr size_t kBytesPerDevice = 184;

}  // namespace citytwin::sim::city
