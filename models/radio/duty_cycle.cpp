#include "models/radio/duty_cycle.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace citytwin::models::radio {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr double kStartToleranceS = 1e-9;

}  // namespace

double off_time_s(double airtime_s, double duty_cycle) {
  if (!(duty_cycle > 0.0 && duty_cycle <= 1.0)) {
    throw std::invalid_argument("duty cycle must be in (0, 1], got " + std::to_string(duty_cycle));
  }
  return airtime_s * (1.0 / duty_cycle - 1.0);
}

double DutyCycleRegulator::earliest_start_s(double frequency_hz) const {
  if (region_ == Region::US915) return 0.0;
  const int i = eu868_sub_band_index(frequency_hz);
  return i < 0 ? kInfinity : closed_until_s_[static_cast<size_t>(i)];
}

namespace {

[[noreturn]] void throw_no_sub_band(double frequency_hz) {
  throw std::invalid_argument("no EU868 sub-band allows transmission on " + std::to_string(frequency_hz) +
                              " Hz");
}

// Sub-band i (of kEu868SubBands), closed until closed_until, gets a transmission of airtime_s that ended at
// t_end_s.
void close_sub_band(int i, double& closed_until, double t_end_s, double airtime_s) {
  const double t_start_s = t_end_s - airtime_s;
  if (t_start_s < closed_until - kStartToleranceS) {
    throw std::logic_error("transmission started at " + std::to_string(t_start_s) + " s in sub-band " +
                           kEu868SubBands[static_cast<size_t>(i)].name + ", closed until " +
                           std::to_string(closed_until) + " s");
  }
  closed_until = t_end_s + off_time_s(airtime_s, kEu868SubBands[static_cast<size_t>(i)].duty_cycle);
}

template <class Regulator>
ChannelChoice pick_channel_of(const Regulator& regulator, std::span<const double> channels_hz, double now_s,
                              double uniform) {
  int open = 0;
  for (double f : channels_hz) open += regulator.is_open(f, now_s) ? 1 : 0;

  ChannelChoice choice;
  if (open > 0) {
    // The k-th open channel, k = floor(uniform * open), clamped in case uniform reaches 1.
    int k = std::min(static_cast<int>(std::floor(uniform * open)), open - 1);
    k = std::max(k, 0);
    for (size_t n = 0; n < channels_hz.size(); ++n) {
      if (!regulator.is_open(channels_hz[n], now_s)) continue;
      if (k-- == 0) {
        choice.index = static_cast<int>(n);
        choice.start_s = now_s;
        break;
      }
    }
    return choice;
  }
  double earliest = kInfinity;
  for (size_t n = 0; n < channels_hz.size(); ++n) {
    const double t = regulator.earliest_start_s(channels_hz[n]);
    if (t < earliest) {
      earliest = t;
      choice.index = static_cast<int>(n);
      choice.start_s = t;
    }
  }
  return choice;
}

}  // namespace

void DutyCycleRegulator::record(double frequency_hz, double t_end_s, double airtime_s) {
  if (region_ == Region::US915) return;
  const int i = eu868_sub_band_index(frequency_hz);
  if (i < 0) throw_no_sub_band(frequency_hz);
  close_sub_band(i, closed_until_s_[static_cast<size_t>(i)], t_end_s, airtime_s);
}

bool SubBandSlots::assign(Region region, std::span<const double> channels_hz) {
  region_ = region;
  slot_.fill(-2);
  int8_t used = 0;
  for (double f : channels_hz) {
    const int i = eu868_sub_band_index(f);
    if (i < 0 || slot_[static_cast<size_t>(i)] >= 0) continue;
    if (static_cast<size_t>(used) == kCompactSubBands) return false;
    slot_[static_cast<size_t>(i)] = used++;
  }
  return true;
}

int SubBandSlots::slot_of(double frequency_hz) const {
  const int i = eu868_sub_band_index(frequency_hz);
  return i < 0 ? -1 : slot_[static_cast<size_t>(i)];
}

double CompactDutyCycle::earliest_start_s(double frequency_hz) const {
  if (slots_.region() == Region::US915) return 0.0;
  const int slot = slots_.slot_of(frequency_hz);
  if (slot == -1) return kInfinity;
  if (slot < 0) throw std::logic_error("CompactDutyCycle: a channel outside the transmitter's sub-bands");
  return closed_[slot];
}

void CompactDutyCycle::record(double frequency_hz, double t_end_s, double airtime_s) {
  if (slots_.region() == Region::US915) return;
  const int slot = slots_.slot_of(frequency_hz);
  if (slot == -1) throw_no_sub_band(frequency_hz);
  if (slot < 0) throw std::logic_error("CompactDutyCycle: a channel outside the transmitter's sub-bands");
  close_sub_band(eu868_sub_band_index(frequency_hz), closed_[slot], t_end_s, airtime_s);
}

ChannelChoice pick_channel(const DutyCycleRegulator& regulator, std::span<const double> channels_hz,
                           double now_s, double uniform) {
  return pick_channel_of(regulator, channels_hz, now_s, uniform);
}

ChannelChoice pick_channel(const CompactDutyCycle& regulator, std::span<const double> channels_hz,
                           double now_s, double uniform) {
  return pick_channel_of(regulator, channels_hz, now_s, uniform);
}

}  // namespace citytwin::models::radio
