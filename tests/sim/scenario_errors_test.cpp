// Tests of malformed scenarios: each is reported as file:line:col: key.path: message, and all the
// problems of a file are reported together.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "sim/scenario/scenario_loader.hpp"
#include "sim/scenario/scenario_yaml.hpp"
#include "tests/sim/rooms.hpp"
#include "tests/sim/scenario_test_text.hpp"

namespace citytwin::sim {
namespace {

using scenario_test::kFullScenario;
using scenario_test::kMinimalScenario;
using scenario_test::load_error;
using scenario_test::replaced;

// The minimal scenario with one line of the population replaced or added.
std::string with_device_line(const std::string& line) {
  return replaced(kMinimalScenario, "    districts: [harbor]\n",
                  "    districts: [harbor]\n    " + line + "\n");
}

TEST(ScenarioErrors, YamlSyntaxError) {
  const std::string text = replaced(kMinimalScenario, "districts: [harbor]", "districts: [harbor");
  EXPECT_EQ(load_error(text), "<text>:8:9: <yaml>: end of sequence flow not found");
}

TEST(ScenarioErrors, YamlSyntaxErrorBadIndentation) {
  const std::string text = replaced(kMinimalScenario, "    count: 10", "      count: 10");
  const std::string error = load_error(text);
  EXPECT_EQ(error.rfind("<text>:6:", 0), 0u) << error;
  EXPECT_NE(error.find(": <yaml>: "), std::string::npos) << error;
}

TEST(ScenarioErrors, UnknownKeyWithHint) {
  EXPECT_EQ(load_error(with_device_line("intervall: 10 min")),
            "<text>:8:5: devices[0].intervall: unknown key 'intervall' (did you mean 'interval'?)");
  EXPECT_EQ(load_error(with_device_line("radio: {spreading: 9}")),
            "<text>:8:13: devices[0].radio.spreading: unknown key 'spreading' (valid keys: sf, bandwidth, "
            "coding_rate, preamble, header, crc, ldro, tx_power, channels, join_margin, adr, duty_cycle)");
}

TEST(ScenarioErrors, UnknownKeyHints) {
  EXPECT_EQ(load_error(with_device_line("radio: {txpower: 9 dBm}")),
            "<text>:8:13: devices[0].radio.txpower: unknown key 'txpower' (did you mean 'tx_power'?)");
  EXPECT_EQ(load_error(with_device_line("firm: {}")),  // a prefix
            "<text>:8:5: devices[0].firm: unknown key 'firm' (did you mean 'firmware'?)");
  EXPECT_EQ(load_error(kMinimalScenario + "floods: {}\n"),
            "<text>:12:1: floods: unknown key 'floods' (valid keys: city, devices, gateways, fibre, radio, "
            "nbiot, wifi, drivers, platform, run, phases, costs, s_poles, iot_districts, attacks)");
}

// A data file that is a device is refused before it is read: /dev/zero and /dev/full never end (the fuzzer
// found a scenario whose outage file, /dev/full, was read until memory ran out). /dev/null reads as an
// empty file (the full scenario of the loader's tests uses it).
TEST(ScenarioErrors, ADeviceAsADataFileIsRefusedBeforeItIsRead) {
  for (const std::string device : {"/dev/zero", "/dev/full"}) {
    for (const std::string key : {"power_outages_csv", "failures_csv"}) {
      const std::string error = load_error(kMinimalScenario + "drivers:\n  " + key + ": " + device + "\n");
      EXPECT_NE(error.find(":13:"), std::string::npos) << error;
      EXPECT_NE(error.find("drivers." + key + ": '" + device + "' is a device, not a file"),
                std::string::npos)
          << error;
    }
  }
  EXPECT_NE(load_error(kMinimalScenario + "drivers:\n  failures_csv: /tmp\n").find("'/tmp' is a directory"),
            std::string::npos);
}

// A tab in the indentation is named where it stands: yaml-cpp reported what it broke ("illegal block
// entry", "end of map not found") at the key after it, and never said "tab".
TEST(ScenarioErrors, ATabInTheIndentationIsNamedAtTheTab) {
  EXPECT_EQ(
      load_error(replaced(kMinimalScenario, "  - name: meters", "\t- name: meters")),
      "<text>:5:1: <yaml>: a tab in the indentation: YAML indents with spaces only (illegal block entry)");
  const std::string error = load_error(replaced(kMinimalScenario, "    count: 10", "  \t  count: 10"));
  EXPECT_EQ(error.rfind("<text>:6:3: <yaml>: a tab in the indentation", 0), 0u) << error;
  // A tab after the content (in a comment) or on a blank line is no error.
  EXPECT_EQ(load_error(replaced(kMinimalScenario, "    count: 10", "    count: 10\t# ten\n\t")), "no error");
}

// A scenario is UTF-8 text: a Latin-1 byte, a NUL or a malformed sequence is refused where it stands (line,
// and column in characters), before yaml-cpp reads on (a Latin-1 name used to reach the trace, where
// `describe
// --json` and h5py then failed on it; a NUL gave "unknown escape character").
TEST(ScenarioErrors, TextThatIsNotUtf8IsRefusedAtItsLineAndColumn) {
  const std::string latin1 = replaced(kMinimalScenario, "  - name: meters", "  - name: caf\xE9");
  EXPECT_EQ(
      load_error(latin1),
      "<text>:5:14: <yaml>: byte 0xE9 is not UTF-8 text (a Latin-1 or Windows-1252 file? save it as UTF-8)");
  const std::string nul = replaced(kMinimalScenario, "count: 10",
                                   std::string("count: 1\0"
                                               "0",
                                               10));
  EXPECT_EQ(load_error(nul),
            "<text>:6:13: <yaml>: a NUL byte: a scenario is UTF-8 text (UTF-16 is not read)");
  // Characters before it on its line count one column each, however many bytes they take.
  const std::string after = kMinimalScenario + "# \xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80 \xFF\n";
  EXPECT_EQ(load_error(after).rfind("<text>:12:7: <yaml>: byte 0xFF is not UTF-8", 0), 0u)
      << load_error(after);
  // Well-formed UTF-8 of 2, 3 and 4 bytes is read (a comment here, a name in the trace elsewhere).
  EXPECT_EQ(load_error(kMinimalScenario + "# \xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF\n"),
            "no error");
  // Overlong forms, surrogates, code points past U+10FFFF, and sequences cut short are not UTF-8.
  for (const std::string bad : {"\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80",
                                "\xF5\x80\x80\x80", "\xE2\x82", "\xE2\x82 x", "\x80"}) {
    const std::string error = load_error(kMinimalScenario + "# " + bad);
    EXPECT_EQ(error.rfind("<text>:12:3: <yaml>: byte 0x", 0), 0u) << error;
  }
}

// The scenario file itself: a device is refused before a byte is read (/dev/zero was read until memory ran
// out), and a file past kMaxScenarioBytes is refused (a FIFO never ends either).
TEST(ScenarioErrors, ADeviceOrAHugeFileAsTheScenarioIsRefused) {
  for (const std::string device : {"/dev/zero", "/dev/urandom"}) {
    try {
      scenario::load_scenario_file(device);
      ADD_FAILURE() << device;
    } catch (const scenario::ScenarioError& e) {
      EXPECT_EQ(std::string(e.what()), device + ": is a device, not a file (it would be read without end)");
    }
  }
  const std::string huge = testing::TempDir() + "huge_scenario.yaml";
  {
    std::ofstream out(huge);
    out << kMinimalScenario;
  }
  std::filesystem::resize_file(huge, scenario::kMaxScenarioBytes + 1);  // (sparse: no disk used)
  try {
    scenario::load_scenario_file(huge);
    ADD_FAILURE() << huge;
  } catch (const scenario::ScenarioError& e) {
    EXPECT_EQ(std::string(e.what()), huge +
                                         ": larger than 64 MiB: not a scenario (data belongs in the CSV and "
                                         "GeoJSON files a scenario names)");
  }
  std::filesystem::remove(huge);
}

// The CI's fuzz run found a message that quoted a 6 kB value whole (a duration, a district's name, a data
// file's path all did). Every quoted text over 240 characters is now shown as an excerpt with its length.
TEST(ScenarioErrors, AHugeValueIsQuotedAsAnExcerpt) {
  const std::string huge(6000, 'x');
  for (const std::string& text :
       {with_device_line("interval: 15 " + huge), with_device_line("interval: " + huge + " Gf"),
        replaced(kMinimalScenario, "districts: [harbor]", "districts: [" + huge + "]")}) {
    const std::string message = load_error(text);
    EXPECT_LT(message.size(), 400u) << message.substr(0, 400);
    EXPECT_NE(message.find("xxxxxxxxxx... ("), std::string::npos) << message.substr(0, 400);
    EXPECT_NE(message.find(" characters)'"), std::string::npos) << message.substr(0, 400);
  }
  const std::string path =
      load_error(kMinimalScenario + "drivers:\n  failures_csv: /nonexistent/" + huge + "\n");
  EXPECT_LT(path.size(), 400u) << path.substr(0, 400);
  EXPECT_NE(path.find("drivers.failures_csv: cannot read '/nonexistent/xxxx"), std::string::npos) << path;
}

// Two districts that overlap were accepted: `describe` summed 8 km2 for a union of 7, a population spread
// over both was twice as dense in the overlap, and a gateway there was the first district's alone.
TEST(ScenarioErrors, OverlappingDistrictsAreRefusedNamingBothAndTheArea) {
  const std::string city =
      "city:\n"
      "  districts:\n"
      "    - {name: a, origin: [0 km, 0 km], size: [2 km, 2 km]}\n"
      "    - {name: b, origin: [1 km, 1 km], size: [2 km, 2 km]}\n"
      "devices:\n  - {name: d, count: 10, districts: [a, b]}\n"
      "gateways:\n  - {name: gw, position: [500 m, 500 m]}\n"
      "run:\n";
  EXPECT_EQ(
      load_error(city),
      "<text>:4:7: city.districts[1]: district 'b' overlaps district 'a' (line 3) by 1 km2 (25 % of the "
      "smaller): a point in both would count twice (the city's area, a population's density) and belong "
      "to 'a' alone (a power cut in 'b' would miss it); districts may share edges, not area");
  // Sharing an edge or a corner is fine.
  EXPECT_EQ(load_error(replaced(city, "origin: [1 km, 1 km]", "origin: [2 km, 0 km]")), "no error");
  EXPECT_EQ(load_error(replaced(city, "origin: [1 km, 1 km]", "origin: [2 km, 2 km]")), "no error");
  // One inside another overlaps by the whole of the smaller.
  const std::string inside = load_error(replaced(city, "origin: [1 km, 1 km], size: [2 km, 2 km]",
                                                 "origin: [500 m, 500 m], size: [100 m, 100 m]"));
  EXPECT_NE(inside.find("by 1e+04 m2 (100 % of the smaller)"), std::string::npos) << inside;
}

// A missing data file was "data/river.csv:0: cannot read": a line 0, and the path as written, not the one
// tried. It is named at the key that gives it, resolved and absolute.
TEST(ScenarioErrors, AMissingDataFileIsNamedAtItsKeyWithThePathTried) {
  const std::string error = load_error(kMinimalScenario +
                                       "  duration: 1 h\ndrivers:\n  river_level: {csv: data/river.csv, "
                                       "interpolation: linear}\n");
  const std::string tried = (std::filesystem::current_path() / "data/river.csv").string();
  EXPECT_EQ(error,
            "<text>:14:22: drivers.river_level.csv: cannot read '" + tried + "' (No such file or directory)");
  const std::string outages = load_error(kMinimalScenario + "drivers:\n  power_outages_csv: data/cuts.csv\n");
  EXPECT_NE(outages.find("drivers.power_outages_csv: cannot read '" +
                         (std::filesystem::current_path() / "data/cuts.csv").string() + "'"),
            std::string::npos)
      << outages;
}

// A power cut's district misspelt got a "did you mean" in devices[].districts but none in power_outages_csv
// (nor in power_outages).
TEST(ScenarioErrors, APowerCutsDistrictTypoGetsAHint) {
  const std::string csv = testing::TempDir() + "citytwin_cuts_" + std::to_string(::getpid()) + ".csv";
  std::ofstream(csv) << "district,start,end\nharbour,1 h,2 h\n";
  const std::string error = load_error(kMinimalScenario + "drivers:\n  power_outages_csv: " + csv + "\n");
  std::filesystem::remove(csv);
  EXPECT_NE(error.find("drivers.power_outages_csv: " + csv +
                       ":2: no district named 'harbour' (did you mean "
                       "'harbor'?)"),
            std::string::npos)
      << error;
  EXPECT_EQ(load_error(kMinimalScenario +
                       "drivers:\n  power_outages: [{districts: [harbour], start: 1 h, end: 2 h}]\n"),
            "<text>:13:32: drivers.power_outages[0].districts: no district named 'harbour' (did you mean "
            "'harbor'?)");
}

TEST(ScenarioErrors, ABoundedMessageKeepsShortQuotesAndApostrophes) {
  // Prose between an apostrophe and a quote is no quoted text: left whole.
  const std::string prose = "the base's list " + std::string(150, '.') + " has no entry 'x'";
  EXPECT_EQ(scenario::bounded_message(prose), prose);
  // A quoted text of 240 characters is kept, one of 241 becomes an excerpt.
  const std::string kept = "got '" + std::string(240, 'a') + "'";
  EXPECT_EQ(scenario::bounded_message(kept), kept);
  EXPECT_EQ(scenario::bounded_message("got '" + std::string(241, 'a') + "' here"),
            "got '" + std::string(60, 'a') + "... (241 characters)' here");
  // Unquoted text is cut at 2000 characters, and never inside a UTF-8 character.
  std::string long_text;
  for (int i = 0; i < 1500; ++i) long_text += "\xC2\xB5";  // U+00B5, two bytes
  const std::string cut = scenario::bounded_message(long_text);
  EXPECT_EQ(cut, long_text.substr(0, 2000) + "... (1500 characters)");  // characters, not bytes
  const std::string odd = "x" + long_text;  // the 2000th byte is now a character's first
  EXPECT_EQ(scenario::bounded_message(odd), odd.substr(0, 1999) + "... (1501 characters)");
}

TEST(ScenarioErrors, NegativeInterval) {
  EXPECT_EQ(load_error(with_device_line("interval: -5 min")),
            "<text>:8:15: devices[0].interval: expected > 0, got -5 min");
}

// A battery's rated service life: a positive duration, at most a duration's limit (a century), with its unit.
TEST(ScenarioErrors, ServiceLifeOutOfRange) {
  EXPECT_EQ(load_error(with_device_line("battery: {service_life: 0 yr}")),
            "<text>:8:29: devices[0].battery.service_life: expected > 0, got 0 yr");
  EXPECT_EQ(load_error(with_device_line("battery: {service_life: -3 yr}")),
            "<text>:8:29: devices[0].battery.service_life: expected > 0, got -3 yr");
  EXPECT_EQ(load_error(with_device_line("battery: {service_life: 150 yr}")),
            "<text>:8:29: devices[0].battery.service_life: '150 yr' is beyond the physical limit for a "
            "duration: expected at most 100 years in magnitude");
  EXPECT_EQ(load_error(with_device_line("battery: {service_life: 20}")),
            "<text>:8:29: devices[0].battery.service_life: missing unit in '20': write the unit, e.g. '20 s' "
            "(a duration: us, ms, s, min, h, d, yr)");
  EXPECT_EQ(load_error(with_device_line("battery: {service_lif: 20 yr}")),
            "<text>:8:15: devices[0].battery.service_lif: unknown key 'service_lif' (did you mean "
            "'service_life'?)");
}

// The network server's answer delay: a duration of 0 to 60 s (beyond a class-A window's reach), with its
// unit.
TEST(ScenarioErrors, NsDownlinkDelayOutOfRange) {
  const auto with_delay = [](const std::string& delay) {
    return kMinimalScenario + "  duration: 1 h\nplatform: {ns_downlink_delay: " + delay + "}\n";
  };
  EXPECT_EQ(load_error(with_delay("90 s")),
            "<text>:13:31: platform.ns_downlink_delay: expected 0..60 s, got 90 s");
  EXPECT_EQ(load_error(with_delay("-1 ms")),
            "<text>:13:31: platform.ns_downlink_delay: expected 0..60 s, got -1 ms");
  EXPECT_EQ(
      load_error(with_delay("0.2")),
      "<text>:13:31: platform.ns_downlink_delay: missing unit in '0.2': write the unit, e.g. '0.2 s' (a "
      "duration: us, ms, s, min, h, d, yr)");
}

// radio.shadowing.correlation_distance: a positive length, with its unit, in a map of known keys.
TEST(ScenarioErrors, ShadowingCorrelationDistanceOutOfRange) {
  const auto with_shadowing = [](const std::string& shadowing) {
    return kMinimalScenario + "  duration: 1 h\nradio: {shadowing: " + shadowing + "}\n";
  };
  EXPECT_EQ(load_error(with_shadowing("{sigma: 8 dB, correlation_distance: 0 m}")),
            "<text>:13:56: radio.shadowing.correlation_distance: expected > 0, got 0 m");
  EXPECT_EQ(load_error(with_shadowing("{sigma: 8 dB, correlation_distance: -50 m}")),
            "<text>:13:56: radio.shadowing.correlation_distance: expected > 0, got -50 m");
  EXPECT_EQ(load_error(with_shadowing("{sigma: 8 dB, correlation_distance: 50}")),
            "<text>:13:56: radio.shadowing.correlation_distance: missing unit in '50': write the unit, e.g. "
            "'50 m' (a length: mm, cm, m, km)");
  EXPECT_EQ(
      load_error(with_shadowing("{sigma: 8 dB, correlation_distance: 50 dB}")),
      "<text>:13:56: radio.shadowing.correlation_distance: expected a length (mm, cm, m, km), got '50 dB', "
      "which is a gain");
  EXPECT_EQ(load_error(with_shadowing("{sigma: 8 dB, correlation: 50 m}")),
            "<text>:13:34: radio.shadowing.correlation: unknown key 'correlation' (did you mean "
            "'correlation_distance'?)");
}

// A cell's pulse rating: a positive current, with its unit, within a current's physical limit (1000 A).
TEST(ScenarioErrors, MaxPulseCurrentOutOfRange) {
  EXPECT_EQ(load_error(with_device_line("battery: {max_pulse_current: 0 mA}")),
            "<text>:8:34: devices[0].battery.max_pulse_current: expected > 0, got 0 mA");
  EXPECT_EQ(load_error(with_device_line("battery: {max_pulse_current: -150 mA}")),
            "<text>:8:34: devices[0].battery.max_pulse_current: expected > 0, got -150 mA");
  EXPECT_EQ(load_error(with_device_line("battery: {max_pulse_current: 2000 A}")),
            "<text>:8:34: devices[0].battery.max_pulse_current: '2000 A' is beyond the physical limit for a "
            "current: expected at most 1000 A in magnitude");
  EXPECT_EQ(load_error(with_device_line("battery: {max_pulse_current: 150}")),
            "<text>:8:34: devices[0].battery.max_pulse_current: missing unit in '150': write the unit, e.g. "
            "'150 mA' (a current: uA, mA, A)");
  // A charge where a current is meant (the cell's capacity's unit).
  EXPECT_EQ(load_error(with_device_line("battery: {max_pulse_current: 150 mAh}")),
            "<text>:8:34: devices[0].battery.max_pulse_current: expected a current (uA, mA, A), got "
            "'150 mAh', which is a charge");
  EXPECT_EQ(load_error(with_device_line("battery: {max_pulse: 150 mA}")),
            "<text>:8:15: devices[0].battery.max_pulse: unknown key 'max_pulse' (did you mean "
            "'max_pulse_current'?)");
}

TEST(ScenarioErrors, SpreadingFactorOutOfRange) {
  EXPECT_EQ(load_error(with_device_line("radio: {sf: 13}")),
            "<text>:8:17: devices[0].radio.sf: expected 7..12, got 13");
}

TEST(ScenarioErrors, MissingSection) {
  const std::string text = kMinimalScenario.substr(0, kMinimalScenario.find("run:"));
  EXPECT_EQ(load_error(text), "<text>:1:1: run: missing required section");
}

TEST(ScenarioErrors, WrongUnit) {
  EXPECT_EQ(load_error(with_device_line("interval: 5 km")),
            "<text>:8:15: devices[0].interval: expected a duration (us, ms, s, min, h, d, yr), got '5 km', "
            "which is a length");
}

TEST(ScenarioErrors, BareNumber) {
  EXPECT_EQ(load_error(with_device_line("interval: 600")),
            "<text>:8:15: devices[0].interval: missing unit in '600': write the unit, e.g. '600 s' (a "
            "duration: us, "
            "ms, s, min, h, d, yr)");
}

// An alert's threshold is in the unit of what its type senses: a rain gauge's "30 mm" (the /h forgotten) was
// read as a river level of 0.03 m, and the alert fired at once.
TEST(ScenarioErrors, AnAlertThresholdInAnotherQuantitysUnit) {
  const std::string gauges =
      replaced(kMinimalScenario, "  - name: meters\n", "  - name: meters\n    type: rain_gauge\n");
  EXPECT_EQ(
      load_error(gauges + "platform:\n  alerts: [{name: r, type: rain_gauge, above: 30 mm}]\n"),
      "<text>:14:47: platform.alerts[0].above: expected rainfall (mm/h, mm/min, in/h), got '30 mm' (type "
      "'rain_gauge' senses rainfall)");
  EXPECT_EQ(load_error(gauges + "platform:\n  alerts: [{name: r, type: rain_gauge, above: 30 mm/h}]\n"),
            "no error");
  // A type no population has: the catalogue's (a river gauge senses the river level, a length).
  EXPECT_NE(load_error(gauges + "platform:\n  alerts: [{name: r, type: river_level, above: 4 mm/h}]\n")
                .find("expected river_level (mm, cm, m, km), got '4 mm/h'"),
            std::string::npos);
  // /kpi/alerts keys its rows by the rule's name: one name twice is refused.
  EXPECT_NE(
      load_error(gauges + "platform:\n  alerts: [{name: r, type: rain_gauge, above: 3 mm/h}, {name: r, type: "
                          "rain_gauge, above: 9 mm/h}]\n")
          .find("platform.alerts[1].name: alert 'r' is given twice"),
      std::string::npos);
  EXPECT_NE(load_error(gauges + "platform:\n  alerts: [{name: r, type: rain_gauge}]\n")
                .find("platform.alerts[0].above: missing required key 'above' (or 'below')"),
            std::string::npos);
}

TEST(ScenarioErrors, DeviceDistrictThatDoesNotExist) {
  const std::string text = replaced(kMinimalScenario, "districts: [harbor]", "districts: [harbor, harbour]");
  EXPECT_EQ(load_error(text),
            "<text>:7:25: devices[0].districts: no district named 'harbour' (did you mean 'harbor'?)");
  const std::string far = replaced(kMinimalScenario, "districts: [harbor]", "districts: [uptown]");
  EXPECT_EQ(load_error(far),
            "<text>:7:17: devices[0].districts: no district named 'uptown' (districts: harbor)");
}

TEST(ScenarioErrors, DiscCentreInNoDistrict) {
  const std::string text =
      replaced(kMinimalScenario, "districts: [harbor]", "disc: {centre: [2 km, 0.5 km], radius: 100 m}");
  EXPECT_EQ(load_error(text),
            "<text>:7:20: devices[0].disc.centre: disc centre (2000 m, 500 m) lies in no district");
}

TEST(ScenarioErrors, PlacementMissingOrDoubled) {
  EXPECT_EQ(load_error(replaced(kMinimalScenario, "    districts: [harbor]\n", "")),
            "<text>:5:5: devices[0]: missing placement: give 'districts: [names]' or 'disc: {centre: [x, y], "
            "radius: r}'");
  EXPECT_EQ(load_error(with_device_line("disc: {centre: [1 m, 1 m], radius: 1 m}")),
            "<text>:8:11: devices[0].disc: give either 'districts' or 'disc', not both");
}

TEST(ScenarioErrors, GatewayOutsideAllDistricts) {
  const std::string text =
      replaced(kMinimalScenario, "position: [500 m, 500 m]", "position: [500 m, 1.5 km]");
  EXPECT_EQ(load_error(text),
            "<text>:10:15: gateways[0].position: gateway position (500 m, 1500 m) lies outside every "
            "district");
}

TEST(ScenarioErrors, DuplicatePopulationName) {
  const std::string text =
      replaced(kMinimalScenario, "gateways:", "  - {name: meters, count: 1, districts: [harbor]}\ngateways:");
  EXPECT_EQ(load_error(text),
            "<text>:8:12: devices[1].name: duplicate population name 'meters' (first at line 5)");
}

TEST(ScenarioErrors, DuplicateDistrictAndGatewayNames) {
  std::string text = replaced(kFullScenario, "name: docks", "name: old_town");
  text = replaced(text, "name: gw-docks", "name: gw-town-hall");
  text = replaced(text, "districts: [old_town, docks]", "districts: [old_town]");
  EXPECT_EQ(load_error(text),
            "<text>:8:13: city.districts[1].name: duplicate district name 'old_town' (first at line 5)\n"
            "<text>:71:11: gateways[1].name: duplicate gateway name 'gw-town-hall' (first at line 64)");
}

TEST(ScenarioErrors, CountNotAnInteger) {
  EXPECT_EQ(load_error(replaced(kMinimalScenario, "count: 10", "count: 6.5")),
            "<text>:6:12: devices[0].count: expected an integer, got '6.5'");
  EXPECT_EQ(load_error(replaced(kMinimalScenario, "count: 10", "count: -1")),
            "<text>:6:12: devices[0].count: expected 0..4294967294, got -1");
  EXPECT_EQ(load_error(replaced(kMinimalScenario, "count: 10", "count: [1, 2]")),
            "<text>:6:12: devices[0].count: expected an integer, got a sequence");
}

TEST(ScenarioErrors, MissingRequiredKey) {
  EXPECT_EQ(load_error(replaced(kMinimalScenario, "    count: 10\n", "")),
            "<text>:5:5: devices[0]: missing required key 'count'");
}

TEST(ScenarioErrors, TypeErrors) {
  EXPECT_EQ(load_error(with_device_line("interval: {a: 1}")),
            "<text>:8:15: devices[0].interval: expected a duration (us, ms, s, min, h, d, yr), got a map");
  EXPECT_EQ(
      load_error(with_device_line("radio: [sf, 9]")),
      "<text>:8:12: devices[0].radio: expected a map with keys sf, bandwidth, coding_rate, preamble, header, "
      "crc, ldro, tx_power, channels, join_margin, adr, duty_cycle, got a sequence");
  EXPECT_EQ(load_error(replaced(kMinimalScenario, "devices:\n", "devices: 3\nx:\n")),
            "<text>:4:10: devices: expected a list of device populations, got '3'\n"
            "<text>:5:1: x: unknown key 'x' (valid keys: city, devices, gateways, fibre, radio, nbiot, "
            "wifi, drivers, platform, run, phases, costs, s_poles, iot_districts, attacks)");
}

TEST(ScenarioErrors, RadioValues) {
  EXPECT_EQ(load_error(with_device_line("radio: {bandwidth: 200 kHz}")),
            "<text>:8:24: devices[0].radio.bandwidth: expected 125 kHz, 250 kHz or 500 kHz, got 200 kHz");
  EXPECT_EQ(load_error(with_device_line("radio: {coding_rate: 4/9}")),
            "<text>:8:26: devices[0].radio.coding_rate: expected one of 4/5, 4/6, 4/7, 4/8, got '4/9' (did "
            "you mean '4/5'?)");
  EXPECT_EQ(load_error(with_device_line("radio: {tx_power: 31 dBm}")),
            "<text>:8:23: devices[0].radio.tx_power: expected -10..30 dBm, got 31 dBm");
  EXPECT_EQ(load_error(with_device_line("radio: {channels: []}")),
            "<text>:8:23: devices[0].radio.channels: expected at least one channel");
  EXPECT_EQ(load_error(with_device_line("radio: {ldro: maybe}")),
            "<text>:8:19: devices[0].radio.ldro: expected one of auto, on, off, got 'maybe'");
  EXPECT_EQ(
      load_error(with_device_line("radio: {header: explicitt}")),
      "<text>:8:21: devices[0].radio.header: expected one of explicit, implicit, got 'explicitt' (did you "
      "mean 'explicit'?)");
  EXPECT_EQ(load_error(with_device_line("radio: {preamble: 5}")),
            "<text>:8:23: devices[0].radio.preamble: expected 6..65535, got 5");
}

// radio.receptions and radio.strongest_k (the strongest-K approximation): its documented range 1..65535.
TEST(ScenarioErrors, WifiAirtimeSharing) {
  EXPECT_EQ(load_error(kMinimalScenario + "wifi: {airtime_sharing: fair}\n"),
            "<text>:12:25: wifi.airtime_sharing: expected one of throughput_fair, proportional, got 'fair'");
}

// nbiot.npusch.ce<N>: the repetitions TS 36.213 Table 16.5.1.1-3 lists, the I_TBS its allocation reaches
// (Table 16.5.1.2-1: 10 on a single tone), an allocation by its name.
TEST(ScenarioErrors, NbiotNpuschSettings) {
  EXPECT_EQ(load_error(kMinimalScenario + "nbiot: {npusch: {ce2: {repetitions: 48}}}\n"),
            "<text>:12:37: nbiot.npusch.ce2.repetitions: expected 1, 2, 4, 8, 16, 32, 64 or 128 (TS 36.213 "
            "Table 16.5.1.1-3), got 48");
  EXPECT_EQ(load_error(kMinimalScenario + "nbiot: {npusch: {ce2: {repetitions: 256}}}\n"),
            "<text>:12:37: nbiot.npusch.ce2.repetitions: expected 1..128, got 256");
  EXPECT_EQ(
      load_error(kMinimalScenario + "nbiot: {npusch: {ce1: {allocation: single_tone_15khz, i_tbs: 11}}}\n"),
      "<text>:12:62: nbiot.npusch.ce1.i_tbs: expected 0..10 with a single tone (12 with 3, 6 or 12 tones), "
      "got 11");
  EXPECT_EQ(load_error(kMinimalScenario + "nbiot: {npusch: {ce1: {i_tbs: 12, allocation: 6_tones}}}\n"),
            "no error");  // the allocation is read first, wherever it is written
  EXPECT_NE(load_error(kMinimalScenario + "nbiot: {npusch: {ce0: {allocation: 3_tone}}}\n")
                .find("<text>:12:36: nbiot.npusch.ce0.allocation: expected one of single_tone_3.75khz, "
                      "single_tone_15khz, 3_tones, 6_tones, 12_tones, got '3_tone'"),
            std::string::npos);
}

TEST(ScenarioErrors, ReceptionsAndStrongestK) {
  EXPECT_EQ(load_error(kMinimalScenario + "radio: {receptions: strongest, strongest_k: 0}\n"),
            "<text>:12:45: radio.strongest_k: expected 1..65535, got 0");
  EXPECT_EQ(load_error(kMinimalScenario + "radio: {strongest_k: 65536}\n"),
            "<text>:12:22: radio.strongest_k: expected 1..65535, got 65536");
  EXPECT_EQ(
      load_error(kMinimalScenario + "radio: {receptions: strong}\n"),
      "<text>:12:21: radio.receptions: expected one of exact, strongest, strongest_only, got 'strong' (did "
      "you mean "
      "'strongest'?)");
}

TEST(ScenarioErrors, PayloadLimits) {
  EXPECT_EQ(
      load_error(with_device_line("payload: 250 B")),
      "<text>:8:14: devices[0].payload: payload 250 B + MAC overhead 13 B exceeds the LoRa maximum of 255 B");
  EXPECT_EQ(load_error(with_device_line("payload: 1.5 B")),
            "<text>:8:14: devices[0].payload: expected a whole number of bytes, got 1.5 B");
  EXPECT_EQ(load_error(with_device_line("jitter: 1.5")),
            "<text>:8:13: devices[0].jitter: expected >= 0 and < 1 (or 0 % to < 100 %), got 1.5");
  EXPECT_EQ(load_error(with_device_line("jitter: 100 %")),
            "<text>:8:13: devices[0].jitter: expected >= 0 and < 1 (or 0 % to < 100 %), got 100 %");
}

TEST(ScenarioErrors, RunWindow) {
  EXPECT_EQ(load_error(kMinimalScenario + "  window: 2 s\n"),
            "<text>:12:11: run.window: window 2 s is longer than the shortest RX1 delay, 1 s "
            "(devices[0].firmware.rx1_delay)");
  EXPECT_EQ(load_error(kMinimalScenario + "  forward_batch: 500 ms\n"),
            "<text>:12:18: run.forward_batch: expected >= the window (1 s), got 0.5 s");
}

// The window is bounded by a LoRaWAN uplink's RX1 delay alone: an NB-IoT modem has no class-A windows, so
// its rx1_delay (ignored, with a warning: resolve_test) does not refuse a longer window. The population is
// named where it was written, here a phase's addition, not at its index among the expanded devices.
TEST(ScenarioErrors, RunWindowIsBoundedByLorawanPopulationsAlone) {
  const std::string nbiot = kMinimalScenario +
                            "  window: 800 ms\n"
                            "nbiot: {}\n";
  const std::string with_modem = replaced(
      nbiot, "gateways:\n",
      "  - {name: modems, technology: nbiot, count: 5, districts: [harbor], firmware: {rx1_delay: 500 ms}}\n"
      "gateways:\n  - {name: cell, technology: nbiot, position: [400 m, 400 m]}\n");
  EXPECT_NO_THROW(scenario::load_scenario_text(with_modem, "<text>"));
  const std::string phased =
      kMinimalScenario +
      "  window: 800 ms\n"
      "phases:\n"
      "  - name: later\n"
      "    add:\n"
      "      devices:\n"
      "        - {name: fast, count: 5, districts: [harbor], firmware: {rx1_delay: 500 ms}}\n";
  EXPECT_EQ(load_error(phased),
            "<text>:12:11: run.window: phase 'later': window 0.8 s is longer than the shortest RX1 delay, "
            "0.5 s (phases[0].add.devices[0].firmware.rx1_delay)");
}

TEST(ScenarioErrors, ChannelSection) {
  const std::string text = kMinimalScenario +
                           "  seed: 1\nradio:\n  gateway_sensitivity: [-130 dBm]\n"
                           "  capture: {enabled: maybe}\n";
  EXPECT_EQ(load_error(text),
            "<text>:14:24: radio.gateway_sensitivity: expected 6 sensitivities (SF7..SF12), got 1\n"
            "<text>:15:22: radio.capture.enabled: expected true or false, got 'maybe'");
}

TEST(ScenarioErrors, DuplicateKey) {
  EXPECT_EQ(load_error(with_device_line("count: 11")),
            "<text>:8:5: devices[0].count: duplicate key 'count' (first at line 6)");
}

TEST(ScenarioErrors, NotAMap) {
  EXPECT_EQ(
      load_error("- 1\n- 2\n"),
      "<text>:1:1: expected a map with keys city, devices, gateways, fibre, radio, nbiot, wifi, drivers, "
      "platform, run, phases, costs, s_poles, iot_districts, attacks, got a sequence");
  EXPECT_EQ(load_error(""),
            "<text>:1:1: city: missing required section\n<text>:1:1: devices: missing required "
            "section\n<text>:1:1: gateways: missing required section\n<text>:1:1: run: missing "
            "required section");
}

TEST(ScenarioErrors, MultipleErrorsReportedTogetherInFileOrder) {
  std::string text = replaced(kFullScenario, "interval: 10 min", "interval: -10 min");
  text = replaced(text, "sf: 12", "sf: 13");
  text = replaced(text, "position: [2.5 km, 1 km]", "position: [9 km, 1 km]");
  text = replaced(text, "jitter: 25 %", "jitter: 25 km");
  text = replaced(text, "  duration: 12 h", "  duration: 12 h\n  seeds: 3");
  try {
    load_scenario_text(text, "riverside.yaml");
    FAIL() << "no error";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(
        std::string(e.what()),
        "riverside.yaml:17:15: devices[0].interval: expected > 0, got -10 min\n"
        "riverside.yaml:22:11: devices[0].radio.sf: expected 7..12, got 13\n"
        "riverside.yaml:59:13: devices[1].jitter: expected a fraction (0.1) or a percentage (10 %), got "
        "'25 km'\n"
        "riverside.yaml:72:15: gateways[1].position: gateway position (9000 m, 1000 m) lies outside every "
        "district\n"
        "riverside.yaml:108:3: run.seeds: unknown key 'seeds' (did you mean 'seed'?)");
    ASSERT_EQ(e.diagnostics().size(), 5u);
    EXPECT_EQ(e.diagnostics()[1].key_path, "devices[0].radio.sf");
    EXPECT_EQ(e.diagnostics()[1].message, "expected 7..12, got 13");
    EXPECT_EQ(e.diagnostics()[1].mark.line, 22);
    EXPECT_EQ(e.diagnostics()[1].mark.column, 11);
  }
}

}  // namespace
}  // namespace citytwin::sim
