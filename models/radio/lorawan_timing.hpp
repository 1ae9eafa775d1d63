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
// - How long a receive window listens: at least the time the radio needs to detect a downlink's
//   preamble (LoRaWAN L2 1.0.4 section 3.3, receive window duration); as Semtech's LoRaMac-node
//   (src/mac/region/RegionCommon.c, RegionCommonComputeRxWindowParameters) sizes it. A class-A device opens
//   each window in single reception with a symbol timeout: it must see min_rx_symbols of the downlink's
//   preamble despite its clock's error, so the window lasts
//     n = max(ceil(((2 min_rx_symbols - 8) T_sym + 2 max_rx_error) / T_sym), min_rx_symbols) symbols,
//   n T_sym, with LoRaMac-node's defaults min_rx_symbols = 6 and max_rx_error = 10 ms
//   (LoRaMac.c, MacParamsDefaults: MinRxSymbols 6, SystemMaxRxError 10 ms), T_sym = 2^SF / BW at the
//   window's data rate. SF7/125 kHz: 24 symbols, 24.576 ms; SF12/125 kHz: 6 symbols, 196.608 ms.
//   (LoRaMac-node also shifts the window's start, windowOffset, to centre it on the expected preamble,
//   and adds the radio's wake-up time: neither changes how long the receiver is on, and neither is
//   modelled.) When a downlink arrives, the receiver stays on until the frame has been demodulated, and
//   after one received in RX1 the device does not open RX2 (LoRaWAN L2 1.0.4 section 3.3, receiver
//   activity during the receive windows).
#pragma once

#include <algorithm>
#include <cmath>

namespace citytwin::models::radio {

inline constexpr double kReceiveDelay1S = 1.0;  // RECEIVE_DELAY1
inline constexpr double kReceiveDelay2S = 2.0;  // RECEIVE_DELAY2

// When RX2 opens, given when RX1 opens (RECEIVE_DELAY2 - RECEIVE_DELAY1 = 1 s later).
inline constexpr double rx2_open_s(double rx1_open_s) {
  return rx1_open_s + (kReceiveDelay2S - kReceiveDelay1S);
}

// When the network's answer to an uplink is at the gateway that sends it, counted from uplink_end_s: the up
// leg (until the network server has the frame: a gateway's forward delay and its route's latency up; with
// several receiving gateways, the first copy's), the server's answer delay (platform.ns_downlink_delay:
// ChirpStack's deduplication delay) and the sending gateway's route down. That gateway can send it in a
// receive window only if it is there by the window's opening (at or before). The LoRaWAN server times its
// downlinks so (sim/access/lorawan_server.hpp), and resolve's warning a gateway heard alone
// (sim/city/downlink_warnings.hpp).
inline constexpr double downlink_at_gateway_s(double uplink_end_s, double up_s, double answer_delay_s,
                                              double down_s) {
  return uplink_end_s + up_s + answer_delay_s + down_s;
}

inline constexpr int kMinRxSymbols = 6;        // LoRaMac-node MinRxSymbols
inline constexpr double kMaxRxErrorS = 0.010;  // LoRaMac-node SystemMaxRxError, 10 ms

// How long a receive window listens for a preamble at a data rate whose symbol lasts symbol_s (no
// downlink in it): LoRaMac-node's symbol timeout, in seconds.
inline double rx_window_s(double symbol_s) {
  const double symbols =
      std::max(std::ceil(((2 * kMinRxSymbols - 8) * symbol_s + 2.0 * kMaxRxErrorS) / symbol_s),
               static_cast<double>(kMinRxSymbols));
  return symbols * symbol_s;
}

inline constexpr double kRetransmitTimeoutS = 2.0;        // centre of the wait after RX2 closes
inline constexpr double kRetransmitTimeoutRandomS = 1.0;  // half-width of its uniform spread

}  // namespace citytwin::models::radio
