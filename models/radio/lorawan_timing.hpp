// LoRaWAN class-A timing: the receive windows after an uplink and the confirmed-uplink retransmission
// timeout. One definition for the whole project: the network server, the device firmware's energy
// model and the retransmission policy read these.
//
// - RECEIVE_DELAY1 = 1 s, RECEIVE_DELAY2 = RECEIVE_DELAY1 + 1 s = 2 s: LoRaWAN L2 1.0.4 specification
//   (TS001-1.0.4), section 3.3 (receive windows: RX1 opens RECEIVE_DELAY1 after the end of the uplink,
//   RX2 RECEIVE_DELAY2 after it, i.e. one second after RX1), with the values of the default-settings
//   table of the LoRaWAN Regional Parameters RP002-1.0.3, the same in EU868 and US915. A device may
//   be given another RECEIVE_DELAY1 (RxTimingSetupReq; the scenario's firmware.rx1_delay): RX2 still
//   opens one second after RX1.
// - RETRANSMIT_TIMEOUT (ACK_TIMEOUT before L2 1.0.4) = 2 s +/- 1 s, uniformly random: RP002-1.0.3
//   default settings; LoRaWAN 1.0.2 section 4.3.1.2; Semtech LoRaMac-node ACK_TIMEOUT 2000 ms,
//   ACK_TIMEOUT_RND 1000 ms, started when the RX2 window closes.
#pragma once

namespace citytwin::models::radio {

inline constexpr double kReceiveDelay1S = 1.0;  // RECEIVE_DELAY1
inline constexpr double kReceiveDelay2S = 2.0;  // RECEIVE_DELAY2

// When RX2 opens, given when RX1 opens (RECEIVE_DELAY2 - RECEIVE_DELAY1 = 1 s later).
inline constexpr double rx2_open_s(double rx1_open_s) {
  return rx1_open_s + (kReceiveDelay2S - kReceiveDelay1S);
}

inline constexpr double kRetransmitTimeoutS = 2.0;        // centre of the wait after RX2 closes
inline constexpr double kRetransmitTimeoutRandomS = 1.0;  // half-width of its uniform spread

}  // namespace citytwin::models::radio
