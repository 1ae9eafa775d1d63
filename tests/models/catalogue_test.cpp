// Tests of the sensor-type catalogue: lookup, consistency of every entry, and plausibility of the
// energy budgets against published battery lives, the NB-IoT terminal's 3-day backup and solar types.
#include "models/device/catalogue.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

#include "models/device/firmware.hpp"
#include "models/radio/lora_phy.hpp"

namespace citytwin::models::device {
namespace {

constexpr double kDay = 86400.0;

const SensorType& type(std::string_view name) {
  const SensorType* t = find_sensor_type(name);
  EXPECT_NE(t, nullptr) << name;
  return *t;
}

bool snake_case(std::string_view s) {
  if (s.empty() || s.front() == '_' || s.back() == '_') return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

TEST(Catalogue, HasTheTypesTheItuReportNames) {
  for (std::string_view name :
       {"river_level", "rain_gauge", "soil_moisture", "dam_inclinometer", "structural_vibration",
        "air_quality", "parking_occupancy", "traffic_counter", "water_meter", "electricity_meter",
        "streetlight_controller", "safety_tracker", "cctv_camera", "nbiot_terminal"}) {
    const SensorType* t = find_sensor_type(name);
    ASSERT_NE(t, nullptr) << name;
    EXPECT_EQ(t->name, name);
  }
  EXPECT_EQ(find_sensor_type("River_Level"), nullptr);  // exact names only
  EXPECT_EQ(find_sensor_type("rain"), nullptr);
}

TEST(Catalogue, NamesAreUniqueSnakeCaseAndListedForHints) {
  std::set<std::string_view> seen;
  for (const SensorType& t : sensor_types()) {
    EXPECT_TRUE(snake_case(t.name)) << t.name;
    EXPECT_TRUE(seen.insert(t.name).second) << "duplicate " << t.name;
    EXPECT_FALSE(t.description.empty()) << t.name;
  }
  const std::vector<std::string_view> names = sensor_type_names();
  ASSERT_EQ(names.size(), sensor_types().size());
  for (std::size_t i = 0; i < names.size(); ++i) EXPECT_EQ(names[i], sensor_types()[i].name);
  const std::string text = sensor_type_names_text();
  EXPECT_EQ(text.rfind("river_level, rain_gauge, ", 0), 0u) << text;
  EXPECT_NE(text.find(", nbiot_terminal"), std::string::npos);
}

TEST(Catalogue, EveryTypeHasPositiveConsistentValues) {
  for (const SensorType& t : sensor_types()) {
    SCOPED_TRACE(std::string(t.name));
    EXPECT_GT(t.payload_bytes, 0);
    EXPECT_GT(t.interval_s, 0.0);
    EXPECT_GT(t.sample_interval_s, 0.0);
    EXPECT_LE(t.sample_interval_s, t.interval_s);
    EXPECT_GE(t.quiescent_current_ma, 0.0);
    if (t.streams()) {
      // A stream: datagrams of payload_bytes, one every payload x 8 / bitrate.
      EXPECT_NEAR(t.interval_s, t.payload_bytes * 8.0 / t.stream_bitrate_bps, 1e-12);
      EXPECT_EQ(t.power, PowerSource::Mains);
    } else {
      EXPECT_GT(t.sense_duration_s, 0.0);
      EXPECT_GT(t.sense_current_ma, 0.0);
      EXPECT_GT(t.process_duration_s, 0.0);
      EXPECT_GT(t.process_current_ma, 0.0);
      EXPECT_LT(t.sense_duration_s + t.process_duration_s, t.sample_interval_s);
    }
    // Battery exactly when the power source needs one; solar panel exactly on solar types.
    EXPECT_EQ(t.has_battery(), t.power != PowerSource::Mains);
    if (t.has_battery()) {
      EXPECT_GT(t.battery.voltage_v, 0.0);
      EXPECT_GE(t.battery.self_discharge_per_year, 0.0);
      EXPECT_LT(t.battery.self_discharge_per_year, 1.0);
    }
    if (t.power == PowerSource::SolarBattery || t.power == PowerSource::MainsWithBackup) {
      EXPECT_TRUE(t.battery.rechargeable);
    }
    EXPECT_EQ(t.solar.peak_power_w > 0.0, t.power == PowerSource::SolarBattery);
    // LoRaWAN payloads fit EU868 DR3 (SF9): N = 115 B of application payload (Regional Parameters).
    if (t.radio == radio::Technology::LoRaWAN) {
      EXPECT_LE(t.payload_bytes, 115);
    }
    // An event rule's normal interval is the default interval, its fast one no faster than sampling.
    if (t.event_rule) {
      EXPECT_DOUBLE_EQ(t.event_rule->normal_interval_s, t.interval_s);
      EXPECT_GE(t.event_rule->fast_interval_s, t.sample_interval_s);
      EXPECT_LE(t.event_rule->fast_interval_s, t.event_rule->normal_interval_s);
      EXPECT_GE(t.event_rule->consecutive, 1);
      EXPECT_GE(t.event_rule->hysteresis, 0.0);
    } else {
      EXPECT_DOUBLE_EQ(t.sample_interval_s, t.interval_s);
    }
  }
}

TEST(Catalogue, KindsOfRadioPowerAndMobility) {
  EXPECT_EQ(type("safety_tracker").mobility, Mobility::Mobile);
  for (const SensorType& t : sensor_types()) {
    if (t.name != "safety_tracker") {
      EXPECT_EQ(t.mobility, Mobility::Static) << t.name;
    }
  }
  EXPECT_EQ(type("electricity_meter").power, PowerSource::Mains);
  EXPECT_EQ(type("streetlight_controller").power, PowerSource::Mains);
  EXPECT_EQ(type("cctv_camera").power, PowerSource::Mains);
  EXPECT_EQ(type("nbiot_terminal").power, PowerSource::MainsWithBackup);
  EXPECT_EQ(type("nbiot_terminal").radio, radio::Technology::NbIot);
  EXPECT_EQ(type("air_quality").power, PowerSource::SolarBattery);
  EXPECT_EQ(std::string(to_string(radio::Technology::LoRaWAN)), "lorawan");
  EXPECT_EQ(std::string(to_string(radio::Technology::NbIot)), "nbiot");
  EXPECT_EQ(std::string(to_string(radio::Technology::WiFi)), "wifi");
  EXPECT_EQ(std::string(to_string(PowerSource::MainsWithBackup)), "mains_with_backup");
  EXPECT_EQ(std::string(to_string(PowerSource::SolarBattery)), "solar_battery");
  EXPECT_EQ(std::string(to_string(Mobility::Mobile)), "mobile");
}

TEST(Catalogue, EventDrivenTypes) {
  // River level: 15 min, 1 min above the threshold, at once on a crossing, sampled each minute.
  const SensorType& level = type("river_level");
  ASSERT_TRUE(level.event_rule.has_value());
  EXPECT_DOUBLE_EQ(level.event_rule->normal_interval_s, 900.0);
  EXPECT_DOUBLE_EQ(level.event_rule->fast_interval_s, 60.0);
  EXPECT_TRUE(level.event_rule->report_on_crossing);
  EXPECT_DOUBLE_EQ(level.sample_interval_s, 60.0);
  // Parking: state changes plus a heartbeat that does not speed up.
  const SensorType& parking = type("parking_occupancy");
  ASSERT_TRUE(parking.event_rule.has_value());
  EXPECT_DOUBLE_EQ(parking.event_rule->fast_interval_s, parking.event_rule->normal_interval_s);
  EXPECT_DOUBLE_EQ(parking.event_rule->threshold, 0.5);
  EXPECT_TRUE(type("rain_gauge").event_rule.has_value());
  EXPECT_TRUE(type("structural_vibration").event_rule.has_value());
  EXPECT_FALSE(type("water_meter").event_rule.has_value());
}

TEST(Catalogue, CctvStreamsAtATypical1080pBitrate) {
  // 1080p H.264 / H.265: 2-8 Mbit/s.
  const SensorType& cam = type("cctv_camera");
  EXPECT_GE(cam.stream_bitrate_bps, 2e6);
  EXPECT_LE(cam.stream_bitrate_bps, 8e6);
  EXPECT_EQ(cam.payload_bytes, 7 * 188);
  EXPECT_DOUBLE_EQ(average_current_ma(cam, 9), cam.quiescent_current_ma);  // energy not modelled
  int streams = 0;
  for (const SensorType& t : sensor_types()) streams += t.streams() ? 1 : 0;
  EXPECT_EQ(streams, 1);
}

TEST(Catalogue, FirmwareProfileKeepsSensingAndProcessingApart) {
  const SensorType& t = type("structural_vibration");
  const FirmwareProfile p = firmware_profile(t);
  // 10 s x 6 mA of sensing (a burst), then 0.5 s x 10 mA of processing: 65 mA s in all.
  EXPECT_NEAR(p.sense_duration_s, 10.0, 1e-12);
  EXPECT_NEAR(p.process_duration_s, 0.5, 1e-12);
  EXPECT_NEAR(p.sense_current_ma * p.sense_duration_s + p.process_current_ma * p.process_duration_s, 65.0,
              1e-12);
  EXPECT_DOUBLE_EQ(p.sleep_current_ma, t.quiescent_current_ma);
  // Radio defaults kept: the transmit current and the receive windows from the radio model.
  EXPECT_TRUE(std::isnan(p.tx_current_ma));
  EXPECT_TRUE(std::isnan(p.rx_window_duration_s));
}

TEST(Catalogue, MainsTypesHaveNoLifetimeLimit) {
  for (const SensorType& t : sensor_types()) {
    if (t.power == PowerSource::Mains || t.power == PowerSource::MainsWithBackup) {
      EXPECT_TRUE(std::isinf(projected_lifetime_years(t))) << t.name;
    } else {
      EXPECT_TRUE(std::isfinite(projected_lifetime_years(t))) << t.name;
    }
  }
}

TEST(Catalogue, WaterMeterLastsAsLongAsTheMetersSold) {
  // Water meters are sold with 10-16 year batteries (Kamstrup: 16 years). With the duty-cycle machine
  // and a SF9 frame of 12 + 13 = 25 B at 14 dBm (EU868):
  //   airtime: n = 8 + ceil((200 - 36 + 28 + 16) / 36) x 5 = 38 symbols; (12.25 + 38) x 4.096 ms = 205.824 ms
  //   windows: RX1 at SF9, ceil((4 x 4.096 + 20) / 4.096) = 9 symbols = 36.864 ms; RX2 at SF12, 6 symbols
  //            = 196.608 ms (LoRaMac-node's symbol timeout); the Receive state lasts 1 + 1 + 0.196608 s
  //   active:  wake 2 x 0.005 + sense 0.01 x 1 + process 0.01 x 3 = 0.050
  //            tx 43.5 mA (SX1276 at 14 dBm) x 0.205824 = 8.953344
  //            rx 10.8 x 0.233472 + 0.015 x 1.963136 = 2.550944640
  //          = 11.554288640 mA s over 0.025 + 0.205824 + 2.196608 = 2.427432 s
  //   sleep:   0.015 mA x (3600 - 2.427432) s = 53.963588520 mA s
  //   mean:    65.517877160 mA s / 3600 s = 18.19941 uA = 159.536 mAh/yr
  //   life:    ln(1 + 0.0100503 x 2600 / 159.536) / 0.0100503 = 15.09 years (1 %/yr self-discharge)
  const SensorType& meter = type("water_meter");
  radio::LoraPhyParams phy;
  phy.spreading_factor = 9;
  const double airtime_s = radio::time_on_air_s(meter.payload_bytes + kLorawanMacOverheadBytes, phy);
  EXPECT_NEAR(airtime_s, 0.205824, 1e-9);
  const DutyCycleMachine machine(firmware_profile(meter));
  const Uplink uplink = lorawan_uplink(radio::Region::EU868, 9, 125e3, airtime_s, 14.0);
  const double per_report_mah =
      machine.active_charge_mah(uplink) +
      machine.sleep(meter.interval_s - machine.active_duration_s(uplink)).charge_mah();
  EXPECT_NEAR(per_report_mah * 3600.0, 65.517877160, 1e-6);
  const double mean_ma = per_report_mah * 3600.0 / meter.interval_s;
  const double years =
      projected_lifetime_years(meter.battery.capacity_mah, mean_ma, meter.battery.self_discharge_per_year);
  EXPECT_NEAR(years, 15.092, 0.01);
  EXPECT_GE(years, 8.0);
  EXPECT_LE(years, 20.0);
  // The catalogue's own estimate (quiescent counted throughout) agrees within 0.5 %.
  EXPECT_NEAR(projected_lifetime_years(meter, 9), years, 0.005 * years);
  EXPECT_NEAR(average_current_ma(meter, 9), mean_ma, 0.005 * mean_ma);
}

TEST(Catalogue, BatteryLivesArePlausible) {
  // Static sensors on primary cells are sold for 2-15+ years; the model's charge must last 2-25 years.
  // That is also under every cell's rated service life (20 years): the ceiling changes no catalogue
  // type's figure (projected_lifetime_years is the charge's bound for each).
  for (const SensorType& t : sensor_types()) {
    if (t.power != PowerSource::Battery || t.battery.rechargeable) continue;
    const LifetimeProjection life = project_lifetime(t.battery, average_current_ma(t, 9));
    EXPECT_GE(life.energy_years, 2.0) << t.name;
    EXPECT_LE(life.energy_years, 25.0) << t.name;
    EXPECT_FALSE(life.service_limited()) << t.name;
    EXPECT_DOUBLE_EQ(projected_lifetime_years(t, 9), life.energy_years) << t.name;
  }
  // A GNSS tracker reporting every 5 min is recharged every few weeks: 1-13 weeks.
  const double tracker_days = projected_lifetime_years(type("safety_tracker"), 9) * 365.25;
  EXPECT_GE(tracker_days, 7.0);
  EXPECT_LE(tracker_days, 91.0);
}

// Each cell carries its pulse rating (models/device/battery.hpp): the bobbin Li-SOCl2 cells by size (AA
// 150 mA, A 200 mA, D 400 mA), Li-ion 1 C (the capacity's figure in mA). Every LoRaWAN type's radio at the
// catalogue's 14 dBm (SX1276: 43.5 mA) is within its cell's rating; a water meter moved to NB-IoT (167 mA
// at 23 dBm) is beyond its AA cell's.
TEST(Catalogue, CellsCarryTheirPulseRating) {
  EXPECT_DOUBLE_EQ(type("water_meter").battery.max_pulse_current_ma, 150.0);
  EXPECT_DOUBLE_EQ(type("parking_occupancy").battery.max_pulse_current_ma, 150.0);
  EXPECT_DOUBLE_EQ(type("safety_tracker").battery.max_pulse_current_ma, 1000.0);  // 1000 mAh Li-ion
  EXPECT_DOUBLE_EQ(type("air_quality").battery.max_pulse_current_ma, 6600.0);     // 6600 mAh Li-ion
  for (const SensorType& t : sensor_types()) {
    if (!t.has_battery()) continue;
    if (t.battery.capacity_mah == 4000.0 && !t.battery.rechargeable) {
      EXPECT_DOUBLE_EQ(t.battery.max_pulse_current_ma, 200.0) << t.name;
    }
    if (t.battery.capacity_mah == 17000.0) {
      EXPECT_DOUBLE_EQ(t.battery.max_pulse_current_ma, 400.0) << t.name;
    }
    if (t.battery.rechargeable) {
      EXPECT_DOUBLE_EQ(t.battery.max_pulse_current_ma, t.battery.capacity_mah) << t.name;
    }
    if (t.radio == radio::Technology::LoRaWAN) {
      EXPECT_FALSE(exceeds_pulse_rating(t.battery, sx1276_tx_current_ma(kLorawanTxPowerDbm))) << t.name;
    }
  }
  EXPECT_TRUE(exceeds_pulse_rating(type("water_meter").battery, kNbiotReportCost.tx_current_ma));
}

TEST(Catalogue, NbiotTerminalBackupLastsThreeDays) {
  // Quiescent: MCU 5 + NB-IoT idle 0.4 + RS485 0.5 + power module 0.2 = 6.1 mA.
  // Per 300 s: sense 2 s x 40 mA = 80 mA s, processing 0.05 x 5 = 0.25, NB-IoT report
  // 0.5 x 167 + 20 x 54 = 1163.5 mA s: 1243.75 mA s / 300 s = 4.145833 mA. Mean 10.245833 mA.
  // 72 h x 10.245833 mA = 737.7 mAh, / 0.8 usable = 922.1 mAh -> 1000 mAh;
  // 1000 x 0.8 / 10.245833 = 78.08 h.
  const SensorType& terminal = type("nbiot_terminal");
  const double mean_ma = average_current_ma(terminal, 9);
  EXPECT_NEAR(mean_ma, 10.245833, 1e-6);
  EXPECT_DOUBLE_EQ(terminal.battery.capacity_mah, 1000.0);
  const double usable_hours = terminal.battery.capacity_mah * kBackupUsableFraction / mean_ma;
  EXPECT_NEAR(usable_hours, 78.08, 0.01);
  EXPECT_GE(usable_hours, kBackupRequiredHours);
  // With self-discharge, 72 h on the usable 800 mAh still leave charge. The full cell lasts
  // ln(1 + k Q / I) / k with k = -ln(1 - 0.262) / 8766 h = 3.4658e-5 /h: ln(1.0033826) / 3.4658e-5
  // = 97.44 h (97.60 h without self-discharge).
  EXPECT_GT(charge_after_mah(800.0, mean_ma, 72.0 * 3600.0, terminal.battery.self_discharge_per_year), 0.0);
  EXPECT_NEAR(backup_hours(terminal), 97.44, 0.01);
}

TEST(Catalogue, BackupCapacityRoundsUpToHundredMah) {
  EXPECT_DOUBLE_EQ(backup_capacity_mah(10.245833, 72.0, 0.8), 1000.0);
  EXPECT_DOUBLE_EQ(backup_capacity_mah(10.0, 48.0, 0.8), 600.0);     // exactly 600
  EXPECT_DOUBLE_EQ(backup_capacity_mah(10.0001, 48.0, 0.8), 700.0);  // just above
}

TEST(Catalogue, SolarTypesAreEnergyNeutralOnAClearDayAndLastAWeekWithoutSun) {
  for (const SensorType& t : sensor_types()) {
    if (t.power != PowerSource::SolarBattery) continue;
    SCOPED_TRACE(std::string(t.name));
    const double mean_ma = average_current_ma(t, 9);
    const double need_mah = mean_ma * 24.0;
    const double harvest_mah = solar_charge_mah(t.solar, t.battery.voltage_v, 0.0, kDay);
    EXPECT_GT(harvest_mah, need_mah);
    EXPECT_GE(projected_lifetime_years(t, 9) * 365.25, 7.0);
    // A full battery is topped up by day: at midnight it has lost at most the night's 12 h of load
    // (and a day's self-discharge), never more, and never exceeds its capacity.
    const double midnight_mah =
        charge_with_solar_mah(t.battery, t.solar, t.battery.capacity_mah, mean_ma, 0.0, kDay);
    EXPECT_LE(midnight_mah, t.battery.capacity_mah);
    EXPECT_GE(midnight_mah, (t.battery.capacity_mah - mean_ma * 12.0) *
                                std::pow(1.0 - t.battery.self_discharge_per_year, 1.0 / 365.25));
  }
  // Air quality by hand: 1 W x 0.7 x 2 x 43 200 / pi J / 3.7 V = 1445.3 mAh a day against
  // (0.2 + (30 x 65 + 0.1 x 5 + radio) / 600) mA x 24 h = 83.31 mAh, the radio's SF9 report of 16 + 13 B
  // (43 + 12.25 symbols of 4.096 ms = 226.304 ms) at 14 dBm: 43.5 x 0.226304 + 10.8 x (0.036864 +
  // 0.196608) = 12.3657216 mA s.
  const SensorType& air = type("air_quality");
  EXPECT_NEAR(solar_charge_mah(air.solar, air.battery.voltage_v, 0.0, kDay), 1445.30, 0.01);
  EXPECT_NEAR(average_current_ma(air, 9) * 24.0, 83.314628864, 1e-9);
}

}  // namespace
}  // namespace citytwin::models::device
