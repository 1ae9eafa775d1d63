// Tests of the LoRaWAN regional parameters (RP002-1.0.3) for EU868 and US915, and of the EU868
// duty-cycle sub-bands (ETSI EN 300 220-2 V3.1.1 Table B.1).
#include "models/radio/lorawan_region.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "models/radio/lora_phy.hpp"

namespace citytwin::models::radio {
namespace {

constexpr double kFreqTolHz = 1e-3;

TEST(Eu868, DefaultChannelsAre868_1_868_3_868_5MHz) {
  const RegionParams& p = region_params(Region::EU868);
  EXPECT_EQ(p.region, Region::EU868);
  ASSERT_EQ(p.default_uplink_channels_hz.size(), 3u);
  EXPECT_DOUBLE_EQ(p.default_uplink_channels_hz[0], 868.1e6);
  EXPECT_DOUBLE_EQ(p.default_uplink_channels_hz[1], 868.3e6);
  EXPECT_DOUBLE_EQ(p.default_uplink_channels_hz[2], 868.5e6);
}

TEST(Eu868, DataRatesAreSf12ToSf7At125kHzThenSf7At250kHz) {
  for (int dr = 0; dr <= 5; ++dr) {
    const DataRate& d = data_rate(Region::EU868, dr);
    EXPECT_EQ(d.index, dr);
    EXPECT_EQ(d.spreading_factor, 12 - dr) << "DR" << dr;
    EXPECT_DOUBLE_EQ(d.bandwidth_hz, 125e3) << "DR" << dr;
    EXPECT_TRUE(d.uplink && d.downlink);
  }
  EXPECT_EQ(data_rate(Region::EU868, 6).spreading_factor, 7);
  EXPECT_DOUBLE_EQ(data_rate(Region::EU868, 6).bandwidth_hz, 250e3);
  EXPECT_THROW(data_rate(Region::EU868, 7), std::out_of_range);  // FSK: not modelled
  EXPECT_THROW(data_rate(Region::EU868, -1), std::out_of_range);
}

TEST(Eu868, MaxMacPayloadPerDataRate) {
  // RP002-1.0.3 EU863-870 maximum payload size M: 59, 59, 59, 123, 230, 230, 230.
  const int expected[] = {59, 59, 59, 123, 230, 230, 230};
  for (int dr = 0; dr <= 6; ++dr) {
    EXPECT_EQ(data_rate(Region::EU868, dr).max_mac_payload_bytes, expected[dr]) << "DR" << dr;
  }
}

TEST(Eu868, ReceiveWindowsAndPower) {
  const RegionParams& p = region_params(Region::EU868);
  EXPECT_DOUBLE_EQ(p.rx1_delay_s, 1.0);
  EXPECT_DOUBLE_EQ(p.rx2_delay_s, 2.0);
  EXPECT_DOUBLE_EQ(p.rx2_frequency_hz, 869.525e6);
  EXPECT_EQ(p.rx2_data_rate, 0);
  EXPECT_EQ(data_rate(Region::EU868, p.rx2_data_rate).spreading_factor, 12);
  EXPECT_EQ(p.max_adr_data_rate, 5);
  EXPECT_TRUE(std::isinf(p.max_dwell_time_s));
  // TXPower i = MaxEIRP - 2i, MaxEIRP = 16 dBm, i = 0..7.
  EXPECT_DOUBLE_EQ(tx_power_dbm(Region::EU868, 0), 16.0);
  EXPECT_DOUBLE_EQ(tx_power_dbm(Region::EU868, 1), 14.0);
  EXPECT_DOUBLE_EQ(tx_power_dbm(Region::EU868, 7), 2.0);
  EXPECT_THROW(tx_power_dbm(Region::EU868, 8), std::out_of_range);
  EXPECT_THROW(tx_power_dbm(Region::EU868, -1), std::out_of_range);
}

TEST(Eu868, Rx1UsesUplinkChannelAndDataRateMinusOffset) {
  for (double f : region_params(Region::EU868).default_uplink_channels_hz) {
    EXPECT_DOUBLE_EQ(rx1_frequency_hz(Region::EU868, f), f);
  }
  EXPECT_EQ(rx1_data_rate(Region::EU868, 5), 5);
  EXPECT_EQ(rx1_data_rate(Region::EU868, 5, 3), 2);
  EXPECT_EQ(rx1_data_rate(Region::EU868, 1, 3), 0);  // clamped at DR0
  EXPECT_EQ(rx1_data_rate(Region::EU868, 0, 5), 0);
  EXPECT_THROW(rx1_data_rate(Region::EU868, 5, 6), std::out_of_range);
}

TEST(Eu868, SubBandLimits) {
  // EN 300 220-2 V3.1.1 Table B.1 / ERC REC 70-03 Annex 1.
  EXPECT_DOUBLE_EQ(duty_cycle_limit(Region::EU868, 864.0e6), 0.001);   // K
  EXPECT_DOUBLE_EQ(duty_cycle_limit(Region::EU868, 866.0e6), 0.01);    // L
  EXPECT_DOUBLE_EQ(duty_cycle_limit(Region::EU868, 868.1e6), 0.01);    // M
  EXPECT_DOUBLE_EQ(duty_cycle_limit(Region::EU868, 868.85e6), 0.001);  // N
  EXPECT_DOUBLE_EQ(duty_cycle_limit(Region::EU868, 869.525e6), 0.1);   // P (RX2)
  EXPECT_DOUBLE_EQ(duty_cycle_limit(Region::EU868, 869.85e6), 0.01);   // R
  EXPECT_DOUBLE_EQ(kEu868SubBands[4].max_erp_dbm, 27.0);               // 500 mW e.r.p.
  EXPECT_DOUBLE_EQ(kEu868SubBands[2].max_erp_dbm, 14.0);               // 25 mW e.r.p.
  // Gaps and out-of-band: no allowance.
  EXPECT_DOUBLE_EQ(duty_cycle_limit(Region::EU868, 868.65e6), 0.0);
  EXPECT_DOUBLE_EQ(duty_cycle_limit(Region::EU868, 869.3e6), 0.0);
  EXPECT_DOUBLE_EQ(duty_cycle_limit(Region::EU868, 869.675e6), 0.0);
  EXPECT_DOUBLE_EQ(duty_cycle_limit(Region::EU868, 862.0e6), 0.0);
  EXPECT_DOUBLE_EQ(duty_cycle_limit(Region::EU868, 870.0e6), 0.0);
}

// The ERP limits as conducted power behind an antenna of G dBi: limit + 2.15 - G (e.i.r.p. = e.r.p. +
// 2.15 dB, ITU-R BS.561 Annex 1). 14 dBm ERP: 16.15 dBm at 0 dBi (RP002's MaxEIRP 16 dBm fits), 10.15 dBm
// at 6 dBi; 27 dBm ERP in RX2's sub-band P: 29.15 dBm at 0 dBi, 23.15 at 6 dBi.
TEST(Eu868, ConductedPowerLimitSubtractsTheAntennaGainOverADipole) {
  EXPECT_DOUBLE_EQ(kHalfWaveDipoleGainDbi, 2.15);
  EXPECT_NEAR(max_conducted_dbm(Region::EU868, 868.1e6, 0.0), 16.15, 1e-12);
  EXPECT_NEAR(max_conducted_dbm(Region::EU868, 868.1e6, 6.0), 10.15, 1e-12);
  EXPECT_NEAR(max_conducted_dbm(Region::EU868, 869.525e6, 0.0), 29.15, 1e-12);
  EXPECT_NEAR(max_conducted_dbm(Region::EU868, 869.525e6, 6.0), 23.15, 1e-12);
  EXPECT_GE(max_conducted_dbm(Region::EU868, 868.1e6, 0.0), region_params(Region::EU868).max_eirp_dbm);
  EXPECT_TRUE(std::isinf(max_conducted_dbm(Region::US915, 923.3e6, 6.0)));
}

TEST(Eu868, DefaultChannelsShareSubBandMAndRx2IsInP) {
  for (double f : region_params(Region::EU868).default_uplink_channels_hz) {
    const int i = eu868_sub_band_index(f);
    ASSERT_GE(i, 0);
    EXPECT_EQ(std::string(kEu868SubBands[static_cast<size_t>(i)].name), "M") << f;
  }
  const int rx2 = eu868_sub_band_index(region_params(Region::EU868).rx2_frequency_hz);
  ASSERT_GE(rx2, 0);
  EXPECT_EQ(std::string(kEu868SubBands[static_cast<size_t>(rx2)].name), "P");
  // Half-open bands: 868.0 MHz is the first frequency of M, not the last of L.
  EXPECT_EQ(eu868_sub_band_index(868.0e6), 2);
  EXPECT_EQ(eu868_sub_band_index(867.999e6), 1);
}

TEST(Eu868, SubBandsAreOrderedAndDisjoint) {
  for (size_t i = 0; i < kEu868SubBands.size(); ++i) {
    EXPECT_LT(kEu868SubBands[i].min_frequency_hz, kEu868SubBands[i].max_frequency_hz);
    if (i > 0) {
      EXPECT_LE(kEu868SubBands[i - 1].max_frequency_hz, kEu868SubBands[i].min_frequency_hz);
    }
  }
}

TEST(Us915, SeventyTwoUplinkChannels) {
  const auto& ch = region_params(Region::US915).default_uplink_channels_hz;
  ASSERT_EQ(ch.size(), 72u);
  EXPECT_NEAR(ch[0], 902.3e6, kFreqTolHz);
  EXPECT_NEAR(ch[1], 902.5e6, kFreqTolHz);
  EXPECT_NEAR(ch[63], 914.9e6, kFreqTolHz);  // 902.3 + 63 x 0.2
  EXPECT_NEAR(ch[64], 903.0e6, kFreqTolHz);
  EXPECT_NEAR(ch[71], 914.2e6, kFreqTolHz);  // 903.0 + 7 x 1.6
}

TEST(Us915, DataRates) {
  for (int dr = 0; dr <= 3; ++dr) {
    EXPECT_EQ(data_rate(Region::US915, dr).spreading_factor, 10 - dr);
    EXPECT_DOUBLE_EQ(data_rate(Region::US915, dr).bandwidth_hz, 125e3);
    EXPECT_TRUE(data_rate(Region::US915, dr).uplink);
    EXPECT_FALSE(data_rate(Region::US915, dr).downlink);
  }
  EXPECT_EQ(data_rate(Region::US915, 4).spreading_factor, 8);
  EXPECT_DOUBLE_EQ(data_rate(Region::US915, 4).bandwidth_hz, 500e3);
  for (int dr = 8; dr <= 13; ++dr) {
    EXPECT_EQ(data_rate(Region::US915, dr).spreading_factor, 20 - dr);  // DR8 = SF12 ... DR13 = SF7
    EXPECT_DOUBLE_EQ(data_rate(Region::US915, dr).bandwidth_hz, 500e3);
    EXPECT_TRUE(data_rate(Region::US915, dr).downlink);
    EXPECT_FALSE(data_rate(Region::US915, dr).uplink);
  }
  for (int dr : {5, 6, 7, 14}) EXPECT_THROW(data_rate(Region::US915, dr), std::out_of_range) << dr;
  const int expected_m[] = {19, 61, 133, 250, 250};
  for (int dr = 0; dr <= 4; ++dr) {
    EXPECT_EQ(data_rate(Region::US915, dr).max_mac_payload_bytes, expected_m[dr]) << "DR" << dr;
  }
  // The downlink data rates, from the same repeater-compatible table as EU868's (RP002-1.0.3 US902-928
  // maximum payload size, repeater compatible; LoRaWAN Regional Parameters 1.0 table 12): 41, 117, 230,
  // 230, 230, 230 for DR8..DR13 (the table for devices never behind a repeater has 61, 137, 250...).
  const int expected_downlink_m[] = {41, 117, 230, 230, 230, 230};
  for (int dr = 8; dr <= 13; ++dr) {
    EXPECT_EQ(data_rate(Region::US915, dr).max_mac_payload_bytes, expected_downlink_m[dr - 8]) << "DR" << dr;
  }
}

// RX1 after a US915 uplink (RX1DROffset 0): DR0..DR3 (SF10..SF7 at 125 kHz) -> DR10..DR13 (SF10..SF7 at
// 500 kHz), DR4 (SF8 at 500 kHz) -> DR13 (SF7 at 500 kHz); RX2 DR8, SF12 at 500 kHz (RP002-1.0.3 US902-928
// RX1 data rate table and default RX2 settings).
TEST(Us915, Rx1RateIsTheRx1DataRatesModulation) {
  for (int sf = 7; sf <= 10; ++sf)
    EXPECT_EQ(rx1_rate(Region::US915, sf, 125e3), (LoraRate{sf, 500e3})) << "SF" << sf;
  EXPECT_EQ(rx1_rate(Region::US915, 8, 500e3), (LoraRate{7, 500e3}));
  EXPECT_EQ(rx2_rate(Region::US915), (LoraRate{12, 500e3}));
  // Not an uplink data rate of the region: the uplink's own modulation.
  EXPECT_EQ(rx1_rate(Region::US915, 12, 125e3), (LoraRate{12, 125e3}));
}

TEST(Eu868, Rx1RateIsTheUplinksOwnAndRx2Sf12) {
  for (int sf = 7; sf <= 12; ++sf)
    EXPECT_EQ(rx1_rate(Region::EU868, sf, 125e3), (LoraRate{sf, 125e3})) << "SF" << sf;
  EXPECT_EQ(rx1_rate(Region::EU868, 7, 250e3), (LoraRate{7, 250e3}));  // DR6
  EXPECT_EQ(rx2_rate(Region::EU868), (LoraRate{12, 125e3}));
}

TEST(Us915, MaxPayloadsAreTheLargestFramesWithinTheDwellTime) {
  // RP002's US915 payload limits follow from the 400 ms dwell time: PHY payload = M + 5 (MHDR + MIC),
  // explicit header, CRC, CR 4/5, preamble 8. By hand (lora_phy formula):
  //   DR0 SF10: 24 B -> 45.25 sym x 8.192 ms = 370.688 ms; 25 B -> 50.25 x 8.192 = 411.648 ms
  //   DR1 SF9:  66 B -> 95.25 x 4.096 = 390.144 ms;        67 B -> 100.25 x 4.096 = 410.624 ms
  //   DR2 SF8: 138 B -> 195.25 x 2.048 = 399.872 ms;      139 B -> 200.25 x 2.048 = 410.112 ms
  //   DR3 SF7: 255 B (the PHY maximum) -> 390.25 x 1.024 = 399.616 ms
  const double dwell_s = region_params(Region::US915).max_dwell_time_s;
  EXPECT_DOUBLE_EQ(dwell_s, 0.4);
  for (int dr = 0; dr <= 2; ++dr) {
    const DataRate& d = data_rate(Region::US915, dr);
    LoraPhyParams phy;
    phy.spreading_factor = d.spreading_factor;
    phy.bandwidth_hz = d.bandwidth_hz;
    phy.low_data_rate_optimize = low_data_rate_optimize_required(d.spreading_factor, d.bandwidth_hz);
    EXPECT_LE(time_on_air_s(d.max_mac_payload_bytes + 5, phy), dwell_s) << "DR" << dr;
    EXPECT_GT(time_on_air_s(d.max_mac_payload_bytes + 6, phy), dwell_s) << "DR" << dr;
  }
  LoraPhyParams sf7;
  EXPECT_NEAR(time_on_air_s(255, sf7), 0.399616, 1e-9);
  LoraPhyParams sf10;
  sf10.spreading_factor = 10;
  EXPECT_NEAR(time_on_air_s(24, sf10), 0.370688, 1e-9);
}

TEST(Us915, ReceiveWindowsPowerAndDwell) {
  const RegionParams& p = region_params(Region::US915);
  EXPECT_DOUBLE_EQ(p.rx1_delay_s, 1.0);
  EXPECT_DOUBLE_EQ(p.rx2_frequency_hz, 923.3e6);
  EXPECT_EQ(p.rx2_data_rate, 8);
  EXPECT_EQ(data_rate(Region::US915, 8).spreading_factor, 12);
  EXPECT_EQ(p.max_adr_data_rate, 3);
  EXPECT_DOUBLE_EQ(tx_power_dbm(Region::US915, 0), 30.0);
  EXPECT_DOUBLE_EQ(tx_power_dbm(Region::US915, 14), 2.0);
  EXPECT_THROW(tx_power_dbm(Region::US915, 15), std::out_of_range);
  EXPECT_DOUBLE_EQ(duty_cycle_limit(Region::US915, 902.3e6), 1.0);
  EXPECT_DOUBLE_EQ(duty_cycle_limit(Region::US915, 923.3e6), 1.0);
}

TEST(Us915, SubBandTwoIs903_9To905_3MHzWith904_6MHzWide) {
  const std::array<double, 8> sb2 = us915_subband_channels_hz(2);
  for (int k = 0; k < 8; ++k) EXPECT_NEAR(sb2[static_cast<size_t>(k)], 903.9e6 + 0.2e6 * k, kFreqTolHz);
  EXPECT_NEAR(us915_subband_500khz_channel_hz(2), 904.6e6, kFreqTolHz);
  EXPECT_NEAR(us915_subband_channels_hz(1)[0], 902.3e6, kFreqTolHz);
  EXPECT_NEAR(us915_subband_channels_hz(8)[7], 914.9e6, kFreqTolHz);
  EXPECT_THROW(us915_subband_channels_hz(0), std::out_of_range);
  EXPECT_THROW(us915_subband_channels_hz(9), std::out_of_range);
  EXPECT_THROW(us915_subband_500khz_channel_hz(9), std::out_of_range);
}

TEST(Us915, Each500kHzChannelIsCentredOnItsSubBand) {
  for (int sb = 1; sb <= 8; ++sb) {
    const std::array<double, 8> ch = us915_subband_channels_hz(sb);
    EXPECT_NEAR(us915_subband_500khz_channel_hz(sb), 0.5 * (ch[0] + ch[7]), kFreqTolHz) << sb;
  }
}

TEST(Us915, Rx1DownlinkChannelIsUplinkChannelMod8) {
  EXPECT_NEAR(rx1_frequency_hz(Region::US915, 902.3e6), 923.3e6, kFreqTolHz);  // ch 0 -> 0
  EXPECT_NEAR(rx1_frequency_hz(Region::US915, 903.7e6), 927.5e6, kFreqTolHz);  // ch 7 -> 7
  EXPECT_NEAR(rx1_frequency_hz(Region::US915, 903.9e6), 923.3e6, kFreqTolHz);  // ch 8 -> 0
  EXPECT_NEAR(rx1_frequency_hz(Region::US915, 914.9e6), 927.5e6, kFreqTolHz);  // ch 63 -> 7
  EXPECT_NEAR(rx1_frequency_hz(Region::US915, 903.0e6), 923.3e6, kFreqTolHz);  // ch 64 -> 0
  EXPECT_NEAR(rx1_frequency_hz(Region::US915, 904.6e6), 923.9e6, kFreqTolHz);  // ch 65 -> 1
  EXPECT_THROW(rx1_frequency_hz(Region::US915, 902.4e6), std::invalid_argument);
}

TEST(Us915, Rx1DataRateTable) {
  EXPECT_EQ(rx1_data_rate(Region::US915, 0), 10);
  EXPECT_EQ(rx1_data_rate(Region::US915, 3), 13);
  EXPECT_EQ(rx1_data_rate(Region::US915, 4), 13);
  EXPECT_EQ(rx1_data_rate(Region::US915, 0, 3), 8);
  EXPECT_EQ(rx1_data_rate(Region::US915, 4, 3), 11);
  EXPECT_THROW(rx1_data_rate(Region::US915, 5), std::out_of_range);
  EXPECT_THROW(rx1_data_rate(Region::US915, 0, 4), std::out_of_range);
}

TEST(DataRateLookup, UplinkIndexFromSfAndBandwidth) {
  EXPECT_EQ(uplink_data_rate_index(Region::EU868, 7, 125e3), 5);
  EXPECT_EQ(uplink_data_rate_index(Region::EU868, 12, 125e3), 0);
  EXPECT_EQ(uplink_data_rate_index(Region::EU868, 7, 250e3), 6);
  EXPECT_EQ(uplink_data_rate_index(Region::US915, 8, 500e3), 4);
  EXPECT_EQ(uplink_data_rate_index(Region::US915, 12, 125e3), -1);  // SF11/12 not allowed uplink
  EXPECT_EQ(uplink_data_rate_index(Region::US915, 12, 500e3), -1);  // downlink only
}

// The class-A receive windows: one definition (models/radio/lorawan_timing.hpp), RP002-1.0.3 values.
TEST(LorawanTiming, Rx2OpensOneSecondAfterRx1) {
  EXPECT_DOUBLE_EQ(kReceiveDelay1S, 1.0);
  EXPECT_DOUBLE_EQ(kReceiveDelay2S, 2.0);
  EXPECT_DOUBLE_EQ(rx2_open_s(kReceiveDelay1S), kReceiveDelay2S);
  EXPECT_DOUBLE_EQ(rx2_open_s(5.0), 6.0);  // a device given RECEIVE_DELAY1 = 5 s
  for (const Region r : {Region::EU868, Region::US915}) {
    EXPECT_DOUBLE_EQ(region_params(r).rx1_delay_s, kReceiveDelay1S);
    EXPECT_DOUBLE_EQ(region_params(r).rx2_delay_s, rx2_open_s(region_params(r).rx1_delay_s));
  }
  EXPECT_DOUBLE_EQ(kRetransmitTimeoutS, 2.0);
  EXPECT_DOUBLE_EQ(kRetransmitTimeoutRandomS, 1.0);
}

}  // namespace
}  // namespace citytwin::models::radio
