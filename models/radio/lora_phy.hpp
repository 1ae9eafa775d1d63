// LoRa physical layer: symbol time and time on air.
// Source: Semtech SX1276/77/78/79 datasheet rev. 7 (2020), section 4.1.1.6 "Time on air", and
// Semtech AN1200.13 "LoRa Modem Designer's Guide" (2013): T_sym = 2^SF / BW;
// T_preamble = (n_preamble + 4.25) T_sym;
// n_payload = 8 + max(ceil((8 PL - 4 SF + 28 + 16 CRC - 20 IH) / (4 (SF - 2 DE))) (CR + 4), 0).
#pragma once

namespace citytwin::models::radio {

struct LoraPhyParams {
  int spreading_factor = 7;     // 7..12
  double bandwidth_hz = 125e3;  // 125, 250 or 500 kHz
  int coding_rate = 1;          // 1..4, meaning 4/5..4/8
  int preamble_symbols = 8;     // programmed preamble length (the modem adds 4.25 symbols)
  bool explicit_header = true;
  bool crc = true;
  bool low_data_rate_optimize = false;
};

// Symbol duration 2^SF / BW, seconds.
double symbol_time_s(int spreading_factor, double bandwidth_hz);

// LoRaWAN regional parameters require low-data-rate optimisation when a symbol lasts more than 16 ms
// (SF11 and SF12 at 125 kHz, SF12 at 250 kHz).
bool low_data_rate_optimize_required(int spreading_factor, double bandwidth_hz);

// Number of payload symbols (including the 8 symbols that carry the header), for payload_bytes of PHY
// payload (MAC header and MIC included).
int payload_symbols(int payload_bytes, const LoraPhyParams& phy);

// Time on air of a frame carrying payload_bytes of PHY payload, seconds.
double time_on_air_s(int payload_bytes, const LoraPhyParams& phy);

}  // namespace citytwin::models::radio
