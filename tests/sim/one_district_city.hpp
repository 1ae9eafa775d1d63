// The scenario text of a one-district city for resolve()'s checks of a population (resolve_test.cpp,
// pulse_current_test.cpp), written once.
#pragma once

#include <string>

namespace citytwin::test {

// A Wi-Fi access point, for one_district_city's more_gateways (gateways[2]).
inline const std::string kAccessPointEntry = "  - {name: ap, technology: wifi, position: [500 m, 400 m]}\n";

// District a (1 km square at the origin); `population`, the devices section's entries (its first line is
// line 5 of the text); a LoRaWAN gateway (gw, gateways[0]) and an NB-IoT cell (cell, gateways[1]), then
// `more_gateways`; a 1 h run.
inline std::string one_district_city(const std::string& population, const std::string& more_gateways = "") {
  return "city:\n"
         "  districts:\n"
         "    - {name: a, origin: [0 m, 0 m], size: [1 km, 1 km]}\n"
         "devices:\n" +
         population +
         "gateways:\n"
         "  - {name: gw, position: [500 m, 500 m]}\n"
         "  - {name: cell, technology: nbiot, position: [400 m, 500 m]}\n" +
         more_gateways + "run: {duration: 1 h}\n";
}

}  // namespace citytwin::test
