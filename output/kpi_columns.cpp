#include "output/kpi_columns.hpp"

#include <array>
#include <string_view>

#include "output/trace_writer.hpp"

namespace citytwin::output {
namespace {

struct Entry {
  std::string_view table;  // "" for a /kpi attribute, "*" for any table
  std::string_view column;
  std::string_view units;
  std::string_view description;
  KpiStorage storage;
  std::span<const h5::EnumMember> codes{};  // KpiStorage::Code
};

constexpr KpiStorage kCount = KpiStorage::Count;
constexpr KpiStorage kReal = KpiStorage::Real;

constexpr std::array kRadio{h5::EnumMember{"lorawan", 0}, h5::EnumMember{"nbiot", 1},
                            h5::EnumMember{"wifi", 2}};
constexpr std::array kRadioWithMixed{h5::EnumMember{"mixed", -1}, h5::EnumMember{"lorawan", 0},
                                     h5::EnumMember{"nbiot", 1}, h5::EnumMember{"wifi", 2}};
// In step with AttackLog::Kind.
constexpr std::array kAttackKinds{h5::EnumMember{"jamming", 0}, h5::EnumMember{"compromised", 1},
                                  h5::EnumMember{"dos_broker", 2}, h5::EnumMember{"dos_network_server", 3}};

// Keep in step with output/SCHEMA.md (tests/python/test_api.py checks every column of a run
// has a description from here).
constexpr std::array kEntries{
    Entry{"by_district", "devices", "", "devices in the district", kCount},
    Entry{"by_district", "uplinks_sent", "", "uplinks transmitted by the district's devices", kCount},
    Entry{"by_district", "uplinks_delivered", "", "of which delivered to the network server", kCount},
    Entry{"by_district", "delivery_ratio", "", "uplinks_delivered / uplinks_sent (NaN when none sent)",
          kReal},
    Entry{"by_district", "latency_mean_s", "s", "mean latency of delivered uplinks", kReal},
    Entry{"by_district", "energy_mean_mah", "mAh", "mean charge drawn per device over the run", kReal},
    Entry{"by_type", "radio", "", "radio of the type's populations (mixed when they differ)",
          KpiStorage::Code, kRadioWithMixed},
    Entry{"by_type", "devices", "", "devices of this type", kCount},
    Entry{"by_type", "reports", "", "reports due (first attempts)", kCount},
    Entry{"by_type", "transmissions", "", "uplink transmissions, retransmissions included", kCount},
    Entry{"by_type", "transmissions_delivered", "", "transmissions delivered to the network server", kCount},
    Entry{"by_type", "reports_delivered", "", "reports delivered at some attempt", kCount},
    Entry{"by_type", "report_delivery_ratio", "", "reports_delivered / reports", kReal},
    Entry{"by_type", "latency_p50_s", "s", "median latency of delivered transmissions", kReal},
    Entry{"by_type", "latency_p95_s", "s", "95th percentile latency of delivered transmissions", kReal},
    Entry{"by_type", "energy_mean_mah", "mAh", "mean charge drawn per device over the run", kReal},
    Entry{"by_type", "energy_per_day_mah", "mAh/day", "mean charge drawn per device per day", kReal},
    Entry{"by_type", "projected_lifetime_years", "year",
          "years a full battery lasts at the run's mean load, with its self-discharge, capped by the cell's "
          "rated service life (battery.service_life); NaN without battery or with a solar panel",
          kReal},
    Entry{"by_type", "energy_lifetime_years", "year",
          "the same from the charge alone, without the service-life cap (projected_lifetime_years is the "
          "smaller of this and the service life)",
          kReal},
    Entry{"by_type", "devices_service_life_limited", "",
          "devices on their battery alone whose own charge would outlast their cell's rated service life",
          kCount},
    Entry{"by_type", "devices_over_pulse_limit", "",
          "devices whose peak current draw (their radio transmitting) exceeds their cell's pulse rating "
          "(battery.max_pulse_current): a flag, their energy is charged all the same",
          kCount},
    Entry{"by_type", "devices_dead", "", "devices whose battery emptied or that drowned", kCount},
    Entry{"by_access_point", "cameras", "", "cameras associated with the access point", kCount},
    Entry{"by_access_point", "offered_bps", "bit/s", "video bitrate offered by its cameras", kReal},
    Entry{"by_access_point", "carried_air_bps", "bit/s", "bitrate carried over the air", kReal},
    Entry{"by_access_point", "carried_backhaul_bps", "bit/s", "bitrate carried through its backhaul", kReal},
    Entry{"by_access_point", "airtime_utilisation", "", "offered airtime (0..1 when not saturated)", kReal},
    Entry{"by_access_point", "saturated", "", "1 when the offered airtime exceeds 1, else 0", kCount},
    Entry{"by_access_point", "outage_s", "s", "time the streams' route was down", kReal},
    Entry{"power_outages", "start_s", "s", "start of the power cut in the district", kReal},
    Entry{"power_outages", "end_s", "s", "end of the power cut in the district", kReal},
    Entry{"power_outages", "from_flood", "",
          "1 for a cut of drivers.flood (the district flooded), 0 for drivers.power_outages", kCount},
    Entry{"failures", "start_s", "s", "start of the failure interval", kReal},
    Entry{"failures", "end_s", "s", "end of the failure interval", kReal},
    Entry{"failures", "uplinks_delayed", "", "uplinks delivered late because of it (/messages/failure)",
          kCount},
    Entry{"failures", "uplinks_lost", "", "uplinks lost to it (/messages/failure)", kCount},
    Entry{"failures", "copies_delayed", "", "forwarded copies held in a gateway's buffer by it", kCount},
    Entry{"failures", "copies_lost", "", "forwarded copies lost to it (full buffer or server down)", kCount},
    Entry{"failures", "stream_outage_s", "s", "seconds of CCTV stream it interrupted, summed over streams",
          kReal},
    Entry{"alerts", "t_event_s", "s", "when the driver first exceeded the threshold; NaN for a false alarm",
          kReal},
    Entry{"alerts", "t_alert_s", "s", "when the rule fired at the operations centre", kReal},
    Entry{"alerts", "latency_s", "s", "t_alert_s - t_event_s", kReal},
    Entry{"alerts", "t_inundation_s", "s",
          "when the district's inundation began (drivers.flood); NaN if never", kReal},
    Entry{"alerts", "latency_from_inundation_s", "s", "t_alert_s - t_inundation_s", kReal},
    Entry{
        "attacks", "kind", "",
        "jamming, compromised devices, dos_broker or dos_network_server (denial of service at the broker or "
        "at the network server)",
        KpiStorage::Code, kAttackKinds},
    Entry{"attacks", "start_s", "s", "start of the attack's window", kReal},
    Entry{"attacks", "end_s", "s", "end of the attack's window", kReal},
    Entry{"attacks", "honest_sent_before", "", "honest transmissions before the window", kCount},
    Entry{"attacks", "honest_sent_during", "", "honest transmissions during the window", kCount},
    Entry{"attacks", "honest_sent_after", "", "honest transmissions after the window", kCount},
    Entry{"attacks", "honest_delivery_ratio_before", "", "honest transmissions the broker accepted, before",
          kReal},
    Entry{"attacks", "honest_delivery_ratio_during", "", "honest transmissions the broker accepted, during",
          kReal},
    Entry{"attacks", "honest_delivery_ratio_after", "", "honest transmissions the broker accepted, after",
          kReal},
    Entry{"attacks", "honest_latency_before_mean_s", "s", "honest frames: air end to network server, before",
          kReal},
    Entry{"attacks", "honest_latency_during_mean_s", "s", "honest frames: air end to network server, during",
          kReal},
    Entry{"attacks", "honest_latency_after_mean_s", "s", "honest frames: air end to network server, after",
          kReal},
    Entry{"attacks", "lost_to_attack", "", "honest transmissions lost to the attack (see SCHEMA.md)", kReal},
    Entry{"attacks", "attack_messages", "", "attack frames or bogus messages sent", kCount},
    Entry{"attacks", "attack_messages_dropped", "", "bogus messages the full queue dropped", kReal},
    Entry{"attacks", "targets", "", "gateways jammed (noise floor doubled) or devices compromised", kReal},
    Entry{"attacks", "devices_flagged", "", "devices of the set flagged by the rate-anomaly rule", kReal},
    Entry{"attacks", "false_positives", "", "honest devices flagged by the rate-anomaly rule", kReal},
    Entry{"attacks", "time_to_detect_s", "s", "first detection minus the attack's start (NaN: none)", kReal},
    Entry{"attacks", "detect_mean_s", "s", "mean over flagged devices of flag time minus start", kReal},
    Entry{"attacks", "alerts_during", "", "alerts whose event began during the window", kCount},
    Entry{"attacks", "alert_latency_during_mean_s", "s", "mean latency of alerts whose event began during",
          kReal},
    Entry{"attacks", "alert_latency_outside_mean_s", "s", "mean latency of the other alerts", kReal},
    Entry{"flagged_devices", "compromised_by", "", "row of attacks.compromised; -1 for an honest device",
          kReal},
    Entry{"flagged_devices", "t_flagged_s", "s", "when the rate-anomaly rule flagged it; NaN: never", kReal},
    Entry{"coverage_by_population", "sf", "",
          "LoRaWAN: the largest SF its frames are sent with, at which it is judged (NaN for other radios)",
          kReal},
    Entry{"coverage_by_population", "margin_db", "dB",
          "shadowing margin for the location probability: z x the shadowing and penetration sigmas combined, "
          "z its standard normal quantile (1.28 at 90 %)",
          kReal},
    Entry{"coverage_by_population", "location_probability", "",
          "share of locations at which a place counts as covered (radio.location_probability)", kReal},
    Entry{"coverage_by_population", "devices", "", "devices of the population", kCount},
    Entry{"coverage_by_population", "devices_covered", "",
          "share of its devices a station hears at their own radio (their SF, power, shadowing, penetration)",
          kReal},
    Entry{
        "coverage_by_population", "area_covered", "",
        "share of where it is placed that a station covers at its own radio with radio.location_probability "
        "(90 % by default)",
        kReal},
};

// The scalar /kpi attributes: whether each counts things (i8) or not (f8), and its place. The first group is
// put in this order, that of output/SCHEMA.md, whatever order the run's parts add them in
// (sim/record/kpi.cpp, order_kpis); the second follows where it was added. An attribute in neither is an f8
// in the second group.
constexpr bool kCountKpi = true, kRealKpi = false;
constexpr bool kOrdered = true, kWhereAdded = false;
constexpr std::array kAttributes{
    KpiAttribute{"devices", kCountKpi, kOrdered},
    KpiAttribute{"gateways", kCountKpi, kOrdered},
    KpiAttribute{"uplinks_sent", kCountKpi, kOrdered},
    KpiAttribute{"uplinks_delivered", kCountKpi, kOrdered},
    KpiAttribute{"delivery_ratio", kRealKpi, kOrdered},
    KpiAttribute{"latency_p50_s", kRealKpi, kOrdered},
    KpiAttribute{"latency_p95_s", kRealKpi, kOrdered},
    KpiAttribute{"energy_mean_mah", kRealKpi, kOrdered},
    KpiAttribute{"devices_dead", kCountKpi, kOrdered},
    KpiAttribute{"copies_forwarded", kCountKpi, kOrdered},
    KpiAttribute{"reports", kCountKpi, kOrdered},
    KpiAttribute{"reports_delivered", kCountKpi, kOrdered},
    KpiAttribute{"report_delivery_ratio", kRealKpi, kOrdered},
    KpiAttribute{"lost_below_sensitivity", kCountKpi, kOrdered},
    KpiAttribute{"lost_collision", kCountKpi, kOrdered},
    KpiAttribute{"lost_no_demodulator", kCountKpi, kOrdered},
    KpiAttribute{"lost_gateway_transmitting", kCountKpi, kOrdered},
    KpiAttribute{"lost_random_access", kCountKpi, kOrdered},
    KpiAttribute{"lost_gateway_down", kCountKpi, kOrdered},
    KpiAttribute{"lost_buffer_full", kCountKpi, kOrdered},
    KpiAttribute{"lost_server_down", kCountKpi, kOrdered},
    KpiAttribute{"copies_buffered", kCountKpi, kOrdered},
    KpiAttribute{"reports_device_dead", kCountKpi, kOrdered},
    KpiAttribute{"uplinks_deferred_duty_cycle", kCountKpi, kOrdered},
    KpiAttribute{"downlinks_sent", kCountKpi, kOrdered},
    KpiAttribute{"downlinks_rx2", kCountKpi, kOrdered},
    KpiAttribute{"downlinks_failed", kCountKpi, kOrdered},
    KpiAttribute{"downlinks_unheard", kCountKpi, kOrdered},
    KpiAttribute{"downlinks_rx1_late", kCountKpi, kOrdered},
    KpiAttribute{"adr_commands", kCountKpi, kOrdered},
    KpiAttribute{"nbiot_preamble_collisions", kCountKpi, kOrdered},
    KpiAttribute{"nbiot_access_failures", kCountKpi, kOrdered},
    KpiAttribute{"nbiot_downlink_delay_mean_s", kRealKpi, kOrdered},
    KpiAttribute{"cameras", kCountKpi, kOrdered},
    KpiAttribute{"cameras_associated", kCountKpi, kOrdered},
    KpiAttribute{"stream_offered_bps", kRealKpi, kOrdered},
    KpiAttribute{"stream_carried_air_bps", kRealKpi, kOrdered},
    KpiAttribute{"stream_carried_backhaul_bps", kRealKpi, kOrdered},
    KpiAttribute{"access_points_saturated", kCountKpi, kOrdered},
    KpiAttribute{"alerts", kCountKpi, kOrdered},
    KpiAttribute{"alert_latency_first_s", kRealKpi, kOrdered},
    KpiAttribute{"latency_air_mean_s", kRealKpi, kOrdered},
    KpiAttribute{"latency_gateway_mean_s", kRealKpi, kOrdered},
    KpiAttribute{"latency_backhaul_mean_s", kRealKpi, kOrdered},
    KpiAttribute{"latency_server_mean_s", kRealKpi, kOrdered},
    KpiAttribute{"latency_broker_mean_s", kRealKpi, kOrdered},
    KpiAttribute{"latency_analytics_mean_s", kRealKpi, kOrdered},
    KpiAttribute{"latency_storage_mean_s", kRealKpi, kOrdered},
    KpiAttribute{"platform_stored", kCountKpi, kOrdered},
    KpiAttribute{"platform_dropped", kCountKpi, kOrdered},
    KpiAttribute{"broker_queue_peak", kCountKpi, kOrdered},
    KpiAttribute{"flooded_districts", kCountKpi, kWhereAdded},
    KpiAttribute{"flooded_districts_alerted", kCountKpi, kWhereAdded},
    KpiAttribute{"lost_jammed", kCountKpi, kWhereAdded},
    KpiAttribute{"honest_uplinks_sent", kCountKpi, kWhereAdded},
    KpiAttribute{"honest_uplinks_delivered", kCountKpi, kWhereAdded},
    KpiAttribute{"lost_blocked", kCountKpi, kWhereAdded},
    KpiAttribute{"lost_server_overload", kCountKpi, kWhereAdded},
    KpiAttribute{"attack_frames", kCountKpi, kWhereAdded},
    KpiAttribute{"bogus_messages", kCountKpi, kWhereAdded},
    KpiAttribute{"devices_compromised", kCountKpi, kWhereAdded},
    KpiAttribute{"devices_flagged", kCountKpi, kWhereAdded},
    KpiAttribute{"lora_receptions", kCountKpi, kWhereAdded},
    KpiAttribute{"lora_strongest_k", kCountKpi, kWhereAdded},
    KpiAttribute{"cctv_event_clips", kCountKpi, kWhereAdded},
    KpiAttribute{"battery_life_years", kRealKpi, kWhereAdded},
    KpiAttribute{"battery_life_energy_years", kRealKpi, kWhereAdded},
    KpiAttribute{"devices_service_life_limited", kCountKpi, kWhereAdded},
    KpiAttribute{"devices_over_pulse_limit", kCountKpi, kWhereAdded},
};

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string units_from_suffix(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kSuffixes{{
      {"_per_day_mah", "mAh/day"},
      {"_mah", "mAh"},
      {"_bps", "bit/s"},
      {"_years", "year"},
      {"_dbm", "dBm"},
      {"_db", "dB"},
      {"_hz", "Hz"},
      {"_j", "J"},
      {"_s", "s"},
      {"_km", "km"},
      {"_m", "m"},
  }};
  for (const auto& [suffix, units] : kSuffixes)
    if (ends_with(name, suffix)) return std::string(units);
  return "";
}

std::array<h5::EnumMember, kFailReasons> make_fail_reasons() {
  std::array<h5::EnumMember, kFailReasons> codes{};
  for (size_t i = 0; i < kFailReasons; ++i) {
    codes[i] = {to_string(static_cast<FailReason>(i)), static_cast<int64_t>(i)};
  }
  return codes;
}

}  // namespace

KpiColumnSpec kpi_column_spec(const std::string& table, const std::string& column) {
  if (table.empty()) {
    KpiColumnSpec spec{units_from_suffix(column), "KPI " + column, kReal};
    // The coverage KPIs say what covered means where a reader finds the figure (output/SCHEMA.md).
    if (column.rfind("coverage_area_", 0) == 0)
      spec.description = "share of the districts' area where a " + column.substr(14) +
                         " station covers the technology's devices at their own radio with "
                         "radio.location_probability (90 % by default)";
    else if (column.rfind("coverage_devices", 0) == 0)
      spec.description =
          "share of the devices a station hears at their own radio (SF, power, shadowing and "
          "penetration as drawn)";
    for (const KpiAttribute& a : kAttributes)
      if (a.name == column && a.count) spec.storage = kCount;
    return spec;
  }
  for (const Entry& e : kEntries) {
    if (e.table == table && e.column == column) {
      return {std::string(e.units), std::string(e.description), e.storage, e.codes};
    }
  }
  // The coverage tables' columns are named after the technologies the city has (output/SCHEMA.md); each got
  // the fallback "KPI <column> per row of ..." that says nothing.
  const auto after = [&](std::string_view prefix) {
    return column.rfind(prefix, 0) == 0 ? column.substr(prefix.size()) : std::string();
  };
  if (table == "coverage_by_district") {
    if (const std::string tech = after("area_"); !tech.empty())
      return {"",
              "share of the district's area covered for its " + tech +
                  " devices (radio.location_probability, 90 % by default)",
              kReal};
    if (const std::string tech = after("devices_"); !tech.empty())
      return {"", "share of the district's " + tech + " devices heard at their own radio", kReal};
  }
  if (table == "coverage_grid") {
    if (column == "x_m" || column == "y_m")
      return {"m", std::string("the cell's centre, ") + column[0] + " in the city's frame", kReal};
    if (column == "district")
      return {"", "index of the cell's district in city.districts, -1 outside every district", kCount};
    return {"",
            "share of the cell covered for the " + column +
                " devices at their own radio, radio.location_probability (90 % by default; judged on 4 x 4 "
                "points)",
            kReal};
  }
  return {units_from_suffix(column), "KPI " + column + " per row of /kpi/" + table, kReal};
}

std::span<const KpiAttribute> kpi_attributes() { return kAttributes; }

std::span<const h5::EnumMember> radio_codes() { return kRadio; }
std::span<const h5::EnumMember> radio_codes_with_mixed() { return kRadioWithMixed; }
std::span<const h5::EnumMember> attack_kind_codes() { return kAttackKinds; }
std::span<const h5::EnumMember> fail_reason_codes() {
  static const auto codes = make_fail_reasons();
  return codes;
}

}  // namespace citytwin::output
