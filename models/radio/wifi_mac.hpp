// 802.11 MAC efficiency from the standard's timing: the mean airtime of one channel access that sends
// one PPDU of n MPDUs (an A-MPDU when n > 1) and gets its acknowledgement, with no collision and no
// retry, and the share of the PHY rate the MSDUs get from it (the efficiency eta of models/radio/wifi.hpp).
//   airtime = AIFS + CWmin / 2 x aSlotTime + TXTIME(data PPDU) + aSIFSTime + TXTIME(Ack or BlockAck)
//   eta     = 8 n MSDU / (airtime x PHY rate)
//
// Sources (IEEE 802.11-2016), constant by constant; 5 GHz, HT (clause 19) or VHT (clause 21) PHY:
// - aSlotTime 9 us, aSIFSTime 16 us, aCWmin 15: the HT and VHT PHY characteristics (Tables 19-25 and
//   21-28; the same as the OFDM PHY's, Table 17-21). AIFS[AC] = aSIFSTime + AIFSN[AC] x aSlotTime
//   (10.22.2.4); DIFS = aSIFSTime + 2 x aSlotTime (10.3.2.3.7) is AIFSN 2. Default EDCA parameters
//   (Table 9-137): AC_BE AIFSN 3, CWmin = aCWmin = 15; AC_VI AIFSN 2, CWmin (aCWmin + 1) / 2 - 1 = 7.
//   The backoff counter is drawn uniformly from [0, CW] (10.3.3): CW / 2 slots on average.
// - TXTIME of an HT-mixed PPDU (19.4.3): L-STF 8 + L-LTF 8 + L-SIG 4 + HT-SIG 8 + HT-STF 4 us + 4 us per
//   HT-LTF; of a VHT PPDU (21.4.3): L-STF 8 + L-LTF 8 + L-SIG 4 + VHT-SIG-A 8 + VHT-STF 4 + 4 per
//   VHT-LTF + VHT-SIG-B 4 us. LTFs for 1, 2, 3, 4 streams: 1, 2, 4, 4 (Tables 19-13, 21-13). Then
//   N_SYM = ceil((8 PSDU + 16 service + 6 N_ES tail bits) / N_DBPS) symbols of 4 us, or with the short
//   guard interval 4 x ceil(3.6 N_SYM / 4) us. N_ES, the BCC encoders: 1 up to 300 Mb/s (HT) or up to
//   600 Mb/s at the short guard interval (VHT), one more per step above (the rule the MCS tables of 19.5
//   and 21.5 follow; from knowledge of those tables, 1 for every 20 MHz single-stream mode).
// - Non-HT OFDM PPDU of a control response (17.4.3): 16 us preamble + 4 us SIGNAL + 4 us x
//   ceil((16 + 8 L + 6) / N_DBPS), N_DBPS 24, 48, 96 at 6, 12, 24 Mb/s (Table 17-4). Its rate
//   (10.7.6.5): the highest basic rate not above the non-HT reference rate of the data MCS (BPSK 1/2: 6,
//   QPSK 1/2: 12, QPSK 3/4: 18, 16-QAM 1/2: 24, 16-QAM 3/4: 36, 64-QAM 2/3: 48, 3/4 and 5/6 and 256-QAM:
//   54 Mb/s), with the mandatory rates 6, 12 and 24 Mb/s as the basic rate set: 24 Mb/s from MCS3 up.
// - Frames (clause 9): a QoS Data MPDU is a 26-byte MAC header (Frame Control 2, Duration 2, three
//   addresses 18, Sequence Control 2, QoS Control 2: 9.3.2.1), the 8-byte LLC/SNAP header of an IP packet
//   (IEEE 802.2 with RFC 1042), the MSDU and a 4-byte FCS. Ack: 14 bytes (9.3.1.4). Compressed BlockAck:
//   32 bytes (9.3.1.9: 16 of header, BA Control 2, Starting Sequence Control 2, 8-byte bitmap, FCS 4).
//   A-MPDU (9.7): a 4-byte MPDU delimiter before each MPDU, each subframe but the last padded to a
//   multiple of 4 bytes. A VHT PPDU always carries an A-MPDU (a lone MPDU is an S-MPDU, still behind its
//   delimiter: 10.13); an HT PPDU carries a lone MPDU bare. One MPDU is acknowledged by an Ack, an A-MPDU
//   of several by a BlockAck. At most 64 MPDUs (the compressed bitmap) and aPPDUMaxTime 5.484 ms.
#pragma once

#include "models/radio/wifi.hpp"

namespace citytwin::models::radio {

inline constexpr double kWifiSlotS = 9e-6;
inline constexpr double kWifiSifsS = 16e-6;
inline constexpr int kWifiCwMin = 15;
inline constexpr int kWifiAifsnBestEffort = 3;  // AC_BE, Table 9-137
inline constexpr int kWifiAifsnDcf = 2;         // DIFS

struct WifiExchange {
  WifiStandard standard = WifiStandard::Vht;
  int mcs = 7;
  int channel_width_mhz = 20;
  int spatial_streams = 1;
  bool short_guard_interval = false;
  int msdu_bytes = 1500;  // an IP packet of a full Ethernet MTU
  int mpdus = 1;          // per PPDU: 1 without aggregation, up to 64 in an A-MPDU
  int aifsn = kWifiAifsnBestEffort;
  int cw_min = kWifiCwMin;
};

struct WifiExchangeAirtime {
  double aifs_s = 0.0;
  double backoff_s = 0.0;   // mean: cw_min / 2 slots
  double data_s = 0.0;      // the data PPDU, preamble included
  double response_s = 0.0;  // SIFS + the Ack or BlockAck
  double response_rate_bps = 0.0;
  double total_s = 0.0;
};

// Throws std::invalid_argument for an invalid mode (is_valid_wifi_mode), msdu_bytes < 1, mpdus outside
// 1..64, aifsn < 1, cw_min < 0, or a PPDU longer than 5.484 ms.
WifiExchangeAirtime wifi_exchange_airtime(const WifiExchange& exchange);
// 8 mpdus msdu_bytes / (total airtime x PHY rate of the mode).
double wifi_mac_efficiency(const WifiExchange& exchange);

}  // namespace citytwin::models::radio
