#include "models/device/catalogue.hpp"

#include <algorithm>
#include <array>
#include <limits>

#include "models/radio/lora_phy.hpp"

namespace citytwin::models::device {
namespace {

// --- Shared parts (sources) ----------------------------------------------------------------------
// MCU active: an STM32L0 at 32 MHz draws ~3 mA (STM32L0x2 datasheets: ~90 uA/MHz in run mode), the MCU
// of most LoRaWAN modules (Murata CMWX1ZZABZ = STM32L072 + SX1276).
constexpr double kMcuRunMa = 3.0;
// Device-level sleep of a LoRaWAN sensor node: MCU stop with RTC, radio sleep, regulator and probe
// leakage. The parts alone are ~1.5 uA (firmware.hpp); whole nodes measure more: assumption 10 uA.
constexpr double kNodeSleepMa = 0.010;

// Cells. Li-SOCl2 3.6 V primaries: Saft LS14500 AA 2.6 Ah; ER18505 A 4.0 Ah (Dragino LDDS75, LSE01);
// Saft LS33600 D 17 Ah. Li-ion 3.7 V: 6.6 Ah (Libelium Waspmote / Plug & Sense! rechargeable battery);
// 1.0 Ah (Dragino LGT-92-Li tracker). Pulse ratings: models/device/battery.hpp (Li-ion: 1 C, an assumption).
constexpr BatterySpec kAaLiSocl2{
    .capacity_mah = 2600.0, .voltage_v = 3.6, .max_pulse_current_ma = kMaxPulseCurrentAaLiSocl2Ma};
constexpr BatterySpec kALiSocl2{
    .capacity_mah = 4000.0, .voltage_v = 3.6, .max_pulse_current_ma = kMaxPulseCurrentALiSocl2Ma};
constexpr BatterySpec kDLiSocl2{
    .capacity_mah = 17000.0, .voltage_v = 3.6, .max_pulse_current_ma = kMaxPulseCurrentDLiSocl2Ma};
constexpr BatterySpec liion(double capacity_mah) {
  return {.capacity_mah = capacity_mah,
          .voltage_v = 3.7,
          .self_discharge_per_year = kSelfDischargeLiIonPerYear,
          .rechargeable = true,
          .max_pulse_current_ma = kMaxPulseCurrentLiIonPerMah * capacity_mah};
}
constexpr BatterySpec kNoBattery{.capacity_mah = 0.0, .voltage_v = 0.0, .self_discharge_per_year = 0.0};

// --- The NB-IoT universal terminal's budget on backup (all assumptions unless cited) -------------
// Quiescent: MCU kept running on a mains design (STM32L4 class, ~100 uA/MHz at 26 MHz plus peripherals,
// 5 mA) + NB-IoT module idle in DRX 1.28 s (0.4 mA, M5311, see kNbiotReportCost) + RS485 transceiver
// receiver enabled (0.5 mA) + power module: charger, DC-DC, supervisor (0.2 mA).
constexpr double kTerminalQuiescentMa = 5.0 + 0.4 + 0.5 + 0.2;
constexpr double kTerminalIntervalS = 300.0;
// Per sample: field sensors on RS485 powered through a 12 V boost and polled over Modbus, 2 s at 40 mA;
// packing on the already running MCU, 50 ms at 5 mA more.
constexpr double kTerminalSenseS = 2.0, kTerminalSenseMa = 40.0;
constexpr double kTerminalProcessS = 0.05, kTerminalProcessMa = 5.0;
constexpr double kTerminalAverageMa =
    kTerminalQuiescentMa + (kTerminalSenseS * kTerminalSenseMa + kTerminalProcessS * kTerminalProcessMa +
                            kNbiotReportCost.charge_mas()) /
                               kTerminalIntervalS;
constexpr double kTerminalBackupMah =
    backup_capacity_mah(kTerminalAverageMa, kBackupRequiredHours, kBackupUsableFraction);

constexpr std::array kSensorTypes = {
    // Dragino LDDS75 ultrasonic distance sensor: 8 B payload (battery 2, distance 2, interrupt 1,
    // temperature 2, flag 1), 4000 mAh Li-SOCl2. 15 min is the stage-recording interval of the USGS
    // (15-minute instantaneous values); 1 min above the alert level and at once on a crossing, sampled
    // every minute (the reporting pattern asked of the twin). Ranging 150 ms at 5 mA from the cell
    // (MaxBotix HRXL-MaxSonar-WR class: 150 ms per reading, 3.1 mA average at 5 V): assumption.
    // Threshold in metres of stage: site-specific, 2 m is a placeholder; 5 cm hysteresis, 2 samples.
    SensorType{.name = "river_level",
               .description = "watercourse level, ultrasonic or radar distance to the surface",
               .payload_bytes = 8,
               .interval_s = 900.0,
               .sample_interval_s = 60.0,
               .sense_duration_s = 0.15,
               .sense_current_ma = 5.0,
               .process_duration_s = 0.01,
               .process_current_ma = kMcuRunMa,
               .quiescent_current_ma = kNodeSleepMa,
               .battery = kALiSocl2,
               .confirmed_uplinks = true,
               .event_rule = EventRule{.normal_interval_s = 900.0,
                                       .fast_interval_s = 60.0,
                                       .threshold = 2.0,
                                       .hysteresis = 0.05,
                                       .consecutive = 2},
               .senses = "river_level"},
    // Tipping bucket (0.2 mm per tip) on a pulse-counting LoRaWAN node: the count is kept by interrupts
    // and read once a minute. 7 B payload (battery 2, count 4, flags 1), AA Li-SOCl2, 10 min totals (the
    // usual AWS period): assumptions. Every minute above 7.6 mm/h, the "heavy rain" rate of the AMS
    // Glossary of Meteorology.
    SensorType{.name = "rain_gauge",
               .description = "tipping-bucket rain gauge, rainfall intensity in mm/h",
               .payload_bytes = 7,
               .interval_s = 600.0,
               .sample_interval_s = 60.0,
               .sense_duration_s = 0.001,
               .sense_current_ma = 1.0,
               .process_duration_s = 0.005,
               .process_current_ma = kMcuRunMa,
               .quiescent_current_ma = kNodeSleepMa,
               .battery = kAaLiSocl2,
               .event_rule = EventRule{.normal_interval_s = 600.0, .fast_interval_s = 60.0, .threshold = 7.6},
               .senses = "rainfall"},
    // Dragino LSE01 soil moisture / EC probe: 11 B payload, 20 min default uplink interval (AT+TDC),
    // 4000 mAh Li-SOCl2. Probe powered and settled 1 s at 20 mA: assumption.
    SensorType{.name = "soil_moisture",
               .description = "soil moisture, temperature and conductivity probe",
               .payload_bytes = 11,
               .interval_s = 1200.0,
               .sample_interval_s = 1200.0,
               .sense_duration_s = 1.0,
               .sense_current_ma = 20.0,
               .process_duration_s = 0.01,
               .process_current_ma = kMcuRunMa,
               .quiescent_current_ma = kNodeSleepMa,
               .battery = kALiSocl2,
               .ground_mounted = true},
    // MEMS tiltmeter on a dam (Worldsensing Loadsensing tiltmeter class, Murata SCL3300: 1.2 mA):
    // 1 s of averaged reading at 3 mA with the MCU; 13 B (two axes 4 B each, temperature 2, battery 2,
    // status 1); every 30 min; industrial node sleep 20 uA; an AA cell: assumptions.
    SensorType{.name = "dam_inclinometer",
               .description = "biaxial MEMS tiltmeter on a dam or slope",
               .payload_bytes = 13,
               .interval_s = 1800.0,
               .sample_interval_s = 1800.0,
               .sense_duration_s = 1.0,
               .sense_current_ma = 3.0,
               .process_duration_s = 0.05,
               .process_current_ma = kMcuRunMa,
               .quiescent_current_ma = 0.020,
               .battery = kAaLiSocl2,
               .confirmed_uplinks = true},
    // Bridge / tunnel accelerometer taking 10 s bursts every 5 min (ADXL355-class sensor and MCU logging
    // at 1 kHz, 6 mA) and reducing each to peak particle velocity and dominant frequency per axis
    // (FFT 0.5 s at 10 mA on a Cortex-M4); 36 B: assumptions. Hourly summary, a report per burst above
    // 5 mm/s, the DIN 4150-3 (table 1, line 2: dwellings) short-term guideline value at 1-10 Hz.
    SensorType{
        .name = "structural_vibration",
        .description = "bridge or tunnel accelerometer, vibration bursts",
        .payload_bytes = 36,
        .interval_s = 3600.0,
        .sample_interval_s = 300.0,
        .sense_duration_s = 10.0,
        .sense_current_ma = 6.0,
        .process_duration_s = 0.5,
        .process_current_ma = 10.0,
        .quiescent_current_ma = 0.020,
        .battery = kDLiSocl2,
        .confirmed_uplinks = true,
        .event_rule = EventRule{.normal_interval_s = 3600.0, .fast_interval_s = 300.0, .threshold = 5.0},
        .senses = "vibration"},
    // PM and NO2: Sensirion SPS30 (60 mA average in measurement mode, readings stable after 8-30 s) run
    // 30 s per sample with the NO2 front end (+5 mA); the electrochemical NO2 cell stays biased (0.2 mA
    // quiescent). 16 B (six values 2 B, battery 2, flags 2); 10 min: assumptions. Solar with the Libelium
    // Plug & Sense! 6600 mAh Li-ion battery; a 1 W panel: assumption.
    SensorType{.name = "air_quality",
               .description = "particulate matter (optical, with fan) and NO2 station",
               .payload_bytes = 16,
               .interval_s = 600.0,
               .sample_interval_s = 600.0,
               .sense_duration_s = 30.0,
               .sense_current_ma = 65.0,
               .process_duration_s = 0.1,
               .process_current_ma = 5.0,
               .quiescent_current_ma = 0.2,
               .power = PowerSource::SolarBattery,
               .battery = liion(6600.0),
               .solar = {.peak_power_w = 1.0}},
    // In-ground magnetometer bay sensor (Nedap SENSIT class): magnetometer read every second (10 ms at
    // 1 mA), a report on each occupancy change confirmed over 3 s, and an hourly heartbeat; 6 B
    // (state 1, battery 2, counters 3): assumptions. AA Li-SOCl2.
    SensorType{
        .name = "parking_occupancy",
        .description = "on-street bay occupancy, magnetometer, event-driven",
        .payload_bytes = 6,
        .interval_s = 3600.0,
        .sample_interval_s = 1.0,
        .sense_duration_s = 0.01,
        .sense_current_ma = 1.0,
        .process_duration_s = 0.0005,
        .process_current_ma = kMcuRunMa,
        .quiescent_current_ma = kNodeSleepMa,
        .battery = kAaLiSocl2,
        .event_rule =
            EventRule{
                .normal_interval_s = 3600.0, .fast_interval_s = 3600.0, .threshold = 0.5, .consecutive = 3},
        .senses = "parking_occupancy",
        .ground_mounted = true},
    // Roadside radar counter on solar (continuous 24 GHz Doppler front end and DSP, 15 mA), 15 min
    // counts (FHWA Traffic Monitoring Guide, 2016: 15-minute volume intervals), 24 B of counts and speeds
    // per class and lane, NB-IoT; a 10 Ah Li-ion pack and 2 W panel: assumptions.
    SensorType{.name = "traffic_counter",
               .description = "roadside radar vehicle counter and classifier",
               .payload_bytes = 24,
               .interval_s = 900.0,
               .sample_interval_s = 900.0,
               .sense_duration_s = 0.01,
               .sense_current_ma = 1.0,
               .process_duration_s = 0.1,
               .process_current_ma = 10.0,
               .quiescent_current_ma = 15.0,
               .radio = radio::Technology::NbIot,
               .power = PowerSource::SolarBattery,
               .battery = liion(10000.0),
               .solar = {.peak_power_w = 2.0},
               .senses = "traffic_volume"},
    // Ultrasonic water meter: battery life sold at 16 years (Kamstrup flowIQ / MULTICAL 21). Metrology at
    // ~1 Hz, display and RTC, 15 uA quiescent; hourly 12 B readings (index 4, status 2, min/max flow 4,
    // temperature 2, after the fields of the flowIQ radio telegram); AA Li-SOCl2: assumptions.
    SensorType{.name = "water_meter",
               .description = "smart water meter, ultrasonic, hourly index",
               .payload_bytes = 12,
               .interval_s = 3600.0,
               .sample_interval_s = 3600.0,
               .sense_duration_s = 0.01,
               .sense_current_ma = 1.0,
               .process_duration_s = 0.01,
               .process_current_ma = kMcuRunMa,
               .quiescent_current_ma = 0.015,
               .battery = kAaLiSocl2,
               .ground_mounted = true},
    // Smart electricity meter on mains, NB-IoT: 15-minute register readings (Commission Recommendation
    // 2012/148/EU: consumption updated at least every 15 min), 32 B of registers (DLMS/COSEM): assumption.
    SensorType{.name = "electricity_meter",
               .description = "smart electricity meter, 15-minute load profile",
               .payload_bytes = 32,
               .interval_s = 900.0,
               .sample_interval_s = 900.0,
               .sense_duration_s = 0.01,
               .sense_current_ma = 1.0,
               .process_duration_s = 0.01,
               .process_current_ma = 5.0,
               .quiescent_current_ma = 10.0,
               .radio = radio::Technology::NbIot,
               .power = PowerSource::Mains,
               .battery = kNoBattery},
    // Street-light controller on the lamp's mains, LoRaWAN (class C in practice: always listening for
    // dimming commands), 12 B status (state, dim level, energy, burning hours) every 15 min: assumption.
    SensorType{.name = "streetlight_controller",
               .description = "street-light node: switching, dimming, metering",
               .payload_bytes = 12,
               .interval_s = 900.0,
               .sample_interval_s = 900.0,
               .sense_duration_s = 0.01,
               .sense_current_ma = 1.0,
               .process_duration_s = 0.01,
               .process_current_ma = kMcuRunMa,
               .quiescent_current_ma = 12.0,
               .power = PowerSource::Mains,
               .battery = kNoBattery},
    // Personal safety tracker (children, elderly; Busan LPWA trackers): Dragino LGT-92 sends 12 B every
    // 5 min by default, 1000 mAh Li-ion (LGT-92-Li). GNSS fix 15 s at 25 mA (Quectel L70/L76 class,
    // mostly hot starts): assumption; sleep with motion sensor ~25 uA (Lobaro GPS tracker V3 manual).
    SensorType{.name = "safety_tracker",
               .description = "personal GNSS tracker for children and the elderly",
               .payload_bytes = 12,
               .interval_s = 300.0,
               .sample_interval_s = 300.0,
               .sense_duration_s = 15.0,
               .sense_current_ma = 25.0,
               .process_duration_s = 0.05,
               .process_current_ma = kMcuRunMa,
               .quiescent_current_ma = 0.025,
               .battery = liion(1000.0),
               .mobility = Mobility::Mobile},
    // CCTV, 1080p H.264 at 4 Mbit/s (bit-rate guides: 4 Mbit/s at 1080p/30 fps, unifore.net; 5-9 Mbit/s at
    // 25 fps high quality, iviport.com.ua; H.265 about half). Streamed as RTP/MPEG-TS datagrams of
    // 7 x 188 B = 1316 B (SMPTE 2022-2 practice), one every 1316 x 8 / 4e6 s. Mains; Wi-Fi backhaul
    // here, fibre in most city deployments.
    SensorType{.name = "cctv_camera",
               .description = "1080p H.264 video surveillance camera",
               .payload_bytes = 1316,
               .interval_s = 1316.0 * 8.0 / 4.0e6,
               .sample_interval_s = 1316.0 * 8.0 / 4.0e6,
               .radio = radio::Technology::WiFi,
               .power = PowerSource::Mains,
               .battery = kNoBattery,
               .stream_bitrate_bps = 4.0e6},
    // NB-IoT universal terminal (ITU-D Q1/2): MCU + NB-IoT module + RS485/UART/I2C/GPIO + power module,
    // 64 B of Modbus registers (two field sensors x 16 registers) every 5 min; budget and backup sizing
    // above: kTerminalBackupMah covers 72 h at 80 % of capacity, Li-ion trickle-charged from the mains.
    SensorType{.name = "nbiot_terminal",
               .description = "NB-IoT universal terminal with RS485/UART/I2C/GPIO",
               .payload_bytes = 64,
               .interval_s = kTerminalIntervalS,
               .sample_interval_s = kTerminalIntervalS,
               .sense_duration_s = kTerminalSenseS,
               .sense_current_ma = kTerminalSenseMa,
               .process_duration_s = kTerminalProcessS,
               .process_current_ma = kTerminalProcessMa,
               .quiescent_current_ma = kTerminalQuiescentMa,
               .radio = radio::Technology::NbIot,
               .power = PowerSource::MainsWithBackup,
               .battery = liion(kTerminalBackupMah)},
};

}  // namespace

const char* to_string(PowerSource power) {
  switch (power) {
    case PowerSource::Battery:
      return "battery";
    case PowerSource::Mains:
      return "mains";
    case PowerSource::MainsWithBackup:
      return "mains_with_backup";
    case PowerSource::SolarBattery:
      return "solar_battery";
  }
  return "?";
}

const char* to_string(Mobility mobility) { return mobility == Mobility::Mobile ? "mobile" : "static"; }

std::span<const SensorType> sensor_types() { return kSensorTypes; }

const SensorType* find_sensor_type(std::string_view name) {
  for (const SensorType& type : kSensorTypes) {
    if (type.name == name) return &type;
  }
  return nullptr;
}

std::vector<std::string_view> sensor_type_names() {
  std::vector<std::string_view> names;
  for (const SensorType& type : kSensorTypes) names.push_back(type.name);
  return names;
}

std::string sensor_type_names_text() {
  std::string text;
  for (const SensorType& type : kSensorTypes) {
    if (!text.empty()) text += ", ";
    text += type.name;
  }
  return text;
}

FirmwareProfile firmware_profile(const SensorType& type) {
  FirmwareProfile p;
  p.sleep_current_ma = type.quiescent_current_ma;
  p.sense_duration_s = type.sense_duration_s;
  p.sense_current_ma = type.sense_current_ma;
  p.process_duration_s = type.process_duration_s;
  p.process_current_ma = type.process_current_ma;
  return p;
}

double lorawan_airtime_s(const SensorType& type, int spreading_factor) {
  radio::LoraPhyParams phy;
  phy.spreading_factor = spreading_factor;
  phy.low_data_rate_optimize = radio::low_data_rate_optimize_required(spreading_factor, phy.bandwidth_hz);
  return radio::time_on_air_s(type.payload_bytes + kLorawanMacOverheadBytes, phy);
}

double radio_report_charge_mas(const SensorType& type, int spreading_factor) {
  switch (type.radio) {
    case radio::Technology::LoRaWAN: {
      // The quiescent current is counted apart: no sleep current between the receive windows here.
      FirmwareProfile profile = firmware_profile(type);
      profile.sleep_current_ma = 0.0;
      const DutyCycleMachine machine(profile);
      const Uplink uplink = lorawan_uplink(radio::Region::EU868, spreading_factor, 125e3,
                                           lorawan_airtime_s(type, spreading_factor), kLorawanTxPowerDbm);
      const StatePhase tx = machine.active_phase(FirmwareState::Transmit, uplink);
      const StatePhase rx = machine.active_phase(FirmwareState::Receive, uplink);
      return tx.mean_current_ma * tx.duration_s + rx.mean_current_ma * rx.duration_s;
    }
    case radio::Technology::NbIot:
      return kNbiotReportCost.charge_mas();
    case radio::Technology::WiFi:
      return kWifiReportCost.charge_mas();
  }
  return 0.0;
}

double average_current_ma(const SensorType& type, int spreading_factor) {
  // A streaming camera's energy is its mains budget, not modelled here.
  if (type.streams() || type.interval_s <= 0.0 || type.sample_interval_s <= 0.0)
    return type.quiescent_current_ma;
  const double samples = type.interval_s / type.sample_interval_s;
  const double sample_mas =
      type.sense_duration_s * type.sense_current_ma + type.process_duration_s * type.process_current_ma;
  return type.quiescent_current_ma +
         (samples * sample_mas + radio_report_charge_mas(type, spreading_factor)) / type.interval_s;
}

double projected_lifetime_years(const SensorType& type, int spreading_factor) {
  if (type.power == PowerSource::Mains || type.power == PowerSource::MainsWithBackup || !type.has_battery()) {
    return std::numeric_limits<double>::infinity();
  }
  return project_lifetime(type.battery, average_current_ma(type, spreading_factor)).years();
}

double backup_hours(const SensorType& type, int spreading_factor) {
  if (!type.has_battery()) return 0.0;
  const double current_ma = average_current_ma(type, spreading_factor);
  return time_to_empty_s(type.battery.capacity_mah, current_ma, type.battery.self_discharge_per_year) /
         3600.0;
}

}  // namespace citytwin::models::device
