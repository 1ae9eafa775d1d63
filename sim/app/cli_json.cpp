#include "sim/app/cli_json.hpp"

#include <cstdio>
#include <sstream>

#include "models/device/catalogue.hpp"
#include "sim/app/run.hpp"
#include "sim/app/run_budget.hpp"

namespace citytwin::sim::app {
namespace {

const char* backhaul_key(scenario::BackhaulKind k) {
  switch (k) {
    case scenario::BackhaulKind::Fibre:
      return "fibre";
    case scenario::BackhaulKind::Pon:
      return "pon";
    case scenario::BackhaulKind::Cellular:
      return "cellular";
    case scenario::BackhaulKind::LeasedLine:
      return "leased_line";
    case scenario::BackhaulKind::WifiMesh:
      return "wifi_mesh";
  }
  return "?";
}

}  // namespace

nlohmann::ordered_json catalogue_json() {
  namespace dev = models::device;
  nlohmann::ordered_json types = nlohmann::ordered_json::array();
  for (const dev::SensorType& t : dev::sensor_types()) {
    types.push_back({{"name", std::string(t.name)},
                     {"radio", models::radio::to_string(t.radio)},
                     {"interval_s", t.interval_s},
                     {"sample_interval_s", t.sample_interval_s},
                     {"payload_bytes", t.payload_bytes},
                     {"power", dev::to_string(t.power)},
                     {"battery_mah", t.battery.capacity_mah},
                     {"battery_v", t.battery.voltage_v},
                     {"mobility", dev::to_string(t.mobility)},
                     {"confirmed_uplinks", t.confirmed_uplinks},
                     {"event_rule", t.event_rule.has_value()},
                     {"stream_bitrate_bps", t.stream_bitrate_bps},
                     {"description", std::string(t.description)}});
  }
  return types;
}

std::string catalogue_text() {
  namespace dev = models::device;
  std::ostringstream out;
  char line[256];
  std::snprintf(line, sizeof line, "%-24s %-8s %12s %9s %-18s %11s\n", "type", "radio", "interval_s",
                "payload_B", "power", "battery_mah");
  out << line;
  for (const dev::SensorType& t : dev::sensor_types()) {
    // A stream (a camera) sends packets back to back at its bitrate, not reports: its packet interval and
    // size as an interval and a payload read as nonsense (0.002632 s, 1316 B), so the row says "stream".
    char interval[32];
    char payload[32];
    if (t.stream_bitrate_bps > 0.0) {
      std::snprintf(interval, sizeof interval, "stream");
      std::snprintf(payload, sizeof payload, "%g Mbps", t.stream_bitrate_bps / 1e6);
    } else {
      std::snprintf(interval, sizeof interval, "%g", t.interval_s);
      std::snprintf(payload, sizeof payload, "%d", t.payload_bytes);
    }
    std::snprintf(line, sizeof line, "%-24.*s %-8s %12s %9s %-18s %11g\n", static_cast<int>(t.name.size()),
                  t.name.data(), models::radio::to_string(t.radio), interval, payload,
                  dev::to_string(t.power), t.battery.capacity_mah);
    out << line;
  }
  return out.str();
}

nlohmann::ordered_json describe_json(const scenario::Scenario& sc, const std::string& source) {
  nlohmann::ordered_json districts = nlohmann::ordered_json::array();
  for (const scenario::District& d : sc.city.districts) {
    districts.push_back({{"name", d.name},
                         {"x_min_m", d.x_min_m},
                         {"y_min_m", d.y_min_m},
                         {"x_max_m", d.x_max_m},
                         {"y_max_m", d.y_max_m},
                         {"area_km2", d.area_m2() / 1e6}});
    // Polygon districts: GeoJSON-like nesting (polygons > rings, outer first > [x_m, y_m]); null for a
    // rectangle.
    nlohmann::ordered_json polygons = nullptr;
    if (d.shape) {
      polygons = nlohmann::ordered_json::array();
      for (const scenario::PolygonRings& p : d.shape->polygons()) {
        nlohmann::ordered_json rings = nlohmann::ordered_json::array({p.outer});
        for (const scenario::Ring& hole : p.holes) rings.push_back(nlohmann::ordered_json(hole));
        polygons.push_back(rings);
      }
    }
    districts.back()["polygons"] = polygons;
  }
  const nlohmann::ordered_json origin =
      sc.city.origin.given
          ? nlohmann::ordered_json{{"lat", sc.city.origin.lat_deg}, {"lon", sc.city.origin.lon_deg}}
          : nlohmann::ordered_json(nullptr);
  // A stream (a camera) sends at its bitrate, not reports: its interval_s is null (the 900 s default it
  // carries means nothing), a reporting population's stream_bps null.
  nlohmann::ordered_json devices = nlohmann::ordered_json::array();
  for (const scenario::DevicePopulation& p : sc.devices) {
    const bool stream = p.stream_bps > 0.0;
    devices.push_back(
        {{"name", p.name},
         {"type", p.type},
         {"radio", models::radio::to_string(p.technology)},
         {"count", p.count},
         {"interval_s", stream ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(p.interval_s)},
         {"stream_bps", stream ? nlohmann::ordered_json(p.stream_bps) : nlohmann::ordered_json(nullptr)},
         {"mains_powered", p.mains_powered}});
  }
  nlohmann::ordered_json gateways = nlohmann::ordered_json::array();
  for (const scenario::Gateway& g : sc.gateways)
    gateways.push_back({{"name", g.name},
                        {"radio", models::radio::to_string(g.technology)},
                        {"backhaul", backhaul_key(g.backhaul)},
                        {"pon", g.pon},
                        {"x_m", g.x_m},
                        {"y_m", g.y_m},
                        {"fibre_length_m", g.fibre_length_m},
                        {"backhaul_monthly_cost", g.backhaul_monthly_cost}});
  // upstream_payload_bps: what the upstream carries of citytwin's frames once the GTC layer's overheads are
  // paid (scenario::pon_upstream_capacity, models/fibre/gpon_framing.hpp), as describe's text prints it and
  // the wired network's PON link carries; payload_frame_bytes: the frames it assumes.
  nlohmann::ordered_json pons = nlohmann::ordered_json::array();
  for (const scenario::Pon& p : sc.fibre.pons) {
    const scenario::PonUpstreamCapacity up = scenario::pon_upstream_capacity(sc, p);
    pons.push_back({{"name", p.name},
                    {"olt", p.olt},
                    {"service", p.service},
                    {"length_m", p.length_m},
                    {"split", p.split},
                    {"upstream_bps", p.upstream_bps},
                    {"downstream_bps", p.downstream_bps},
                    {"upstream_payload_bps", up.payload_bps},
                    {"payload_frame_bytes", up.frame_bytes}});
  }
  nlohmann::ordered_json olts = nlohmann::ordered_json::array();
  for (const scenario::Olt& o : sc.fibre.olts)
    olts.push_back({{"name", o.name},
                    {"node", o.node},
                    {"backbone_length_m", o.backbone_length_m},
                    {"backbone_bandwidth_bps", o.backbone_bandwidth_bps}});
  // What `run` checks against its budget (sim/app/run_budget.hpp): an estimate, the computing an upper bound.
  const RunEstimate e = estimate_run(sc);
  const nlohmann::ordered_json estimate = {
      {"links", e.links},
      {"reports", e.reports},
      {"samples", e.samples},
      {"receptions", e.receptions},
      {"windows", e.windows},
      {"receptions_per_window", receptions_per_window(e)},
      {"memory_bytes", e.memory_bytes},
      {"compute_s", e.compute_s},
      {"default_threads", default_run_threads(e, default_thread_count())}};
  // currency: costs.currency, the unit of the gateways' backhaul_monthly_cost.
  return {{"scenario", source},
          {"city", sc.city.name},
          {"origin", origin},
          {"districts", districts},
          {"devices", devices},
          {"gateways", gateways},
          {"currency", sc.costs.currency},
          {"pons", pons},
          {"olts", olts},
          {"estimate", estimate}};
}

nlohmann::ordered_json summary_json(const RunSummary& s) {
  nlohmann::ordered_json kpis = nlohmann::ordered_json::object();
  for (const auto& [name, value] : s.kpis) kpis[name] = value;  // NaN becomes null
  nlohmann::ordered_json by_district = nlohmann::ordered_json::array();
  for (size_t row = 0; row < s.by_district.keys.size(); ++row) {
    nlohmann::ordered_json r{{s.by_district.key_name, s.by_district.keys[row]}};
    for (const auto& [name, values] : s.by_district.columns) r[name] = values[row];
    by_district.push_back(r);
  }
  return {{"path", s.output_path}, {"complete", s.complete}, {"seed", s.seed}, {"threads", s.threads},
          {"wall_s", s.wall_s},    {"end_s", s.end_s},       {"kpis", kpis},   {"by_district", by_district}};
}

}  // namespace citytwin::sim::app
