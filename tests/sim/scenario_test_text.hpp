// Scenario texts and helpers shared by the scenario loader tests.
#pragma once

#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "sim/scenario/scenario_loader.hpp"
#include "tests/sim/rooms.hpp"

namespace citytwin::sim::scenario_test {

// Every key of the format, with values that differ from the defaults where they can.
inline const std::string kFullScenario = R"(# Riverside: every key of the scenario format.
city:
  name: Riverside
  districts:
    - name: old_town
      origin: [0 m, 0 m]
      size: [2 km, 1.5 km]
    - name: docks
      origin: [2 km, 0 m]
      size: [1 km, 1.5 km]
devices:
  - name: river_level
    type: river_level
    count: 60
    districts: [old_town, docks]
    traffic: periodic
    interval: 10 min
    jitter: 0.2
    payload: 12 B
    mac_overhead: 14 B
    radio:
      sf: 12
      bandwidth: 125 kHz
      coding_rate: 4/6
      preamble: 10
      header: implicit
      crc: false
      ldro: auto
      tx_power: 20 dBm
      channels: [903.9 MHz, 904.1 MHz]
      join_margin: 3 dB
      adr: true
      duty_cycle: false
    confirmed: true
    max_transmissions: 4
    building_penetration: {mean: 15 dB, sigma: 5 dB}
    firmware:
      sleep_current: 2.5 uA
      wake: {duration: 6 ms, current: 3 mA}
      sense: {duration: 200 ms, current: 4 mA}
      process: {duration: 15 ms, current: 2.5 mA}
      tx_current: 40 mA
      rx1_delay: 2 s
      rx_window: 25 ms
      rx_current: 11 mA
    battery: {capacity: 3.6 Ah,
      voltage: 3000 mV,
      self_discharge: 2 %,
      service_life: 15 yr, max_pulse_current: 0.4 A}
  - name: parking
    count: 200
    technology: nbiot
    power: mains
    event: {threshold: 2 m, fast_interval: 30 s, sample_interval: 10 s, hysteresis: 10 cm, consecutive: 2, report_on_crossing: false}
    solar: {peak_power_w: 1.5, efficiency: 0.6, sunrise: 5 h, day_length: 14 h}
    disc: {centre: [1 km, 1 km], radius: 500 m}
    traffic: poisson
    interval: 15min
    jitter: 25 %
    payload: 4 B
    radio: {sf: 7}
  - {name: cams, technology: wifi, stream: 6 Mbps, count: 2, districts: [old_town], senses: rainfall, event: none, mounting: ground}
gateways:
  - name: gw-town-hall
    position: [1 km, 0.75 km]
    antenna_gain: 3 dBi
    forward_delay: 4 ms
    demodulators: 16
    tx_power: 27 dBm
    backhaul: {kind: pon, pon: pon-1, drop_length: 300 m, bandwidth: 1 Gbps, monthly_cost: 12}
  - name: gw-docks
    position: [2.5 km, 1 km]
    technology: nbiot
    backup: 3 h
    buffer: 500
    backhaul: {kind: wifi_mesh, fibre_length: 800 m, latency: 2 ms, hops: 3}
  - {name: listed, place: {layout: csv, csv: )" CITYTWIN_SOURCE_DIR R"(/tests/sim/data/gateway_points.csv}}
  - {name: gridded, place: {layout: hex, spacing: 2 km, districts: [old_town]}}
  - {name: counted, place: {layout: random, count: 1, districts: [old_town]}}
radio:
  region: US915
  path_loss: {reference_distance: 2 m, reference_loss: 8 dB, exponent: 3.5}
  shadowing: {sigma: 7.8 dB, correlation_distance: 50 m}
  noise_figure: 5 dB
  location_probability: 95 %
  inter_sf: croce
  interference: cumulative
  receptions: strongest
  strongest_k: 4
  capture: {enabled: false, threshold: 4 dB}
  gateway_sensitivity: [-131 dBm, -132.5 dBm, -135 dBm, -137.5 dBm, -140 dBm, -141 dBm]
platform:
  command_centre: {link_length: 6 km, link_bandwidth: 20 Gbps}
  alerts: [{name: flood, type: river_level, above: 4 m, consecutive: 3}, {name: jam, type: traffic_counter, below: 20 km/h}]
  server_speed: 20 Gf
  server_cores: 2
  broker_capacity: 5000
  broker_cost: 20 kf
  analytics_cost: 80 kf
  storage_write: 400 Mbps
  storage_record: 120 B
  ns_cost: 300 kf
  ns_capacity: 5000
  ns_downlink_delay: 150 ms
  forward_message: 300 B
run:
  duration: 12 h
  seed: 42
  window: 500 ms
  forward_batch: 5 s
  timeseries_interval: 1 min
  phase: ""
  trace: sample
  trace_every: 7
  trace_compression: 4
wifi:
  airtime_sharing: proportional
nbiot:
  max_preamble_attempts: 4
  backoff_occasions: 2
  npusch:
    ce0: {allocation: 12_tones, i_tbs: 12, repetitions: 2}
    ce1: {allocation: single_tone_15khz, i_tbs: 5, repetitions: 16}
    ce2: {allocation: single_tone_3.75khz, i_tbs: 1, repetitions: 64}
  rrc_inactivity: 10 s
  t3324: 30 s
  t3412: 12 h
  drx_cycle: 2.56 s
  edrx_cycle: 20.48 s
  paging_time_window: 5.12 s
fibre:
  core:
    data_centre: dc
    links: [{between: [dc, node-1], length: 20 km, bandwidth: 40 Gbps}]
  olts:
    - {name: olt-1, backbone_length: 12 km, backbone_bandwidth: 40 Gbps, node: node-1, district: old_town, backup: 4 h}
  pons:
    - {name: pon-1, olt: olt-1, length: 2.5 km, split: 16, upstream: 1 Gbps, downstream: 2 Gbps, service: metering}
drivers:
  river_level: [[0 h, 1.2 m], [6 h, 4.8 m]]
  power_outages:
    - {districts: [old_town], start: 2 h, end: 5 h}
  power_outages_csv: /dev/null
  failures:
    - {target: 'pon:pon-1', start: 1 h, end: 2 h}
    - {target: network_server, start: 3 h, end: 3.5 h}
    - {target: 'olt:olt-1', mtbf: 30 d, mttr: 4 h}
  failures_csv: /dev/null
  rainfall:
    points: [[0 h, 0 mm/h], [3 h, 40 mm/h], [6 h, 0 mm/h]]
    interpolation: step
    districts: [old_town]
    events: [{start: 4 h, end: 5 h, factor: 1.5, add: 5 mm/h, districts: [old_town]}]
  traffic_volume:
    daily: {base: 300 veh/h, start_of_day: 6 h, rush_hours: [{peak: 8 h, width: 90 min, value: 1200 veh/h}]}
  attack_intensity: {value: 0}
  parking_occupancy:
    csv: )" CITYTWIN_SOURCE_DIR R"(/tests/sim/data/parking_occupancy.csv
    interpolation: linear
    start: 2026-07-15T18:00:00+09:00
  traffic:
    capacity: 1800 veh/h
    free_flow_speed: 50 km/h
    bpr_alpha: 0.15
    bpr_beta: 4
    incidents: [{district: old_town, start: 2 h, duration: 1 h, capacity_lost: 0.6}]
    spread: 0.5
    spread_hops: 1
    delay_per_hop: 10 min
    step: 60 s
    vehicles_per_report: 50
    counter_heartbeat: 1 h
    parking_duration: 1 h
    parking_heartbeat: 1 h
    cctv: {events_per_hour: 2, congestion_gain: 10, clip: 10 s, metadata: 2 kB}
    sumo:
      network: )" CITYTWIN_SOURCE_DIR R"(/tests/data/sumo/grid.net.xml
      edge_data: )" CITYTWIN_SOURCE_DIR R"(/tests/data/sumo/edgedata.xml
      loops: )" CITYTWIN_SOURCE_DIR R"(/tests/data/sumo/loops.xml
      loop_detectors: )" CITYTWIN_SOURCE_DIR R"(/tests/data/sumo/loops.add.xml
      offset: [0 m, 0 m]
  flood:
    elevation: {old_town: 4 m}
    elevation_csv: )" CITYTWIN_SOURCE_DIR R"(/tests/sim/data/elevation.csv
    delay: {old_town: 20 min}
    drainage: 40 mm/h
    step: 30 s
    power_depth: 0.1 m
    restore: 2 h
    submerged_depth: 0.5 m
costs:
  currency: EUR
  lorawan_gateway: {capital: 1200, yearly: 90}
  nbiot_cell: {capital: 25000, yearly: 2500}
  wifi_ap: {capital: 1800, yearly: 120}
  olt: {capital: 12000, yearly: 1000}
  pon: {capital: 2500, yearly: 80}
  fibre_km: {capital: 25000, yearly: 400}
  sensor: {capital: 120, yearly: 8}
  camera: {capital: 2000, yearly: 100}
  s_pole: {capital: 4000, yearly: 250}
  iot_district: {capital: 15000, yearly: 1500}
s_poles:
  - name: pole-1
    position: [0.3 km, 0.3 km]
    access_point: {technology: wifi, backhaul: {fibre_length: 80 m}}
    devices: [{name: cam, technology: wifi, stream: 1 Mbps, power: mains, count: 1}]
  - name: poles
    place: {layout: random, count: 1, districts: [old_town]}
iot_districts:
  - name: iot-town
    districts: [old_town]
    gateways: [{name: lora, place: {layout: grid, spacing: 2 km}}]
    devices: [{name: meters, type: water_meter, count: 5}]
phases:
  - name: "2024"
    investment: 50000
    add:
      gateways:
        - {name: gw-2024, position: [0.5 km, 0.5 km]}
      devices: [{name: meters-2024, count: 10, districts: [docks]}]
      olts: [{name: olt-2, node: node-1}]
      pons: [{name: pon-2, olt: olt-2}]
      core_links: [{between: [dc, node-2]}]
      s_poles: [{name: poles-2024, place: {layout: grid, count: 1}}]
      iot_districts: [{name: iot-2024, districts: [old_town], devices: [{name: parking, count: 4}]}]
  - name: "2025"
    retire: {gateways: [gw-2024], devices: [meters-2024], olts: [olt-2], pons: [pon-2], core_links: [dc-node-2],
             s_poles: [poles-2024], iot_districts: [iot-2024]}
attacks:
  jamming:
    - {name: jam, position: [300 m, 300 m], power: 20 dBm, start: 1 h, end: 2 h, channels: [868.1 MHz]}
  compromised:
    - {name: botnet, population: river_level, share: 0.1, start: 1 h, end: 3 h, rate_factor: 5}
    - {devices: [0, 1], start: 2 h}
  detection: {window: 30 min, factor: 4, block: true}
  platform_dos:
    - {name: flood, target: broker, rate: 500, start: 1 h, end: 1.5 h}
)";

// Only what is required; everything else takes its default.
inline const std::string kMinimalScenario = R"(city:
  districts:
    - {name: harbor, origin: [0 m, 0 m], size: [1 km, 1 km]}
devices:
  - name: meters
    count: 10
    districts: [harbor]
gateways:
  - name: gw
    position: [500 m, 500 m]
run:
)";

// With CITYTWIN_FUZZ_SEEDS_DIR set, every malformed scenario the tests load is also written there, as a
// seed for the loader's fuzzer (tests/fuzz/README.md): its overrides as leading "#set " lines.
inline void dump_fuzz_seed(const std::string& text, const std::vector<std::string>& overrides) {
  const char* dir = std::getenv("CITYTWIN_FUZZ_SEEDS_DIR");
  if (dir == nullptr) return;
  std::string seed;
  for (const std::string& o : overrides) seed += "#set " + o + "\n";
  seed += text;
  std::ofstream(std::string(dir) + "/test-" + std::to_string(std::hash<std::string>{}(seed)) + ".yaml")
      << seed;
}

// The what() of the ScenarioError that loading throws, or "no error".
inline std::string load_error(const std::string& text, const std::vector<std::string>& overrides = {}) {
  dump_fuzz_seed(text, overrides);
  try {
    load_scenario_text(text, "<text>", overrides);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "no error";
}

// Replaces the first occurrence of from (which must occur) by to.
inline std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) return "'" + from + "' not found in the scenario";
  return text.replace(at, from.size(), to);
}

// The geography keys (city.origin, city.districts_geojson), which need a file: with the full scenario,
// every key the loader accepts (scenario_doc_test.cpp); loaded by scenario_geojson_test.cpp.
inline const std::string kGeoScenario =
    R"(city:
  origin: {lat: 50.0, lon: 8.27}
  districts_geojson: {file: )" CITYTWIN_SOURCE_DIR
    R"(/tests/sim/data/hill_projected.geojson, name_property: district, crs: projected, projected_origin: [500 km, 5500 km]}
devices:
  - {name: d, count: 10, districts: [hill]}
gateways:
  - {name: gw, position: [3.2 km, 200 m]}
run: {duration: 1 h}
)";

}  // namespace citytwin::sim::scenario_test
