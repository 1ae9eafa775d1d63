// A population's peak current draw against its cell's pulse rating (battery.max_pulse_current,
// models/device/battery.hpp): the largest current any state of a device's cycle asks of its cell, which for a
// radio sensor is its radio transmitting. The battery model charges that current as any other (it has no
// voltage or internal resistance), so a population beyond its cell's rating is flagged, not derated: a
// warning when the scenario is resolved, and /kpi@devices_over_pulse_limit (sim/record/kpi.cpp).
#pragma once

#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace citytwin::sim::city {

struct PeakCurrent {
  double current_ma = 0.0;
  std::string drawn_by;  // what draws it: "the NB-IoT modem transmitting", "sensing", ...
};

// The largest current a device of the population draws: its radio's transmit current for its technology
// (LoRa: the SX1276's at radio.tx_power, or firmware.tx_current; NB-IoT: the modem's, 167 mA at 23 dBm,
// models/radio/nbiot_power.hpp; Wi-Fi: the ESP32's 190 mA, models/device/catalogue.hpp), or a firmware
// state's (wake, sense, process, the LoRa receive windows) where that is larger.
PeakCurrent peak_current(const scenario::DevicePopulation& population);

// Whether the population's devices draw that peak from their battery (not mains powered: a stream is) beyond
// its battery.max_pulse_current. A population with a solar panel draws on its (rechargeable) cell too.
bool over_pulse_limit(const scenario::DevicePopulation& population);

// A warning (at battery.max_pulse_current where written, else at the population) for each population of at
// least one device over its limit: the peak, what draws it, the rating and the remedy. The population is
// named when its entry stands for several (a bundle's parts). (The rating written for a mains-powered
// population, which draws nothing from its battery, is said by sim/city/key_warnings.hpp.)
void check_pulse_current(const scenario::Scenario& scenario, std::vector<scenario::Diagnostic>& out);

}  // namespace citytwin::sim::city
