// Sensor firmware as a duty-cycle state machine:
// Sleep -> Wake -> Sense -> Process -> Transmit -> Receive -> Sleep.
// Each state has a duration and a current; the fleet engine walks the states and charges the battery.
//
// Default currents: Semtech SX1276 datasheet rev. 7 (2020), table 6 (receive 10.8 mA at 125 kHz;
// transmit: sx1276_tx_current_ma below, from the frame's transmit power), and an ultra-low-power MCU
// in stop mode with RTC (~1.5 uA in all, STM32L0 class). The receive state is LoRaWAN class A: RX1
// opens rx1_delay after the uplink ends and RX2 one second later (LoRaWAN L2 1.0.4 specification,
// section 3.3); the radio listens in each for as long as LoRaMac-node's symbol timeout at the window's
// data rate (models/radio/lorawan_timing.hpp, rx_window_s) and the device sleeps in between.
#pragma once

#include <cstdint>
#include <limits>

#include "models/radio/lorawan_region.hpp"
#include "models/radio/lorawan_timing.hpp"

namespace citytwin::models::device {

enum class FirmwareState : uint8_t { Sleep = 0, Wake, Sense, Process, Transmit, Receive };

const char* to_string(FirmwareState state);

// SX1276 supply current while transmitting (IDDT, with impedance matching), mA, at tx_power_dbm.
// Semtech SX1276/77/78/79 datasheet rev. 7 (2020), table 6: +7 dBm on the RFO pin 20 mA, +13 dBm on
// RFO 29 mA, +17 dBm on PA_BOOST 87 mA, +20 dBm on PA_BOOST (high-power mode) 120 mA. Linear in dBm
// between these points, held at 20 mA below +7 dBm and at 120 mA above +20 dBm (the SX1276's most; a
// device radiating more has an external amplifier: give its firmware.tx_current). Between +13 and +17
// dBm the line stands for the hand-over from RFO to PA_BOOST: +14 dBm, EU868's usual power, draws
// 43.5 mA (FLoRa's energy parameters, simulations/energyConsumptionParameters.xml, list 44 mA at
// 14 dBm).
double sx1276_tx_current_ma(double tx_power_dbm);

// A profile field left NaN is taken from the radio model (see each field).
inline constexpr double kFromRadio = std::numeric_limits<double>::quiet_NaN();

struct FirmwareProfile {
  double sleep_current_ma = 0.0015;
  // Wake-up (clocks, regulators, sensor power-up) and one reading: assumptions for a generic node, from
  // no datasheet. The catalogue's types set their own; a scenario sets firmware.* for its sensors.
  double wake_duration_s = 0.005;
  double wake_current_ma = 2.0;
  double sense_duration_s = 0.100;
  double sense_current_ma = 5.0;
  // MCU active (filtering, packing). 0 by default: the generic profile folds it into sensing; catalogue
  // types set it (an STM32L0 at 32 MHz runs at about 3 mA: STM32L072 datasheet, run mode).
  double process_duration_s = 0.0;
  double process_current_ma = 3.0;
  // Current while transmitting. kFromRadio: the SX1276's at the frame's transmit power
  // (sx1276_tx_current_ma); a value (the scenario's firmware.tx_current) applies at every power.
  double tx_current_ma = kFromRadio;
  double rx1_delay_s = radio::kReceiveDelay1S;  // RECEIVE_DELAY1 (models/radio/lorawan_timing.hpp)
  // Listening time of a receive window without a downlink. kFromRadio: each window's from its data rate
  // (radio::rx_window_s); a value (the scenario's firmware.rx_window) applies to both windows.
  double rx_window_duration_s = kFromRadio;
  double rx_current_ma = 10.8;

  // The transmit current at tx_power_dbm, and a window's listening time at a symbol time of symbol_s.
  double tx_current_at_ma(double tx_power_dbm) const;
  double rx_window_at_s(double symbol_s) const;
};

// One report's uplink as the radio states see it: its time on air and power, and the symbol times of
// the data rates its two receive windows listen at.
struct Uplink {
  double airtime_s = 0.0;
  double tx_power_dbm = 14.0;
  double rx1_symbol_s = 0.0;
  double rx2_symbol_s = 0.0;
};

// A LoRaWAN uplink at spreading_factor and bandwidth_hz: RX1 at the region's RX1 data rate for it,
// RX2 at the region's RX2 data rate (radio::rx1_rate, radio::rx2_rate).
Uplink lorawan_uplink(radio::Region region, int spreading_factor, double bandwidth_hz, double airtime_s,
                      double tx_power_dbm);

// One state's stay: how long, and the mean current drawn.
struct StatePhase {
  FirmwareState state = FirmwareState::Sleep;
  double duration_s = 0.0;
  double mean_current_ma = 0.0;
  double charge_mah() const { return mean_current_ma * duration_s / 3600.0; }
};

class DutyCycleMachine {
 public:
  explicit DutyCycleMachine(const FirmwareProfile& profile) : profile_(profile) {}

  static FirmwareState next(FirmwareState state);

  // The stay in an active state for an uplink. Sleep is not an active state: its length is set by the
  // reporting schedule; use sleep(duration). Receive is the two windows without a downlink, from the end
  // of the uplink to the end of RX2; downlink_charge_mah corrects it for a downlink heard.
  StatePhase active_phase(FirmwareState state, const Uplink& uplink) const;
  StatePhase sleep(double duration_s) const;

  // Listening time of RX1 and of RX2 after uplink, without a downlink.
  double rx1_window_s(const Uplink& uplink) const { return profile_.rx_window_at_s(uplink.rx1_symbol_s); }
  double rx2_window_s(const Uplink& uplink) const { return profile_.rx_window_at_s(uplink.rx2_symbol_s); }

  // The charge beyond the Receive phase's of hearing a downlink of downlink_airtime_s in receive window
  // 1 or 2 after uplink: the receiver stays on until the downlink ends (at least its window's length),
  // and after a downlink in RX1 the device does not open RX2 (LoRaWAN L2 1.0.4 section 3.3), so the
  // charge may be negative. The downlink is taken to start when its window opens.
  double downlink_charge_mah(const Uplink& uplink, int window, double downlink_airtime_s) const;

  // From waking to the start of the transmission (wake + sense + process).
  double wake_to_tx_s() const {
    return profile_.wake_duration_s + profile_.sense_duration_s + profile_.process_duration_s;
  }
  // Charge of waking, sensing and processing one sample (no radio).
  double sample_charge_mah() const;
  // From waking to falling asleep again, for an uplink.
  double active_duration_s(const Uplink& uplink) const;
  // Charge of the active states of one report.
  double active_charge_mah(const Uplink& uplink) const;

  const FirmwareProfile& profile() const { return profile_; }

 private:
  FirmwareProfile profile_;
};

}  // namespace citytwin::models::device
