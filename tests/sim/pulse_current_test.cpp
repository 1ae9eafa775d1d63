// A population's peak current draw against its cell's pulse rating (sim/city/pulse_current.hpp): the radio's
// transmit current for its technology from the models' published figures, the flag at, above and below the
// rating, and the load-time warning that names the population.
#include "sim/city/pulse_current.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "models/radio/nbiot_power.hpp"
#include "sim/city/resolve.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "tests/sim/one_district_city.hpp"

namespace citytwin::sim::city {
namespace {

// The one-district city with a LoRaWAN gateway and an NB-IoT cell.
scenario::Scenario with_population(const std::string& population) {
  return scenario::load_scenario_text(test::one_district_city(population));
}

// The one population of a scenario with this population entry.
scenario::DevicePopulation population(const std::string& entry) { return with_population(entry).devices[0]; }

std::vector<std::string> warnings_of(const std::string& population) {
  std::vector<std::string> texts;
  for (const auto& w : resolve(with_population(population), 1)) texts.push_back(w.to_string());
  return texts;
}

std::vector<std::string> pulse_warnings(const std::vector<std::string>& warnings) {
  std::vector<std::string> found;
  std::copy_if(warnings.begin(), warnings.end(), std::back_inserter(found),
               [](const std::string& w) { return w.find("battery.max_pulse_current") != std::string::npos; });
  return found;
}

// Each technology's transmit current is the model's published figure: the SX1276 at 14 dBm 43.5 mA and at
// +20 dBm 120 mA (Semtech datasheet table 6, models/device/firmware.hpp), the NB-IoT modem 167 mA at 23 dBm
// (China Mobile M5311, models/radio/nbiot_power.hpp).
TEST(PeakCurrent, IsTheRadioTransmittingForEachTechnology) {
  const PeakCurrent lora = peak_current(population("  - {name: l, count: 5, districts: [a]}\n"));
  EXPECT_DOUBLE_EQ(lora.current_ma, 43.5);
  EXPECT_EQ(lora.drawn_by, "the LoRa radio transmitting at 14 dBm");
  const PeakCurrent loud =
      peak_current(population("  - {name: l, count: 5, districts: [a], radio: {tx_power: 20 dBm, "
                              "duty_cycle: false}}\n"));
  EXPECT_DOUBLE_EQ(loud.current_ma, 120.0);
  EXPECT_DOUBLE_EQ(models::radio::NbiotPowerProfile{}.peak_current_ma(), 167.0);
  const PeakCurrent nbiot =
      peak_current(population("  - {name: n, technology: nbiot, count: 5, districts: [a]}\n"));
  EXPECT_DOUBLE_EQ(nbiot.current_ma, 167.0);
  EXPECT_EQ(nbiot.drawn_by, "the NB-IoT modem transmitting");
  // A firmware state drawing more than the radio is the peak (a 200 mA sensor heater, say).
  const PeakCurrent heater = peak_current(population(
      "  - {name: h, count: 5, districts: [a], firmware: {sense: {duration: 1 s, current: 200 mA}}}\n"));
  EXPECT_DOUBLE_EQ(heater.current_ma, 200.0);
  EXPECT_EQ(heater.drawn_by, "sensing");
}

// 167 mA on a cell rated for 150 mA is flagged, 100 mA is not; at the rating itself it is within ("up to"),
// a hair above it is not.
TEST(PulseLimit, FlagsADrawAboveTheCellsRating) {
  const auto lora = [](const std::string& tx, const std::string& rating) {
    return population("  - {name: l, count: 5, districts: [a], firmware: {tx_current: " + tx +
                      "}, battery: {max_pulse_current: " + rating + "}}\n");
  };
  EXPECT_TRUE(over_pulse_limit(lora("167 mA", "150 mA")));
  EXPECT_FALSE(over_pulse_limit(lora("100 mA", "150 mA")));
  EXPECT_FALSE(over_pulse_limit(lora("150 mA", "150 mA")));
  EXPECT_TRUE(over_pulse_limit(lora("150.001 mA", "150 mA")));
  EXPECT_FALSE(over_pulse_limit(lora("167 mA", "167 mA")));
  // The default cell (an AA bobbin Li-SOCl2, 150 mA) under an NB-IoT modem (167 mA) is beyond its rating;
  // a hybrid cell or a capacitor rated for the bursts is not; on mains the bursts come from the grid.
  EXPECT_TRUE(over_pulse_limit(population("  - {name: n, technology: nbiot, count: 5, districts: [a]}\n")));
  EXPECT_FALSE(
      over_pulse_limit(population("  - {name: n, technology: nbiot, count: 5, districts: [a], "
                                  "battery: {max_pulse_current: 0.5 A}}\n")));
  EXPECT_FALSE(over_pulse_limit(
      population("  - {name: n, technology: nbiot, count: 5, districts: [a], power: mains}\n")));
  // A LoRa radio at any power is within the AA cell's rating (the SX1276's most: 120 mA).
  EXPECT_FALSE(over_pulse_limit(population("  - {name: l, count: 5, districts: [a]}\n")));
  // The catalogue's water meter on its AA cell: within on LoRaWAN, beyond on NB-IoT.
  EXPECT_FALSE(over_pulse_limit(population("  - {name: w, type: water_meter, count: 5, districts: [a]}\n")));
  EXPECT_TRUE(over_pulse_limit(
      population("  - {name: w, type: water_meter, technology: nbiot, count: 5, districts: [a]}\n")));
}

// The warning names the population where it was written, the peak, what draws it, the rating and the
// remedy; written on a mains-powered population the rating does nothing, which is said.
TEST(PulseLimit, IsWarnedOfAtTheWrittenPopulation) {
  const auto nbiot =
      pulse_warnings(warnings_of("  - {name: n, technology: nbiot, count: 5, districts: [a]}\n"));
  ASSERT_EQ(nbiot.size(), 1u);
  EXPECT_EQ(nbiot[0],
            "<text>:5:5: devices[0].battery.max_pulse_current: warning: its devices draw 167 mA (the NB-IoT "
            "modem transmitting) from a cell rated for 150 mA pulses: a real design buffers them with a "
            "capacitor (a supercapacitor, a hybrid layer capacitor) or takes a spiral or hybrid cell (write "
            "its rating as battery.max_pulse_current). A flag only: the energy drawn is unchanged, and "
            "/kpi@devices_over_pulse_limit counts these devices");
  // Where the rating is written, the warning points at it.
  const auto rated = pulse_warnings(warnings_of(
      "  - {name: n, technology: nbiot, count: 5, districts: [a], battery: {max_pulse_current: 100 mA}}\n"));
  ASSERT_EQ(rated.size(), 1u);
  EXPECT_NE(
      rated[0].find("<text>:5:89: devices[0].battery.max_pulse_current: warning: its devices draw 167 mA "
                    "(the NB-IoT modem transmitting) from a cell rated for 100 mA pulses"),
      std::string::npos)
      << rated[0];
  EXPECT_TRUE(pulse_warnings(warnings_of("  - {name: n, technology: nbiot, count: 5, districts: [a], "
                                         "battery: {max_pulse_current: 200 mA}}\n"))
                  .empty());
  EXPECT_TRUE(
      pulse_warnings(warnings_of("  - {name: n, technology: nbiot, count: 0, districts: [a]}\n")).empty());
  const auto mains = warnings_of(
      "  - {name: m, technology: nbiot, count: 5, districts: [a], power: mains, "
      "battery: {max_pulse_current: 100 mA}}\n");
  ASSERT_EQ(mains.size(), 1u);
  EXPECT_NE(
      mains[0].find("devices[0].battery.max_pulse_current: warning: ignored: a mains-powered population "
                    "draws its radio's bursts from the mains, not from its battery"),
      std::string::npos)
      << mains[0];
}

}  // namespace
}  // namespace citytwin::sim::city
