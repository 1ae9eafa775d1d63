// Interference between LoRa frames on the same channel: signal-to-interference (SIR) thresholds between
// spreading factors, and the survival rule of ns-3 lorawan.
//
// Two threshold matrices, indexed [target SF - 7][interferer SF - 7], in dB; the target survives an
// interferer group when its SIR is at least the threshold (negative: it survives a stronger
// interferer):
// - Goursaud: C. Goursaud, J.-M. Gorce, "Dedicated networks for IoT: PHY/MAC state of the art and
//   challenges", EAI Endorsed Transactions on Internet of Things 1(1), 2015, as ns-3 lorawan uses it
//   (LoraInterferenceHelper::collisionSnirGoursaud, signs inverted from the paper's co-channel
//   rejection into an isolation matrix). Co-SF 6 dB; inter-SF -16 (SF7 vs SF8) to -36 dB (SF12 vs
//   SF7..SF11).
// - Croce: D. Croce, M. Gucciardo, S. Mangione, G. Santaromita, I. Tinnirello, "Impact of LoRa imperfect
//   orthogonality: analysis of link-level performance", IEEE Communications Letters 22(4):796-799,
//   2018, the SIR-threshold table at 125 kHz (rows: reference SF, columns: interfering SF), as FLoRa
//   uses it (LoRaReceiver::nonOrthDelta). Co-SF 1 dB; inter-SF -8 (SF7 vs SF8..) to -25 dB (SF12 vs
//   SF7..SF9).
// A gateway (sir_thresholds_db(capture, inter_sf) below) takes only the off-diagonal, inter-SF values of
// either matrix: between frames of one SF the threshold is always the capture rule's (radio.capture:
// 6 dB by default, LoRaSim's, which is also Goursaud's diagonal), never Croce's 1 dB diagonal. So
// `inter_sf: croce` is FLoRa's rule between SFs only; FLoRa's co-SF rule as well needs
// radio.capture.threshold: 1 dB.
//
// Survival rule (ns-3 lorawan, LoraInterferenceHelper::IsDestroyedByInterference): interferers on the
// same frequency are grouped by SF; each contributes energy P_i x overlap_i (linear power times the
// time it overlaps the target); for every SF the target's energy P x T (T its duration) over the group's
// energy, in dB, must reach the threshold[target SF][group SF]. Equivalently each interferer counts
// with its power weighted by overlap / T. Groups of different SFs are not added together. A group with
// no energy never destroys the target.
//
// A receiver that keeps the energies itself (the radio medium: per reception, summed per SF as frames
// arrive) uses the energy form, destroying_spreading_factor(target SF, E_target, E per SF,
// thresholds), with the thresholds of its configuration (sir_thresholds_db: co-SF from the capture
// rule, inter-SF from a matrix or none); the frame form below is built on it.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>

#include "models/radio/reception.hpp"

namespace citytwin::models::radio {

enum class InterferenceMatrix : uint8_t { Goursaud, Croce };

inline constexpr double kGoursaudSirDb[6][6] = {
    // interferer: SF7  SF8  SF9 SF10 SF11 SF12
    {6, -16, -18, -19, -19, -20},  // target SF7
    {-24, 6, -20, -22, -22, -22},  // target SF8
    {-27, -27, 6, -23, -25, -25},  // target SF9
    {-30, -30, -30, 6, -26, -28},  // target SF10
    {-33, -33, -33, -33, 6, -29},  // target SF11
    {-36, -36, -36, -36, -36, 6},  // target SF12
};

inline constexpr double kCroceSirDb[6][6] = {
    // interferer: SF7  SF8  SF9 SF10 SF11 SF12
    {1, -8, -9, -9, -9, -9},       // target SF7
    {-11, 1, -11, -12, -13, -13},  // target SF8
    {-15, -13, 1, -13, -14, -15},  // target SF9
    {-19, -18, -17, 1, -17, -18},  // target SF10
    {-22, -22, -21, -20, 1, -20},  // target SF11
    {-25, -25, -25, -24, -23, 1},  // target SF12
};

// SIR threshold, dB, for a target frame on target_sf against interference on interferer_sf (7..12).
// Throws std::out_of_range outside 7..12.
double sir_threshold_db(InterferenceMatrix matrix, int target_sf, int interferer_sf);

// Thresholds, dB, indexed [target SF - 7][interferer SF - 7].
using SirThresholds = std::array<std::array<double, 6>, 6>;

// The matrix as a table.
SirThresholds sir_thresholds_db(InterferenceMatrix matrix);

// The thresholds of a gateway: between frames of one SF the capture rule's (co_sf_threshold_db:
// +infinity without capture), between SFs the matrix's off-diagonal values, or -infinity when there
// is no matrix (orthogonal SFs: never destroyed by another SF).
SirThresholds sir_thresholds_db(const CaptureRule& capture, std::optional<InterferenceMatrix> inter_sf);

// Time two frames [a_start_s, a_end_s) and [b_start_s, b_end_s) overlap, seconds (0 if disjoint or
// merely touching): ns-3's LoraInterferenceHelper::GetOverlapTime.
inline double overlap_s(double a_start_s, double a_end_s, double b_start_s, double b_end_s) {
  return std::max(0.0, std::min(a_end_s, b_end_s) - std::max(a_start_s, b_start_s));
}

// Energy a frame received at rssi_dbm delivers in duration_s, mW s.
inline double energy_mws(double rssi_dbm, double duration_s) {
  return std::pow(10.0, rssi_dbm / 10.0) * duration_s;
}

// 10 log10(target_mws / interference_mws), dB; +infinity when there is no interference energy.
inline double energy_sir_db(double target_mws, double interference_mws) {
  return interference_mws > 0.0 ? 10.0 * std::log10(target_mws / interference_mws)
                                : std::numeric_limits<double>::infinity();
}

// The survival rule in energy form: a frame on target_sf (7..12, unchecked) with energy target_mws,
// against interference energies per SF (group_mws[SF - 7]). 0 if it survives every group, else the
// lowest SF whose group destroys it. A group with no energy never destroys it.
inline int destroying_spreading_factor(int target_sf, double target_mws,
                                       const std::array<double, 6>& group_mws,
                                       const SirThresholds& thresholds_db) {
  const std::array<double, 6>& needs_db = thresholds_db[static_cast<size_t>(target_sf - 7)];
  for (size_t k = 0; k < group_mws.size(); ++k) {
    if (group_mws[k] > 0.0 && !sir_suffices(energy_sir_db(target_mws, group_mws[k]), needs_db[k]))
      return static_cast<int>(k) + 7;
  }
  return 0;
}

// A frame as received at one receiver.
struct FrameOnAir {
  double start_s = 0.0;
  double end_s = 0.0;
  double rssi_dbm = 0.0;
  int spreading_factor = 7;
  double frequency_hz = 0.0;
};

// Time the two frames overlap, seconds (0 if disjoint or merely touching).
inline double overlap_s(const FrameOnAir& a, const FrameOnAir& b) {
  return overlap_s(a.start_s, a.end_s, b.start_s, b.end_s);
}

// For each interferer SF (index SF - 7): 10 log10(E_target / E_group), dB, over the interferers on the
// target's frequency; +infinity for a group with no overlapping energy. An element of interferers that
// is the target object itself is skipped, so a receiver's whole on-air list may be passed.
std::array<double, 6> energy_sir_db(const FrameOnAir& target, std::span<const FrameOnAir> interferers);

// 0 if the target survives every SF group; otherwise the lowest SF (7..12) whose group destroys it (the
// value ns-3's IsDestroyedByInterference returns).
int destroying_spreading_factor(const FrameOnAir& target, std::span<const FrameOnAir> interferers,
                                InterferenceMatrix matrix = InterferenceMatrix::Goursaud);

inline bool survives_interference(const FrameOnAir& target, std::span<const FrameOnAir> interferers,
                                  InterferenceMatrix matrix = InterferenceMatrix::Goursaud) {
  return destroying_spreading_factor(target, interferers, matrix) == 0;
}

}  // namespace citytwin::models::radio
