#include "sim/city/pulse_current.hpp"

#include <cmath>
#include <cstdio>
#include <map>
#include <utility>

#include "models/device/battery.hpp"
#include "models/device/catalogue.hpp"
#include "models/radio/nbiot_power.hpp"
#include "sim/city/warning_text.hpp"

namespace citytwin::sim::city {
namespace {

using scenario::DevicePopulation;
using scenario::Technology;

}  // namespace

PeakCurrent peak_current(const DevicePopulation& pop) {
  PeakCurrent peak;
  const auto consider = [&](double current_ma, std::string drawn_by) {
    if (current_ma > peak.current_ma) peak = {current_ma, std::move(drawn_by)};
  };
  if (pop.technology == Technology::WiFi) {
    // A camera streams from the mains (no duty cycle); its radio is an ESP32-class one at its peak.
    consider(models::device::kWifiReportCost.tx_current_ma, "the Wi-Fi radio transmitting");
    return peak;
  }
  // The radio first: at a tie with a firmware state, the radio is named.
  if (pop.technology == Technology::NbIot) {
    // The modem the NB-IoT network charges (sim/access/nbiot_network.hpp: the default profile), whatever
    // radio.tx_power says of its link budget.
    const models::radio::NbiotPowerProfile modem;
    consider(modem.peak_current_ma(), "the NB-IoT modem transmitting");
  } else {
    const bool given = !std::isnan(pop.firmware.tx_current_ma);
    consider(pop.firmware.tx_current_at_ma(pop.radio.tx_power_dbm),
             given ? "the LoRa radio transmitting (firmware.tx_current)"
                   : "the LoRa radio transmitting at " + significant(pop.radio.tx_power_dbm, 4) + " dBm");
    consider(pop.firmware.rx_current_ma, "the LoRa radio receiving");
  }
  const models::device::FirmwareProfile& f = pop.firmware;
  if (f.wake_duration_s > 0.0) consider(f.wake_current_ma, "waking");
  if (f.sense_duration_s > 0.0) consider(f.sense_current_ma, "sensing");
  if (f.process_duration_s > 0.0) consider(f.process_current_ma, "processing");
  return peak;
}

bool over_pulse_limit(const DevicePopulation& pop) {
  // Mains powered (cameras included): the bursts come from the grid, the battery does not drain.
  if (pop.mains_powered || pop.stream_bps > 0.0) return false;
  return models::device::exceeds_pulse_rating(pop.battery, peak_current(pop).current_ma);
}

void check_pulse_current(const scenario::Scenario& sc, std::vector<scenario::Diagnostic>& out) {
  std::map<std::string, size_t> populations_of;  // written entry -> the populations it stands for
  for (size_t i = 0; i < sc.devices.size(); ++i) ++populations_of[scenario::population_path(sc, i)];
  for (size_t i = 0; i < sc.devices.size(); ++i) {
    const DevicePopulation& pop = sc.devices[i];
    if (pop.count <= 0 || !over_pulse_limit(pop)) continue;
    const std::string path = scenario::population_path(sc, i);
    scenario::SourceMark mark = pop.mark;
    for (const scenario::WrittenKey& written : pop.written_keys)
      if (written.key == "battery.max_pulse_current") mark = written.mark;
    const PeakCurrent peak = peak_current(pop);
    std::string message = populations_of[path] > 1 ? "population '" + pop.name + "': " : "";
    message += "its devices draw " + significant(peak.current_ma, 4) + " mA" + " (" + peak.drawn_by +
               ") from a cell rated for " + significant(pop.battery.max_pulse_current_ma, 4) + " mA" +
               " pulses: a real design buffers them with a capacitor (a supercapacitor, a hybrid layer "
               "capacitor) or takes a spiral or hybrid cell (write its rating as battery.max_pulse_current). "
               "A flag only: the energy drawn is unchanged, and /kpi@devices_over_pulse_limit counts these "
               "devices";
    out.push_back({mark, path + ".battery.max_pulse_current", std::move(message),
                   scenario::Diagnostic::Severity::Warning});
  }
}

}  // namespace citytwin::sim::city
