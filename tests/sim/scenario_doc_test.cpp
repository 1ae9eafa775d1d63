// Checks docs/SCENARIO.md against the code: every documented default, set explicitly, gives what leaving
// the key out gives (the struct initialisers); and the documented keys are exactly the keys of the
// full test scenario, which uses every key the loader accepts.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "sim/scenario/quantities.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "tests/sim/rooms.hpp"
#include "tests/sim/scenario_test_text.hpp"

namespace citytwin::sim {
namespace {

struct DocRow {
  std::string key;            // devices[].radio.sf
  std::string default_value;  // "7", or "" when the key has no default
};

std::vector<DocRow> documented_keys() {
  std::ifstream in(std::string(CITYTWIN_SOURCE_DIR) + "/docs/SCENARIO.md");
  EXPECT_TRUE(in.good()) << "cannot read docs/SCENARIO.md";
  std::vector<DocRow> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("| `", 0) != 0) continue;
    std::vector<std::string> cells;
    std::stringstream stream(line.substr(1));
    for (std::string cell; std::getline(stream, cell, '|');) {
      cell.erase(0, cell.find_first_not_of(' '));
      cell.erase(cell.find_last_not_of(' ') + 1);
      cells.push_back(cell);
    }
    if (cells.size() < 5) continue;                                            // the units table
    if (cells[0].find('.') == std::string::npos && cells[0] != "`devices`" &&  // key rows only
        cells[0] != "`gateways`" && cells[0] != "`phases`" && cells[0] != "`s_poles`" &&
        cells[0] != "`iot_districts`")
      continue;
    DocRow row{cells[0].substr(1, cells[0].size() - 2), ""};
    if (cells[2].size() > 2 && cells[2].front() == '`')
      row.default_value = cells[2].substr(1, cells[2].size() - 2);
    rows.push_back(row);
  }
  return rows;
}

// Every optional map present and empty, so that each documented key can be set by an override.
const std::string kBase = R"(city:
  districts:
    - {name: a, origin: [0 m, 0 m], size: [1 km, 1 km]}
devices:
  - name: d
    count: 1
    districts: [a]
    radio: {}
    building_penetration: {}
    event: {threshold: 3 m}
    solar: {}
    firmware: {wake: {}, sense: {}, process: {}}
    battery: {}
gateways:
  - {name: g, position: [500 m, 500 m], backhaul: {}}
  - {name: g2, position: [400 m, 500 m], backhaul: {kind: pon, pon: p}}
fibre:
  core: {data_centre: dc, links: [{between: [dc, n]}]}
  olts: [{name: o, node: n}]
  pons: [{name: p, olt: o}]
radio: {path_loss: {}, shadowing: {}, capture: {}}
nbiot: {npusch: {ce0: {}, ce1: {}, ce2: {}}}
wifi: {}
drivers: {river_level: [[0 h, 1 m]], flood: {}, traffic_volume: {value: 100 veh/h}, traffic: {cctv: {}, incidents: [{district: a, start: 0 h}]}}
platform: {alerts: [{name: a, type: generic, above: 1 m}], command_centre: {}}
run: {}
costs: {lorawan_gateway: {}, nbiot_cell: {}, wifi_ap: {}, olt: {}, pon: {}, fibre_km: {}, sensor: {}, camera: {},
        s_pole: {}, iot_district: {}}
attacks:
  jamming: [{position: [500 m, 500 m], start: 0 s, end: 1 h}]
  compromised: [{population: d, share: 1, start: 0 s}]
  platform_dos: [{start: 0 s, end: 1 h}]
  detection: {}
)";

// Every value of a scenario, numbers to 12 significant digits (a default written in other units may
// differ in the last bit).
std::string dump(const Scenario& s) {
  std::ostringstream out;
  auto number = [&out](const char* name, double value) {
    char text[64];
    std::snprintf(text, sizeof text, "%.12g", value);
    out << name << "=" << text << "\n";
  };
  out << "city.name=" << s.city.name << "\n";
  for (const DevicePopulation& p : s.devices) {
    out << "type=" << p.type << " traffic=" << static_cast<int>(p.traffic)
        << " ldro=" << static_cast<int>(p.radio.ldro) << " header=" << p.radio.phy.explicit_header
        << " crc=" << p.radio.phy.crc << " ldro_on=" << p.radio.phy.low_data_rate_optimize << "\n";
    number("interval", p.interval_s);
    number("jitter", p.jitter);
    number("payload", p.payload_bytes);
    number("mac_overhead", p.mac_overhead_bytes);
    number("sf", p.radio.phy.spreading_factor);
    number("bandwidth", p.radio.phy.bandwidth_hz);
    number("coding_rate", p.radio.phy.coding_rate);
    number("preamble", p.radio.phy.preamble_symbols);
    number("tx_power", p.radio.tx_power_dbm);
    for (double hz : p.radio.channels_hz) number("channel", hz);
    const models::device::FirmwareProfile& f = p.firmware;
    number("sleep_current", f.sleep_current_ma);
    number("wake.duration", f.wake_duration_s);
    number("wake.current", f.wake_current_ma);
    number("sense.duration", f.sense_duration_s);
    number("sense.current", f.sense_current_ma);
    number("tx_current", f.tx_current_ma);
    number("process_duration", f.process_duration_s);
    number("process_current", f.process_current_ma);
    number("rx1_delay", f.rx1_delay_s);
    number("rx_window", f.rx_window_duration_s);
    number("rx_current", f.rx_current_ma);
    number("capacity", p.battery.capacity_mah);
    number("voltage", p.battery.voltage_v);
    number("sf_auto", p.radio.sf_auto);
    number("technology", static_cast<double>(p.technology));
    number("mains_powered", p.mains_powered);
    number("stream", p.stream_bps);
    number("sample_interval", p.sample_interval_s);
    number("solar_peak", p.solar.peak_power_w);
    number("solar_efficiency", p.solar.system_efficiency);
    number("solar_sunrise", p.solar.sunrise_s);
    number("solar_day", p.solar.day_length_s);
    number("self_discharge", p.battery.self_discharge_per_year);
    number("service_life", p.battery.service_life_s);
    number("max_pulse_current", p.battery.max_pulse_current_ma);
    if (p.event) {
      number("event_threshold", p.event->threshold);
      number("event_fast", p.event->fast_interval_s);
      number("event_hysteresis", p.event->hysteresis);
      number("event_consecutive", p.event->consecutive);
      number("event_crossing", p.event->report_on_crossing);
    }
    number("join_margin", p.radio.join_margin_db);
    number("adr", p.radio.adr);
    number("duty_cycle", p.radio.duty_cycle);
    number("confirmed", p.confirmation.confirmed);
    number("max_transmissions", p.confirmation.max_transmissions);
    number("penetration_mean", p.penetration.mean_db);
    number("penetration_sigma", p.penetration.sigma_db);
  }
  for (const Gateway& g : s.gateways) {
    number("antenna_gain", g.antenna_gain_dbi);
    number("forward_delay", g.forward_delay_s);
    number("fibre_length", g.fibre_length_m);
    number("fibre_bandwidth", g.fibre_bandwidth_bps);
    number("demodulators", g.demodulators);
    number("gateway_technology", static_cast<double>(g.technology));
    number("backup", g.backup_s);
    number("buffer", g.buffer_frames);
    number("backhaul_kind", static_cast<double>(g.backhaul));
    number("backhaul_latency", g.backhaul_latency_s);
    number("mesh_hops", g.mesh_hops);
    number("monthly_cost", g.backhaul_monthly_cost);
    number("gateway_tx_power", g.tx_power_dbm);
  }
  number("region", static_cast<double>(s.channel.region));
  number("max_preamble_attempts", s.nbiot.max_preamble_attempts);
  number("backoff_occasions", s.nbiot.backoff_occasions);
  for (const models::radio::CeLevelConfig& level : s.nbiot.cell.levels) {
    number("npusch_allocation", static_cast<double>(level.npusch.allocation));
    number("npusch_i_tbs", level.npusch.i_tbs);
    number("npusch_repetitions", level.npusch.repetitions);
  }
  number("rrc_inactivity", s.nbiot.timers.rrc_inactivity_s);
  number("t3324", s.nbiot.timers.active_time_s);
  number("t3412", s.nbiot.timers.periodic_tau_s);
  number("drx", s.nbiot.timers.drx_cycle_s);
  number("edrx", s.nbiot.timers.edrx_cycle_s);
  number("ptw", s.nbiot.timers.paging_time_window_s);
  number("shadowing", s.channel.shadowing_sigma_db);
  number("shadowing_correlation", s.channel.shadowing_correlation_m);
  number("inter_sf", static_cast<double>(s.channel.inter_sf));
  for (const Pon& p : s.fibre.pons) {
    number("pon_length", p.length_m);
    number("pon_split", p.split);
    number("pon_up", p.upstream_bps);
    number("pon_down", p.downstream_bps);
    out << "pon_service=" << p.service << "\n";
  }
  out << "core=" << s.fibre.core.data_centre << "\n";
  for (const CoreLink& l : s.fibre.core.links) {
    out << "core_link=" << l.name() << "\n";
    number("core_length", l.length_m);
    number("core_bandwidth", l.bandwidth_bps);
  }
  for (const Olt& o : s.fibre.olts) {
    out << "olt_node=" << o.node << "\n";
    number("olt_backbone", o.backbone_length_m);
    number("olt_bandwidth", o.backbone_bandwidth_bps);
  }
  for (const Failure& f : s.drivers.failures) {
    out << "failure=" << f.target << "\n";
    number("failure_start", f.start_s);
    number("failure_end", f.end_s);
    number("failure_mtbf", f.mtbf_s);
    number("failure_mttr", f.mttr_s);
  }
  const TrafficSpec& t = s.drivers.traffic;
  number("traffic_capacity", t.capacity_vph);
  number("traffic_free_flow", t.free_flow_speed_kmh);
  number("traffic_alpha", t.bpr_alpha);
  number("traffic_beta", t.bpr_beta);
  number("traffic_spread", t.spread);
  number("traffic_spread_hops", t.spread_hops);
  number("traffic_delay_per_hop", t.delay_per_hop_s);
  number("traffic_step", t.step_s);
  number("traffic_vehicles_per_report", t.vehicles_per_report);
  number("traffic_counter_heartbeat", t.counter_heartbeat_s);
  number("traffic_parking_duration", t.parking_duration_s);
  number("traffic_parking_heartbeat", t.parking_heartbeat_s);
  number("cctv_events", t.cctv_events_per_h);
  number("cctv_gain", t.cctv_congestion_gain);
  number("cctv_clip", t.cctv_clip_s);
  number("cctv_metadata", t.cctv_metadata_bytes);
  for (const TrafficIncident& i : t.incidents) {
    number("incident_duration", i.duration_s);
    number("incident_lost", i.capacity_lost);
  }
  for (const PowerOutage& o : s.drivers.power_outages) {
    number("outage_start", o.start_s);
    number("outage_end", o.end_s);
  }
  number("airtime_sharing", static_cast<int>(s.wifi.airtime_sharing));
  number("noise_figure", s.channel.noise_figure_db);
  number("location_probability", s.channel.location_probability);
  number("reference_distance", s.channel.path_loss.reference_distance_m);
  number("reference_loss", s.channel.path_loss.reference_loss_db);
  number("exponent", s.channel.path_loss.exponent);
  number("capture", s.channel.capture.enabled);
  number("interference", static_cast<int>(s.channel.interference));
  number("receptions", static_cast<int>(s.channel.receptions));
  number("strongest_k", s.channel.strongest_k);
  number("threshold", s.channel.capture.threshold_db);
  for (double dbm : s.channel.gateway_sensitivity_dbm) number("sensitivity", dbm);
  for (const AlertRule& a : s.platform.alerts) {
    out << "alert=" << a.name << "/" << a.type << "\n";
    number("alert_above", a.above);
    number("alert_below", a.below.value_or(-1.0));
    number("alert_consecutive", a.consecutive);
  }
  number("server_speed", s.platform.server_speed_flops);
  number("server_cores", s.platform.server_cores);
  number("ccc_length", s.platform.ccc_link_length_m);
  number("ccc_bandwidth", s.platform.ccc_link_bandwidth_bps);
  number("broker_capacity", s.platform.broker_capacity);
  number("broker_cost", s.platform.broker_cost_flops);
  number("analytics_cost", s.platform.analytics_cost_flops);
  number("storage_write", s.platform.storage_write_bps);
  number("storage_record", s.platform.storage_record_bytes);
  number("ns_cost", s.platform.ns_cost_flops);
  number("ns_capacity", s.platform.ns_capacity);
  number("ns_downlink_delay", s.platform.ns_downlink_delay_s);
  number("forward_message", s.platform.forward_message_bytes);
  for (const Jamming& j : s.attacks.jamming) {
    out << "jamming=" << j.name << " channels=" << j.channels_hz.size() << "\n";
    number("jamming_power", j.power_dbm);
  }
  for (const Compromised& c : s.attacks.compromised) {
    out << "compromised=" << c.name << "\n";
    number("compromised_end", c.end_s);
    number("rate_factor", c.rate_factor);
  }
  for (const PlatformDos& d : s.attacks.platform_dos) {
    out << "platform_dos=" << d.name << "/" << d.target << "\n";
    number("dos_rate", d.rate_per_s);
  }
  number("detect_window", s.attacks.detection.window_s);
  number("detect_factor", s.attacks.detection.factor);
  number("detect_block", s.attacks.detection.block);
  number("duration", s.run.duration_s);
  number("seed", static_cast<double>(s.run.seed));
  number("window", s.run.window_s);
  number("forward_batch", s.run.forward_batch_s);
  number("timeseries_interval", s.run.timeseries_interval_s);
  out << "currency=" << s.costs.currency << "\n";
  for (const CostEntry* e :
       {&s.costs.lorawan_gateway, &s.costs.nbiot_cell, &s.costs.wifi_ap, &s.costs.olt, &s.costs.pon,
        &s.costs.fibre_km, &s.costs.sensor, &s.costs.camera, &s.costs.s_pole, &s.costs.iot_district}) {
    number("capital", e->capital);
    number("yearly", e->yearly);
  }
  return out.str();
}

// "devices[].radio.sf" -> "devices.0.radio.sf".
std::string override_path(std::string key) {
  for (std::size_t at; (at = key.find("[]")) != std::string::npos;) key.replace(at, 2, ".0");
  return key;
}

TEST(ScenarioDoc, DocumentedDefaultsAreTheStructDefaults) {
  const std::string defaults = dump(load_scenario_text(kBase));
  int checked = 0;
  for (const DocRow& row : documented_keys()) {
    if (row.default_value.empty()) continue;
    const std::string assignment = override_path(row.key) + "=" + row.default_value;
    try {
      EXPECT_EQ(dump(load_scenario_text(kBase, "<base>", {assignment})), defaults) << assignment;
    } catch (const ScenarioError& e) {
      ADD_FAILURE() << e.what();
    }
    ++checked;
  }
  EXPECT_GE(checked, 40);
}

void collect_paths(const YAML::Node& node, const std::string& path, std::set<std::string>& paths) {
  // Maps keyed by district name are one key each.
  if (path == "drivers.flood.elevation" || path == "drivers.flood.delay") {
    paths.insert(path);
    return;
  }
  if (node.IsMap()) {
    for (const auto& entry : node) {
      // drivers.<quantity>.*: one set of keys for every quantity (sim/scenario/quantities.hpp).
      const auto names = quantity_names();
      const bool quantity = path == "drivers" && entry.second.IsMap() &&
                            std::find(names.begin(), names.end(), entry.first.Scalar()) != names.end();
      const std::string key = quantity ? "<quantity>" : entry.first.Scalar();
      collect_paths(entry.second, path.empty() ? key : path + "." + key, paths);
    }
  } else if (node.IsSequence() && node.size() > 0 && node[0].IsMap()) {
    paths.insert(path);
    for (const YAML::Node& item : node) collect_paths(item, path + "[]", paths);
  } else {
    paths.insert(path);
  }
}

TEST(ScenarioDoc, DocumentedKeysAreTheKeysOfTheFullScenario) {
  std::set<std::string> used;
  collect_paths(YAML::Load(scenario_test::kFullScenario), "", used);
  collect_paths(YAML::Load(scenario_test::kGeoScenario), "", used);
  std::set<std::string> documented;
  for (const DocRow& row : documented_keys()) {
    EXPECT_TRUE(documented.insert(row.key).second) << "documented twice: " << row.key;
  }
  for (const std::string& key : used) EXPECT_TRUE(documented.count(key)) << "not documented: " << key;
  for (const std::string& key : documented) {
    EXPECT_TRUE(used.count(key)) << "documented but not in the full test scenario: " << key;
  }
}

}  // namespace
}  // namespace citytwin::sim
