#include "models/radio/wifi.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "models/radio/path_loss.hpp"

namespace citytwin::models::radio {

namespace {

struct McsDefinition {
  int bits_per_subcarrier;  // N_BPSCS
  int rate_num;
  int rate_den;
};

// BPSK 1/2, QPSK 1/2, QPSK 3/4, 16-QAM 1/2, 16-QAM 3/4, 64-QAM 2/3, 64-QAM 3/4, 64-QAM 5/6,
// 256-QAM 3/4, 256-QAM 5/6.
constexpr std::array<McsDefinition, 10> kMcs = {{{1, 1, 2},
                                                 {2, 1, 2},
                                                 {2, 3, 4},
                                                 {4, 1, 2},
                                                 {4, 3, 4},
                                                 {6, 2, 3},
                                                 {6, 3, 4},
                                                 {6, 5, 6},
                                                 {8, 3, 4},
                                                 {8, 5, 6}}};

constexpr double kDftS = 3.2e-6;
constexpr double kLongGuardS = 0.8e-6;
constexpr double kShortGuardS = 0.4e-6;

bool width_allowed(WifiStandard standard, int channel_width_mhz) {
  if (channel_width_mhz == 20 || channel_width_mhz == 40) return true;
  return standard == WifiStandard::Vht && channel_width_mhz == 80;
}

}  // namespace

int wifi_data_subcarriers(int channel_width_mhz) {
  switch (channel_width_mhz) {
    case 20:
      return 52;
    case 40:
      return 108;
    case 80:
      return 234;
    default:
      throw std::invalid_argument("wifi_data_subcarriers: expected 20, 40 or 80 MHz, got " +
                                  std::to_string(channel_width_mhz));
  }
}

int wifi_max_mcs(WifiStandard standard) { return standard == WifiStandard::Ht ? 7 : 9; }

bool is_valid_wifi_mode(WifiStandard standard, int mcs, int channel_width_mhz, int spatial_streams) {
  if (mcs < 0 || mcs > wifi_max_mcs(standard)) return false;
  if (!width_allowed(standard, channel_width_mhz)) return false;
  if (spatial_streams < 1 || spatial_streams > 4) return false;
  const McsDefinition& m = kMcs[static_cast<size_t>(mcs)];
  const int coded_bits = wifi_data_subcarriers(channel_width_mhz) * m.bits_per_subcarrier * spatial_streams;
  if ((coded_bits * m.rate_num) % m.rate_den != 0) return false;  // N_DBPS must be an integer
  return !(channel_width_mhz == 80 && mcs == 6 && spatial_streams == 3);
}

double wifi_phy_rate_bps(int mcs, int channel_width_mhz, int spatial_streams, bool short_guard_interval) {
  if (!is_valid_wifi_mode(WifiStandard::Vht, mcs, channel_width_mhz, spatial_streams)) {
    throw std::invalid_argument("wifi_phy_rate_bps: invalid mode MCS" + std::to_string(mcs) + " / " +
                                std::to_string(channel_width_mhz) + " MHz / " +
                                std::to_string(spatial_streams) + " streams");
  }
  const McsDefinition& m = kMcs[static_cast<size_t>(mcs)];
  const double data_bits_per_symbol = static_cast<double>(wifi_data_subcarriers(channel_width_mhz)) *
                                      m.bits_per_subcarrier * spatial_streams * m.rate_num / m.rate_den;
  const double symbol_s = kDftS + (short_guard_interval ? kShortGuardS : kLongGuardS);
  return data_bits_per_symbol / symbol_s;
}

double wifi_min_sensitivity_dbm(int mcs, int channel_width_mhz) {
  const double widening_db = channel_width_mhz == 20 ? 0.0 : channel_width_mhz == 40 ? 3.0 : 6.0;
  wifi_data_subcarriers(channel_width_mhz);  // rejects other widths
  return kWifiSensitivity20MhzDbm.at(static_cast<size_t>(mcs)) + widening_db;
}

bool wifi_associates(double rssi_dbm, const WifiConfig& config) {
  return rssi_dbm >= config.association_threshold_dbm &&
         rssi_dbm >= wifi_min_sensitivity_dbm(0, config.channel_width_mhz);
}

std::optional<int> wifi_select_mcs(double rssi_dbm, const WifiConfig& config) {
  if (!wifi_associates(rssi_dbm, config)) return std::nullopt;
  for (int mcs = wifi_max_mcs(config.standard); mcs >= 0; --mcs) {
    if (is_valid_wifi_mode(config.standard, mcs, config.channel_width_mhz, config.spatial_streams) &&
        wifi_min_sensitivity_dbm(mcs, config.channel_width_mhz) <= rssi_dbm) {
      return mcs;
    }
  }
  return std::nullopt;
}

double wifi_station_phy_rate_bps(double rssi_dbm, const WifiConfig& config) {
  const auto mcs = wifi_select_mcs(rssi_dbm, config);
  if (!mcs) return 0.0;
  return wifi_phy_rate_bps(*mcs, config.channel_width_mhz, config.spatial_streams,
                           config.short_guard_interval);
}

double WifiLinkBudget::reference_loss_db() const { return free_space_loss_db(1.0, carrier_hz); }

double WifiLinkBudget::received_power_dbm(double distance_m) const {
  const LogDistancePathLoss path_loss{1.0, reference_loss_db(), path_loss_exponent, carrier_hz};
  return eirp_dbm + rx_antenna_gain_dbi - path_loss.loss_db(distance_m);
}

double WifiLinkBudget::range_m(double rssi_dbm) const {
  const LogDistancePathLoss path_loss{1.0, reference_loss_db(), path_loss_exponent, carrier_hz};
  return path_loss.distance_for_loss_m(eirp_dbm + rx_antenna_gain_dbi - rssi_dbm);
}

std::vector<double> share_airtime(const std::vector<double>& airtime_per_bit,
                                  const std::vector<double>& offered_bps, AirtimeSharing sharing) {
  if (airtime_per_bit.size() != offered_bps.size())
    throw std::invalid_argument("share_airtime: one airtime per offered load expected");
  std::vector<double> carried(offered_bps.size(), 0.0);
  double offered_airtime = 0.0;
  for (size_t i = 0; i < offered_bps.size(); ++i) {
    if (offered_bps[i] < 0.0) throw std::invalid_argument("share_airtime: negative offered load");
    if (airtime_per_bit[i] <= 0.0) continue;
    carried[i] = offered_bps[i];
    offered_airtime += offered_bps[i] * airtime_per_bit[i];
  }
  if (offered_airtime <= 1.0) return carried;
  if (sharing == AirtimeSharing::ProportionalToOffered) {
    for (double& c : carried) c /= offered_airtime;
    return carried;
  }
  // Water-filling: raise a common throughput level until the airtime is used up; stations offering less
  // than the level keep their offered load.
  std::vector<size_t> order;
  for (size_t i = 0; i < offered_bps.size(); ++i)
    if (airtime_per_bit[i] > 0.0) order.push_back(i);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return offered_bps[a] < offered_bps[b]; });
  double used = 0.0;  // airtime of stations below the level
  double rest = std::accumulate(order.begin(), order.end(), 0.0,
                                [&](double sum, size_t i) { return sum + airtime_per_bit[i]; });
  for (size_t k = 0; k < order.size(); ++k) {
    const double level = (1.0 - used) / rest;
    if (level <= offered_bps[order[k]]) {
      for (size_t j = k; j < order.size(); ++j) carried[order[j]] = level;
      break;
    }
    used += offered_bps[order[k]] * airtime_per_bit[order[k]];
    rest -= airtime_per_bit[order[k]];
  }
  return carried;
}

AccessPointShare share_access_point(const std::vector<StationDemand>& demands, const WifiConfig& config,
                                    AirtimeSharing sharing) {
  if (!(config.mac_efficiency > 0.0 && config.mac_efficiency <= 1.0)) {
    throw std::invalid_argument("share_access_point: mac_efficiency must be in (0, 1]");
  }
  AccessPointShare ap;
  ap.stations.resize(demands.size());
  std::vector<double> airtime_per_bit(demands.size(), 0.0);  // 1 / (eta r), associated stations
  std::vector<double> offered(demands.size(), 0.0);
  for (size_t i = 0; i < demands.size(); ++i) {
    if (demands[i].offered_bps < 0.0)
      throw std::invalid_argument("share_access_point: negative offered load");
    offered[i] = demands[i].offered_bps;
    StationShare& s = ap.stations[i];
    const auto mcs = wifi_select_mcs(demands[i].rssi_dbm, config);
    if (!mcs) continue;
    s.associated = true;
    s.mcs = *mcs;
    s.phy_rate_bps = wifi_phy_rate_bps(*mcs, config.channel_width_mhz, config.spatial_streams,
                                       config.short_guard_interval);
    airtime_per_bit[i] = 1.0 / (config.mac_efficiency * s.phy_rate_bps);
    ap.offered_bps += demands[i].offered_bps;
    ap.offered_airtime += demands[i].offered_bps * airtime_per_bit[i];
  }
  const std::vector<double> carried = share_airtime(airtime_per_bit, offered, sharing);
  for (size_t i = 0; i < demands.size(); ++i) {
    StationShare& s = ap.stations[i];
    s.achieved_bps = carried[i];
    s.airtime_fraction = carried[i] * airtime_per_bit[i];
    ap.carried_bps += s.achieved_bps;
    ap.utilisation += s.airtime_fraction;
  }
  ap.capacity_bps = ap.offered_airtime > 0.0 ? ap.offered_bps / ap.offered_airtime : 0.0;
  return ap;
}

}  // namespace citytwin::models::radio
