// resolve()'s warnings about what a scenario schedules after the run's end (sim/city/schedule_warnings.hpp),
// and about populations and gateways named where they were written (a placement rule, a bundle, a phase).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "sim/city/resolve.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace citytwin::sim::city {
namespace {

std::vector<std::string> warnings_of(const std::string& text) {
  std::vector<std::string> found;
  for (const auto& w : resolve(scenario::load_scenario_text(text), 1)) found.push_back(w.to_string());
  return found;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

long count_of(const std::vector<std::string>& warnings, const std::string& part) {
  return std::count_if(warnings.begin(), warnings.end(),
                       [&](const std::string& w) { return w.find(part) != std::string::npos; });
}

const std::string kCity =
    "city:\n"
    "  districts:\n"
    "    - {name: a, origin: [0 m, 0 m], size: [1 km, 1 km]}\n"
    "    - {name: b, origin: [1 km, 0 m], size: [1 km, 1 km]}\n";

const std::string kSmallCity = kCity +
                               "devices:\n"
                               "  - {name: p, count: 5, districts: [a, b]}\n"
                               "gateways:\n"
                               "  - {name: gw, position: [1 km, 500 m]}\n"
                               "run: {duration: 1 h}\n";

// The small city whose populations read the drivers the tests give (rain gauges, and traffic counters under
// drivers.traffic), so that no series is said to do nothing (section_warnings_test.cpp); its lines as
// kSmallCity's.
const std::string kReadingCity = kCity +
                                 "devices:\n"
                                 "  [{name: p, type: rain_gauge, count: 5, districts: [a, b]}, "
                                 "{name: q, senses: traffic_volume, count: 5, districts: [a]}]\n"
                                 "gateways:\n"
                                 "  - {name: gw, position: [1 km, 500 m]}\n"
                                 "run: {duration: 1 h}\n";

// A driver event, a traffic incident, a power cut or a failure that starts once the run is over never
// happened, without a word (the attacks' windows were said; these were not).
TEST(ScheduleWarnings, EntriesStartingAtOrAfterTheRunsEndAreNamed) {
  const std::string csv = testing::TempDir() + "citytwin_late_" + std::to_string(::getpid()) + ".csv";
  std::ofstream(csv) << "target,start,end\nnetwork_server,10 min,20 min\nnetwork_server,2 h,3 h\n";
  const auto warnings = warnings_of(
      kReadingCity +
      "drivers:\n"                                                                            // 10
      "  rainfall:\n"                                                                         // 11
      "    value: 1 mm/h\n"                                                                   // 12
      "    events:\n"                                                                         // 13
      "      - {start: 30 min, end: 2 h, factor: 2}\n"                                        // 14
      "      - {start: 1 h, end: 2 h, factor: 3, districts: [b]}\n"                           // 15
      "  traffic_volume: {value: 500 veh/h}\n"                                                // 16
      "  traffic: {incidents: [{district: a, start: 20 min}, {district: b, start: 26 h}]}\n"  // 17
      "  power_outages: [{districts: [a], start: 50 min, end: 2 h}, {districts: [b], start: 2 h, end: 3 h}]\n"
      "  failures:\n"                                              // 19
      "    - {target: network_server, start: 90 min, end: 2 h}\n"  // 20
      "    - {target: network_server, mtbf: 30 d, mttr: 1 h}\n"    // 21
      "  failures_csv: " +
      csv + "\n");
  std::filesystem::remove(csv);
  EXPECT_EQ(count_of(warnings,
                     "drivers.rainfall.events[1]: warning: the event on rainfall in 'b' starts at "
                     "3600 s (1 h), at or after the run's end (run.duration, 3600 s (1 h)): it "
                     "never happens in the run"),
            1)
      << joined(warnings);
  EXPECT_EQ(count_of(warnings, "<text>:15:9: drivers.rainfall.events[1]"), 1) << joined(warnings);
  EXPECT_EQ(count_of(warnings,
                     "drivers.traffic.incidents[1]: warning: the incident in 'b' starts at 93600 s "
                     "(26 h)"),
            1)
      << joined(warnings);
  EXPECT_EQ(count_of(warnings, "<text>:18:"), 1) << joined(warnings);
  EXPECT_EQ(count_of(warnings, "drivers.power_outages[1]: warning: the power cut in 'b' starts at 7200 s"), 1)
      << joined(warnings);
  EXPECT_EQ(count_of(warnings,
                     "<text>:20:7: drivers.failures[0]: warning: the failure of 'network_server' "
                     "starts at 5400 s (1.5 h)"),
            1)
      << joined(warnings);
  EXPECT_EQ(count_of(warnings, "drivers.failures_csv: warning: " + csv +
                                   ":3: the failure of 'network_server' starts at 7200 s (2 h)"),
            1)
      << joined(warnings);
  // Those that start within the run, and an availability profile, say nothing.
  EXPECT_EQ(count_of(warnings, "never happens in the run"), 5) << joined(warnings);
  EXPECT_EQ(warnings.size(), 5u) << joined(warnings);
}

// A longer run takes them in: no warning.
TEST(ScheduleWarnings, NothingIsSaidOfEntriesWithinTheRun) {
  std::string text = kReadingCity +
                     "drivers:\n"
                     "  rainfall: {value: 1 mm/h, events: [{start: 2 h, end: 3 h, factor: 2}]}\n"
                     "  power_outages: [{districts: [a], start: 2 h, end: 3 h}]\n"  // (gw stands in a)
                     "  failures: [{target: network_server, start: 2 h, end: 3 h}]\n";
  EXPECT_EQ(warnings_of(text).size(), 3u) << joined(warnings_of(text));
  text.replace(text.find("duration: 1 h"), 13, "duration: 1 d");
  EXPECT_TRUE(warnings_of(text).empty()) << joined(warnings_of(text));
}

// resolve() named a population or a gateway by its index after placement rules and bundles had expanded
// (gateways[4] for the second gateway written, devices[1] for an IoT district's first entry): each is now
// named at the entry written, once for the several it stands for.
TEST(WrittenPaths, WarningsNameTheEntryAsWrittenNotTheExpandedIndex) {
  const auto warnings =
      warnings_of(kCity +
                  "gateways:\n"                                                                       // 5
                  "  - {name: lw, place: {layout: grid, count: 2}}\n"                                 // 6
                  "  - {name: cell, technology: nbiot, demodulators: 16, position: [1 km, 500 m]}\n"  // 7
                  "devices:\n"                                                                        // 8
                  "  - {name: n, technology: nbiot, count: 5, districts: [a], confirmed: true}\n"     // 9
                  "iot_districts:\n"                                                                  // 10
                  "  - name: iot\n"                                                                   // 11
                  "    districts: [a, b]\n"                                                           // 12
                  "    devices:\n"                                                                    // 13
                  "      - {name: m, technology: nbiot, count: 3, radio: {sf: 9}}\n"                  // 14
                  "run: {duration: 1 h}\n");
  EXPECT_EQ(count_of(warnings, "<text>:7:51: gateways[1].demodulators: warning: ignored: "), 1)
      << joined(warnings);
  EXPECT_EQ(count_of(warnings, "<text>:9:71: devices[0].confirmed: warning: ignored: "), 1)
      << joined(warnings);
  EXPECT_EQ(count_of(warnings, "<text>:14:60: iot_districts[0].devices[0].radio.sf: warning: ignored: "), 1)
      << joined(warnings);
  // The NB-IoT modems' 167 mA bursts on the default AA cell (sim/city/pulse_current.hpp), at the entries
  // written too: the IoT district's two populations (one per district) named at their one entry.
  EXPECT_EQ(count_of(warnings, "<text>:9:5: devices[0].battery.max_pulse_current: warning: its devices draw"),
            1)
      << joined(warnings);
  for (const std::string part : {"iot-a-m", "iot-b-m"})
    EXPECT_EQ(count_of(warnings,
                       "<text>:14:9: iot_districts[0].devices[0].battery.max_pulse_current: warning: "
                       "population '" +
                           part + "': its devices draw 167 mA"),
              1)
        << joined(warnings);
  EXPECT_EQ(count_of(warnings, "gateways[4]"), 0) << joined(warnings);
  EXPECT_EQ(count_of(warnings, "devices[1]"), 0) << joined(warnings);
  EXPECT_EQ(warnings.size(), 6u) << joined(warnings);
}

// A phase's additions are named where the phase adds them; an error too.
TEST(WrittenPaths, APhasesAdditionIsNamedInThePhase) {
  std::string text = kSmallCity;
  text.replace(text.find("run: {duration: 1 h}"), 20, "run: {duration: 1 h, phase: p1}");
  text +=
      "phases:\n"
      "  - name: p1\n"
      "    add:\n"
      "      devices: [{name: q, technology: nbiot, count: 2, districts: [a], mac_overhead: 5 B}]\n"
      "      gateways: [{name: c, technology: nbiot, position: [500 m, 500 m]}]\n";
  const auto warnings = warnings_of(text);
  EXPECT_EQ(count_of(warnings, "phases[0].add.devices[0].mac_overhead: warning: ignored: "), 1)
      << joined(warnings);
  EXPECT_EQ(count_of(warnings, "<text>:13:17: phases[0].add.devices[0].battery.max_pulse_current: warning: "),
            1)
      << joined(warnings);
  EXPECT_EQ(warnings.size(), 2u) << joined(warnings);
}

// A LoRaWAN gateway whose backhaul is too slow for a class-A window, said before the run (the run counts
// the downlinks it misses, downlinks_rx1_late): 5 ms + 2 x 450 ms + 200 ms = 1.105 s after an uplink is past
// RX1 (1 s), within RX2 (2 s); 2 x 900 ms is past both; 40 ms of LTE and a gateway of a population that needs
// no downlink (unconfirmed, no ADR) are not said.
TEST(DownlinkTimingWarnings, ABackhaulTooSlowForRx1IsSaid) {
  const auto scenario = [](const std::string& latency, const std::string& confirmed) {
    return kCity + "devices:\n  - {name: d, count: 10, districts: [a], confirmed: " + confirmed +
           "}\ngateways:\n  - {name: g, position: [500 m, 500 m], backhaul: {kind: cellular, latency: " +
           latency + "}}\nrun: {duration: 1 h}\n";
  };
  const auto rx2 = warnings_of(scenario("450 ms", "true"));
  ASSERT_EQ(
      count_of(rx2, "gateways[0].backhaul: warning: a downlink through this gateway alone is ready 1.105 s"),
      1)
      << joined(rx2);
  EXPECT_EQ(
      count_of(rx2, "after RX1 (firmware.rx1_delay 1 s of devices[0]): its ACKs and ADR commands go in RX2"),
      1)
      << joined(rx2);
  const auto none = warnings_of(scenario("900 ms", "true"));
  EXPECT_EQ(count_of(none, "ready 2.005 s"), 1) << joined(none);
  EXPECT_EQ(count_of(none, "after RX2 too (2 s): it sends none"), 1) << joined(none);
  EXPECT_EQ(count_of(warnings_of(scenario("40 ms", "true")), "a downlink through this gateway"), 0);
  EXPECT_EQ(count_of(warnings_of(scenario("900 ms", "false")), "a downlink through this gateway"), 0);
}

}  // namespace
}  // namespace citytwin::sim::city
