// resolve()'s warnings about settings that do nothing in the scenario (sim/city/section_warnings.hpp, the
// gateway backup of key_warnings.hpp, the power cuts and jammers of schedule_warnings.hpp): said once per
// section at the first idle key as written, naming every idle key and why; not said where the section acts,
// in the base or in any phase of a rollout. So are a PON's split and upstream without gateways on it, and a
// drivers.<quantity> series nothing reads.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "sim/city/resolve.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace citytwin::sim::city {
namespace {

std::vector<std::string> warnings_of(const std::string& text,
                                     const std::vector<std::string>& overrides = {}) {
  std::vector<std::string> found;
  for (const auto& w : resolve(scenario::load_scenario_text(text, "<text>", overrides), 1))
    found.push_back(w.to_string());
  return found;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

// A plan that says nothing, run whole and as one of its phases.
void expect_silent(const std::string& plan, const std::string& phase) {
  EXPECT_TRUE(warnings_of(plan).empty()) << joined(warnings_of(plan));
  const std::vector<std::string> in_phase = warnings_of(plan, {"run.phase=" + phase});
  EXPECT_TRUE(in_phase.empty()) << phase << ":\n" << joined(in_phase);
}

// text with its first `from` replaced by `to` (which the test expects to be there).
std::string with(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) ADD_FAILURE() << "test bug: '" << from << "' not in the scenario";
  return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

long count_of(const std::vector<std::string>& warnings, const std::string& part) {
  return std::count_if(warnings.begin(), warnings.end(),
                       [&](const std::string& w) { return w.find(part) != std::string::npos; });
}

// Nine lines: a LoRaWAN city that warns of nothing.
const std::string kCity =
    "city:\n"                                                     // 1
    "  districts:\n"                                              // 2
    "    - {name: a, origin: [0 m, 0 m], size: [1 km, 1 km]}\n"   // 3
    "    - {name: b, origin: [1 km, 0 m], size: [1 km, 1 km]}\n"  // 4
    "devices:\n"                                                  // 5
    "  - {name: meters, count: 5, districts: [a]}\n"              // 6
    "gateways:\n"                                                 // 7
    "  - {name: gw, position: [500 m, 500 m]}\n"                  // 8
    "run: {duration: 1 h}\n";                                     // 9

// The city with its one population made NB-IoT (mains powered: a generic battery's pulse rating is below the
// modem's bursts, which pulse_current.hpp says), served by a cell.
std::string nbiot_city() {
  return with(with(kCity, "{name: meters,", "{name: meters, technology: nbiot, power: mains,"), "{name: gw,",
              "{name: gw, technology: nbiot,");
}

// The city with Wi-Fi cameras and an access point alone.
std::string wifi_city() {
  return with(with(kCity, "{name: meters,", "{name: cams, technology: wifi, stream: 2 Mbps,"), "{name: gw,",
              "{name: ap, technology: wifi,");
}

TEST(SectionWarnings, TheCitiesOfTheseTestsWarnOfNothing) {
  EXPECT_TRUE(warnings_of(kCity).empty()) << joined(warnings_of(kCity));
  EXPECT_TRUE(warnings_of(nbiot_city()).empty()) << joined(warnings_of(nbiot_city()));
  EXPECT_TRUE(warnings_of(wifi_city()).empty()) << joined(warnings_of(wifi_city()));
}

// The known case: nbiot's timers and NPUSCH in a city without NB-IoT devices changed nothing, silently. One
// warning for the section, at its first key, naming each key written (a key at its default included).
TEST(SectionWarnings, AnNbiotSectionWithoutNbiotDevicesIsSaidOnce) {
  const std::string nbiot =
      "nbiot:\n"                                                // 10
      "  t3324: 30 s\n"                                         // 11
      "  npusch: {ce0: {i_tbs: 8}, ce2: {repetitions: 32}}\n";  // 12 (32: the default)
  const auto warnings = warnings_of(kCity + nbiot);
  ASSERT_EQ(warnings.size(), 1u) << joined(warnings);
  EXPECT_EQ(warnings[0],
            "<text>:11:10: nbiot: warning: ignored: nbiot.t3324, nbiot.npusch.ce0.i_tbs and "
            "nbiot.npusch.ce2.repetitions: no population has NB-IoT devices: the nbiot section sets NB-IoT's "
            "random access, uplink (NPUSCH) and device timers, which act once a population with technology: "
            "nbiot has devices");
  // One key alone is named as the key.
  EXPECT_EQ(
      count_of(warnings_of(kCity + "nbiot: {t3412: 12 h}\n"), "<text>:10:16: nbiot.t3412: warning: ignored:"),
      1);
  // An NB-IoT population with devices: the section acts. With none (count 0), it does not.
  EXPECT_TRUE(warnings_of(nbiot_city() + nbiot).empty()) << joined(warnings_of(nbiot_city() + nbiot));
  const std::string none = with(nbiot_city() + nbiot, "count: 5", "count: 0");
  EXPECT_EQ(count_of(warnings_of(none), "nbiot: warning: ignored: nbiot.t3324"), 1)
      << joined(warnings_of(none));
  // Written from the command line: named at the override.
  EXPECT_EQ(
      count_of(warnings_of(kCity + "nbiot: {}\n", {"nbiot.t3324=30 s"}),
               "--set nbiot.t3324=30 s: nbiot.t3324: warning: ignored: no population has NB-IoT devices"),
      1);
  // An empty section sets nothing: nothing to say.
  EXPECT_TRUE(warnings_of(kCity + "nbiot: {}\n").empty());
}

// The sections are written once for a whole rollout: one a later phase needs is not idle in the base.
TEST(SectionWarnings, ASectionAPhaseUsesIsNotSaid) {
  const std::string plan =
      kCity +
      "nbiot: {t3324: 30 s}\n"
      "phases:\n"
      "  - name: cells\n"
      "    add:\n"
      "      gateways: [{name: cell, technology: nbiot, position: [1.5 km, 500 m]}]\n"
      "      devices: [{name: counters, technology: nbiot, power: mains, count: 3, districts: [b]}]\n";
  expect_silent(plan, "cells");
  // Without the phase's devices, the whole plan never uses it.
  const std::string cells_only = plan.substr(0, plan.find("      devices:"));
  EXPECT_EQ(count_of(warnings_of(cells_only),
                     "nbiot.t3324: warning: ignored: no population has NB-IoT devices "
                     "(in the base or any phase)"),
            1)
      << joined(warnings_of(cells_only));
}

TEST(SectionWarnings, APagingTimeWindowWithoutEdrxIsSaid) {
  EXPECT_EQ(
      count_of(
          warnings_of(nbiot_city() + "nbiot: {paging_time_window: 5.12 s}\n"),
          "<text>:10:29: nbiot.paging_time_window: warning: ignored: eDRX is off (nbiot.edrx_cycle 0 s)"),
      1);
  const std::string edrx = nbiot_city() + "nbiot: {edrx_cycle: 81.92 s, paging_time_window: 5.12 s}\n";
  EXPECT_TRUE(warnings_of(edrx).empty()) << joined(warnings_of(edrx));
}

// A Wi-Fi camera associates by a fixed link budget: none of radio acts in a city of cameras alone.
TEST(SectionWarnings, RadioInAWifiCityIsSaidWhole) {
  const std::string radio =
      "radio:\n"                        // 10
      "  path_loss: {exponent: 3.5}\n"  // 11
      "  shadowing: {sigma: 7.8 dB}\n"  // 12
      "  region: EU868\n";              // 13 (the default)
  const auto warnings = warnings_of(wifi_city() + radio);
  ASSERT_EQ(warnings.size(), 1u) << joined(warnings);
  EXPECT_EQ(warnings[0],
            "<text>:11:25: radio: warning: ignored: radio.path_loss.exponent, radio.shadowing.sigma and "
            "radio.region: the city has no LoRaWAN or NB-IoT device, gateway or cell: these set their radio "
            "links, and a Wi-Fi camera associates by the fixed Wi-Fi link budget (models/radio/wifi.hpp)");
  // A LoRaWAN gateway without devices still has a coverage (/kpi coverage_area_lorawan), which these set.
  const std::string gateway = wifi_city() + radio +
                              "  gateway_sensitivity: [-130 dBm, -132.5 dBm, -135 dBm, "
                              "-137.5 dBm, -140 dBm, -142.5 dBm]\n";
  const std::string with_gateway = with(gateway, "run:", "  - {name: gw, position: [1.5 km, 500 m]}\nrun:");
  EXPECT_TRUE(warnings_of(with_gateway).empty()) << joined(warnings_of(with_gateway));
}

// NB-IoT shares the propagation, not LoRa's reception at the gateways.
TEST(SectionWarnings, LorasReceptionKeysWithoutLorawanDevicesAreSaid) {
  const std::string radio =
      "radio:\n"                                                                                     // 10
      "  path_loss: {exponent: 3.5}\n"                                                               // 11
      "  capture: {enabled: true, threshold: 6 dB}\n"                                                // 12
      "  inter_sf: goursaud\n"                                                                       // 13
      "  interference: cumulative\n"                                                                 // 14
      "  gateway_sensitivity: [-130 dBm, -132.5 dBm, -135 dBm, -137.5 dBm, -140 dBm, -142.5 dBm]\n"  // 15
      "  noise_figure: 6 dB\n"                                                                       // 16
      "  receptions: strongest\n"                                                                    // 17
      "  strongest_k: 4\n";                                                                          // 18
  const auto warnings = warnings_of(nbiot_city() + radio);
  ASSERT_EQ(warnings.size(), 1u) << joined(warnings);
  EXPECT_EQ(warnings[0],
            "<text>:12:22: radio: warning: ignored: radio.capture.enabled, radio.capture.threshold, "
            "radio.inter_sf, radio.interference, radio.receptions and radio.strongest_k: no population has "
            "LoRaWAN devices: these judge LoRa frames at the gateways (sim/access/radio_medium.hpp), and act "
            "once a population with technology: lorawan has devices; radio.gateway_sensitivity: no LoRaWAN "
            "device or gateway: the sensitivities are a LoRaWAN gateway's, for its receptions and coverage");
  // strongest_only keeps an NB-IoT device's K strongest links alone: receptions and K act.
  const std::string only = nbiot_city() + "radio: {receptions: strongest_only, strongest_k: 2}\n";
  EXPECT_TRUE(warnings_of(only).empty()) << joined(warnings_of(only));
  // With LoRaWAN devices, all of them act.
  const std::string both = with(nbiot_city() + radio, "gateways:\n",
                                "  - {name: lora, count: 5, districts: [a]}\ngateways:\n"
                                "  - {name: lgw, position: [400 m, 500 m]}\n");
  EXPECT_TRUE(warnings_of(both).empty()) << joined(warnings_of(both));
}

TEST(SectionWarnings, TheNoiseFigureWithoutLoraOrNbiotDevicesIsSaid) {
  const std::string gateways_only = with(kCity + "radio: {noise_figure: 4 dB}\n", "count: 5", "count: 0");
  EXPECT_EQ(
      count_of(warnings_of(gateways_only),
               "<text>:10:23: radio.noise_figure: warning: ignored: no LoRaWAN or NB-IoT device: it sets the "
               "SNR of their frames (and ADR's)"),
      1)
      << joined(warnings_of(gateways_only));
  // A jammer's reach counts the LoRaWAN gateways whose noise floor it doubles: the noise figure sets it.
  const std::string jammed = gateways_only +
                             "attacks: {jamming: [{position: [600 m, 500 m], start: 10 min, end: 20 min, "
                             "channels: [868.1 MHz]}]}\n";
  EXPECT_EQ(count_of(warnings_of(jammed), "radio.noise_figure"), 0) << joined(warnings_of(jammed));
}

TEST(SectionWarnings, ACaptureThresholdWithoutCaptureIsSaid) {
  EXPECT_EQ(
      count_of(warnings_of(kCity + "radio: {capture: {enabled: false, threshold: 1 dB}}\n"),
               "<text>:10:46: radio.capture.threshold: warning: ignored: radio.capture.enabled is false: "
               "no frame survives an overlap of its SF, whatever the threshold"),
      1);
  EXPECT_TRUE(warnings_of(kCity + "radio: {capture: {enabled: true, threshold: 1 dB}}\n").empty());
}

TEST(SectionWarnings, WifiWithoutCamerasIsSaid) {
  EXPECT_EQ(count_of(warnings_of(kCity + "wifi: {airtime_sharing: proportional}\n"),
                     "<text>:10:25: wifi.airtime_sharing: warning: ignored: no population has Wi-Fi devices: "
                     "airtime is shared among an access point's cameras (technology: wifi)"),
            1);
  EXPECT_TRUE(warnings_of(wifi_city() + "wifi: {airtime_sharing: proportional}\n").empty());
}

// The downlink delay times ACKs and ADR commands; the stages process the frames the gateways forward.
TEST(SectionWarnings, PlatformKeysForWhatTheCityDoesNotHaveAreSaid) {
  const auto plain = warnings_of(kCity + "platform: {ns_downlink_delay: 100 ms}\n");
  EXPECT_EQ(count_of(plain,
                     "<text>:10:31: platform.ns_downlink_delay: warning: ignored: no LoRaWAN population "
                     "with devices asks for downlinks (confirmed: true, or radio.adr: true)"),
            1)
      << joined(plain);
  const std::string confirmed =
      with(kCity + "platform: {ns_downlink_delay: 100 ms}\n", "count: 5,", "count: 5, confirmed: true,");
  EXPECT_TRUE(warnings_of(confirmed).empty()) << joined(warnings_of(confirmed));
  const std::string adr =
      with(kCity + "platform: {ns_downlink_delay: 100 ms}\n", "count: 5,", "count: 5, radio: {adr: true},");
  EXPECT_TRUE(warnings_of(adr).empty()) << joined(warnings_of(adr));

  // Cameras alone: the stages process nothing; a broker flood reaches the broker's, analytics' and
  // storage's and the host's, not the network server's.
  const std::string stages = wifi_city() +
                             "platform: {server_cores: 8, ns_cost: 100 kf, broker_cost: 10 kf, "
                             "storage_record: 100 B, forward_message: 300 B}\n";
  const auto idle = warnings_of(stages);
  EXPECT_EQ(count_of(idle,
                     "platform: warning: ignored: platform.server_cores, platform.ns_cost, "
                     "platform.broker_cost, platform.storage_record and platform.forward_message: no "
                     "LoRaWAN or NB-IoT device sends a report: the platform's stages they set process "
                     "nothing"),
            1)
      << joined(idle);
  const auto flooded = warnings_of(
      stages + "attacks: {platform_dos: [{target: broker, rate: 10, start: 10 min, end: 20 min}]}\n");
  EXPECT_EQ(count_of(flooded,
                     "platform: warning: ignored: platform.ns_cost and platform.forward_message: no "
                     "LoRaWAN or NB-IoT device sends a report, and no attacks.platform_dos flood "
                     "reaches them"),
            1)
      << joined(flooded);
  // NB-IoT reports cross the network server and the broker too.
  EXPECT_TRUE(warnings_of(nbiot_city() + "platform: {ns_cost: 100 kf, broker_cost: 10 kf}\n").empty());
}

TEST(SectionWarnings, ACommandCentreLinkWithoutItsCentreOrCamerasIsSaid) {
  EXPECT_EQ(count_of(warnings_of(wifi_city() + "platform: {command_centre: {link_bandwidth: 1 Gbps}}\n"),
                     "platform.command_centre.link_bandwidth: warning: ignored: there is no command centre "
                     "apart (platform.command_centre.link_length is not given)"),
            1);
  const std::string centre = "platform: {command_centre: {link_length: 5 km, link_bandwidth: 1 Gbps}}\n";
  EXPECT_TRUE(warnings_of(wifi_city() + centre).empty()) << joined(warnings_of(wifi_city() + centre));
  // Without cameras the link carries nothing, though its length is priced as fibre (not said).
  const auto sensors = warnings_of(kCity + centre);
  ASSERT_EQ(sensors.size(), 1u) << joined(sensors);
  EXPECT_NE(
      sensors[0].find("platform.command_centre.link_bandwidth: warning: ignored: no population has Wi-Fi "
                      "devices: the command-centre link carries the cameras' streams alone"),
      std::string::npos)
      << sensors[0];
}

TEST(SectionWarnings, TraceEveryWithoutSampleIsSaid) {
  std::string every = with(kCity, "run: {duration: 1 h}", "run: {duration: 1 h, trace_every: 5}");
  EXPECT_EQ(count_of(warnings_of(every),
                     "<text>:9:35: run.trace_every: warning: ignored: run.trace is full: "
                     "trace_every picks the devices run.trace: sample keeps"),
            1);
  every = with(every, "trace_every: 5", "trace: sample, trace_every: 5");
  EXPECT_TRUE(warnings_of(every).empty()) << joined(warnings_of(every));
}

// A backup carries a gateway or an OLT through a power cut where it stands; with none that can come, nothing.
TEST(SectionWarnings, BackupsNoPowerCutReachesAreSaid) {
  const std::string backed = with(kCity, "{name: gw,", "{name: gw, backup: 2 h,");
  EXPECT_EQ(
      count_of(warnings_of(backed),
               "<text>:8:24: gateways[0].backup: warning: ignored: no power cut reaches 'a' "
               "(drivers.power_outages) and no flood is driven (drivers.flood, drivers.inundation_depth): "
               "the backup never carries the gateway"),
      1)
      << joined(warnings_of(backed));
  const std::string cut =
      backed + "drivers: {power_outages: [{districts: [a], start: 10 min, end: 20 min}]}\n";
  EXPECT_TRUE(warnings_of(cut).empty()) << joined(warnings_of(cut));
  const std::string flood = backed + "drivers: {inundation_depth: {value: 0 m}}\n";
  EXPECT_EQ(count_of(warnings_of(flood), "backup"), 0) << joined(warnings_of(flood));

  const std::string olts =
      "fibre:\n"                                      // 10
      "  olts:\n"                                     // 11
      "    - {name: o1, backup: 4 h}\n"               // 12
      "    - {name: o2, district: b, backup: 4 h}\n"  // 13
      "    - {name: o3, district: a, backup: 4 h}\n"  // 14
      "drivers: {power_outages: [{districts: [a], start: 10 min, end: 20 min}]}\n";
  const auto said = warnings_of(kCity + olts);
  EXPECT_EQ(count_of(said,
                     "<text>:12:26: fibre.olts[0].backup: warning: ignored: without a district (where the "
                     "OLT takes its power) no power cut reaches it"),
            1)
      << joined(said);
  EXPECT_EQ(count_of(said,
                     "<text>:13:28: fibre.olts[1]: warning: ignored: district and backup: no power cut "
                     "reaches 'b' (drivers.power_outages) and no flood is driven"),
            1)
      << joined(said);
  EXPECT_EQ(count_of(said, "fibre.olts[2]"), 0) << joined(said);
}

// A power cut switches off the gateways and OLTs powered where it is; where none are, nothing.
TEST(SectionWarnings, APowerCutThatSwitchesNothingOffIsSaid) {
  const std::string cut =
      kCity + "drivers: {power_outages: [{districts: [b], start: 10 min, end: 20 min}]}\n";
  EXPECT_EQ(count_of(warnings_of(cut),
                     "<text>:10:27: drivers.power_outages[0]: warning: the power cut in 'b' "
                     "switches nothing off: no gateway stands there, and no OLT takes its "
                     "power there (fibre.olts[].district)"),
            1)
      << joined(warnings_of(cut));
  // An OLT powered there, or a gateway a phase adds there, is switched off by it.
  EXPECT_TRUE(warnings_of(cut + "fibre: {olts: [{name: o, district: b}]}\n").empty());
  const std::string plan = cut +
                           "phases:\n"
                           "  - {name: east, add: {gateways: [{name: gw2, position: [1.5 km, 500 m]}]}}\n";
  EXPECT_TRUE(warnings_of(plan).empty()) << joined(warnings_of(plan));
}

TEST(SectionWarnings, AJammerWithoutLorawanDevicesIsSaid) {
  const std::string jam = "attacks: {jamming: [{position: [600 m, 500 m], start: 10 min, end: 20 min}]}\n";
  EXPECT_EQ(count_of(warnings_of(nbiot_city() + jam),
                     "attacks.jamming[0]: warning: no population has LoRaWAN devices: the jammer, on every "
                     "channel, loses nothing"),
            1)
      << joined(warnings_of(nbiot_city() + jam));
  EXPECT_TRUE(warnings_of(kCity + jam).empty()) << joined(warnings_of(kCity + jam));
}

// A jammer on listed channels is judged against the channels of the base's and every phase's LoRaWAN
// devices, as one on every channel is against their devices: attacks are written once for the rollout.
TEST(SectionWarnings, AJammersChannelsAreJudgedAgainstEveryPhase) {
  const std::string jam =
      "attacks: {jamming: [{position: [600 m, 500 m], start: 10 min, end: 20 min, channels: [867.1 MHz]}]}\n";
  EXPECT_EQ(
      count_of(warnings_of(kCity + jam),
               "attacks.jamming[0].channels: warning: no LoRaWAN device uses these channels: the jammer "
               "loses nothing"),
      1)
      << joined(warnings_of(kCity + jam));
  const std::string plan = kCity + jam +
                           "phases:\n"
                           "  - name: wider\n"
                           "    add:\n"
                           "      devices: [{name: trackers, count: 3, districts: [a], "
                           "radio: {channels: [867.1 MHz]}}]\n";
  expect_silent(plan, "wider");
  // A phase whose devices keep the default channels: the jammer loses nothing in the whole plan.
  const std::string same = with(plan, "radio: {channels: [867.1 MHz]}", "radio: {channels: [868.1 MHz]}");
  EXPECT_EQ(
      count_of(warnings_of(same),
               "attacks.jamming[0].channels: warning: no LoRaWAN device uses these channels (in the base "
               "or any phase): the jammer loses nothing"),
      1)
      << joined(warnings_of(same));
}

// A PON's splitter and upstream act through the gateways on it; the PON itself is priced whatever it carries.
TEST(SectionWarnings, APonsSplitAndUpstreamWithoutGatewaysAreSaid) {
  const std::string fibre =
      "fibre:\n"                                                   // 10
      "  olts: [{name: o}]\n"                                      // 11
      "  pons:\n"                                                  // 12
      "    - {name: p, olt: o, split: 16, upstream: 1 Gbps}\n"     // 13
      "    - {name: q, olt: o, length: 2 km, upstream: 1 Gbps}\n"  // 14
      "    - {name: r, olt: o, length: 2 km}\n";                   // 15
  const auto said = warnings_of(kCity + fibre);
  ASSERT_EQ(said.size(), 2u) << joined(said);
  EXPECT_EQ(
      said[0],
      "<text>:13:32: fibre.pons[0]: warning: ignored: split and upstream: no gateway backhauls over PON "
      "'p' (backhaul: {kind: pon, pon: p}): its splitter has no port taken and its upstream carries "
      "nothing (the PON is still priced: costs.pon, and its length as costs.fibre_km)");
  EXPECT_EQ(count_of(said,
                     "<text>:14:49: fibre.pons[1].upstream: warning: ignored: no gateway backhauls over "
                     "PON 'q' (backhaul: {kind: pon, pon: q})"),
            1)
      << joined(said);
  // A gateway on the PON: its port and the upstream it shares act.
  const std::string on_p = with(kCity + fibre, "{name: gw,", "{name: gw, backhaul: {kind: pon, pon: p},");
  const auto used = warnings_of(on_p);
  EXPECT_EQ(count_of(used, "fibre.pons[0]"), 0) << joined(used);
  EXPECT_EQ(count_of(used, "fibre.pons[1].upstream"), 1) << joined(used);
  // A phase that puts a gateway on it uses it; a PON no phase uses is said for the whole plan.
  const std::string plan = kCity + fibre +
                           "phases:\n"
                           "  - name: east\n"
                           "    add: {gateways: [{name: gw2, position: [1.5 km, 500 m], "
                           "backhaul: {kind: pon, pon: p}}]}\n";
  const auto phased = warnings_of(plan);
  EXPECT_EQ(count_of(phased, "fibre.pons[0]"), 0) << joined(phased);
  EXPECT_EQ(count_of(phased,
                     "fibre.pons[1].upstream: warning: ignored: no gateway backhauls over PON 'q' "
                     "(in the base or any phase)"),
            1)
      << joined(phased);
  // A PON a phase adds is named where that phase wrote it.
  const std::string added = kCity + fibre.substr(0, fibre.find("  pons:")) +
                            "phases:\n"
                            "  - {name: east, add: {pons: [{name: s, olt: o, split: 64}]}}\n";
  EXPECT_EQ(
      count_of(warnings_of(added, {"run.phase=east"}),
               "phases[0].add.pons[0].split: warning: ignored: no gateway backhauls over PON 's' (in the "
               "base or any phase)"),
      1)
      << joined(warnings_of(added, {"run.phase=east"}));
}

// A driver's series acts through what reads it; read by nothing, it is only recorded.
TEST(SectionWarnings, ADriverSeriesNothingReadsIsSaid) {
  const std::string rain = "drivers: {rainfall: {value: 5 mm/h}}\n";  // 10
  const auto said = warnings_of(kCity + rain);
  ASSERT_EQ(said.size(), 1u) << joined(said);
  EXPECT_EQ(said[0],
            "<text>:10:21: drivers.rainfall: warning: ignored: nothing in the run reads rainfall: it is only "
            "recorded (/drivers/rainfall in the trace); it acts once read by a LoRaWAN or NB-IoT population "
            "with devices and an event rule on rainfall (type: rain_gauge, or senses: rainfall with event: "
            "{threshold: ...}), or drivers.flood computing the inundation depth from it (not where "
            "drivers.inundation_depth gives the depth)");
  // Rain gauges sample it; with `event: none`, or no devices, they do not.
  const std::string gauges = with(kCity + rain, "{name: meters,", "{name: meters, type: rain_gauge,");
  EXPECT_TRUE(warnings_of(gauges).empty()) << joined(warnings_of(gauges));
  const std::string written =
      with(kCity + rain, "{name: meters,", "{name: meters, senses: rainfall, event: {threshold: 10 mm/h},");
  EXPECT_TRUE(warnings_of(written).empty()) << joined(warnings_of(written));
  EXPECT_EQ(count_of(warnings_of(with(gauges, "type: rain_gauge,", "type: rain_gauge, event: none,")),
                     "drivers.rainfall: warning: ignored: nothing in the run reads rainfall"),
            1);
  EXPECT_EQ(count_of(warnings_of(with(gauges, "count: 5", "count: 0")),
                     "drivers.rainfall: warning: ignored: nothing in the run reads rainfall"),
            1);
  // A flood computes its depth from it; a depth given directly leaves the river to what senses it, and
  // always acts itself (power cuts, drowned devices).
  EXPECT_TRUE(
      warnings_of(kCity + "drivers: {rainfall: {value: 5 mm/h}, flood: {drainage: 20 mm/h}}\n").empty());
  const auto given =
      warnings_of(kCity + "drivers: {inundation_depth: {value: 0 m}, river_level: {value: 1 m}}\n");
  ASSERT_EQ(given.size(), 1u) << joined(given);
  EXPECT_NE(
      given[0].find("drivers.river_level: warning: ignored: nothing in the run reads river_level: it is "
                    "only recorded (/drivers/river_level in the trace); it acts once read by a LoRaWAN "
                    "or NB-IoT population with devices and an event rule on river_level (type: "
                    "river_level, or senses: river_level with event: {threshold: ...})"),
      std::string::npos)
      << given[0];
  // Nothing reads attack_intensity but a population sampling it; written from the command line, it is named
  // at the override.
  EXPECT_EQ(
      count_of(warnings_of(kCity + rain, {"drivers.attack_intensity={value: 3}"}),
               "--set drivers.attack_intensity={value: 3}: drivers.attack_intensity: warning: ignored: "
               "nothing in the run reads attack_intensity: it is only recorded (/drivers/attack_intensity "
               "in the trace); it acts once read by a LoRaWAN or NB-IoT population with devices and an "
               "event rule on attack_intensity (senses: attack_intensity with event: {threshold: ...})"),
      1);
}

// The series are written once for a whole rollout: a phase's gauges read it.
TEST(SectionWarnings, ADriverSeriesAPhaseReadsIsNotSaid) {
  const std::string plan = kCity +
                           "drivers: {vibration: {value: 2 mm/s}}\n"
                           "phases:\n"
                           "  - name: bridges\n"
                           "    add: {devices: [{name: bridge, type: structural_vibration, power: mains, "
                           "count: 2, districts: [a]}]}\n";
  expect_silent(plan, "bridges");
  const std::string none = with(plan, "count: 2", "count: 0");
  EXPECT_EQ(
      count_of(warnings_of(none),
               "drivers.vibration: warning: ignored: nothing in the run reads vibration (in the base or "
               "any phase): it is only recorded (/drivers/vibration in the trace); it acts once read by a "
               "LoRaWAN or NB-IoT population with devices and an event rule on vibration (type: "
               "structural_vibration, or senses: vibration with event: {threshold: ...})"),
      1)
      << joined(warnings_of(none));
}

// Under drivers.traffic the volume given is the demand: counters, speed sensors and cameras' clips read what
// the replay makes of it; bays read the occupancy.
TEST(SectionWarnings, TrafficSeriesNothingReadsAreSaid) {
  const std::string traffic =
      "drivers: {traffic_volume: {value: 600 veh/h}, traffic: {capacity: 1800 veh/h}}\n";
  EXPECT_EQ(
      count_of(warnings_of(kCity + traffic),
               "drivers.traffic_volume: warning: ignored: nothing in the run reads the traffic_volume and "
               "traffic_speed drivers.traffic computes from it: they are only recorded "
               "(/drivers/traffic_volume and /drivers/traffic_speed in the trace); they act once read by "
               "traffic counters (a LoRaWAN or NB-IoT population with devices sensing traffic_volume: "
               "type: traffic_counter), a population with an event rule on traffic_speed (senses: "
               "traffic_speed with event: {threshold: ...}), or Wi-Fi cameras with "
               "drivers.traffic.cctv.events_per_hour above 0"),
      1)
      << joined(warnings_of(kCity + traffic));
  const std::string counters =
      with(kCity + traffic, "{name: meters,", "{name: meters, senses: traffic_volume,");
  EXPECT_TRUE(warnings_of(counters).empty()) << joined(warnings_of(counters));
  const std::string speed = with(kCity + traffic, "{name: meters,",
                                 "{name: meters, senses: traffic_speed, event: {threshold: 20 km/h},");
  EXPECT_TRUE(warnings_of(speed).empty()) << joined(warnings_of(speed));
  const std::string clips = with(wifi_city() + traffic, "capacity: 1800 veh/h", "cctv: {events_per_hour: 2}");
  EXPECT_TRUE(warnings_of(clips).empty()) << joined(warnings_of(clips));
  EXPECT_EQ(count_of(warnings_of(with(clips, "events_per_hour: 2", "events_per_hour: 0")),
                     "drivers.traffic_volume: warning: ignored"),
            1);
  // Without drivers.traffic a counter reports periodically: the volume is read only by an event rule on it.
  const std::string plain = with(counters, ", traffic: {capacity: 1800 veh/h}", "");
  EXPECT_EQ(
      count_of(warnings_of(plain),
               "drivers.traffic_volume: warning: ignored: nothing in the run reads traffic_volume: it is "
               "only recorded (/drivers/traffic_volume in the trace); it acts once read by a LoRaWAN or "
               "NB-IoT population with devices and an event rule on traffic_volume (senses: "
               "traffic_volume with event: {threshold: ...}), or, with drivers.traffic, traffic counters "
               "(type: traffic_counter, or senses: traffic_volume)"),
      1)
      << joined(warnings_of(plain));
  // Bays: a population sensing parking_occupancy under drivers.traffic watches one each.
  const std::string bays = with(
      kCity + "drivers: {traffic_volume: {value: 600 veh/h}, parking_occupancy: {value: 0.6}, traffic: {}}\n",
      "{name: meters,", "{name: meters, senses: parking_occupancy,");
  const auto bay_warnings = warnings_of(bays);
  EXPECT_EQ(count_of(bay_warnings, "drivers.parking_occupancy"), 0) << joined(bay_warnings);
  EXPECT_EQ(count_of(bay_warnings, "drivers.traffic_volume: warning: ignored"), 1) << joined(bay_warnings);
}

}  // namespace
}  // namespace citytwin::sim::city
