// The sections of a scenario file, each read into its struct of sim/scenario.hpp; driven by
// load_scenario_text (sim/scenario_loader.cpp). Internal to the loader.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_yaml.hpp"

namespace citytwin::sim::scenario {

// The districts read so far, for the checks that refer to them.
struct DistrictIndex {
  const City& city;
  bool complete = false;  // every district was read without error, so "in no district" can be judged

  std::vector<std::string_view> names() const;
  bool has(std::string_view name) const;
  bool covers(double x_m, double y_m) const;
};

// A name and where it was written, to report duplicates.
struct NamedAt {
  std::string name;
  Location location;
  std::string path;  // key path of the name, e.g. "devices[3].name"
};

// Reports each name seen before: "duplicate <what> name 'x' (first at line L)".
void report_duplicates(DiagnosticLog& log, const std::vector<NamedAt>& names, std::string_view what);

// "(1500 m, 200 m)".
std::string format_point_m(double x_m, double y_m);
// "1 km2", "0.25 km2" (from 0.1 km2), "350 m2".
std::string format_area(double area_m2);

void read_city(DiagnosticLog& log, const YamlNode* node, City& city, bool& complete);
// sim/scenario/scenario_geojson.cpp: city.districts_geojson (a file name, or a map with file:), appended
// to out; complete = false on any error.
void read_districts_geojson(DiagnosticLog& log, const YamlNode& node, const std::string& path,
                            const GeoOrigin& origin, const YamlNode* origin_node, std::vector<District>& out,
                            bool& complete);
void read_devices(DiagnosticLog& log, const YamlNode* node, const DistrictIndex& districts,
                  std::vector<DevicePopulation>& devices);
// sim/scenario/scenario_device_hardware.cpp: the maps of a population (node null when absent) at path.
void read_radio(DiagnosticLog& log, const YamlNode* node, const std::string& path, LoraRadio& radio);
void read_firmware(DiagnosticLog& log, const YamlNode* node, const std::string& path,
                   models::device::FirmwareProfile& firmware);
void read_battery(DiagnosticLog& log, const YamlNode* node, const std::string& path,
                  models::device::BatterySpec& battery);
// A panel makes the population's battery rechargeable.
void read_solar(DiagnosticLog& log, const YamlNode* node, const std::string& path,
                DevicePopulation& population);
void read_gateways(DiagnosticLog& log, const YamlNode* node, const DistrictIndex& districts,
                   std::vector<Gateway>& gateways);
// sim/scenario/scenario_fibre.cpp
void read_fibre(DiagnosticLog& log, const YamlNode* node, const std::vector<Gateway>& gateways,
                const YamlNode* gateways_node, Fibre& fibre);
// sim/scenario/scenario_drivers_section.cpp
void read_drivers(DiagnosticLog& log, const YamlNode* node, Scenario& scenario);
// sim/scenario/scenario_drivers.cpp
struct QuantityKind;
void read_quantity_source(DiagnosticLog& log, const YamlNode& node, const std::string& path,
                          const QuantityKind& kind, const City& city, QuantitySource& out);
void read_flood(DiagnosticLog& log, const YamlNode& node, const std::string& path, const City& city,
                FloodSpec& out);
// sim/scenario/scenario_attacks.cpp
void read_attacks(DiagnosticLog& log, const YamlNode* node, Scenario& scenario);

// sim/scenario/scenario_settings.cpp
void read_channel(DiagnosticLog& log, const YamlNode* node, RadioChannel& channel);
// US915: the devices' channels sub-band 2 (903.9-905.3 MHz) unless given; given ones must be uplink channels.
void check_us915_channels(DiagnosticLog& log, Scenario& scenario);
void read_nbiot(DiagnosticLog& log, const YamlNode* node, Nbiot& nbiot);
void read_wifi(DiagnosticLog& log, const YamlNode* node, Wifi& wifi);
// devices: read before; an alert rule's threshold is in the unit of what its type senses.
void read_platform(DiagnosticLog& log, const YamlNode* node, const std::vector<DevicePopulation>& devices,
                   Platform& platform);
void read_run(DiagnosticLog& log, const YamlNode* node, const std::vector<DevicePopulation>& devices,
              Run& run);

// sim/scenario/scenario_traffic.cpp
void read_traffic(DiagnosticLog& log, const YamlNode& node, const std::string& path, const City& city,
                  TrafficSpec& out);

}  // namespace citytwin::sim::scenario
