// Per-transmitter, per-sub-band duty-cycle regulation (EU868).
//
// Rule: after a transmission of airtime T in a sub-band with duty-cycle limit d, the transmitter stays
// silent in that sub-band for T_off = T (1/d - 1), counted from the end of the transmission, so a
// transmitter sending back to back uses exactly the fraction d of the time. Sources: the LoRaWAN
// specification's T_off_subband = TimeOnAir / DutyCycle_subband - TimeOnAir (LoRaWAN 1.0.x, EU863-870
// band), as Semtech's reference end-device stack LoRaMac-node applies it (band TimeOff =
// TxTimeOnAir * DCycle - TxTimeOnAir, DCycle = 1/d, counted from LastTxDoneTime); sub-band limits from
// ETSI EN 300 220-2 / ERC REC 70-03 (see lorawan_region.hpp).
//
// Difference from ns-3 lorawan (LogicalLoraChannelHelper::AddEvent): ns-3 records the transmission when
// it starts and closes the sub-band until t_start + T (1/d - 1), i.e. T earlier than here, which lets a
// saturated device use T / (T/d - T) = d / (1 - d) of the time (1.0101 % instead of 1 %).
//
// Memory: one double per EU868 sub-band (6) plus the region: 56 bytes, so every device can hold one
// (CompactDutyCycle: 16 bytes for a device whose channels use one or two sub-bands).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "models/radio/lorawan_region.hpp"

namespace citytwin::models::radio {

// T_off = T (1/d - 1): the silence after a transmission of airtime_s under duty cycle d (0 < d <= 1).
double off_time_s(double airtime_s, double duty_cycle);

class DutyCycleRegulator {
 public:
  explicit DutyCycleRegulator(Region region = Region::EU868) : region_(region) {}

  Region region() const { return region_; }

  // Earliest time a transmission may start on frequency_hz: 0 when nothing constrains it (US915, or an
  // EU868 sub-band not used yet), +infinity where the region allows no transmission (EU868 outside
  // every sub-band).
  double earliest_start_s(double frequency_hz) const;

  bool is_open(double frequency_hz, double now_s) const { return earliest_start_s(frequency_hz) <= now_s; }

  // Records a transmission of airtime_s on frequency_hz that ended at t_end_s; its sub-band closes until
  // t_end_s + off_time_s(airtime_s, d). Throws std::invalid_argument where the region allows no
  // transmission, and std::logic_error if the transmission started before the sub-band was open
  // (1 ns tolerance): the caller broke the rule.
  void record(double frequency_hz, double t_end_s, double airtime_s);

  // Opens every sub-band (e.g. after a device reboot).
  void reset() { closed_until_s_.fill(0.0); }

 private:
  std::array<double, kEu868SubBands.size()> closed_until_s_{};
  Region region_;
};

// The same regulation for a transmitter whose channels lie in few sub-bands (EU868's default three channels
// share one): the closing times of those alone, kept by the caller (a fleet keeps them on its device's cache
// line instead of a regulator's 56 bytes on a line or two of their own). SubBandSlots maps each sub-band the
// channels use to one of kCompactSubBands places; CompactDutyCycle is a view of a transmitter's places, and
// gives the times and choices of a DutyCycleRegulator that saw the same transmissions, to the bit.
inline constexpr size_t kCompactSubBands = 2;

class SubBandSlots {
 public:
  // For the channels (Hz) of one population: false when they use more than kCompactSubBands sub-bands.
  bool assign(Region region, std::span<const double> channels_hz);
  // The place of the sub-band of frequency_hz: -1 outside every sub-band, -2 in one the channels do not use.
  int slot_of(double frequency_hz) const;
  Region region() const { return region_; }

 private:
  std::array<int8_t, kEu868SubBands.size()> slot_{};
  Region region_ = Region::EU868;
};

class CompactDutyCycle {
 public:
  // closed_until_s: the transmitter's kCompactSubBands closing times (0 at first).
  CompactDutyCycle(const SubBandSlots& slots, double* closed_until_s)
      : slots_(slots), closed_(closed_until_s) {}
  // As DutyCycleRegulator's; a channel outside the slots' sub-bands is a std::logic_error.
  double earliest_start_s(double frequency_hz) const;
  bool is_open(double frequency_hz, double now_s) const { return earliest_start_s(frequency_hz) <= now_s; }
  void record(double frequency_hz, double t_end_s, double airtime_s);

 private:
  const SubBandSlots& slots_;
  double* closed_;
};

struct ChannelChoice {
  int index = -1;        // into the channel list; -1 if no channel can ever be used
  double start_s = 0.0;  // when the transmission may start: max(now, earliest start)
};

// Picks a channel for a transmission wanted at now_s: uniformly among the channels open now, using the
// caller's draw uniform in [0, 1) (the caller owns the RNG, so runs stay reproducible), as LoRaWAN end
// devices choose a random enabled channel. If none is open, the channel that opens first (the lowest
// index among ties), starting when it opens.
ChannelChoice pick_channel(const DutyCycleRegulator& regulator, std::span<const double> channels_hz,
                           double now_s, double uniform);
ChannelChoice pick_channel(const CompactDutyCycle& regulator, std::span<const double> channels_hz,
                           double now_s, double uniform);

}  // namespace citytwin::models::radio
