// resolve(): the disc coverage behind the placement check, against areas known in closed form, and the
// placement it guards.
#include "sim/city/resolve.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/app/run.hpp"
#include "sim/city/build_city_layout.hpp"
#include "sim/core/thread_pool.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "tests/sim/one_district_city.hpp"

namespace citytwin::sim::city {
namespace {

scenario::City square_city(double x0, double y0, double side) {
  scenario::City c;
  c.districts.push_back({"a", x0, y0, x0 + side, y0 + side});
  return c;
}

std::string scenario_text_replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("test bug: '" + from + "' not in the scenario");
  return text.replace(at, from.size(), to);
}

scenario::Placement disc(double x, double y, double r) {
  scenario::Placement p;
  p.disc_x_m = x;
  p.disc_y_m = y;
  p.disc_radius_m = r;
  return p;
}

TEST(DiscCoverage, MatchesClosedFormAreas) {
  // Inside: all of it. Centre on an edge: half. On a corner: a quarter.
  EXPECT_NEAR(disc_coverage(square_city(0, 0, 1000), disc(500, 500, 100)), 1.0, 1e-4);
  EXPECT_NEAR(disc_coverage(square_city(0, 0, 1000), disc(0, 500, 100)), 0.5, 1e-4);
  EXPECT_NEAR(disc_coverage(square_city(0, 0, 1000), disc(0, 0, 100)), 0.25, 1e-4);
  // A square of side s well inside a disc of radius r: s^2 / (pi r^2).
  EXPECT_NEAR(disc_coverage(square_city(-50, -50, 100), disc(0, 0, 1000)), 1e4 / (std::numbers::pi * 1e6),
              1e-6);
  // Two overlapping districts count once: [0,100]x[0,100] and [50,150]x[0,100] under a disc covering
  // both: 150 x 100 m.
  scenario::City two = square_city(0, 0, 100);
  two.districts.push_back({"b", 50, 0, 150, 100});
  EXPECT_NEAR(disc_coverage(two, disc(75, 50, 1000)), 1.5e4 / (std::numbers::pi * 1e6), 1e-6);
  // A circular segment: the district is the half-plane x >= d (a large square), its share of the disc
  // (r^2 acos(d/r) - d sqrt(r^2 - d^2)) / (pi r^2).
  const double r = 100, d = 60;
  const double segment =
      (r * r * std::acos(d / r) - d * std::sqrt(r * r - d * d)) / (std::numbers::pi * r * r);
  EXPECT_NEAR(disc_coverage(square_city(d, -5000, 10000), disc(0, 0, r)), segment, 1e-4);
}

const std::string kDisc =
    "city:\n"
    "  districts:\n"
    "    - {name: a, origin: [0 m, 0 m], size: [100 m, 100 m]}\n"
    "devices:\n"
    "  - {name: d, count: 200, disc: {centre: [1 m, 1 m], radius: RADIUS}}\n"
    "gateways:\n"
    "  - {name: gw, position: [50 m, 50 m]}\n"
    "run: {duration: 1 h}\n";

std::string with_radius(const std::string& radius) {
  std::string text = kDisc;
  return text.replace(text.find("RADIUS"), 6, radius);
}

TEST(Resolve, ADiscTheSamplerCanFillIsAcceptedAndFilled) {
  // 0.32 % of a 1 km disc lies in the district: with the old limit of 1000 draws a device was lost with
  // chance (1 - 0.0032)^1000 = 4 %, so 200 devices almost surely failed the run; now each is placed.
  const auto sc = scenario::load_scenario_text(with_radius("1 km"));
  EXPECT_NEAR(disc_coverage(sc.city, sc.devices[0].placement), 1e4 / (std::numbers::pi * 1e6), 1e-6);
  EXPECT_NO_THROW(resolve(sc, 1));
  core::ThreadPool pool(1);
  const CityLayout layout = build_city_layout(sc, 1, pool);
  ASSERT_EQ(layout.device_count(), 200u);
  for (size_t i = 0; i < layout.device_count(); ++i) {
    EXPECT_GE(layout.device_x_m[i], 0.0);
    EXPECT_LE(layout.device_x_m[i], 100.0);
    EXPECT_GE(layout.device_y_m[i], 0.0);
    EXPECT_LE(layout.device_y_m[i], 100.0);
  }
}

TEST(Resolve, ADiscAlmostAllOutsideIsRefusedNamingIt) {
  const auto sc = scenario::load_scenario_text(with_radius("10 km"));  // 0.003 % in the district
  try {
    resolve(sc, 1);
    FAIL() << "expected a ScenarioError";
  } catch (const scenario::ScenarioError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u) << e.what();
    EXPECT_EQ(e.diagnostics()[0].key_path, "devices[0].disc");
    EXPECT_EQ(e.diagnostics()[0].mark.line, 5);
  }
}

// The build on its own (the fuzzer calls it without resolve) refuses such a disc at once: it used to draw
// 100 / coverage = 3e6 times per device here before giving up (the fuzzer's 10 s timeout at 1,000 km).
TEST(Resolve, TheBuildRefusesADiscAlmostAllOutsideWithoutDrawingForIt) {
  const auto sc = scenario::load_scenario_text(with_radius("1000 km"));
  core::ThreadPool pool(1);
  EXPECT_THROW(build_city_layout(sc, 1, pool), app::RunError);
}

TEST(Resolve, StrictTurnsWarningsIntoErrors) {
  std::string text = with_radius("50 m");
  // A cell rated for the modem's bursts, so that the one warning is the missing cell's.
  text.replace(text.find("count: 200"), 10,
               "count: 5, technology: nbiot, battery: {max_pulse_current: 0.2 A}");
  const auto sc = scenario::load_scenario_text(text);
  const auto warnings = resolve(sc, 1);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].severity, scenario::Diagnostic::Severity::Warning);
  EXPECT_EQ(warnings[0].to_string(),
            "<text>:5:5: devices[0].technology: warning: no NB-IoT cell in the scenario: its 5 nbiot devices "
            "will never be heard");
  EXPECT_THROW(resolve(sc, 1, true), scenario::ScenarioError);
}

// A setting that does nothing says so: radio.strongest_k under the exact model.
TEST(Resolve, StrongestKUnderTheExactModelIsAWarningNamingIt) {
  const std::string base = with_radius("50 m");
  auto warnings_of = [](const std::string& text) {
    std::vector<std::string> found;
    for (const auto& w : resolve(scenario::load_scenario_text(text), 1))
      if (w.key_path == "radio.strongest_k") found.push_back(w.to_string());
    return found;
  };
  EXPECT_TRUE(warnings_of(base).empty());
  const auto exact = warnings_of(base + "radio: {strongest_k: 4}\n");
  ASSERT_EQ(exact.size(), 1u);
  EXPECT_NE(exact[0].find("warning: ignored: radio.receptions is exact"), std::string::npos) << exact[0];
  EXPECT_TRUE(warnings_of(base + "radio: {receptions: strongest, strongest_k: 4}\n").empty());
  EXPECT_TRUE(warnings_of(base + "radio: {receptions: strongest_only, strongest_k: 4}\n").empty());
}

// radio.shadowing.correlation_distance with no shadowing to correlate (sigma 0 dB or left out) says so.
TEST(Resolve, ShadowingCorrelationWithoutSigmaIsAWarningNamingIt) {
  const std::string base = with_radius("50 m");
  auto warnings_of = [](const std::string& text) {
    std::vector<std::string> found;
    for (const auto& w : resolve(scenario::load_scenario_text(text), 1))
      if (w.key_path == "radio.shadowing.correlation_distance") found.push_back(w.to_string());
    return found;
  };
  EXPECT_TRUE(warnings_of(base).empty());
  for (const char* shadowing :
       {"{correlation_distance: 50 m}", "{sigma: 0 dB, correlation_distance: 50 m}"}) {
    const auto ignored = warnings_of(base + "radio: {shadowing: " + std::string(shadowing) + "}\n");
    ASSERT_EQ(ignored.size(), 1u) << shadowing;
    EXPECT_NE(ignored[0].find("warning: ignored: radio.shadowing.sigma is 0 dB (no shadowing to correlate)"),
              std::string::npos)
        << ignored[0];
  }
  EXPECT_TRUE(warnings_of(base + "radio: {shadowing: {sigma: 8 dB, correlation_distance: 50 m}}\n").empty());
}

// The warnings of resolve() on a scenario text, as printed.
std::vector<std::string> warning_texts(const std::string& text) {
  std::vector<std::string> found;
  for (const auto& w : resolve(scenario::load_scenario_text(text), 1)) found.push_back(w.to_string());
  return found;
}

bool has_warning(const std::vector<std::string>& warnings, const std::string& part) {
  return std::any_of(warnings.begin(), warnings.end(),
                     [&](const std::string& w) { return w.find(part) != std::string::npos; });
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

// The one-district city with a LoRaWAN gateway, an NB-IoT cell and a Wi-Fi access point.
std::string with_population(const std::string& population) {
  return test::one_district_city(population, test::kAccessPointEntry);
}

// An NB-IoT population's LoRaWAN settings did nothing without a word (the trace showed sf 0, no
// retransmission, no downlink): each written key is named, with why; tx_power applies and is not.
TEST(Resolve, LorawanSettingsOnAnNbiotPopulationAreEachNamed) {
  const auto warnings = warning_texts(
      with_population("  - name: n\n"                                                              // 5
                      "    technology: nbiot\n"                                                    // 6
                      "    count: 5\n"                                                             // 7
                      "    districts: [a]\n"                                                       // 8
                      "    radio: {sf: 12, adr: true, channels: [868.1 MHz], tx_power: 20 dBm}\n"  // 9
                      "    confirmed: true\n"                                                      // 10
                      "    max_transmissions: 4\n"));                                              // 11
  EXPECT_TRUE(has_warning(warnings,
                          "<text>:9:17: devices[0].radio.sf: warning: ignored: an NB-IoT device has no "
                          "spreading factor"))
      << joined(warnings);
  EXPECT_TRUE(has_warning(warnings, "<text>:9:26: devices[0].radio.adr: warning: ignored: "))
      << joined(warnings);
  EXPECT_TRUE(has_warning(warnings,
                          "devices[0].radio.channels: warning: ignored: NB-IoT sends on its cell's carrier"))
      << joined(warnings);
  EXPECT_TRUE(
      has_warning(warnings, "<text>:10:16: devices[0].confirmed: warning: ignored: LoRaWAN confirmation"))
      << joined(warnings);
  EXPECT_TRUE(has_warning(warnings, "<text>:11:24: devices[0].max_transmissions: warning: ignored: "))
      << joined(warnings);
  EXPECT_FALSE(has_warning(warnings, "radio.tx_power")) << joined(warnings);
  // And the modem's 167 mA bursts on the default AA cell (sim/city/pulse_current.hpp), which apply.
  EXPECT_TRUE(has_warning(warnings, "devices[0].battery.max_pulse_current: warning: its devices draw 167 mA"))
      << joined(warnings);
  EXPECT_EQ(warnings.size(), 6u) << joined(warnings);
  // The same keys on a LoRaWAN population say nothing.
  EXPECT_TRUE(
      warning_texts(with_population("  - {name: l, count: 5, districts: [a], radio: {sf: 12, adr: true, "
                                    "channels: [868.1 MHz]}, confirmed: true, max_transmissions: 4}\n"))
          .empty());
}

TEST(Resolve, KeysAWifiStreamOrPoissonTrafficIgnoresAreNamed) {
  const auto wifi = warning_texts(with_population(
      "  - {name: cam, technology: wifi, stream: 2 Mbps, count: 1, districts: [a], interval: 5 min, "
      "radio: {sf: 9}}\n"));
  EXPECT_TRUE(
      has_warning(wifi, "devices[0].interval: warning: ignored: a Wi-Fi population is a video stream"))
      << joined(wifi);
  EXPECT_TRUE(
      has_warning(wifi, "devices[0].radio.sf: warning: ignored: a Wi-Fi population is a video stream"))
      << joined(wifi);
  EXPECT_EQ(wifi.size(), 2u) << joined(wifi);
  const auto poisson = warning_texts(
      with_population("  - {name: p, count: 5, districts: [a], traffic: poisson, jitter: 0.2}\n"));
  ASSERT_EQ(poisson.size(), 1u) << joined(poisson);
  EXPECT_NE(poisson[0].find("devices[0].jitter: warning: ignored: jitter spreads periodic reports"),
            std::string::npos)
      << poisson[0];
  EXPECT_TRUE(warning_texts(with_population(
                                "  - {name: p, count: 5, districts: [a], traffic: periodic, jitter: 0.2}\n"))
                  .empty());
  const auto unconfirmed =
      warning_texts(with_population("  - {name: p, count: 5, districts: [a], max_transmissions: 4}\n"));
  ASSERT_EQ(unconfirmed.size(), 1u) << joined(unconfirmed);
  EXPECT_NE(unconfirmed[0].find("devices[0].max_transmissions: warning: ignored: only a confirmed uplink"),
            std::string::npos)
      << unconfirmed[0];
}

// A camera's firmware, battery, solar panel and building penetration, and the LoRa radio's receive delay,
// window and currents on NB-IoT, did nothing without a word (firmware.rx1_delay too, since run.window is
// bounded by LoRaWAN populations' alone).
TEST(Resolve, FirmwareAndPowerKeysAStreamOrANbiotModemIgnoresAreNamed) {
  const std::string keys =
      "firmware: {sleep_current: 2 uA, rx_window: 10 ms, tx_current: 90 mA, rx_current: 5 mA, rx1_delay: 2 "
      "s}, "
      "battery: {capacity: 1000 mAh}, solar: {peak_power_w: 1}, building_penetration: {mean: 10 dB}}\n";
  const auto wifi = warning_texts(
      with_population("  - {name: cam, technology: wifi, stream: 2 Mbps, count: 1, districts: [a], " + keys));
  for (const std::string key : {"firmware.sleep_current", "firmware.rx_window", "firmware.tx_current",
                                "firmware.rx_current", "firmware.rx1_delay"})
    EXPECT_TRUE(has_warning(wifi, "devices[0]." + key +
                                      ": warning: ignored: a Wi-Fi population is a video stream (stream:): "
                                      "it runs no sensor duty cycle"))
        << key << "\n"
        << joined(wifi);
  EXPECT_TRUE(has_warning(wifi, "devices[0].battery: warning: ignored: a video stream is mains powered"))
      << joined(wifi);
  EXPECT_TRUE(has_warning(wifi, "devices[0].solar: warning: ignored: a video stream is mains powered"))
      << joined(wifi);
  EXPECT_TRUE(has_warning(wifi,
                          "devices[0].building_penetration: warning: ignored: a camera associates by "
                          "the fixed Wi-Fi link budget"))
      << joined(wifi);
  EXPECT_EQ(wifi.size(), 8u) << joined(wifi);
  const auto nbiot =
      warning_texts(with_population("  - {name: n, technology: nbiot, count: 5, districts: [a], " + keys));
  EXPECT_TRUE(has_warning(nbiot,
                          "devices[0].firmware.rx_window: warning: ignored: LoRaWAN class A's receive "
                          "windows"))
      << joined(nbiot);
  for (const std::string key : {"firmware.tx_current", "firmware.rx_current"})
    EXPECT_TRUE(has_warning(nbiot, "devices[0]." + key +
                                       ": warning: ignored: the LoRa radio's current; an NB-IoT modem draws "
                                       "its own"))
        << key << "\n"
        << joined(nbiot);
  EXPECT_TRUE(has_warning(nbiot,
                          "devices[0].firmware.rx1_delay: warning: ignored: LoRaWAN class A's receive "
                          "delay"))
      << joined(nbiot);
  // The modem's bursts on the written cell, which keeps the AA cell's 150 mA rating (a panel or not).
  EXPECT_TRUE(has_warning(nbiot, "devices[0].battery.max_pulse_current: warning: its devices draw 167 mA"))
      << joined(nbiot);
  EXPECT_EQ(nbiot.size(), 5u) << joined(nbiot);
  // All of them apply to a LoRaWAN sensor.
  EXPECT_TRUE(warning_texts(with_population("  - {name: l, count: 5, districts: [a], " + keys)).empty());
}

// A battery's service life caps the projected lifetime, which is projected only for a device on its battery
// alone: on mains power or with a solar panel it does nothing, and says so; on a battery sensor it applies.
TEST(Resolve, AServiceLifeWithoutALifetimeToCapIsNamed) {
  const std::string life = "battery: {capacity: 1000 mAh, service_life: 10 yr}";
  const auto mains =
      warning_texts(with_population("  - {name: m, count: 5, districts: [a], power: mains, " + life + "}\n"));
  ASSERT_EQ(mains.size(), 1u) << joined(mains);
  EXPECT_TRUE(has_warning(mains,
                          "<text>:5:99: devices[0].battery.service_life: warning: ignored: a mains-powered "
                          "population projects no battery lifetime for it to cap"))
      << joined(mains);
  const auto solar = warning_texts(
      with_population("  - {name: s, count: 5, districts: [a], solar: {peak_power_w: 1}, " + life + "}\n"));
  ASSERT_EQ(solar.size(), 1u) << joined(solar);
  EXPECT_TRUE(has_warning(solar,
                          "devices[0].battery.service_life: warning: ignored: a population with a solar "
                          "panel projects no battery lifetime"))
      << joined(solar);
  EXPECT_TRUE(
      warning_texts(with_population("  - {name: b, count: 5, districts: [a], " + life + "}\n")).empty());
}

TEST(Resolve, LoraGatewayKeysOnACellOrAnAccessPointAreNamed) {
  std::string text = with_population("  - {name: p, count: 5, districts: [a]}\n");
  text = scenario_text_replace(text, "{name: cell, technology: nbiot,",
                               "{name: cell, technology: nbiot, demodulators: 16, buffer: 10,");
  text =
      scenario_text_replace(text, "{name: ap, technology: wifi,",
                            "{name: ap, technology: wifi, demodulators: 16, buffer: 10, tx_power: 20 dBm,");
  const auto warnings = warning_texts(text);
  EXPECT_TRUE(has_warning(warnings,
                          "gateways[1].demodulators: warning: ignored: demodulation paths are a "
                          "LoRaWAN gateway's concentrator's (SX1301); an NB-IoT cell has none"))
      << joined(warnings);
  EXPECT_FALSE(has_warning(warnings, "gateways[1].buffer")) << joined(warnings);  // a cell forwards frames
  EXPECT_TRUE(has_warning(warnings, "gateways[2].demodulators: warning: ignored: ")) << joined(warnings);
  EXPECT_TRUE(has_warning(warnings,
                          "gateways[2].buffer: warning: ignored: a Wi-Fi access point carries video "
                          "streams"))
      << joined(warnings);
  EXPECT_TRUE(has_warning(warnings,
                          "gateways[2].tx_power: warning: ignored: the downlink power of a LoRaWAN "
                          "gateway"))
      << joined(warnings);
  EXPECT_EQ(warnings.size(), 4u) << joined(warnings);
  // The access points a placement rule places share the entry it was written in: said once.
  text =
      scenario_text_replace(text, "run: {duration: 1 h}\n",
                            "  - {name: aps, technology: wifi, antenna_gain: 3 dBi, place: {layout: random, "
                            "count: 5}}\nrun: {duration: 1 h}\n");
  const auto placed = warning_texts(text);
  EXPECT_EQ(std::count_if(placed.begin(), placed.end(),
                          [](const std::string& w) {
                            return w.find(
                                       ".antenna_gain: warning: ignored: the Wi-Fi "
                                       "link budget is fixed") != std::string::npos;
                          }),
            1)
      << joined(placed);
  EXPECT_EQ(placed.size(), 5u) << joined(placed);
}

// A catalogue type misspelt silently got the generic defaults (battery, interval, payload, radio, rule).
TEST(Resolve, ATypeNearACatalogueTypeIsNamedWithTheHint) {
  const auto warnings =
      warning_texts(with_population("  - {name: m, type: water_metre, count: 5, districts: [a]}\n"));
  ASSERT_EQ(warnings.size(), 1u) << joined(warnings);
  EXPECT_EQ(warnings[0],
            "<text>:5:21: devices[0].type: warning: type 'water_metre' is not in the catalogue: did you mean "
            "'water_meter'? (a free-text type gets the generic defaults)");
  // Free text far from every catalogue type (a prefix is not a misspelling) says nothing.
  for (const std::string type : {"parking", "streetlamp", "generic"})
    EXPECT_TRUE(
        warning_texts(with_population("  - {name: m, type: " + type + ", count: 5, districts: [a]}\n"))
            .empty())
        << type;
}

}  // namespace
}  // namespace citytwin::sim::city
