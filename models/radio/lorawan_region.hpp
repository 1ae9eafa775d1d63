// LoRaWAN regional parameters for EU868 and US915: default channels, data rates, receive windows,
// transmit power, maximum payload sizes and the EU868 duty-cycle sub-bands.
//
// Sources:
// - LoRa Alliance, "RP002-1.0.3 LoRaWAN Regional Parameters" (2021), EU863-870 and US902-928 chapters:
//   * EU868 default channels 868.1, 868.3, 868.5 MHz at 125 kHz, DR0..DR5 = SF12..SF7 at 125 kHz,
//     DR6 = SF7 at 250 kHz (DR7, FSK, is not modelled); RX2 869.525 MHz at DR0; RX1 on the uplink
//     channel at DR max(DR_up - RX1DROffset, 0); MaxEIRP +16 dBm, TXPower i = MaxEIRP - 2i dB, i = 0..7;
//     maximum MACPayload size M = 59, 59, 59, 123, 230, 230, 230 bytes for DR0..DR6 (the repeater-
//     compatible table; a device that never works behind a repeater may send 250 at DR4..DR6).
//   * US915 uplink channels 0..63 at 902.3 + 0.2 n MHz (125 kHz, DR0..DR3 = SF10..SF7) and 64..71
//     at 903.0 + 1.6 (n - 64) MHz (500 kHz, DR4 = SF8); downlink channels 923.3 + 0.6 k MHz at 500 kHz,
//     k = uplink channel mod 8; downlink DR8..DR13 = SF12..SF7 at 500 kHz; RX2 923.3 MHz at DR8;
//     RX1 DR table (upstream DR x RX1DROffset 0..3); TXPower i = 30 dBm - 2i dB, i = 0..14;
//     M = 19, 61, 133, 250, 250 bytes for DR0..DR4 and 41, 117, 230, 230, 230, 230 for DR8..DR13 (the
//     repeater-compatible table, as EU868's above; the uplink rows are the same in both tables, the
//     downlink rows not repeater-compatible are 61, 137, 250, 250, 250, 250);
//     400 ms maximum dwell time per channel (FCC 47 CFR 15.247(a)(1)(i)), no duty-cycle limit.
//   * RECEIVE_DELAY1 = 1 s, RECEIVE_DELAY2 = RECEIVE_DELAY1 + 1 s (both regions; defined once in
//     models/radio/lorawan_timing.hpp).
//   The payload and RX1-DR tables were cross-checked against ChirpStack (lrwn/src/region/*.rs, RP002
//   "Latest" revision) and The Things Stack (pkg/band/*.go).
// - EU868 sub-bands: ETSI EN 300 220-2 V3.1.1 (2017-02), Annex B, Table B.1 (band designations K..R)
//   and ERC Recommendation 70-03, Annex 1 (non-specific SRDs), as tabulated by The Things Stack
//   (pkg/band/eu_863_870.go): K 863-865 MHz 0.1 %, L 865-868 MHz 1 %, M 868.0-868.6 MHz 1 %,
//   N 868.7-869.2 MHz 0.1 %, P 869.4-869.65 MHz 10 % (500 mW e.r.p.), R 869.7-870 MHz 1 %; 25 mW e.r.p.
//   (14 dBm) elsewhere. Band O is left out as The Things Stack leaves it out; frequencies outside
//   these six bands (e.g. the gaps 868.6-868.7 and 869.65-869.7 MHz) get no duty-cycle allowance.
// - ERP and EIRP: the sub-band limits are effective radiated power, relative to a half-wave dipole of
//   2.15 dBi gain, so e.i.r.p. = e.r.p. + 2.15 dB (ITU-R BS.561, Annex 1; Radio Regulations 1.161-1.162).
//   A transmitter whose antenna has gain G dBi radiates conducted + G dBm EIRP: it meets an ERP limit L
//   when its conducted power is at most L + 2.15 - G (max_conducted_dbm). RP002's EU868 MaxEIRP of
//   16 dBm is the same 14 dBm ERP, rounded.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <span>

#include "models/radio/lorawan_timing.hpp"

namespace citytwin::models::radio {

enum class Region : uint8_t { EU868, US915 };

// One LoRa data rate of a region (FSK and LR-FHSS data rates are not modelled).
struct DataRate {
  int index = 0;
  int spreading_factor = 12;
  double bandwidth_hz = 125e3;
  bool uplink = true;
  bool downlink = true;
  // Maximum MACPayload size M (FHDR + FPort + FRMPayload), bytes; the PHY payload adds MHDR (1 B) and
  // MIC (4 B).
  int max_mac_payload_bytes = 0;
};

// A regulatory sub-band: transmissions on any channel inside it share one duty-cycle budget.
struct SubBand {
  const char* name;  // EN 300 220-2 V3.1.1 Table B.1 designation
  double min_frequency_hz;
  double max_frequency_hz;  // half-open: [min, max)
  double duty_cycle;        // fraction of time, per transmitter
  double max_erp_dbm;
};

inline constexpr std::array<SubBand, 6> kEu868SubBands = {{
    {"K", 863.0e6, 865.0e6, 0.001, 14.0},
    {"L", 865.0e6, 868.0e6, 0.01, 14.0},
    {"M", 868.0e6, 868.6e6, 0.01, 14.0},
    {"N", 868.7e6, 869.2e6, 0.001, 14.0},
    {"P", 869.4e6, 869.65e6, 0.1, 27.0},
    {"R", 869.7e6, 870.0e6, 0.01, 14.0},
}};

struct RegionParams {
  Region region = Region::EU868;
  // Channels every device knows after joining: EU868 the 3 default channels; US915 all 72 (0..63 at
  // 125 kHz, 64..71 at 500 kHz). A US915 network usually enables one sub-band: see us915_subband_*.
  std::span<const double> default_uplink_channels_hz;
  std::span<const DataRate> data_rates;  // in index order; indices may skip (US915 has no DR5..DR7)
  int max_adr_data_rate = 5;             // highest 125 kHz uplink DR (EU868 DR5, US915 DR3)
  double rx1_delay_s = kReceiveDelay1S;  // models/radio/lorawan_timing.hpp
  double rx2_delay_s = kReceiveDelay2S;
  double rx2_frequency_hz = 869.525e6;
  int rx2_data_rate = 0;
  double max_eirp_dbm = 16.0;  // EU868 MaxEIRP; US915 30 dBm conducted (TXPower 0)
  double tx_power_step_db = 2.0;
  int max_tx_power_index = 7;
  double max_dwell_time_s = std::numeric_limits<double>::infinity();  // US915: 0.4 s
  // The band's nominal carrier, for the free-space floor of the path loss (models/radio/path_loss.hpp):
  // EU868 868 MHz, US915 915 MHz.
  double nominal_frequency_hz = 868e6;
};

const RegionParams& region_params(Region region);

// The data rate with this index; throws std::out_of_range if the region does not define it.
const DataRate& data_rate(Region region, int index);

// The uplink data rate index for a spreading factor and bandwidth, or -1 if the region has none.
int uplink_data_rate_index(Region region, int spreading_factor, double bandwidth_hz);

// Transmit power for a TXPower index (LinkADRReq): MaxEIRP - 2 index dB. Throws std::out_of_range
// outside 0..max_tx_power_index.
double tx_power_dbm(Region region, int tx_power_index);

// US915 sub-band 1..8 (the "frequency sub-band" of network servers; sub-band 2 is channels 8..15,
// 903.9..905.3 MHz): its eight 125 kHz channels, and its 500 kHz channel (64 + subband - 1).
// Throw std::out_of_range outside 1..8.
std::array<double, 8> us915_subband_channels_hz(int subband);
double us915_subband_500khz_channel_hz(int subband);

// RX1 downlink frequency for an uplink on uplink_frequency_hz. EU868: the same channel. US915:
// 923.3 + 0.6 (channel mod 8) MHz. Throws std::invalid_argument for a frequency that is not a US915
// uplink channel.
double rx1_frequency_hz(Region region, double uplink_frequency_hz);

// RX1 data rate for an uplink data rate and RX1DROffset (EU868 0..5, US915 0..3).
int rx1_data_rate(Region region, int uplink_data_rate, int rx1_dr_offset = 0);

// A LoRa modulation's spreading factor and bandwidth.
struct LoraRate {
  int spreading_factor = 12;
  double bandwidth_hz = 125e3;
  bool operator==(const LoraRate&) const = default;
};

// The modulation of the RX1 downlink after an uplink at spreading_factor and bandwidth_hz, with
// RX1DROffset 0: the region's RX1 data rate for the uplink's data rate (EU868: the uplink's own; US915:
// DR0..DR3, SF10..SF7 at 125 kHz, give DR10..DR13, SF10..SF7 at 500 kHz, and DR4, SF8 at 500 kHz,
// gives DR13, SF7 at 500 kHz). An uplink at no data rate of the region (a scenario may set any SF and
// bandwidth) keeps its own SF and bandwidth.
LoraRate rx1_rate(Region region, int spreading_factor, double bandwidth_hz);
// The modulation of the region's RX2 data rate (EU868 DR0, SF12/125 kHz; US915 DR8, SF12/500 kHz).
LoraRate rx2_rate(Region region);

// Index into kEu868SubBands of the sub-band holding frequency_hz, or -1 if none does.
int eu868_sub_band_index(double frequency_hz);

// Duty-cycle limit (fraction of time) on frequency_hz. EU868: the sub-band's limit, 0 outside every
// sub-band (transmission not allowed). US915: 1 (no duty-cycle limit; the 400 ms dwell time applies).
double duty_cycle_limit(Region region, double frequency_hz);

// The most a transmitter may radiate on frequency_hz, dBm. EU868: the sub-band's ERP limit (EN 300 220-2
// V3.1.1 Table B.1: 14 dBm, 27 dBm in 869.4-869.65 MHz, where EU868's RX2 lies); +infinity outside every
// sub-band (duty_cycle_limit forbids it there). US915: +infinity (the gateway's own setting, up to 36 dBm
// EIRP, is the limit).
double max_radiated_dbm(Region region, double frequency_hz);

// Gain of the half-wave dipole that ERP is measured against (ITU-R BS.561, Annex 1).
inline constexpr double kHalfWaveDipoleGainDbi = 2.15;

// The most conducted power a transmitter may feed an antenna of antenna_gain_dbi on frequency_hz so that
// it radiates within max_radiated_dbm's ERP limit: that limit + 2.15 - antenna_gain_dbi (EU868 868.1 MHz:
// 16.15 dBm at 0 dBi, 10.15 dBm at 6 dBi). +infinity where max_radiated_dbm is.
double max_conducted_dbm(Region region, double frequency_hz, double antenna_gain_dbi);

}  // namespace citytwin::models::radio
