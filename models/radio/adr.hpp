// Network-server adaptive data rate (ADR), link SNR, and spreading-factor assignment at join.
//
// ADR: Semtech, "LoRaWAN - simple rate adaptation recommended algorithm" (rev. 1.0, 2016), as the ns-3
// lorawan AdrComponent and ChirpStack (chirpstack/src/adr/default.rs) implement it:
//   SNRmax    = max over the last 20 uplinks of the best SNR among the gateways that heard each
//   SNRmargin = SNRmax - SNRreq(SF) - installation_margin
//   NStep     = floor(SNRmargin / 3)          (ns-3; ChirpStack truncates toward zero: see StepRounding)
//   while NStep > 0 and SF > SFmin:   SF -= 1, NStep -= 1
//   while NStep > 0 and P > Pmin:     P -= 2 dB, NStep -= 1
//   while NStep < 0 and P < Pmax:     P += 2 dB, NStep += 1
// The algorithm never raises the SF: the device does that itself (ADR back-off), not modelled here.
// Constants:
// - history of 20 uplinks: ns-3 AdrComponent HistoryRange (20) and ChirpStack required_history_count.
// - installation margin 10 dB: ChirpStack default (installation_margin=10, region configuration);
//   ns-3's SNRDeviceMargin defaults to 0.
// - power step 2 dB: RP002-1.0.3 TXPower steps (MaxEIRP - 2 i dB) in EU868 and US915.
// - power range 2..14 dBm: ns-3 AdrComponent min/max_transmissionPower (Europe, 14 dBm devices).
// - SNRreq at 125 kHz, SF7..SF12: -7.5, -10, -12.5, -15, -17.5, -20 dB: Semtech SX1276/77/78/79
//   datasheet rev. 7, Table 13 (demodulator SNR); the same table in ns-3 (AdrComponent::treshold) and
//   ChirpStack (SpreadFactorToRequiredSNRTable).
// History policy: the device's history must hold 20 uplinks before any change (ns-3). With
// require_full_history = false the algorithm acts on what it has, but raises power only with a full
// history, as ChirpStack does to avoid up/down oscillation.
//
// Link SNR: thermal noise floor N = -174 dBm/Hz + 10 log10(BW) + NF (kTB at 290 K; e.g. Semtech AN1200.22
// "LoRa Modulation Basics", sensitivity = -174 + 10 log10(BW) + NF + SNR); NF = 6 dB as in ns-3
// (AdrComponent / LoraPhy::RxPowerToSNR). At 125 kHz: -174 + 50.969 + 6 = -117.03 dBm.
// The gateway sensitivity table (models/radio/reception.hpp, SX1301 as ns-3 has it, -130 dBm at SF7)
// implies a noise figure of about 0.5 dB instead: the two disagree by 5.5 dB, as they do in ns-3, whose
// choices both are. So snr_db of a frame heard near the table's sensitivity can read below
// required_snr_db of its SF (down to 5.5 dB below), and ADR's margin is 5.5 dB more cautious than a
// noise floor consistent with the table would make it.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

#include "models/radio/reception.hpp"

namespace citytwin::models::radio {

inline constexpr std::array<double, 6> kSx1276RequiredSnrDb = {-7.5, -10.0, -12.5, -15.0, -17.5, -20.0};

// Demodulation SNR floor for a spreading factor (7..12). Throws std::out_of_range outside 7..12.
double required_snr_db(int spreading_factor);

// -174 + 10 log10(bandwidth_hz) + noise_figure_db, dBm.
double noise_floor_dbm(double bandwidth_hz, double noise_figure_db = 6.0);

// SNR of a reception without interference: rssi_dbm - noise_floor_dbm(bandwidth_hz, noise_figure_db).
double snr_db(double rssi_dbm, double bandwidth_hz, double noise_figure_db = 6.0);

// SF assignment by link budget at join: the smallest SF whose gateway sensitivity at bandwidth_hz
// (gateway_sensitivity_dbm: the 125 kHz table raised by 10 log10(BW / 125 kHz), the threshold the
// gateways receive with) plus margin_db is at most rssi_dbm; 12 if none is (the device then has no
// margin at all).
int spreading_factor_for_link(double rssi_dbm, double bandwidth_hz,
                              const std::array<double, 6>& sensitivity_125khz_dbm = kSx1301SensitivityDbm,
                              double margin_db = 0.0);

// The same at 125 kHz.
inline int spreading_factor_for_link(double rssi_dbm,
                                     const std::array<double, 6>& sensitivity_dbm = kSx1301SensitivityDbm,
                                     double margin_db = 0.0) {
  return spreading_factor_for_link(rssi_dbm, 125e3, sensitivity_dbm, margin_db);
}

enum class StepRounding : uint8_t {
  Floor,       // ns-3 AdrComponent: std::floor(margin / 3)
  TowardZero,  // ChirpStack default algorithm: (margin / 3.0) as isize
};

struct AdrParams {
  double installation_margin_db = 10.0;
  int min_spreading_factor = 7;
  double min_tx_power_dbm = 2.0;
  double max_tx_power_dbm = 14.0;
  double tx_power_step_db = 2.0;
  StepRounding rounding = StepRounding::Floor;
  bool require_full_history = true;
};

struct AdrSetting {
  int spreading_factor = 12;
  double tx_power_dbm = 14.0;
  bool operator==(const AdrSetting&) const = default;
};

// NStep for a given SNRmax and SF.
int adr_steps(double snr_max_db, int spreading_factor, const AdrParams& params);

// One run of the algorithm from the current setting (no history policy).
AdrSetting adr_apply_steps(int steps, const AdrSetting& current, const AdrParams& params);

// The last kRecentUplinks (20) uplinks' values for one device, in a fixed ring (no allocation): what ADR
// decides on. AdrHistory keeps their best SNRs; the network server keeps only the maximum of their best
// RSSIs, in a line (RecentMax below), and its tests check it against this ring.
inline constexpr int kRecentUplinks = 20;
template <class Value>
class RecentUplinks {
 public:
  static constexpr int kLength = kRecentUplinks;

  void add(Value value) {
    values_[next_] = value;
    next_ = static_cast<uint8_t>((next_ + 1) % kLength);
    if (size_ < kLength) ++size_;
  }
  void clear() {
    size_ = 0;
    next_ = 0;
  }
  int size() const { return size_; }
  bool full() const { return size_ == kLength; }
  // Maximum over the stored uplinks; throws std::logic_error when empty.
  Value max() const {
    if (size_ == 0) throw std::logic_error("ADR history is empty");
    return *std::max_element(values_.begin(), values_.begin() + size_);
  }

 private:
  std::array<Value, kLength> values_{};
  uint8_t size_ = 0;
  uint8_t next_ = 0;
};

// The maximum of the last kRecentUplinks values for one device, in one 64-byte cache line: what the network
// server keeps for ADR (sim/access/lorawan_server.hpp), which reads only the count, whether it is full and
// the maximum. It keeps the values that can still become the maximum: after each add, the window's values
// that no later value equals or exceeds, oldest (the largest) first, each with its uplink's number (mod 256).
// A value leaves when a newer one is at least as large, or when it is kRecentUplinks uplinks old. The maximum
// is exactly RecentUplinks' (the same floats; a tie keeps the newer of two equal values). Up to kInline of
// them fit in the line; more (kInline + 1 values decreasing among the last 20 uplinks) move to the heap until
// the next clear(). At 1 M devices the ring's 84 bytes were two or three lines missed an uplink, this one
// (bench/RESULTS.md, twenty-ninth session).
class alignas(64) RecentMax {
 public:
  static constexpr int kLength = kRecentUplinks;
  static constexpr int kInline = 10;

  void add(float value) {
    const uint8_t number = next_++;
    if (count_ < kLength) ++count_;
    if (spilled_) return add_spilled(value, number);
    // At most one value leaves by age: the oldest, kLength uplinks before this one.
    if (held_ > 0 && static_cast<uint8_t>(number - number_[0]) >= kLength) drop_front();
    while (held_ > 0 && value_[held_ - 1] <= value) --held_;
    if (held_ == kInline) return spill_and_add(value, number);
    value_[held_] = value;
    number_[held_] = number;
    ++held_;
  }
  void clear() {
    count_ = 0;
    held_ = 0;
    spilled_.reset();
  }
  int size() const { return count_; }
  bool full() const { return count_ == kLength; }
  // The maximum of the last size() values; throws std::logic_error when empty.
  float max() const {
    if (count_ == 0) throw std::logic_error("ADR history is empty");
    return spilled_ ? spilled_->front().first : value_[0];
  }
  bool spilled() const { return spilled_ != nullptr; }

 private:
  using Held = std::vector<std::pair<float, uint8_t>>;  // (value, uplink number), oldest first
  void drop_front() {
    for (uint8_t i = 1; i < held_; ++i) {
      value_[i - 1] = value_[i];
      number_[i - 1] = number_[i];
    }
    --held_;
  }
  void spill_and_add(float value, uint8_t number) {
    spilled_ = std::make_unique<Held>();
    for (uint8_t i = 0; i < held_; ++i) spilled_->emplace_back(value_[i], number_[i]);
    held_ = 0;
    spilled_->emplace_back(value, number);
  }
  void add_spilled(float value, uint8_t number) {
    Held& held = *spilled_;
    if (!held.empty() && static_cast<uint8_t>(number - held.front().second) >= kLength)
      held.erase(held.begin());
    while (!held.empty() && held.back().first <= value) held.pop_back();
    held.emplace_back(value, number);
  }

  std::array<float, kInline> value_{};
  std::array<uint8_t, kInline> number_{};
  uint8_t count_ = 0;  // uplinks since the last clear, up to kLength
  uint8_t next_ = 0;   // the next uplink's number, mod 256
  uint8_t held_ = 0;   // values held in the line
  std::unique_ptr<Held> spilled_;
};
static_assert(sizeof(RecentMax) == 64, "RecentMax is one cache line");

// The last 20 uplinks' best SNR for one device.
class AdrHistory : public RecentUplinks<double> {
 public:
  // add(best_snr_db): an uplink given its best SNR over the gateways that received it.
  // An uplink given each receiving gateway's SNR (at least one).
  void add_gateways(std::span<const double> gateway_snr_db);
  // Maximum over the stored uplinks; throws std::logic_error when empty.
  double max_snr_db() const { return max(); }
};

// The network server's decision for a device after an uplink: the new setting, or nullopt when the
// history policy says to wait. The result may equal current (then no LinkADRReq is needed).
std::optional<AdrSetting> adr_decide(const AdrHistory& history, const AdrSetting& current,
                                     const AdrParams& params = {});
// The same decision from a history kept another way (sim/access/lorawan_server.hpp keeps RSSIs): its
// size, whether it is full, and its maximum SNR (read only when size > 0).
std::optional<AdrSetting> adr_decide(int history_size, bool history_full, double max_snr_db,
                                     const AdrSetting& current, const AdrParams& params);

}  // namespace citytwin::models::radio
