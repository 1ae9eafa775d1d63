#include "models/radio/wifi_mac.hpp"

#include <array>
#include <cmath>
#include <stdexcept>
#include <string>

namespace citytwin::models::radio {

namespace {

constexpr double kSymbolS = 4e-6;         // long guard interval
constexpr double kShortSymbolS = 3.6e-6;  // short guard interval
constexpr double kPpduMaxS = 5.484e-3;    // aPPDUMaxTime (HT-mixed and VHT)
constexpr int kServiceBits = 16, kTailBits = 6;
constexpr int kMacHeaderBytes = 26, kLlcSnapBytes = 8, kFcsBytes = 4, kDelimiterBytes = 4;
constexpr int kAckBytes = 14, kBlockAckBytes = 32;
constexpr int kMaxMpdus = 64;

// Non-HT reference rate of MCS 0..9 (Mb/s), and the basic rates a control response may use.
constexpr std::array<double, 10> kReferenceRateMbps = {6, 12, 18, 24, 36, 48, 54, 54, 54, 54};
constexpr std::array<double, 3> kBasicRatesMbps = {6, 12, 24};

int long_training_fields(int spatial_streams) { return spatial_streams <= 2 ? spatial_streams : 4; }

int bcc_encoders(WifiStandard standard, int mcs, int width_mhz, int streams) {
  if (standard == WifiStandard::Ht) return wifi_phy_rate_bps(mcs, width_mhz, streams, false) > 300e6 ? 2 : 1;
  return static_cast<int>(std::ceil(wifi_phy_rate_bps(mcs, width_mhz, streams, true) / 600e6 - 1e-9));
}

// A non-HT (clause 17) PPDU of `bytes` at `rate_mbps`.
double non_ht_txtime_s(int bytes, double rate_mbps) {
  const double bits_per_symbol = rate_mbps * 4.0;  // N_DBPS: 24 at 6 Mb/s
  const double symbols = std::ceil((kServiceBits + 8.0 * bytes + kTailBits) / bits_per_symbol);
  return 16e-6 + 4e-6 + symbols * kSymbolS;
}

}  // namespace

WifiExchangeAirtime wifi_exchange_airtime(const WifiExchange& x) {
  if (!is_valid_wifi_mode(x.standard, x.mcs, x.channel_width_mhz, x.spatial_streams)) {
    throw std::invalid_argument("wifi_exchange_airtime: invalid mode MCS" + std::to_string(x.mcs) + " / " +
                                std::to_string(x.channel_width_mhz) + " MHz / " +
                                std::to_string(x.spatial_streams) + " streams");
  }
  if (x.msdu_bytes < 1) throw std::invalid_argument("wifi_exchange_airtime: msdu_bytes must be >= 1");
  if (x.mpdus < 1 || x.mpdus > kMaxMpdus)
    throw std::invalid_argument("wifi_exchange_airtime: mpdus must be 1..64, got " + std::to_string(x.mpdus));
  if (x.aifsn < 1 || x.cw_min < 0)
    throw std::invalid_argument("wifi_exchange_airtime: aifsn must be >= 1 and cw_min >= 0");

  // The PSDU: bare MPDU (HT, one MPDU), else delimited subframes padded to 4 bytes but the last.
  const int mpdu = kMacHeaderBytes + kLlcSnapBytes + x.msdu_bytes + kFcsBytes;
  const bool aggregated = x.mpdus > 1 || x.standard == WifiStandard::Vht;
  int psdu = mpdu;
  if (aggregated) {
    const int subframe = kDelimiterBytes + mpdu;
    const int padded = (subframe + 3) / 4 * 4;
    psdu = (x.mpdus - 1) * padded + subframe;
  }
  const double data_bits_per_symbol =
      std::round(wifi_phy_rate_bps(x.mcs, x.channel_width_mhz, x.spatial_streams, false) * kSymbolS);
  const int encoders = bcc_encoders(x.standard, x.mcs, x.channel_width_mhz, x.spatial_streams);
  const double symbols = std::ceil((8.0 * psdu + kServiceBits + kTailBits * encoders) / data_bits_per_symbol);
  const double data_symbols_s = x.short_guard_interval
                                    ? kSymbolS * std::ceil(kShortSymbolS * symbols / kSymbolS - 1e-9)
                                    : kSymbolS * symbols;
  const double ltf_s = 4e-6 * long_training_fields(x.spatial_streams);
  const double preamble_s = x.standard == WifiStandard::Vht ? 8e-6 + 8e-6 + 4e-6 + 8e-6 + 4e-6 + ltf_s + 4e-6
                                                            : 8e-6 + 8e-6 + 4e-6 + 8e-6 + 4e-6 + ltf_s;

  WifiExchangeAirtime a;
  a.aifs_s = kWifiSifsS + x.aifsn * kWifiSlotS;
  a.backoff_s = 0.5 * x.cw_min * kWifiSlotS;
  a.data_s = preamble_s + data_symbols_s;
  if (a.data_s > kPpduMaxS + 1e-12) {
    throw std::invalid_argument("wifi_exchange_airtime: a PPDU of " + std::to_string(x.mpdus) +
                                " MPDUs lasts " + std::to_string(a.data_s * 1e3) +
                                " ms, over aPPDUMaxTime (5.484 ms)");
  }
  const double reference = kReferenceRateMbps[static_cast<size_t>(x.mcs)];
  double response_mbps = kBasicRatesMbps.front();
  for (double r : kBasicRatesMbps)
    if (r <= reference) response_mbps = r;
  a.response_rate_bps = response_mbps * 1e6;
  a.response_s = kWifiSifsS + non_ht_txtime_s(x.mpdus > 1 ? kBlockAckBytes : kAckBytes, response_mbps);
  a.total_s = a.aifs_s + a.backoff_s + a.data_s + a.response_s;
  return a;
}

double wifi_mac_efficiency(const WifiExchange& x) {
  const WifiExchangeAirtime a = wifi_exchange_airtime(x);
  const double rate =
      wifi_phy_rate_bps(x.mcs, x.channel_width_mhz, x.spatial_streams, x.short_guard_interval);
  return 8.0 * x.mpdus * x.msdu_bytes / (a.total_s * rate);
}

}  // namespace citytwin::models::radio
