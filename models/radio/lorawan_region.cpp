#include "models/radio/lorawan_region.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace citytwin::models::radio {
namespace {

constexpr std::array<double, 3> kEu868Channels = {868.1e6, 868.3e6, 868.5e6};

constexpr std::array<double, 72> make_us915_channels() {
  std::array<double, 72> channels{};
  for (int n = 0; n < 64; ++n) channels[static_cast<size_t>(n)] = 902.3e6 + 200e3 * n;
  for (int n = 0; n < 8; ++n) channels[static_cast<size_t>(64 + n)] = 903.0e6 + 1.6e6 * n;
  return channels;
}
constexpr std::array<double, 72> kUs915Channels = make_us915_channels();

// {index, SF, bandwidth, uplink, downlink, M}
constexpr std::array<DataRate, 7> kEu868DataRates = {{
    {0, 12, 125e3, true, true, 59},
    {1, 11, 125e3, true, true, 59},
    {2, 10, 125e3, true, true, 59},
    {3, 9, 125e3, true, true, 123},
    {4, 8, 125e3, true, true, 230},
    {5, 7, 125e3, true, true, 230},
    {6, 7, 250e3, true, true, 230},
}};

constexpr std::array<DataRate, 11> kUs915DataRates = {{
    {0, 10, 125e3, true, false, 19},
    {1, 9, 125e3, true, false, 61},
    {2, 8, 125e3, true, false, 133},
    {3, 7, 125e3, true, false, 250},
    {4, 8, 500e3, true, false, 250},
    {8, 12, 500e3, false, true, 41},
    {9, 11, 500e3, false, true, 117},
    {10, 10, 500e3, false, true, 230},
    {11, 9, 500e3, false, true, 230},
    {12, 8, 500e3, false, true, 230},
    {13, 7, 500e3, false, true, 230},
}};

// RP002-1.0.3 US902-928 RX1 data rate: rows upstream DR0..DR4, columns RX1DROffset 0..3.
constexpr int kUs915Rx1DataRate[5][4] = {
    {10, 9, 8, 8}, {11, 10, 9, 8}, {12, 11, 10, 9}, {13, 12, 11, 10}, {13, 13, 12, 11},
};

constexpr RegionParams make_eu868() {
  RegionParams p;
  p.region = Region::EU868;
  p.default_uplink_channels_hz = kEu868Channels;
  p.data_rates = kEu868DataRates;
  p.max_adr_data_rate = 5;
  p.rx2_frequency_hz = 869.525e6;
  p.rx2_data_rate = 0;
  p.max_eirp_dbm = 16.0;
  p.max_tx_power_index = 7;
  return p;
}

constexpr RegionParams make_us915() {
  RegionParams p;
  p.region = Region::US915;
  p.default_uplink_channels_hz = kUs915Channels;
  p.data_rates = kUs915DataRates;
  p.max_adr_data_rate = 3;
  p.rx2_frequency_hz = 923.3e6;
  p.rx2_data_rate = 8;
  p.max_eirp_dbm = 30.0;
  p.max_tx_power_index = 14;
  p.max_dwell_time_s = 0.4;
  p.nominal_frequency_hz = 915e6;
  return p;
}

constexpr RegionParams kEu868 = make_eu868();
constexpr RegionParams kUs915 = make_us915();

void check_subband(int subband) {
  if (subband < 1 || subband > 8) {
    throw std::out_of_range("US915 sub-band must be 1..8, got " + std::to_string(subband));
  }
}

}  // namespace

const RegionParams& region_params(Region region) { return region == Region::US915 ? kUs915 : kEu868; }

const DataRate& data_rate(Region region, int index) {
  for (const DataRate& dr : region_params(region).data_rates) {
    if (dr.index == index) return dr;
  }
  throw std::out_of_range("data rate DR" + std::to_string(index) + " is not defined in this region");
}

int uplink_data_rate_index(Region region, int spreading_factor, double bandwidth_hz) {
  for (const DataRate& dr : region_params(region).data_rates) {
    if (dr.uplink && dr.spreading_factor == spreading_factor && dr.bandwidth_hz == bandwidth_hz) {
      return dr.index;
    }
  }
  return -1;
}

double tx_power_dbm(Region region, int tx_power_index) {
  const RegionParams& p = region_params(region);
  if (tx_power_index < 0 || tx_power_index > p.max_tx_power_index) {
    throw std::out_of_range("TXPower index must be 0.." + std::to_string(p.max_tx_power_index) + ", got " +
                            std::to_string(tx_power_index));
  }
  return p.max_eirp_dbm - p.tx_power_step_db * tx_power_index;
}

std::array<double, 8> us915_subband_channels_hz(int subband) {
  check_subband(subband);
  std::array<double, 8> channels{};
  for (int k = 0; k < 8; ++k) {
    channels[static_cast<size_t>(k)] = kUs915Channels[static_cast<size_t>(8 * (subband - 1) + k)];
  }
  return channels;
}

double us915_subband_500khz_channel_hz(int subband) {
  check_subband(subband);
  return kUs915Channels[static_cast<size_t>(64 + subband - 1)];
}

double rx1_frequency_hz(Region region, double uplink_frequency_hz) {
  if (region == Region::EU868) return uplink_frequency_hz;
  // Channel numbers are recovered from the frequency; 1 kHz tolerance absorbs rounding in callers.
  for (size_t n = 0; n < kUs915Channels.size(); ++n) {
    if (std::abs(kUs915Channels[n] - uplink_frequency_hz) < 1e3) {
      return 923.3e6 + 600e3 * static_cast<double>(n % 8);
    }
  }
  throw std::invalid_argument("not a US915 uplink channel: " + std::to_string(uplink_frequency_hz) + " Hz");
}

int rx1_data_rate(Region region, int uplink_data_rate, int rx1_dr_offset) {
  if (region == Region::EU868) {
    if (uplink_data_rate < 0 || uplink_data_rate > 6 || rx1_dr_offset < 0 || rx1_dr_offset > 5) {
      throw std::out_of_range("EU868 RX1 data rate: DR 0..6 and offset 0..5 expected");
    }
    return uplink_data_rate - rx1_dr_offset > 0 ? uplink_data_rate - rx1_dr_offset : 0;
  }
  if (uplink_data_rate < 0 || uplink_data_rate > 4 || rx1_dr_offset < 0 || rx1_dr_offset > 3) {
    throw std::out_of_range("US915 RX1 data rate: DR 0..4 and offset 0..3 expected");
  }
  return kUs915Rx1DataRate[uplink_data_rate][rx1_dr_offset];
}

LoraRate rx1_rate(Region region, int spreading_factor, double bandwidth_hz) {
  const int uplink = uplink_data_rate_index(region, spreading_factor, bandwidth_hz);
  if (uplink < 0) return {spreading_factor, bandwidth_hz};
  const DataRate& rx1 = data_rate(region, rx1_data_rate(region, uplink));
  return {rx1.spreading_factor, rx1.bandwidth_hz};
}

LoraRate rx2_rate(Region region) {
  const DataRate& rx2 = data_rate(region, region_params(region).rx2_data_rate);
  return {rx2.spreading_factor, rx2.bandwidth_hz};
}

int eu868_sub_band_index(double frequency_hz) {
  for (size_t i = 0; i < kEu868SubBands.size(); ++i) {
    if (frequency_hz >= kEu868SubBands[i].min_frequency_hz &&
        frequency_hz < kEu868SubBands[i].max_frequency_hz) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

double duty_cycle_limit(Region region, double frequency_hz) {
  if (region == Region::US915) return 1.0;
  const int i = eu868_sub_band_index(frequency_hz);
  return i < 0 ? 0.0 : kEu868SubBands[static_cast<size_t>(i)].duty_cycle;
}

double max_radiated_dbm(Region region, double frequency_hz) {
  if (region == Region::US915) return std::numeric_limits<double>::infinity();
  const int i = eu868_sub_band_index(frequency_hz);
  return i < 0 ? std::numeric_limits<double>::infinity() : kEu868SubBands[static_cast<size_t>(i)].max_erp_dbm;
}

double max_conducted_dbm(Region region, double frequency_hz, double antenna_gain_dbi) {
  return max_radiated_dbm(region, frequency_hz) + kHalfWaveDipoleGainDbi - antenna_gain_dbi;
}

}  // namespace citytwin::models::radio
