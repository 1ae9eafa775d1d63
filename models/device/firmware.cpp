#include "models/device/firmware.hpp"

#include "models/radio/lorawan_timing.hpp"

namespace citytwin::models::device {

const char* to_string(FirmwareState state) {
  switch (state) {
    case FirmwareState::Sleep:
      return "sleep";
    case FirmwareState::Wake:
      return "wake";
    case FirmwareState::Sense:
      return "sense";
    case FirmwareState::Process:
      return "process";
    case FirmwareState::Transmit:
      return "transmit";
    case FirmwareState::Receive:
      return "receive";
  }
  return "?";
}

FirmwareState DutyCycleMachine::next(FirmwareState state) {
  switch (state) {
    case FirmwareState::Sleep:
      return FirmwareState::Wake;
    case FirmwareState::Wake:
      return FirmwareState::Sense;
    case FirmwareState::Sense:
      return FirmwareState::Process;
    case FirmwareState::Process:
      return FirmwareState::Transmit;
    case FirmwareState::Transmit:
      return FirmwareState::Receive;
    case FirmwareState::Receive:
      return FirmwareState::Sleep;
  }
  return FirmwareState::Sleep;
}

StatePhase DutyCycleMachine::active_phase(FirmwareState state, double airtime_s) const {
  const FirmwareProfile& p = profile_;
  switch (state) {
    case FirmwareState::Wake:
      return {state, p.wake_duration_s, p.wake_current_ma};
    case FirmwareState::Sense:
      return {state, p.sense_duration_s, p.sense_current_ma};
    case FirmwareState::Process:
      return {state, p.process_duration_s, p.process_current_ma};
    case FirmwareState::Transmit:
      return {state, airtime_s, p.tx_current_ma};
    case FirmwareState::Receive: {
      // RX1 at rx1_delay, RX2 one second later; asleep between and after the windows.
      const double duration = radio::rx2_open_s(p.rx1_delay_s) + p.rx_window_duration_s;
      const double listening = 2.0 * p.rx_window_duration_s;
      const double mean =
          (listening * p.rx_current_ma + (duration - listening) * p.sleep_current_ma) / duration;
      return {state, duration, mean};
    }
    case FirmwareState::Sleep:
      break;
  }
  return sleep(0.0);
}

StatePhase DutyCycleMachine::sleep(double duration_s) const {
  return {FirmwareState::Sleep, duration_s, profile_.sleep_current_ma};
}

double DutyCycleMachine::sample_charge_mah() const {
  return active_phase(FirmwareState::Wake, 0.0).charge_mah() +
         active_phase(FirmwareState::Sense, 0.0).charge_mah() +
         active_phase(FirmwareState::Process, 0.0).charge_mah();
}

double DutyCycleMachine::active_duration_s(double airtime_s) const {
  double total = 0.0;
  for (auto s = FirmwareState::Wake; s != FirmwareState::Sleep; s = next(s))
    total += active_phase(s, airtime_s).duration_s;
  return total;
}

double DutyCycleMachine::active_charge_mah(double airtime_s) const {
  double total = 0.0;
  for (auto s = FirmwareState::Wake; s != FirmwareState::Sleep; s = next(s))
    total += active_phase(s, airtime_s).charge_mah();
  return total;
}

}  // namespace citytwin::models::device
