// Sensor firmware as a duty-cycle state machine:
// Sleep -> Wake -> Sense -> Process -> Transmit -> Receive -> Sleep.
// Each state has a duration and a current; the fleet engine walks the states and charges the battery.
//
// Default currents: Semtech SX1276 datasheet rev. 7 (2020), table 6 (receive 10.8 mA at 125 kHz,
// transmit 29 mA at +13 dBm on the RFO pin), and an ultra-low-power MCU in stop mode with RTC
// (~1.5 uA in all, STM32L0 class). The receive state is LoRaWAN class A: RX1 opens rx1_delay after
// the uplink ends and RX2 one second later (LoRaWAN L2 1.0.4 specification, section 3.3); the radio
// listens rx_window_duration in each and the device sleeps in between.
#pragma once

#include <cstdint>

#include "models/radio/lorawan_timing.hpp"

namespace citytwin::models::device {

enum class FirmwareState : uint8_t { Sleep = 0, Wake, Sense, Process, Transmit, Receive };

const char* to_string(FirmwareState state);

struct FirmwareProfile {
  double sleep_current_ma = 0.0015;
  double wake_duration_s = 0.005;
  double wake_current_ma = 2.0;
  double sense_duration_s = 0.100;
  double sense_current_ma = 5.0;
  // MCU active (filtering, packing). 0 by default: the generic profile folds it into sensing; catalogue
  // types set it (an STM32L0 at 32 MHz runs at about 3 mA: STM32L072 datasheet, run mode).
  double process_duration_s = 0.0;
  double process_current_ma = 3.0;
  double tx_current_ma = 29.0;
  double rx1_delay_s = radio::kReceiveDelay1S;  // RECEIVE_DELAY1 (models/radio/lorawan_timing.hpp)
  double rx_window_duration_s = 0.030;
  double rx_current_ma = 10.8;
};

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

  // The stay in an active state for a frame of the given airtime. Sleep is not an active state: its
  // length is set by the reporting schedule; use sleep(duration).
  StatePhase active_phase(FirmwareState state, double airtime_s) const;
  StatePhase sleep(double duration_s) const;

  // From waking to the start of the transmission (wake + sense + process).
  double wake_to_tx_s() const {
    return profile_.wake_duration_s + profile_.sense_duration_s + profile_.process_duration_s;
  }
  // Charge of waking, sensing and processing one sample (no radio).
  double sample_charge_mah() const;
  // From waking to falling asleep again, for a frame of the given airtime.
  double active_duration_s(double airtime_s) const;
  // Charge of the active states of one report.
  double active_charge_mah(double airtime_s) const;

  const FirmwareProfile& profile() const { return profile_; }

 private:
  FirmwareProfile profile_;
};

}  // namespace citytwin::models::device
