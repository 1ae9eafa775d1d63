#include "models/device/firmware.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include "models/radio/lora_phy.hpp"
#include "models/radio/lorawan_timing.hpp"

namespace citytwin::models::device {
namespace {

// SX1276 datasheet rev. 7, table 6, IDDT: {output power dBm, supply current mA}.
constexpr std::array<std::pair<double, double>, 4> kSx1276TxCurrent = {{
    {7.0, 20.0},    // RFO pin
    {13.0, 29.0},   // RFO pin
    {17.0, 87.0},   // PA_BOOST
    {20.0, 120.0},  // PA_BOOST, high-power mode
}};

}  // namespace

double sx1276_tx_current_ma(double tx_power_dbm) {
  if (tx_power_dbm <= kSx1276TxCurrent.front().first) return kSx1276TxCurrent.front().second;
  for (size_t i = 1; i < kSx1276TxCurrent.size(); ++i) {
    const auto [p1, i1] = kSx1276TxCurrent[i];
    if (tx_power_dbm <= p1) {
      const auto [p0, i0] = kSx1276TxCurrent[i - 1];
      return i0 + (i1 - i0) * (tx_power_dbm - p0) / (p1 - p0);
    }
  }
  return kSx1276TxCurrent.back().second;
}

double FirmwareProfile::tx_current_at_ma(double tx_power_dbm) const {
  return std::isnan(tx_current_ma) ? sx1276_tx_current_ma(tx_power_dbm) : tx_current_ma;
}

double FirmwareProfile::rx_window_at_s(double symbol_s) const {
  return std::isnan(rx_window_duration_s) ? radio::rx_window_s(symbol_s) : rx_window_duration_s;
}

Uplink lorawan_uplink(radio::Region region, int spreading_factor, double bandwidth_hz, double airtime_s,
                      double tx_power_dbm) {
  const radio::LoraRate rx1 = radio::rx1_rate(region, spreading_factor, bandwidth_hz);
  const radio::LoraRate rx2 = radio::rx2_rate(region);
  return {airtime_s, tx_power_dbm, radio::symbol_time_s(rx1.spreading_factor, rx1.bandwidth_hz),
          radio::symbol_time_s(rx2.spreading_factor, rx2.bandwidth_hz)};
}

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

StatePhase DutyCycleMachine::active_phase(FirmwareState state, const Uplink& uplink) const {
  const FirmwareProfile& p = profile_;
  switch (state) {
    case FirmwareState::Wake:
      return {state, p.wake_duration_s, p.wake_current_ma};
    case FirmwareState::Sense:
      return {state, p.sense_duration_s, p.sense_current_ma};
    case FirmwareState::Process:
      return {state, p.process_duration_s, p.process_current_ma};
    case FirmwareState::Transmit:
      return {state, uplink.airtime_s, p.tx_current_at_ma(uplink.tx_power_dbm)};
    case FirmwareState::Receive: {
      // RX1 at rx1_delay, RX2 one second later; asleep between and after the windows.
      const double rx2 = rx2_window_s(uplink);
      const double duration = radio::rx2_open_s(p.rx1_delay_s) + rx2;
      const double listening = rx1_window_s(uplink) + rx2;
      const double mean =
          (listening * p.rx_current_ma + (duration - listening) * p.sleep_current_ma) / duration;
      return {state, duration, mean};
    }
    case FirmwareState::Sleep:
      break;
  }
  return sleep(0.0);
}

double DutyCycleMachine::downlink_charge_mah(const Uplink& uplink, int window,
                                             double downlink_airtime_s) const {
  const double rx1 = rx1_window_s(uplink);
  const double rx2 = rx2_window_s(uplink);
  // Receiving time with the downlink, less the Receive phase's (rx1 + rx2); the rest of the phase is
  // asleep either way.
  const double extra_s =
      window == 1 ? std::max(rx1, downlink_airtime_s) - rx1 - rx2 : std::max(rx2, downlink_airtime_s) - rx2;
  return extra_s * (profile_.rx_current_ma - profile_.sleep_current_ma) / 3600.0;
}

StatePhase DutyCycleMachine::sleep(double duration_s) const {
  return {FirmwareState::Sleep, duration_s, profile_.sleep_current_ma};
}

double DutyCycleMachine::sample_charge_mah() const {
  const Uplink none;
  return active_phase(FirmwareState::Wake, none).charge_mah() +
         active_phase(FirmwareState::Sense, none).charge_mah() +
         active_phase(FirmwareState::Process, none).charge_mah();
}

double DutyCycleMachine::active_duration_s(const Uplink& uplink) const {
  double total = 0.0;
  for (auto s = FirmwareState::Wake; s != FirmwareState::Sleep; s = next(s))
    total += active_phase(s, uplink).duration_s;
  return total;
}

double DutyCycleMachine::active_charge_mah(const Uplink& uplink) const {
  double total = 0.0;
  for (auto s = FirmwareState::Wake; s != FirmwareState::Sleep; s = next(s))
    total += active_phase(s, uplink).charge_mah();
  return total;
}

}  // namespace citytwin::models::device
