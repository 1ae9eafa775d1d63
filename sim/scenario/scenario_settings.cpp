// The sections that set how the city's networks and the run behave, rather than what the city holds: radio,
// nbiot, wifi, platform and run. Read by load_scenario_text (sim/scenario/scenario_loader.cpp).
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "models/device/catalogue.hpp"
#include "models/radio/lorawan_region.hpp"
#include "sim/scenario/quantities.hpp"
#include "sim/scenario/scenario_reader.hpp"
#include "sim/scenario/scenario_sections.hpp"

namespace citytwin::sim::scenario {

void read_channel(DiagnosticLog& log, const YamlNode* node, RadioChannel& channel) {
  MapReader map(log, node, "radio",
                {"region", "path_loss", "shadowing", "capture", "inter_sf", "interference",
                 "gateway_sensitivity", "noise_figure", "receptions", "strongest_k", "location_probability"});
  if (const auto mode = map.choice("interference", {"pairwise", "cumulative"}))
    channel.interference =
        *mode == "cumulative" ? RadioChannel::Interference::Cumulative : RadioChannel::Interference::Pairwise;
  if (const auto inter = map.choice("inter_sf", {"orthogonal", "goursaud", "croce"}))
    channel.inter_sf = *inter == "goursaud" ? RadioChannel::InterSf::Goursaud
                       : *inter == "croce"  ? RadioChannel::InterSf::Croce
                                            : RadioChannel::InterSf::Orthogonal;
  if (const auto receptions = map.choice("receptions", {"exact", "strongest", "strongest_only"}))
    channel.receptions = *receptions == "strongest"        ? RadioChannel::Receptions::Strongest
                         : *receptions == "strongest_only" ? RadioChannel::Receptions::StrongestOnly
                                                           : RadioChannel::Receptions::Exact;
  set_if(channel.strongest_k, map.integer("strongest_k", Bound::between(1, 65535)));
  if (const YamlNode* k = map.get("strongest_k")) channel.strongest_k_mark = log.mark(k->location);
  if (const auto region = map.choice("region", {"EU868", "US915"}))
    channel.region = *region == "US915" ? models::radio::Region::US915 : models::radio::Region::EU868;
  channel.path_loss.free_space_frequency_hz =
      models::radio::region_params(channel.region).nominal_frequency_hz;
  MapReader shadowing(log, map.get("shadowing"), map.path("shadowing"), {"sigma", "correlation_distance"});
  set_if(channel.shadowing_sigma_db, shadowing.quantity("sigma", Dimension::Gain, Bound::non_negative()));
  set_if(channel.shadowing_correlation_m,
         shadowing.quantity("correlation_distance", Dimension::Length, Bound::positive()));
  if (const YamlNode* d = shadowing.get("correlation_distance"))
    channel.shadowing_correlation_mark = log.mark(d->location);
  set_if(channel.noise_figure_db, map.quantity("noise_figure", Dimension::Gain, Bound::non_negative()));
  // At least the median (a place heard half the time), below certainty (an infinite margin).
  set_if(channel.location_probability,
         map.quantity("location_probability", Dimension::Percent, Bound{0.5, 1.0, false, true, ""}));
  MapReader path_loss(log, map.get("path_loss"), map.path("path_loss"),
                      {"reference_distance", "reference_loss", "exponent"});
  set_if(channel.path_loss.reference_distance_m,
         path_loss.quantity("reference_distance", Dimension::Length, Bound::positive()));
  set_if(channel.path_loss.reference_loss_db, path_loss.quantity("reference_loss", Dimension::Gain));
  set_if(channel.path_loss.exponent, path_loss.number("exponent", Bound{0.0, 10.0, true, false, ""}));
  MapReader capture(log, map.get("capture"), map.path("capture"), {"enabled", "threshold"});
  set_if(channel.capture.enabled, capture.boolean("enabled"));
  set_if(channel.capture.threshold_db, capture.quantity("threshold", Dimension::Gain, Bound::non_negative()));
  const YamlNode* table = map.get("gateway_sensitivity");
  const std::string table_path = map.path("gateway_sensitivity");
  if (table == nullptr || !expect_sequence(log, *table, table_path, "six sensitivities (SF7..SF12)")) return;
  if (table->items.size() != channel.gateway_sensitivity_dbm.size()) {
    log.error(table->location, table_path,
              "expected 6 sensitivities (SF7..SF12), got " + std::to_string(table->items.size()));
    return;
  }
  for (std::size_t i = 0; i < table->items.size(); ++i) {
    set_if(channel.gateway_sensitivity_dbm[i],
           read_quantity(log, table->items[i], index_path(table_path, i), Dimension::PowerLevel));
  }
}

namespace {

// nbiot.npusch.ce<N>: the level's data (and Msg3) allocation, I_TBS and repetitions, as the eNodeB's DCI
// format N0 gives them (TS 36.213 16.5.1).
void read_npusch_level(DiagnosticLog& log, const YamlNode* node, const std::string& path,
                       models::radio::NpuschConfig& npusch) {
  using models::radio::NpuschAllocation;
  MapReader map(log, node, path, {"allocation", "i_tbs", "repetitions"});
  if (const auto allocation = map.choice(
          "allocation", {"single_tone_3.75khz", "single_tone_15khz", "3_tones", "6_tones", "12_tones"}))
    npusch.allocation = *allocation == "single_tone_3.75khz" ? NpuschAllocation::SingleTone3k75
                        : *allocation == "single_tone_15khz" ? NpuschAllocation::SingleTone15k
                        : *allocation == "3_tones"           ? NpuschAllocation::ThreeTone
                        : *allocation == "6_tones"           ? NpuschAllocation::SixTone
                                                             : NpuschAllocation::TwelveTone;
  // Single-tone allocations reach I_TBS 10, multi-tone 12 (TS 36.213 Table 16.5.1.2-1, Rel-13).
  const int max_i_tbs = models::radio::max_npusch_i_tbs(npusch.allocation);
  if (const auto i_tbs = map.integer("i_tbs", Bound::between(0, 12))) {
    if (*i_tbs <= max_i_tbs)
      npusch.i_tbs = static_cast<int>(*i_tbs);
    else
      log.error(map.get("i_tbs")->location, map.path("i_tbs"),
                "expected 0.." + std::to_string(max_i_tbs) +
                    " with a single tone (12 with 3, 6 or 12 tones), got " + std::to_string(*i_tbs));
  }
  if (const auto repetitions = map.integer("repetitions", Bound::between(1, 128))) {
    if (models::radio::is_valid_repetition_count(static_cast<int>(*repetitions)))
      npusch.repetitions = static_cast<int>(*repetitions);
    else
      log.error(map.get("repetitions")->location, map.path("repetitions"),
                "expected 1, 2, 4, 8, 16, 32, 64 or 128 (TS 36.213 Table 16.5.1.1-3), got " +
                    std::to_string(*repetitions));
  }
}

}  // namespace

void read_nbiot(DiagnosticLog& log, const YamlNode* node, Nbiot& nbiot) {
  MapReader map(log, node, "nbiot",
                {"max_preamble_attempts", "backoff_occasions", "npusch", "rrc_inactivity", "t3324", "t3412",
                 "drx_cycle", "edrx_cycle", "paging_time_window"});
  set_if(nbiot.max_preamble_attempts, map.integer("max_preamble_attempts", Bound::between(1, 200)));
  set_if(nbiot.backoff_occasions, map.integer("backoff_occasions", Bound::between(0, 1000)));
  MapReader npusch(log, map.get("npusch"), map.path("npusch"), {"ce0", "ce1", "ce2"});
  for (std::size_t level = 0; level < nbiot.cell.levels.size(); ++level) {
    const std::string key = "ce" + std::to_string(level);
    if (const YamlNode* node_level = npusch.get(key))
      read_npusch_level(log, node_level, npusch.path(key), nbiot.cell.levels[level].npusch);
  }
  try {
    models::radio::validate(nbiot.cell);  // a level the defaults and the keys above leave inconsistent
  } catch (const std::invalid_argument& e) {
    log.error(npusch.location(), "nbiot.npusch", std::string("inconsistent cell configuration: ") + e.what());
  }
  auto& t = nbiot.timers;
  set_if(t.rrc_inactivity_s, map.quantity("rrc_inactivity", Dimension::Time, Bound::non_negative()));
  set_if(t.active_time_s, map.quantity("t3324", Dimension::Time, Bound::non_negative()));
  set_if(t.periodic_tau_s, map.quantity("t3412", Dimension::Time, Bound::positive()));
  set_if(t.drx_cycle_s, map.quantity("drx_cycle", Dimension::Time, Bound::positive()));
  set_if(t.edrx_cycle_s, map.quantity("edrx_cycle", Dimension::Time, Bound::non_negative()));
  set_if(t.paging_time_window_s, map.quantity("paging_time_window", Dimension::Time, Bound::positive()));
  try {
    models::radio::validate(t);
  } catch (const std::invalid_argument& e) {
    log.error(map.location(), "nbiot", std::string("inconsistent timers: ") + e.what());
  }
}

void read_wifi(DiagnosticLog& log, const YamlNode* node, Wifi& wifi) {
  MapReader map(log, node, "wifi", {"airtime_sharing"});
  if (const auto sharing = map.choice("airtime_sharing", {"throughput_fair", "proportional"}))
    wifi.airtime_sharing = *sharing == "proportional" ? models::radio::AirtimeSharing::ProportionalToOffered
                                                      : models::radio::AirtimeSharing::ThroughputFair;
}

void read_platform(DiagnosticLog& log, const YamlNode* node, const std::vector<DevicePopulation>& devices,
                   Platform& platform) {
  MapReader map(log, node, "platform",
                {"command_centre", "alerts", "server_speed", "server_cores", "ns_cost", "ns_capacity",
                 "ns_downlink_delay", "forward_message", "broker_capacity", "broker_cost", "analytics_cost",
                 "storage_write", "storage_record"});
  MapReader ccc(log, map.get("command_centre"), map.path("command_centre"),
                {"link_length", "link_bandwidth"});
  set_if(platform.ccc_link_length_m, ccc.quantity("link_length", Dimension::Length, Bound::cable_length()));
  set_if(platform.ccc_link_bandwidth_bps,
         ccc.quantity("link_bandwidth", Dimension::Bitrate, Bound::link_rate()));
  set_if(platform.broker_capacity, map.integer("broker_capacity", Bound::between(1, 1000000000)));
  set_if(platform.ns_capacity, map.integer("ns_capacity", Bound::between(1, 1000000000)));
  set_if(platform.ns_downlink_delay_s,
         map.quantity("ns_downlink_delay", Dimension::Time, Bound::between(0.0, 60.0, "s")));
  set_if(platform.broker_cost_flops,
         map.quantity("broker_cost", Dimension::Computation, Bound::non_negative()));
  set_if(platform.analytics_cost_flops,
         map.quantity("analytics_cost", Dimension::Computation, Bound::non_negative()));
  set_if(platform.storage_write_bps, map.quantity("storage_write", Dimension::Bitrate, Bound::link_rate()));
  set_if(platform.storage_record_bytes,
         map.quantity("storage_record", Dimension::DataSize, Bound::positive()));
  if (const YamlNode* alerts = map.get("alerts");
      alerts != nullptr && expect_sequence(log, *alerts, "platform.alerts", "alert rules")) {
    for (std::size_t i = 0; i < alerts->items.size(); ++i) {
      MapReader a(log, &alerts->items[i], index_path("platform.alerts", i),
                  {"name", "type", "above", "below", "consecutive"});
      AlertRule rule;
      rule.mark = log.mark(alerts->items[i].location);
      set_if(rule.name, a.text("name", Presence::Required));
      // /kpi/alerts keys its rows by name and district: two rules of one name gave two rows of one key.
      for (const AlertRule& before : platform.alerts)
        if (!rule.name.empty() && before.name == rule.name)
          log.error(a.get("name")->location, a.path("name"), "alert '" + rule.name + "' is given twice");
      set_if(rule.type, a.text("type", Presence::Required));
      // In the unit of the quantity the type senses (its populations', else the catalogue type's): a length
      // (river level), mm/h (rainfall), a fraction (parking occupancy), ... (sim/scenario/quantities.hpp).
      // Before, any quantity's unit was taken with that quantity's factor: a rain gauge's "30 mm" (the /h
      // forgotten) was read as a river level, 0.03. below (a congestion alert on traffic counters' speeds,
      // 20 km/h): fire on readings below it.
      std::string senses;
      for (const DevicePopulation& p : devices)
        if (p.type == rule.type) {
          senses = p.senses;
          break;
        }
      if (senses.empty())
        if (const models::device::SensorType* type = models::device::find_sensor_type(rule.type))
          senses = std::string(type->senses);
      const QuantityKind* kind = senses.empty() ? nullptr : find_quantity(senses);
      // A traffic counter reports the speed where the scenario gives one (engine::Fleet): either unit.
      const QuantityKind* also = senses == "traffic_volume" ? find_quantity("traffic_speed") : nullptr;
      const auto threshold = [&](std::string_view key) -> std::optional<double> {
        const YamlNode* v = a.get(key);
        if (v == nullptr) return std::nullopt;
        if (!v->is_scalar()) {
          log.error(v->location, a.path(key), "expected a threshold with its unit, got " + v->describe());
          return std::nullopt;
        }
        std::string error;
        if (kind != nullptr) {
          std::optional<double> value = parse_threshold(*kind, v->scalar, &error);
          if (!value && also != nullptr) {
            std::string speed_error;
            if ((value = parse_threshold(*also, v->scalar, &speed_error))) return value;
            error += "; or " + speed_error;
          }
          if (!value)
            log.error(v->location, a.path(key), error + " (type '" + rule.type + "' senses " + senses + ")");
          return value;
        }
        // A type no population has and the catalogue does not know (the rule never fires: resolve warns):
        // any quantity's unit.
        for (const QuantityKind& any : quantity_kinds())
          if (const auto value = parse_threshold(any, v->scalar, nullptr)) return value;
        log.error(v->location, a.path(key),
                  "expected a threshold with its unit (4.5 m), got " + v->describe());
        return std::nullopt;
      };
      if (a.get("below") != nullptr) {
        rule.below = threshold("below");
        if (a.get("above") != nullptr)
          log.error(a.get("below")->location, a.path("below"), "give above or below, not both");
      } else if (a.get("above") != nullptr) {
        set_if(rule.above, threshold("above"));
      } else {
        log.error(alerts->items[i].location, a.path("above"), "missing required key 'above' (or 'below')");
      }
      set_if(rule.consecutive, a.integer("consecutive", Bound::between(1, 1000)));
      platform.alerts.push_back(rule);
    }
  }
  set_if(platform.server_speed_flops,
         map.quantity("server_speed", Dimension::Computation, Bound::positive()));
  set_if(platform.server_cores, map.integer("server_cores", Bound::between(1, 1024)));
  set_if(platform.ns_cost_flops, map.quantity("ns_cost", Dimension::Computation, Bound::non_negative()));
  set_if(platform.forward_message_bytes,
         map.quantity("forward_message", Dimension::DataSize, Bound::positive()));
}

void read_run(DiagnosticLog& log, const YamlNode* node, const std::vector<DevicePopulation>& devices,
              Run& run) {
  MapReader map(log, node, "run",
                {"duration", "seed", "window", "forward_batch", "timeseries_interval", "trace", "trace_every",
                 "trace_compression", "phase"});
  if (const auto trace = map.choice("trace", {"full", "sample", "summary"}))
    run.trace = *trace == "sample"    ? Run::Trace::Sample
                : *trace == "summary" ? Run::Trace::Summary
                                      : Run::Trace::Full;
  if (const auto every = map.integer("trace_every", Bound::between(1, 1000000000)))
    run.trace_every = static_cast<uint32_t>(*every);
  if (const auto level = map.integer("trace_compression", Bound::between(0, 9)))
    run.trace_compression = static_cast<uint32_t>(*level);
  set_if(run.timeseries_interval_s, map.quantity("timeseries_interval", Dimension::Time, Bound::positive()));
  set_if(run.duration_s, map.quantity("duration", Dimension::Time, Bound::positive()));
  set_if(run.seed, map.unsigned_integer("seed"));
  const auto window = map.quantity("window", Dimension::Time, Bound::positive());
  const auto batch = map.quantity("forward_batch", Dimension::Time, Bound::positive());
  set_if(run.window_s, window);
  set_if(run.forward_batch_s, batch);
  // The window must not exceed the shortest causal delay (see Run::window_s): a LoRaWAN uplink's answer in
  // RX1. NB-IoT and Wi-Fi populations have no class-A windows (their rx1_delay is ignored, and said so:
  // sim/city/key_warnings.cpp).
  const DevicePopulation* shortest = nullptr;
  std::size_t shortest_index = 0;
  for (std::size_t i = 0; i < devices.size(); ++i) {
    if (devices[i].technology != Technology::LoRaWAN) continue;
    if (shortest == nullptr || devices[i].firmware.rx1_delay_s < shortest->firmware.rx1_delay_s) {
      shortest = &devices[i];
      shortest_index = i;
    }
  }
  const Location window_at = map.get("window") ? map.get("window")->location : map.location();
  if (shortest != nullptr && run.window_s > shortest->firmware.rx1_delay_s) {
    const std::string written =
        shortest->written_path.empty() ? index_path("devices", shortest_index) : shortest->written_path;
    log.error(window_at, map.path("window"),
              "window " + format_number(run.window_s) + " s is longer than the shortest RX1 delay, " +
                  format_number(shortest->firmware.rx1_delay_s) + " s (" + written + ".firmware.rx1_delay)");
  }
  if ((window || batch) && run.forward_batch_s < run.window_s) {
    const Location batch_at = map.get("forward_batch") ? map.get("forward_batch")->location : window_at;
    log.error(batch_at, map.path("forward_batch"),
              "expected >= the window (" + format_number(run.window_s) + " s), got " +
                  format_number(run.forward_batch_s) + " s");
  }
}

void check_us915_channels(DiagnosticLog& log, Scenario& scenario) {
  if (scenario.channel.region != models::radio::Region::US915) return;
  // US915 channels: sub-band 2 (903.9-905.3 MHz) unless given; given ones must be uplink channels.
  for (std::size_t i = 0; i < scenario.devices.size(); ++i) {
    LoraRadio& radio = scenario.devices[i].radio;
    if (!radio.channels_given) {
      const auto band = models::radio::us915_subband_channels_hz(2);
      radio.channels_hz.assign(band.begin(), band.end());
      continue;
    }
    for (double hz : radio.channels_hz) {
      try {
        models::radio::rx1_frequency_hz(models::radio::Region::US915, hz);
      } catch (const std::invalid_argument&) {
        const SourceMark& at = scenario.devices[i].mark;
        log.error(Location{at.line, at.column, -1}, index_path("devices", i) + ".radio.channels",
                  std::to_string(hz / 1e6) +
                      " MHz is not a US915 uplink channel (902.3 + 0.2 n MHz, n < 64, "
                      "or 903.0 + 1.6 n MHz, n < 8)");
      }
    }
  }
}

}  // namespace citytwin::sim::scenario
