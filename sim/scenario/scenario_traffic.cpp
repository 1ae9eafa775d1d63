// drivers.traffic: the traffic congestion replay's parameters (sim/scenario/traffic_spec.hpp). Internal
// to the loader (scenario_sections.hpp); called by read_drivers.
#include <filesystem>

#include "sim/scenario/quantities.hpp"
#include "sim/scenario/scenario_reader.hpp"
#include "sim/scenario/scenario_sections.hpp"

namespace citytwin::sim::scenario {
namespace {

// A file next to the scenario (or absolute) that must be readable; "" when absent or unreadable.
std::string read_file_path(DiagnosticLog& log, MapReader& map, std::string_view key) {
  const auto name = map.text(key);
  if (!name) return "";
  std::filesystem::path file;
  if (!open_data_file(log, map.get(key)->location, map.path(key), *name, &file)) return "";
  return file.string();
}

// A value of a quantity (veh/h, km/h) with its unit, within (lo, hi].
void read_kind(DiagnosticLog& log, MapReader& map, std::string_view key, std::string_view quantity,
               double& out) {
  const YamlNode* node = map.get(key);
  if (node == nullptr) return;
  const QuantityKind& kind = *find_quantity(quantity);
  std::string error;
  const auto v = node->is_scalar() ? parse_quantity_value(kind, node->scalar, false, &error) : std::nullopt;
  if (!v) {
    log.error(node->location, map.path(key),
              error.empty() ? "expected " + std::string(quantity) + ", got " + node->describe() : error);
  } else if (*v <= 0.0) {
    log.error(node->location, map.path(key), "expected > 0");
  } else {
    out = *v;
  }
}

}  // namespace

void read_traffic(DiagnosticLog& log, const YamlNode& node, const std::string& path, const City& city,
                  TrafficSpec& t) {
  t.enabled = true;
  MapReader map(log, &node, path,
                {"capacity", "free_flow_speed", "bpr_alpha", "bpr_beta", "incidents", "spread", "spread_hops",
                 "delay_per_hop", "step", "vehicles_per_report", "counter_heartbeat", "parking_duration",
                 "parking_heartbeat", "cctv", "sumo"});
  if (!map.is_map()) return;
  read_kind(log, map, "capacity", "traffic_volume", t.capacity_vph);
  read_kind(log, map, "free_flow_speed", "traffic_speed", t.free_flow_speed_kmh);
  set_if(t.bpr_alpha, map.number("bpr_alpha", Bound::between(0, 10)));
  set_if(t.bpr_beta, map.number("bpr_beta", Bound::between(0, 20)));
  if (const YamlNode* incidents = map.get("incidents");
      incidents != nullptr && expect_sequence(log, *incidents, map.path("incidents"), "incidents")) {
    const DistrictIndex districts{city, true};
    for (std::size_t i = 0; i < incidents->items.size(); ++i) {
      MapReader r(log, &incidents->items[i], index_path(map.path("incidents"), i),
                  {"district", "start", "duration", "capacity_lost"});
      TrafficIncident incident;
      incident.written = {log.mark(incidents->items[i].location), index_path(map.path("incidents"), i), ""};
      set_if(incident.district, r.text("district", Presence::Required));
      if (!incident.district.empty() && !districts.has(incident.district)) {
        std::string message = "no district named '" + excerpt(incident.district) + "'";
        if (auto hint = closest_match(incident.district, districts.names()))
          message += " (did you mean '" + *hint + "'?)";
        log.error(r.get("district")->location, r.path("district"), message);
        incident.district.clear();
      }
      set_if(incident.start_s,
             r.quantity("start", Dimension::Time, Bound::non_negative(), Presence::Required));
      set_if(incident.duration_s, r.quantity("duration", Dimension::Time, Bound::positive()));
      set_if(incident.capacity_lost, r.number("capacity_lost", Bound::between(0, 1)));
      if (!incident.district.empty()) t.incidents.push_back(incident);
    }
  }
  set_if(t.spread, map.number("spread", Bound::between(0, 1)));
  set_if(t.spread_hops, map.integer("spread_hops", Bound::between(0, 100)));
  set_if(t.delay_per_hop_s, map.quantity("delay_per_hop", Dimension::Time, Bound::non_negative()));
  set_if(t.step_s, map.quantity("step", Dimension::Time, Bound::between(1, 3600, "s")));
  set_if(t.vehicles_per_report, map.integer("vehicles_per_report", Bound::between(1, 100000)));
  set_if(t.counter_heartbeat_s, map.quantity("counter_heartbeat", Dimension::Time, Bound::positive()));
  set_if(t.parking_duration_s, map.quantity("parking_duration", Dimension::Time, Bound::positive()));
  set_if(t.parking_heartbeat_s, map.quantity("parking_heartbeat", Dimension::Time, Bound::positive()));
  if (const YamlNode* cctv = map.get("cctv")) {
    MapReader c(log, cctv, map.path("cctv"), {"events_per_hour", "congestion_gain", "clip", "metadata"});
    set_if(t.cctv_events_per_h, c.number("events_per_hour", Bound::between(0, 3600)));
    set_if(t.cctv_congestion_gain, c.number("congestion_gain", Bound::between(0, 1000)));
    set_if(t.cctv_clip_s, c.quantity("clip", Dimension::Time, Bound::between(0, 3600, "s")));
    set_if(t.cctv_metadata_bytes, c.quantity("metadata", Dimension::DataSize, Bound::non_negative()));
  }
  if (const YamlNode* sumo = map.get("sumo")) {
    MapReader s(log, sumo, map.path("sumo"), {"network", "edge_data", "loops", "loop_detectors", "offset"});
    if (s.require("network") != nullptr) t.sumo_network = read_file_path(log, s, "network");
    if (s.get("edge_data") != nullptr) t.sumo_edge_data = read_file_path(log, s, "edge_data");
    if (s.get("loops") != nullptr) t.sumo_loops = read_file_path(log, s, "loops");
    if (s.get("loop_detectors") != nullptr) t.sumo_loop_detectors = read_file_path(log, s, "loop_detectors");
    if (s.get("edge_data") == nullptr && s.get("loops") == nullptr)
      log.error(sumo->location, s.path(), "give edge_data or loops (with loop_detectors)");
    if (s.get("loops") != nullptr && s.get("loop_detectors") == nullptr)
      log.error(sumo->location, s.path("loop_detectors"),
                "loops need loop_detectors: the additional file declaring the induction loops");
    if (const auto offset = s.point("offset")) {
      t.sumo_offset_x_m = (*offset)[0];
      t.sumo_offset_y_m = (*offset)[1];
    }
  }
}

}  // namespace citytwin::sim::scenario
