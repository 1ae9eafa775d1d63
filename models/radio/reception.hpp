// Gateway reception rules: sensitivity per spreading factor, and the capture rule between two frames
// that overlap in time on the same channel and spreading factor.
//
// Gateway sensitivity at 125 kHz per SF 7..12: Semtech SX1301 datasheet figures as used by the ns-3
// lorawan module (GatewayLoraPhy::sensitivity, "for a bandwidth of 125000 Hz"): -130, -132.5, -135,
// -137.5, -140, -142.5 dBm. At 250 and 500 kHz: the thermal noise floor, and so the sensitivity, rises
// 10 log10(BW / 125 kHz) dB (3.01, 6.02), the demodulation SNR being the SF's whatever the bandwidth. No
// SX1301 table per SF at 250 / 500 kHz was found to use instead (ns-3 has none; its single 250/500 kHz
// "LoRa standard" channel is not characterised per SF); the RAK2247, an SX1301 concentrator card, gives
// +2 / +3 dB at 250 kHz and +5 / +5 dB at 500 kHz for SF7 / SF12 (rakwireless-docs, rak2247
// rf-characteristics: -125/-139, -123/-136, -120/-134 dBm, whole dB), within 1.02 dB of the shift.
// End-device sensitivity (the downlinks it hears) per SF 7..12 and bandwidth: the SX1272/73 datasheet
// (Semtech, Rev. 2, July 2014, RFS_L125 / RFS_L250 / RFS_L500, highest LNA gain, LNA boost), the table
// FLoRa's LoRaReceiver::getSensitivity carries ("table 10, Rev 3.1, March 2017") and whose 125 kHz row
// ns-3's EndDeviceLoraPhy uses: 125 kHz -124, -127, -130, -133, -135, -137; 250 kHz -122, -125, -128,
// -130, -132, -135; 500 kHz -116, -119, -122, -125, -128, -129 dBm. Its 500 kHz row is 7-8 dB above the
// 125 kHz one, not the 6.02 dB of the noise floor alone (so the datasheet's, not the shift).
// These do not agree with the noise floor the SNR is computed with (models/radio/adr.hpp: -174 dBm/Hz +
// 10 log10(BW) + NF, NF = 6 dB, -117.03 dBm at 125 kHz): with the SX1276's demodulation floors (-7.5 dB
// at SF7 .. -20 dB at SF12) that floor gives -124.5 .. -137.0 dBm, 5.5 dB above the table, which implies
// a noise figure of about 0.5 dB. Both are ns-3's (its ADR and LoraPhy::RxPowerToSNR also take NF 6 dB),
// kept as ns-3 has them: so a frame received near the table's sensitivity reads an snr_db up to 5.5 dB
// below its SF's demodulation floor (e.g. -130 dBm at SF7: SNR -12.97 dB against the -7.5 dB floor).
//
// Capture: a frame survives an overlapping same-SF frame when it is at least threshold_db stronger.
// 6 dB: Bor, Roedig, Voigt, Alonso, "Do LoRa low-power wide-area networks scale?", ACM MSWiM 2016
// (LoRaSim), and the co-SF rejection of Goursaud & Gorce, EAI Trans. IoT 2015. Frames on different
// SFs are treated as orthogonal here (models/radio/interference.hpp has the inter-SF thresholds).
//
// Every survival test of the radio models ends in the same comparison, sir_suffices: the frame's
// signal-to-interference ratio (a power difference pairwise, an energy ratio under ns-3's cumulative
// rule) must reach the threshold; reaching it exactly is enough.
#pragma once

#include <array>
#include <limits>

namespace citytwin::models::radio {

inline constexpr std::array<double, 6> kSx1301SensitivityDbm = {-130.0, -132.5, -135.0,
                                                                -137.5, -140.0, -142.5};

// A gateway's sensitivity for a spreading factor (7..12) and bandwidth, given its 125 kHz table (raised
// 10 log10(BW / 125 kHz) dB at other bandwidths).
double gateway_sensitivity_dbm(int spreading_factor, double bandwidth_hz,
                               const std::array<double, 6>& table_125khz_dbm = kSx1301SensitivityDbm);

// An end device's sensitivity per SF 7..12, for the downlinks it receives: the SX1272/73 datasheet's
// rows at 125, 250 and 500 kHz (above).
inline constexpr std::array<double, 6> kSx1272SensitivityDbm = {-124.0, -127.0, -130.0,
                                                                -133.0, -135.0, -137.0};
inline constexpr std::array<double, 6> kSx1272Sensitivity250kHzDbm = {-122.0, -125.0, -128.0,
                                                                      -130.0, -132.0, -135.0};
inline constexpr std::array<double, 6> kSx1272Sensitivity500kHzDbm = {-116.0, -119.0, -122.0,
                                                                      -125.0, -128.0, -129.0};

// An end device's sensitivity at a spreading factor (7..12) and bandwidth (125, 250 or 500 kHz, the
// SX1272's tabulated ones); throws std::out_of_range otherwise.
double end_device_sensitivity_dbm(int spreading_factor, double bandwidth_hz);

struct CaptureRule {
  bool enabled = true;
  double threshold_db = 6.0;
};

// Whether a frame whose SIR over an interferer is sir_db survives it when it needs required_sir_db.
inline constexpr bool sir_suffices(double sir_db, double required_sir_db) {
  return sir_db >= required_sir_db;
}

// The SIR a frame needs over an overlapping frame on its channel and SF: the capture threshold, or
// +infinity without capture (no SIR is enough: pure ALOHA).
inline constexpr double co_sf_threshold_db(const CaptureRule& rule) {
  return rule.enabled ? rule.threshold_db : std::numeric_limits<double>::infinity();
}

// Whether a frame received at target_rssi_dbm survives one overlapping same-channel, same-SF frame
// received at interferer_rssi_dbm. Without capture, any overlap destroys both (pure ALOHA).
inline bool survives_overlap(double target_rssi_dbm, double interferer_rssi_dbm, const CaptureRule& rule) {
  return rule.enabled && sir_suffices(target_rssi_dbm - interferer_rssi_dbm, rule.threshold_db);
}

}  // namespace citytwin::models::radio
