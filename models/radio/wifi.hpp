// Public Wi-Fi access points serving CCTV cameras and pole devices: association by received power, the
// PHY rate a station gets from its RSSI, and how an AP's airtime is shared among its stations.
//
// Sources, constant by constant:
// - MCS 0..9 modulation and coding rate, data subcarriers N_SD (52 / 108 / 234 at 20 / 40 / 80 MHz) and
//   the OFDM symbol of 3.2 us plus a 0.8 us guard interval (0.4 us short GI): IEEE 802.11-2016, clause 19
//   (HT, 802.11n: MCS 0..7 per stream, 20/40 MHz, Table 19-6) and clause 21 (VHT, 802.11ac: MCS 0..9,
//   20/40/80 MHz, Table 21-5 and the MCS tables of 21.5). PHY rate = N_SD N_BPSCS R N_SS / T_sym:
//   6.5 Mb/s at MCS0/20 MHz, 65 at MCS7/20 MHz, 135 at MCS7/40 MHz, 390 at MCS9/80 MHz.
//   An (MCS, width, N_SS) is invalid when N_DBPS is not an integer (MCS9 at 20 MHz for 1, 2, 4 streams)
//   and for MCS6 at 80 MHz with 3 streams (the exclusions the VHT MCS tables of 21.5 list for 1..4
//   streams).
// - Minimum receiver sensitivity (10 % PER, 4096-byte PSDU): IEEE 802.11-2016 Table 19-23 (HT) and
//   Table 21-25 (VHT): MCS0..9 at 20 MHz: -82, -79, -77, -74, -70, -66, -65, -64, -59, -57 dBm; each
//   doubling of the channel width raises it 3 dB (-79 dBm for MCS0 at 40 MHz, -76 at 80 MHz). The same
//   values are reproduced in national regulations (e.g. Russian WLAN rules, docs.cntd.ru 902238635).
// - Association threshold -82 dBm: the MCS0 / 20 MHz sensitivity, the weakest signal an AP can serve.
// - MAC efficiency 0.6 of the PHY rate: a fixed planning value, the same at every MCS, not derived.
//   From the standard's timing (models/radio/wifi_mac.hpp: AC_BE access, mean backoff, VHT preamble,
//   SIFS, Ack or BlockAck at 24 Mb/s; 1500-byte MSDUs at MCS7 / 20 MHz, 65 Mb/s) one channel access
//   gives 0.478 without aggregation, 0.634 with an A-MPDU of 2 MPDUs, 0.767 with 4 (and 0.873 at MCS0
//   without): 0.6 lies between one and two MPDUs per access at the MCS of a camera near its AP, and is
//   pessimistic at the low MCSs where the fixed overheads weigh little. It is kept rather than derived
//   because the aggregation depth is not clear-cut: a station aggregates what its queue holds, which
//   depends on its load and the AP's contention, and this static model tracks neither
//   (tests/models/wifi_test.cpp checks the bracket; M. Gast, "When Is 54 Not Equal to 54?", O'Reilly
//   2003, finds 0.51 of TCP payload for 802.11a's one frame per access).
// - Link budget: log-distance path loss (models/radio/path_loss.hpp) with the free-space loss at 1 m
//   (Friis, Rappaport 2nd ed. eq. 4.5: 20 log10(4 pi d f / c)) and exponent 3.0, inside the 2.7..3.5
//   Rappaport gives for urban cellular radio (Table 4.2); 20 dBm EIRP, a 100 mW radio; 5.5 GHz (the
//   5470..5725 MHz band Europe allows outdoors, ETSI EN 301 893).
// Sharing rule: a station's traffic x at PHY rate r occupies airtime x / (eta r). While the offered
// airtime sum is at most 1 every station carries its offered load. Above, the AP gives every backlogged
// station the same throughput (ThroughputFair, the default: max-min fair water-filling, what 802.11
// DCF's equal long-term channel access per station yields; M. Heusse, F. Rousseau, G. Berger-Sabbatel,
// A. Duda, "Performance anomaly of 802.11b", IEEE INFOCOM 2003: "a host transmitting at 1 Mb/s reduces
// the throughput of all other hosts transmitting at 11 Mb/s to a low value below 1 Mb/s"; their
// throughput per host, s_d / ((N - 1) T_f + T_s), is the level 1 / sum_i 1 / (eta r_i) below when the
// per-frame overheads are folded into eta). Stations offering less than that level keep their load, the
// others share the rest equally. Or every station is scaled by the same factor (ProportionalToOffered:
// shares proportional to the offered loads, as an airtime scheduler weighting by demand would give; no
// 802.11 MAC does this by itself). The scenario chooses (wifi.airtime_sharing, docs/SCENARIO.md).
#pragma once

#include <array>
#include <optional>
#include <vector>

namespace citytwin::models::radio {

enum class WifiStandard { Ht, Vht };  // 802.11n, 802.11ac

inline constexpr std::array<double, 10> kWifiSensitivity20MhzDbm = {-82.0, -79.0, -77.0, -74.0, -70.0,
                                                                    -66.0, -65.0, -64.0, -59.0, -57.0};

// Data subcarriers of a channel width (20, 40 or 80 MHz); throws std::invalid_argument otherwise.
int wifi_data_subcarriers(int channel_width_mhz);
int wifi_max_mcs(WifiStandard standard);
bool is_valid_wifi_mode(WifiStandard standard, int mcs, int channel_width_mhz, int spatial_streams);
// PHY rate of a valid mode, bit/s; throws std::invalid_argument for an invalid one.
double wifi_phy_rate_bps(int mcs, int channel_width_mhz, int spatial_streams, bool short_guard_interval);
double wifi_min_sensitivity_dbm(int mcs, int channel_width_mhz);

struct WifiConfig {
  WifiStandard standard = WifiStandard::Vht;
  int channel_width_mhz = 20;
  int spatial_streams = 1;
  bool short_guard_interval = false;
  double association_threshold_dbm = -82.0;
  double mac_efficiency = 0.6;
};

// A station associates when its RSSI reaches the threshold and decodes MCS0 at the channel width.
bool wifi_associates(double rssi_dbm, const WifiConfig& config);
// The highest valid MCS whose sensitivity the RSSI meets; none if the station does not associate.
std::optional<int> wifi_select_mcs(double rssi_dbm, const WifiConfig& config);
// PHY rate at the selected MCS, or 0 when not associated.
double wifi_station_phy_rate_bps(double rssi_dbm, const WifiConfig& config);

struct WifiLinkBudget {
  double eirp_dbm = 20.0;
  double rx_antenna_gain_dbi = 0.0;
  double carrier_hz = 5.5e9;
  double path_loss_exponent = 3.0;

  double reference_loss_db() const;  // free space at 1 m
  double received_power_dbm(double distance_m) const;
  // Farthest distance at which the received power is still at least rssi_dbm.
  double range_m(double rssi_dbm) const;
};

enum class AirtimeSharing { ProportionalToOffered, ThroughputFair };

struct StationDemand {
  double rssi_dbm = -60.0;
  double offered_bps = 0.0;
};

struct StationShare {
  bool associated = false;
  int mcs = -1;
  double phy_rate_bps = 0.0;
  double achieved_bps = 0.0;
  double airtime_fraction = 0.0;
};

struct AccessPointShare {
  std::vector<StationShare> stations;  // same order as the demands
  double offered_bps = 0.0;            // associated stations only
  double carried_bps = 0.0;
  double offered_airtime = 0.0;  // sum of offered / (eta r); above 1 the AP is saturated
  double utilisation = 0.0;      // airtime actually used, at most 1
  // Throughput the AP would carry at full airtime with this mix of stations and offered loads.
  double capacity_bps = 0.0;

  bool saturated() const { return offered_airtime > 1.0; }
};

AccessPointShare share_access_point(const std::vector<StationDemand>& demands, const WifiConfig& config,
                                    AirtimeSharing sharing = AirtimeSharing::ThroughputFair);

// The throughput each station of one AP carries, given the airtime one of its bits takes (1 / (eta r);
// 0 for a station not associated, which carries nothing) and the load it offers (>= 0), by the rule above.
std::vector<double> share_airtime(const std::vector<double>& airtime_per_bit,
                                  const std::vector<double>& offered_bps,
                                  AirtimeSharing sharing = AirtimeSharing::ThroughputFair);

}  // namespace citytwin::models::radio
