// Tests of key.path=value overrides: applied before validation, confined to their target, and
// reported at "--set key.path=value" when the path or the value is wrong.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/scenario/scenario_loader.hpp"
#include "tests/sim/rooms.hpp"
#include "tests/sim/scenario_test_text.hpp"

namespace citytwin::sim {
namespace {

using scenario_test::kFullScenario;
using scenario_test::kMinimalScenario;
using scenario_test::load_error;
using scenario_test::replaced;

Scenario load(const std::string& text, const std::vector<std::string>& overrides) {
  return load_scenario_text(text, "<text>", overrides);
}

TEST(ScenarioOverrides, ChangeValues) {
  const Scenario s =
      load(kFullScenario, {"run.seed=7", "devices.0.interval=2min", "devices.1.radio.sf=12",
                           "radio.capture.enabled=true", "gateways.0.backhaul.bandwidth=10 Gbps"});
  EXPECT_EQ(s.run.seed, 7u);
  EXPECT_DOUBLE_EQ(s.devices[0].interval_s, 120.0);
  EXPECT_EQ(s.devices[1].radio.phy.spreading_factor, 12);
  EXPECT_TRUE(s.devices[1].radio.phy.low_data_rate_optimize);  // ldro auto follows the new SF
  EXPECT_TRUE(s.channel.capture.enabled);
  EXPECT_DOUBLE_EQ(s.gateways[0].fibre_bandwidth_bps, 10e9);
  EXPECT_EQ(s.overrides.size(), 5u);
  EXPECT_EQ(s.text, kFullScenario);  // the text as read, before overrides
}

TEST(ScenarioOverrides, SequenceElementsAndStructuredValues) {
  const Scenario s =
      load(kFullScenario, {"radio.gateway_sensitivity.5=-143 dBm", "devices[0].districts=[docks]",
                           "city.districts.1.size=[1 km, 2 km]", "devices.0.radio.channels.1=905.3MHz"});
  EXPECT_DOUBLE_EQ(s.channel.gateway_sensitivity_dbm[5], -143.0);
  EXPECT_DOUBLE_EQ(s.channel.gateway_sensitivity_dbm[4], -140.0);
  EXPECT_EQ(s.devices[0].placement.districts, (std::vector<std::string>{"docks"}));
  EXPECT_DOUBLE_EQ(s.city.districts[1].y_max_m, 2000.0);
  EXPECT_EQ(s.devices[0].radio.channels_hz, (std::vector<double>{903.9e6, 905.3e6}));
}

TEST(ScenarioOverrides, NewKeyInAnExistingMap) {
  const Scenario s =
      load(kFullScenario, {"devices.1.type=parking", "gateways.1.backhaul={fibre_length: 3 km}"});
  EXPECT_EQ(s.devices[1].type, "parking");
  EXPECT_DOUBLE_EQ(s.gateways[1].fibre_length_m, 3000.0);
  EXPECT_NO_THROW(load(kMinimalScenario, {"platform={server_speed: 1 Tf}"}));
}

TEST(ScenarioOverrides, LaterOverrideWins) {
  EXPECT_EQ(load(kMinimalScenario, {"run.seed=3", "run.seed=4"}).run.seed, 4u);
}

TEST(ScenarioOverrides, OverrideChangesOnlyItsTarget) {
  // The two populations write the same interval; only the first is overridden.
  std::string text = replaced(kFullScenario, "interval: 15min", "interval: 10 min");
  const Scenario s = load(text, {"devices.0.interval=1 h"});
  EXPECT_DOUBLE_EQ(s.devices[0].interval_s, 3600.0);
  EXPECT_DOUBLE_EQ(s.devices[1].interval_s, 600.0);
  const Scenario unchanged = load(text, {});
  EXPECT_DOUBLE_EQ(unchanged.devices[0].interval_s, 600.0);
}

TEST(ScenarioOverrides, AliasedNodesAreNotChangedThroughTheAlias) {
  // YAML aliases share one node in yaml-cpp; an override of one use must not reach the other.
  std::string text =
      replaced(kFullScenario, "    radio:\n      sf: 12\n", "    radio: &lora\n      sf: 12\n");
  text = replaced(text, "    radio: {sf: 7}\n", "    radio: *lora\n");
  const Scenario plain = load(text, {});
  EXPECT_EQ(plain.devices[1].radio.phy.spreading_factor, 12);
  EXPECT_EQ(plain.devices[1].radio.phy.coding_rate, 2);
  const Scenario s = load(text, {"devices.1.radio.sf=8"});
  EXPECT_EQ(s.devices[0].radio.phy.spreading_factor, 12);
  EXPECT_EQ(s.devices[1].radio.phy.spreading_factor, 8);
  EXPECT_EQ(s.devices[1].radio.phy.coding_rate, 2);
}

TEST(ScenarioOverrides, BadPaths) {
  EXPECT_EQ(load_error(kFullScenario, {"devices.5.interval=2min"}),
            "--set devices.5.interval=2min: devices[5]: index 5 out of range ('devices' has 3 entries)");
  // A map the scenario does not write (not a misspelling): the override that writes it whole is shown.
  EXPECT_EQ(load_error(kMinimalScenario, {"platform.server_speed=1 Tf"}),
            "--set platform.server_speed=1 Tf: platform: no key 'platform' to descend into: the scenario has "
            "no such map; write it whole, e.g. platform={server_speed: 1 Tf}");
  EXPECT_EQ(
      load_error(kMinimalScenario, {"devices.0.battery.service_life= 12 yr "}),
      "--set devices.0.battery.service_life= 12 yr : devices[0].battery: no key 'battery' to descend "
      "into: the scenario has no such map; write it whole, e.g. devices.0.battery={service_life: 12 yr}");
  EXPECT_EQ(
      load_error(kFullScenario, {"devices.0.radoi.sf=9"}),
      "--set devices.0.radoi.sf=9: devices[0].radoi: no key 'radoi' to descend into (did you mean 'radio'?)");
  EXPECT_EQ(load_error(kFullScenario, {"run.seed.x=1"}),
            "--set run.seed.x=1: run.seed.x: 'run.seed' is '42', not a map or sequence");
  EXPECT_EQ(load_error(kFullScenario, {"devices.first.count=1"}),
            "--set devices.first.count=1: devices: is a sequence: expected an index, got 'first'");
}

// Each says what is wrong with the key path, and the path meant where it can be told (the message was
// "expected key.path=value, e.g. devices.0.interval=2min" for all of them).
TEST(ScenarioOverrides, MalformedOverrides) {
  EXPECT_EQ(load_error(kMinimalScenario, {"run.seed"}),
            "--set run.seed: malformed override: no '=' (expected key.path=value, e.g. "
            "devices.0.interval=2min)");
  EXPECT_EQ(load_error(kMinimalScenario, {"=5"}), "--set =5: malformed override: the key path is empty");
  EXPECT_EQ(load_error(kMinimalScenario, {"run..seed=5"}),
            "--set run..seed=5: malformed override: key path 'run..seed' has an empty key (did you mean "
            "'run.seed'?)");
  EXPECT_EQ(load_error(kMinimalScenario, {"run]seed=5"}),
            "--set run]seed=5: malformed override: key path 'run]seed' has text after a ']' (did you mean "
            "'run.seed'?)");
  EXPECT_EQ(load_error(kMinimalScenario, {"gateways[]=5"}),
            "--set gateways[]=5: malformed override: key path 'gateways[]' has an empty key (did you mean "
            "'gateways[+]'?)");
}

TEST(ScenarioOverrides, InvalidValuesAreReportedAtTheOverride) {
  EXPECT_EQ(load_error(kFullScenario, {"devices.1.radio.sf=13"}),
            "--set devices.1.radio.sf=13: devices[1].radio.sf: expected 7..12, got 13");
  EXPECT_EQ(load_error(kFullScenario, {"run.duration=5 km"}),
            "--set run.duration=5 km: run.duration: expected a duration (us, ms, s, min, h, d, yr), "
            "got '5 km', which is a length");
  EXPECT_EQ(load_error(kFullScenario, {"devices.0.intervall=2min"}),
            "--set devices.0.intervall=2min: devices[0].intervall: unknown key 'intervall' (did you mean "
            "'interval'?)");
  EXPECT_EQ(
      load_error(kFullScenario, {"devices.0.districts=[old_town, harbour]"}),
      "--set devices.0.districts=[old_town, harbour]: devices[0].districts: no district named 'harbour' "
      "(districts: old_town, docks)");
  EXPECT_EQ(load_error(kFullScenario, {"gateways.0={name: g}"}),
            "--set gateways.0={name: g}: gateways[0]: missing required key 'position'");
}

TEST(ScenarioOverrides, ValueThatIsNotYaml) {
  const std::string error = load_error(kFullScenario, {"devices.0.districts=[a, b"});
  EXPECT_EQ(error.rfind("--set devices.0.districts=[a, b: devices[0].districts: invalid YAML value: ", 0), 0u)
      << error;
}

TEST(ScenarioOverrides, OverrideAndFileErrorsTogether) {
  const std::string text = replaced(kFullScenario, "count: 60", "count: sixty");
  EXPECT_EQ(load_error(text, {"run.seed=-1", "nope=1"}),
            "--set run.seed=-1: run.seed: expected an unsigned 64-bit integer, got '-1'\n"
            "--set nope=1: nope: unknown key 'nope' (valid keys: city, devices, gateways, fibre, radio, "
            "nbiot, wifi, drivers, platform, run, phases, costs, s_poles, iot_districts, attacks)\n"
            "<text>:14:12: devices[0].count: expected an integer, got 'sixty'");
}

}  // namespace
}  // namespace citytwin::sim
