// Tests of loading valid scenarios: every key read and converted to SI, defaults where omitted,
// source marks, and load_scenario_file.
#include "sim/scenario/scenario_loader.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "models/radio/reception.hpp"
#include "tests/sim/rooms.hpp"
#include "tests/sim/scenario_test_text.hpp"

namespace citytwin::sim {
namespace {

using scenario_test::kFullScenario;
using scenario_test::kMinimalScenario;

TEST(ScenarioLoader, FullScenarioCity) {
  const Scenario s = load_scenario_text(kFullScenario, "riverside.yaml");
  EXPECT_EQ(s.source_name, "riverside.yaml");
  EXPECT_EQ(s.text, kFullScenario);
  EXPECT_TRUE(s.overrides.empty());
  EXPECT_EQ(s.city.name, "Riverside");
  ASSERT_EQ(s.city.districts.size(), 2u);
  const District& docks = s.city.districts[1];
  EXPECT_EQ(docks.name, "docks");
  EXPECT_DOUBLE_EQ(docks.x_min_m, 2000.0);
  EXPECT_DOUBLE_EQ(docks.y_min_m, 0.0);
  EXPECT_DOUBLE_EQ(docks.x_max_m, 3000.0);
  EXPECT_DOUBLE_EQ(docks.y_max_m, 1500.0);
}

TEST(ScenarioLoader, FullScenarioPopulation) {
  const Scenario s = load_scenario_text(kFullScenario);
  ASSERT_EQ(s.devices.size(), 5u);  // three written, an S-Pole's camera, an IoT district's meters
  const DevicePopulation& p = s.devices[0];
  EXPECT_EQ(p.name, "river_level");
  EXPECT_EQ(p.type, "river_level");
  EXPECT_EQ(p.count, 60);
  EXPECT_EQ(p.placement.districts, (std::vector<std::string>{"old_town", "docks"}));
  EXPECT_EQ(p.traffic, Traffic::Periodic);
  EXPECT_DOUBLE_EQ(p.interval_s, 600.0);
  EXPECT_DOUBLE_EQ(p.jitter, 0.2);
  EXPECT_EQ(p.payload_bytes, 12);
  EXPECT_EQ(p.mac_overhead_bytes, 14);

  const LoraRadio& r = p.radio;
  EXPECT_EQ(r.phy.spreading_factor, 12);
  EXPECT_DOUBLE_EQ(r.phy.bandwidth_hz, 125e3);
  EXPECT_EQ(r.phy.coding_rate, 2);
  EXPECT_EQ(r.phy.preamble_symbols, 10);
  EXPECT_FALSE(r.phy.explicit_header);
  EXPECT_FALSE(r.phy.crc);
  EXPECT_EQ(r.ldro, LoraRadio::Ldro::Auto);
  EXPECT_TRUE(r.phy.low_data_rate_optimize);  // SF12 at 125 kHz
  EXPECT_DOUBLE_EQ(r.tx_power_dbm, 20.0);
  EXPECT_EQ(r.channels_hz, (std::vector<double>{903.9e6, 904.1e6}));

  const models::device::FirmwareProfile& f = p.firmware;
  EXPECT_DOUBLE_EQ(f.sleep_current_ma, 0.0025);
  EXPECT_DOUBLE_EQ(f.wake_duration_s, 0.006);
  EXPECT_DOUBLE_EQ(f.wake_current_ma, 3.0);
  EXPECT_DOUBLE_EQ(f.sense_duration_s, 0.2);
  EXPECT_DOUBLE_EQ(f.sense_current_ma, 4.0);
  EXPECT_DOUBLE_EQ(f.tx_current_ma, 40.0);
  EXPECT_DOUBLE_EQ(f.rx1_delay_s, 2.0);
  EXPECT_DOUBLE_EQ(f.rx_window_duration_s, 0.025);
  EXPECT_DOUBLE_EQ(f.rx_current_ma, 11.0);
  EXPECT_DOUBLE_EQ(p.battery.capacity_mah, 3600.0);
  EXPECT_DOUBLE_EQ(p.battery.voltage_v, 3.0);
  EXPECT_DOUBLE_EQ(p.battery.self_discharge_per_year, 0.02);
  EXPECT_DOUBLE_EQ(p.battery.service_life_s, 15.0 * 365.25 * 86400.0);  // 15 yr, Julian years
  EXPECT_DOUBLE_EQ(p.battery.max_pulse_current_ma, 400.0);              // 0.4 A
}

TEST(ScenarioLoader, FullScenarioDiscPopulation) {
  const Scenario s = load_scenario_text(kFullScenario);  // a reference into a temporary would dangle
  const DevicePopulation& p = s.devices[1];
  EXPECT_EQ(p.name, "parking");
  EXPECT_EQ(p.type, "generic");
  EXPECT_TRUE(p.placement.districts.empty());
  EXPECT_DOUBLE_EQ(p.placement.disc_x_m, 1000.0);
  EXPECT_DOUBLE_EQ(p.placement.disc_y_m, 1000.0);
  EXPECT_DOUBLE_EQ(p.placement.disc_radius_m, 500.0);
  EXPECT_EQ(p.traffic, Traffic::Poisson);
  EXPECT_DOUBLE_EQ(p.interval_s, 900.0);
  EXPECT_DOUBLE_EQ(p.jitter, 0.25);
  EXPECT_EQ(p.radio.phy.spreading_factor, 7);
  EXPECT_FALSE(p.radio.phy.low_data_rate_optimize);  // SF7
}

TEST(ScenarioLoader, FullScenarioGatewaysChannelPlatformRun) {
  const Scenario s = load_scenario_text(kFullScenario);
  // Two written, three placed by rules (csv, hex, random), two S-Poles' access points, one IoT district's.
  ASSERT_EQ(s.gateways.size(), 8u);
  const Gateway& g = s.gateways[0];
  EXPECT_EQ(g.name, "gw-town-hall");
  EXPECT_DOUBLE_EQ(g.x_m, 1000.0);
  EXPECT_DOUBLE_EQ(g.y_m, 750.0);
  EXPECT_DOUBLE_EQ(g.antenna_gain_dbi, 3.0);
  EXPECT_DOUBLE_EQ(g.forward_delay_s, 0.004);
  EXPECT_EQ(g.backhaul, BackhaulKind::Pon);
  EXPECT_EQ(g.pon, "pon-1");
  EXPECT_DOUBLE_EQ(g.fibre_length_m, 300.0);  // the drop
  EXPECT_DOUBLE_EQ(g.fibre_bandwidth_bps, 1e9);
  EXPECT_DOUBLE_EQ(g.backhaul_monthly_cost, 12.0);
  EXPECT_EQ(s.gateways[1].backhaul, BackhaulKind::WifiMesh);
  EXPECT_EQ(s.gateways[1].mesh_hops, 3);
  EXPECT_DOUBLE_EQ(s.gateways[1].fibre_length_m, 800.0);
  EXPECT_DOUBLE_EQ(s.gateways[1].backhaul_latency_s, 0.002);
  ASSERT_EQ(s.fibre.pons.size(), 1u);
  EXPECT_EQ(s.fibre.pons[0].split, 16);
  EXPECT_DOUBLE_EQ(s.fibre.pons[0].upstream_bps, 1e9);
  EXPECT_DOUBLE_EQ(s.fibre.olts[0].backbone_length_m, 12000.0);

  EXPECT_DOUBLE_EQ(s.channel.path_loss.reference_distance_m, 2.0);
  EXPECT_DOUBLE_EQ(s.channel.path_loss.reference_loss_db, 8.0);
  EXPECT_DOUBLE_EQ(s.channel.path_loss.exponent, 3.5);
  EXPECT_FALSE(s.channel.capture.enabled);
  EXPECT_DOUBLE_EQ(s.channel.capture.threshold_db, 4.0);
  EXPECT_DOUBLE_EQ(s.channel.shadowing_sigma_db, 7.8);
  EXPECT_DOUBLE_EQ(s.channel.shadowing_correlation_m, 50.0);
  EXPECT_EQ(s.channel.receptions, RadioChannel::Receptions::Strongest);
  EXPECT_EQ(s.channel.strongest_k, 4);
  EXPECT_EQ(s.channel.gateway_sensitivity_dbm,
            (std::array<double, 6>{-131.0, -132.5, -135.0, -137.5, -140.0, -141.0}));
  EXPECT_EQ(s.wifi.airtime_sharing, models::radio::AirtimeSharing::ProportionalToOffered);
  using models::radio::NpuschAllocation;
  const auto& levels = s.nbiot.cell.levels;
  EXPECT_EQ(levels[0].npusch.allocation, NpuschAllocation::TwelveTone);
  EXPECT_EQ(levels[0].npusch.i_tbs, 12);
  EXPECT_EQ(levels[0].npusch.repetitions, 2);
  EXPECT_EQ(levels[1].npusch.allocation, NpuschAllocation::SingleTone15k);
  EXPECT_EQ(levels[1].npusch.i_tbs, 5);
  EXPECT_EQ(levels[1].npusch.repetitions, 16);
  EXPECT_EQ(levels[2].npusch.allocation, NpuschAllocation::SingleTone3k75);
  EXPECT_EQ(levels[2].npusch.i_tbs, 1);
  EXPECT_EQ(levels[2].npusch.repetitions, 64);
  // The rest of each level stays the model's (models/radio/nbiot_phy.hpp).
  EXPECT_EQ(levels[2].nprach_repetitions, models::radio::default_ce_levels()[2].nprach_repetitions);

  EXPECT_DOUBLE_EQ(s.platform.server_speed_flops, 2e10);
  EXPECT_DOUBLE_EQ(s.platform.ns_cost_flops, 3e5);
  EXPECT_DOUBLE_EQ(s.platform.forward_message_bytes, 300.0);

  EXPECT_DOUBLE_EQ(s.run.duration_s, 43200.0);
  EXPECT_EQ(s.run.seed, 42u);
  EXPECT_DOUBLE_EQ(s.run.window_s, 0.5);
  EXPECT_DOUBLE_EQ(s.run.forward_batch_s, 5.0);
  EXPECT_EQ(s.run.trace_compression, 4u);
}

TEST(ScenarioLoader, OmittedKeysTakeTheStructDefaults) {
  const Scenario s = load_scenario_text(kMinimalScenario);
  EXPECT_EQ(s.city.name, City{}.name);
  ASSERT_EQ(s.devices.size(), 1u);
  const DevicePopulation& p = s.devices[0];
  const DevicePopulation defaults;
  EXPECT_EQ(p.type, defaults.type);
  EXPECT_EQ(p.traffic, defaults.traffic);
  EXPECT_EQ(p.interval_s, defaults.interval_s);
  EXPECT_EQ(p.jitter, defaults.jitter);
  EXPECT_EQ(p.payload_bytes, defaults.payload_bytes);
  EXPECT_EQ(p.mac_overhead_bytes, defaults.mac_overhead_bytes);
  EXPECT_EQ(p.radio.phy.spreading_factor, defaults.radio.phy.spreading_factor);
  EXPECT_EQ(p.radio.phy.coding_rate, defaults.radio.phy.coding_rate);
  EXPECT_EQ(p.radio.phy.low_data_rate_optimize, false);
  EXPECT_EQ(p.radio.channels_hz, defaults.radio.channels_hz);
  EXPECT_EQ(p.radio.tx_power_dbm, defaults.radio.tx_power_dbm);
  EXPECT_EQ(p.firmware.rx1_delay_s, defaults.firmware.rx1_delay_s);
  EXPECT_EQ(p.firmware.sleep_current_ma, defaults.firmware.sleep_current_ma);
  EXPECT_EQ(p.battery.capacity_mah, defaults.battery.capacity_mah);
  EXPECT_EQ(p.battery.service_life_s, defaults.battery.service_life_s);
  EXPECT_EQ(p.battery.max_pulse_current_ma, defaults.battery.max_pulse_current_ma);
  const Gateway& g = s.gateways[0];
  EXPECT_EQ(g.antenna_gain_dbi, Gateway{}.antenna_gain_dbi);
  EXPECT_EQ(g.forward_delay_s, Gateway{}.forward_delay_s);
  EXPECT_EQ(g.fibre_bandwidth_bps, Gateway{}.fibre_bandwidth_bps);
  EXPECT_EQ(s.channel.path_loss.exponent, RadioChannel{}.path_loss.exponent);
  EXPECT_EQ(s.channel.capture.enabled, RadioChannel{}.capture.enabled);
  EXPECT_EQ(s.channel.gateway_sensitivity_dbm, models::radio::kSx1301SensitivityDbm);
  // 802.11 DCF's sharing (Heusse et al. 2003), not proportional scaling.
  EXPECT_EQ(s.wifi.airtime_sharing, models::radio::AirtimeSharing::ThroughputFair);
  EXPECT_EQ(s.channel.path_loss.free_space_frequency_hz, 868e6);
  EXPECT_EQ(s.platform.server_speed_flops, Platform{}.server_speed_flops);
  EXPECT_EQ(s.run.duration_s, sim::Run{}.duration_s);
  EXPECT_EQ(s.run.seed, sim::Run{}.seed);
  EXPECT_EQ(s.run.window_s, sim::Run{}.window_s);
  EXPECT_EQ(s.run.forward_batch_s, sim::Run{}.forward_batch_s);
}

TEST(ScenarioLoader, LdroResolution) {
  auto ldro = [](const std::string& radio) {
    const std::string text = scenario_test::replaced(kMinimalScenario, "districts: [harbor]\n",
                                                     "districts: [harbor]\n    radio: " + radio + "\n");
    return load_scenario_text(text).devices[0].radio.phy.low_data_rate_optimize;
  };
  EXPECT_TRUE(ldro("{sf: 12, bandwidth: 125 kHz}"));
  EXPECT_TRUE(ldro("{sf: 11}"));
  EXPECT_FALSE(ldro("{sf: 7}"));
  EXPECT_TRUE(ldro("{sf: 12, bandwidth: 250 kHz}"));  // 16.4 ms symbols
  EXPECT_FALSE(ldro("{sf: 11, bandwidth: 250 kHz}"));
  EXPECT_FALSE(ldro("{sf: 12, ldro: off}"));
  EXPECT_TRUE(ldro("{sf: 7, ldro: on}"));
}

TEST(ScenarioLoader, EmptyAndNullSectionsReadAsDefaults) {
  // `run:` (null) and `run: {}` are the same; so is an optional section left empty.
  EXPECT_NO_THROW(
      load_scenario_text(scenario_test::replaced(kMinimalScenario, "run:\n", "run: {}\nplatform:\n")));
}

TEST(ScenarioLoader, MarksPointAtTheEntries) {
  const Scenario s = load_scenario_text(kFullScenario, "riverside.yaml");
  const SourceMark& population = s.devices[1].mark;
  EXPECT_EQ(population.file, "riverside.yaml");
  EXPECT_EQ(population.line, 50);  // "  - name: parking"
  EXPECT_EQ(population.column, 5);
  EXPECT_EQ(s.devices[0].placement.mark.line, 15);  // "districts: [old_town, docks]"
  EXPECT_EQ(s.devices[0].placement.mark.column, 16);
  EXPECT_EQ(s.devices[1].placement.mark.line, 56);  // "disc: {...}"
  EXPECT_EQ(s.gateways[1].mark.line, 71);           // "  - name: gw-docks"
  EXPECT_EQ(s.gateways[1].mark.column, 5);
}

class ScenarioFile : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("citytwin_scenario_loader_test_" + std::to_string(::getpid()) + ".yaml");
  }
  void TearDown() override { std::filesystem::remove(path_); }
  void write(const std::string& text) { std::ofstream(path_) << text; }
  std::filesystem::path path_;
};

TEST_F(ScenarioFile, LoadsAndNamesTheFile) {
  write(kMinimalScenario);
  const Scenario s = load_scenario_file(path_.string(), {"run.seed=9"});
  EXPECT_EQ(s.source_name, path_.string());
  EXPECT_EQ(s.text, kMinimalScenario);
  EXPECT_EQ(s.overrides, (std::vector<std::string>{"run.seed=9"}));
  EXPECT_EQ(s.run.seed, 9u);
  EXPECT_EQ(s.devices[0].mark.file, path_.string());
}

TEST_F(ScenarioFile, ErrorsNameTheFile) {
  write(scenario_test::replaced(kMinimalScenario, "count: 10", "count: ten"));
  try {
    load_scenario_file(path_.string());
    FAIL() << "no error";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(std::string(e.what()),
              path_.string() + ":6:12: devices[0].count: expected an integer, got 'ten'");
  }
}

TEST(ScenarioLoaderFile, MissingFileIsADiagnostic) {
  try {
    load_scenario_file("/nonexistent/riverside.yaml");
    FAIL() << "no error";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(std::string(e.what()),
              "/nonexistent/riverside.yaml: cannot open scenario file (No such file or directory)");
    ASSERT_EQ(e.diagnostics().size(), 1u);
    EXPECT_EQ(e.diagnostics()[0].mark.file, "/nonexistent/riverside.yaml");
    EXPECT_EQ(e.diagnostics()[0].mark.line, 0);
  }
}

TEST(ScenarioLoaderFile, DirectoryIsNotAScenario) {
  try {
    load_scenario_file(std::filesystem::temp_directory_path().string());
    FAIL() << "no error";
  } catch (const ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find(": is a directory, not a file"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace citytwin::sim
