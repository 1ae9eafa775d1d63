#include "sim/city/downlink_warnings.hpp"

#include <limits>
#include <string>

#include "models/radio/lorawan_timing.hpp"
#include "sim/city/warning_text.hpp"

namespace citytwin::sim::city {
void check_downlink_timing(const scenario::Scenario& sc, std::vector<scenario::Diagnostic>& out) {
  const auto secs = [](double s) { return significant(s, 4) + " s"; };  // "1.105 s"
  // The tightest RX1 among the LoRaWAN populations that need downlinks.
  double rx1_s = std::numeric_limits<double>::infinity();
  size_t tightest = 0;
  for (size_t i = 0; i < sc.devices.size(); ++i) {
    const scenario::DevicePopulation& pop = sc.devices[i];
    if (pop.technology != scenario::Technology::LoRaWAN || pop.count == 0) continue;
    if (!pop.confirmation.confirmed && !pop.radio.adr) continue;
    if (pop.firmware.rx1_delay_s < rx1_s) {
      rx1_s = pop.firmware.rx1_delay_s;
      tightest = i;
    }
  }
  if (rx1_s == std::numeric_limits<double>::infinity()) return;
  const double rx2_s = models::radio::rx2_open_s(rx1_s);
  for (size_t g = 0; g < sc.gateways.size(); ++g) {
    const scenario::Gateway& gw = sc.gateways[g];
    if (gw.technology != scenario::Technology::LoRaWAN) continue;
    const double route_s = scenario::route_latency_s(sc, gw);
    // (The up leg of this gateway alone; the server takes the first copy of every gateway that heard it.)
    const double ready_s = models::radio::downlink_at_gateway_s(0.0, gw.forward_delay_s + route_s,
                                                                sc.platform.ns_downlink_delay_s, route_s);
    if (ready_s <= rx1_s) continue;
    const std::string fate = ready_s > rx2_s ? "after RX2 too (" + secs(rx2_s) + "): it sends none"
                                             : "its ACKs and ADR commands go in RX2";
    out.push_back({gw.mark, scenario::gateway_path(sc, g) + ".backhaul",
                   "a downlink through this gateway alone is ready " + secs(ready_s) +
                       " after an uplink's end (forward_delay " + secs(gw.forward_delay_s) + ", its route " +
                       secs(route_s) + " up and again down, platform.ns_downlink_delay " +
                       secs(sc.platform.ns_downlink_delay_s) + "), after RX1 (firmware.rx1_delay " +
                       secs(rx1_s) + " of " + scenario::population_path(sc, tightest) + "): " + fate +
                       ", unless a gateway with a faster backhaul heard the frame (downlinks_rx1_late)",
                   scenario::Diagnostic::Severity::Warning});
  }
}

}  // namespace citytwin::sim::city
