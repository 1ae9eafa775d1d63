// The run's key performance indicators, computed from the message log, the fleet and the network.
#pragma once

#include <vector>

#include "output/records.hpp"
#include "sim/access/wifi_access.hpp"
#include "sim/city/city_layout.hpp"
#include "sim/drivers/driver_set.hpp"
#include "sim/engine/fleet.hpp"
#include "sim/network/wired_network.hpp"
#include "sim/record/message_log.hpp"
#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::record {

// Nearest-rank percentile (p in [0, 1]) of values; NaN when empty. Reorders values.
double percentile(std::vector<float>& values, double p);

// The /kpi attributes each source owns (record::RunRecorder collects them):
// devices, gateways, energy_mean_mah, devices_dead, uplinks_deferred_duty_cycle;
void add_fleet_kpis(const city::CityLayout& city, const engine::Fleet& fleet, output::KpiList& kpis);
// uplinks sent and delivered, latency percentiles, reports, the losses by reason, latency_air_mean_s;
void add_log_kpis(const MessageLog& log, output::KpiList& kpis);
// copies forwarded and buffered, the gateway, backhaul and server parts of the latency.
void add_wired_kpis(const network::WiredNetwork& wired, output::KpiList& kpis);
// Puts the attributes in the schema's order (output/SCHEMA.md; output::kpi_attributes(), those marked
// ordered); the others follow, in the order they were added.
void order_kpis(output::KpiList& kpis);
output::KpiTable district_kpis(const scenario::Scenario& scenario, const city::CityLayout& city,
                               const engine::Fleet& fleet, const MessageLog& log);
// Per Wi-Fi access point: cameras, offered / carried over the air / through the backhaul, utilisation,
// seconds its streams' route was down.
output::KpiTable access_point_kpis(const scenario::Scenario& scenario, const access::WifiAccess& wifi,
                                   const network::WiredNetwork& wired);
// stream_carried_backhaul_bps and access_points_saturated from the by-access-point table.
void add_backhaul_stream_kpis(output::KpiList& kpis, const output::KpiTable& access_points);
// battery_life_years: of the devices on their battery alone (no mains, solar panel or stream), the years a
// cell of their mean capacity lasts at their mean drain in the run, capped by their mean rated service life;
// battery_life_energy_years: the same without the cap; NaN without such devices or drain;
// devices_service_life_limited: those of them whose own drain would leave charge at the end of that life.
void add_battery_life_kpi(const scenario::Scenario& sc, const city::CityLayout& city,
                          const engine::Fleet& fleet, double duration_s, output::KpiList& kpis);
// devices_over_pulse_limit: devices whose peak current draw from their battery exceeds its
// battery.max_pulse_current (sim/city/pulse_current.hpp: a flag; their energy is charged all the same).
void add_pulse_limit_kpi(const scenario::Scenario& sc, const city::CityLayout& city, output::KpiList& kpis);
// Per wired failure that began before t_end_s (its schedule order, the rows /messages/failure points to):
// when, the uplinks and forwarded copies it delayed or lost, and the CCTV stream time it interrupted.
output::KpiTable failure_kpis(const network::WiredNetwork& wired, const MessageLog& log, double t_end_s);
// /kpi/power_outages: one row per district and power cut (drivers.power_outages, its CSV, then the flood's
// cuts of flooded districts), in that order: start_s, end_s, from_flood (1 for the flood's).
output::KpiTable power_outage_kpis(const scenario::Scenario& scenario, const drivers::DriverSet& drivers);

// By device type (populations of the same type are pooled); duration_s is the simulated time, for
// the projected battery lifetime.
output::KpiTable type_kpis(const scenario::Scenario& scenario, const city::CityLayout& city,
                           const engine::Fleet& fleet, const MessageLog& log, double duration_s);

}  // namespace citytwin::sim::record
