#include "models/radio/nbiot_power.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>

namespace citytwin::models::radio {

namespace {

// Tolerance for timer values that are decimal multiples of a base (20.48, 2.56, 1.28 s).
constexpr double kTimerTolS = 1e-9;

bool is_multiple(double value, double base, int min_factor, int max_factor, bool powers_of_two) {
  for (int n = min_factor; n <= max_factor; n = powers_of_two ? 2 * n : n + 1) {
    if (std::abs(value - n * base) < kTimerTolS) return true;
  }
  return false;
}

bool edrx_enabled(const NbiotTimers& t) { return t.edrx_cycle_s > 0.0; }

// The active time actually spent idle-reachable: T3324, capped by T3412 (no PSM when T3324 >= T3412).
double active_window_s(const NbiotTimers& t) { return std::min(t.active_time_s, t.periodic_tau_s); }

// Calls f(occasion_s) for every paging occasion in [0, active window), in increasing order. Occasions
// are at k * DRX, or, with eDRX, at k * cycle + j * DRX within the paging time window.
template <typename F>
void for_each_paging_occasion(const NbiotTimers& t, F&& f) {
  const double active_s = active_window_s(t);
  if (!edrx_enabled(t)) {
    for (int64_t k = 0; k * t.drx_cycle_s < active_s; ++k) f(static_cast<double>(k) * t.drx_cycle_s);
    return;
  }
  for (int64_t k = 0; k * t.edrx_cycle_s < active_s; ++k) {
    for (int64_t j = 0; j * t.drx_cycle_s < t.paging_time_window_s - kTimerTolS; ++j) {
      const double occasion =
          static_cast<double>(k) * t.edrx_cycle_s + static_cast<double>(j) * t.drx_cycle_s;
      if (occasion >= active_s) return;
      f(occasion);
    }
  }
}

double next_paging_occasion_s(const NbiotTimers& t, double time_s) {
  const double d = t.drx_cycle_s;
  if (!edrx_enabled(t)) return std::ceil(time_s / d - kTimerTolS) * d;
  const double c = t.edrx_cycle_s;
  const double cycle_start = std::floor(time_s / c) * c;
  const double into_cycle = time_s - cycle_start;
  if (into_cycle < t.paging_time_window_s) {
    const double j = std::ceil(into_cycle / d - kTimerTolS);
    if (j * d < t.paging_time_window_s - kTimerTolS) return cycle_start + j * d;
  }
  return cycle_start + c;
}

}  // namespace

double NbiotPowerProfile::current_ma(PhaseKind kind) const {
  switch (kind) {
    case PhaseKind::Idle:
      return idle_current_ma;
    case PhaseKind::Transmit:
      return tx_current_ma;
    case PhaseKind::Receive:
      return rx_current_ma;
    case PhaseKind::Connected:
      return connected_current_ma;
  }
  throw std::invalid_argument("NbiotPowerProfile::current_ma: unknown phase kind");
}

double NbiotPowerProfile::peak_current_ma() const {
  return std::max({psm_current_ma, idle_current_ma, rx_current_ma, tx_current_ma, connected_current_ma,
                   edrx_sleep_current_ma});
}

bool is_valid_edrx_cycle_s(double cycle_s) { return is_multiple(cycle_s, 20.48, 1, 512, true); }

bool is_valid_paging_time_window_s(double window_s) { return is_multiple(window_s, 2.56, 1, 16, false); }

void validate(const NbiotTimers& t) {
  if (t.rrc_inactivity_s < 0.0) throw std::invalid_argument("rrc_inactivity_s: expected >= 0");
  if (t.active_time_s < 0.0) throw std::invalid_argument("active_time_s (T3324): expected >= 0");
  if (t.periodic_tau_s <= 0.0) throw std::invalid_argument("periodic_tau_s (T3412): expected > 0");
  if (!is_multiple(t.drx_cycle_s, 1.28, 1, 8, true)) {
    throw std::invalid_argument("drx_cycle_s: expected 1.28, 2.56, 5.12 or 10.24 s");
  }
  if (t.edrx_cycle_s < 0.0) throw std::invalid_argument("edrx_cycle_s: expected 0 (off) or > 0");
  if (edrx_enabled(t)) {
    if (!is_valid_edrx_cycle_s(t.edrx_cycle_s)) {
      throw std::invalid_argument("edrx_cycle_s: expected 20.48 s x 2^k, k = 0..9");
    }
    if (!is_valid_paging_time_window_s(t.paging_time_window_s)) {
      throw std::invalid_argument("paging_time_window_s: expected 2.56 s x n, n = 1..16");
    }
    if (t.paging_time_window_s >= t.edrx_cycle_s) {
      throw std::invalid_argument("paging_time_window_s: expected shorter than the eDRX cycle");
    }
  }
}

double downlink_delay_s(const NbiotTimers& timers, double time_since_idle_s) {
  if (time_since_idle_s < 0.0) throw std::invalid_argument("downlink_delay_s: negative time");
  const double tau_s = timers.periodic_tau_s;
  const double t = std::fmod(time_since_idle_s, tau_s);
  if (t < active_window_s(timers)) {
    const double occasion = next_paging_occasion_s(timers, t);
    if (occasion < active_window_s(timers)) return std::max(0.0, occasion - t);
  }
  return tau_s - t;
}

namespace {

// The gaps between the instants a device is reachable in [0, idle_s] after its release: the paging
// occasions of each T3412 cycle (the cycle's start, a TAU, is its occasion 0), and idle_s, which ends the
// last gap. The delay of a downlink arriving in a gap falls linearly from the gap to 0, so a gap g adds
// g^2 / 2 to the integral of the delay: sum_sq / 2 is that integral over [0, idle_s].
struct ReachableGaps {
  double sum_sq = 0.0;
  double max_gap = 0.0;
};

ReachableGaps reachable_gaps(const NbiotTimers& timers, double idle_s) {
  ReachableGaps out;
  double previous = 0.0;
  const auto gap_to = [&](double instant) {
    const double gap = instant - previous;
    out.sum_sq += gap * gap;
    out.max_gap = std::max(out.max_gap, gap);
    previous = instant;
  };
  for (double cycle = 0.0; cycle < idle_s; cycle += timers.periodic_tau_s) {
    for_each_paging_occasion(timers, [&](double occasion) {
      if (cycle + occasion < idle_s) gap_to(cycle + occasion);
    });
  }
  gap_to(idle_s);
  return out;
}

// The integral of the downlink delay over one gap of gap_s seconds between uplink starts (see
// mean_downlink_delay_s).
double delay_integral_over_gap(const NbiotTimers& timers, double gap_s, double connected_s) {
  const double idle_s = gap_s - connected_s;  // from the release to the next uplink
  return idle_s <= 0.0 ? 0.0 : reachable_gaps(timers, idle_s).sum_sq / 2.0;
}

}  // namespace

Reachability downlink_reachability(const NbiotTimers& timers) {
  // One T3412 cycle, the TAU at its end.
  const ReachableGaps gaps = reachable_gaps(timers, timers.periodic_tau_s);
  return Reachability{gaps.sum_sq / (2.0 * timers.periodic_tau_s), gaps.max_gap};
}

double mean_downlink_delay_s(const NbiotTimers& timers, double interval_s, UplinkTiming timing,
                             double connected_s) {
  if (!(interval_s > 0.0) || connected_s < 0.0)
    throw std::invalid_argument("mean_downlink_delay_s: expected interval_s > 0 and connected_s >= 0");
  if (std::isinf(interval_s)) return downlink_reachability(timers).mean_delay_s;
  if (timing == UplinkTiming::Periodic)
    return delay_integral_over_gap(timers, interval_s, connected_s) / interval_s;
  // Exponential gaps of mean interval_s: E[integral(g)] by Simpson's rule over [0, 40 means] (the rest of
  // the distribution weighs ~e^-40) in 8,000 steps; E[g] = interval_s.
  const double end_s = 40.0 * interval_s;
  constexpr int64_t n = 8000;
  const double h = end_s / static_cast<double>(n);
  double sum = 0.0;
  for (int64_t i = 0; i <= n; ++i) {
    const double g = h * static_cast<double>(i);
    const double weight = i == 0 || i == n ? 1.0 : (i % 2 == 1 ? 4.0 : 2.0);
    sum += weight * delay_integral_over_gap(timers, g, connected_s) * std::exp(-g / interval_s) / interval_s;
  }
  return sum * h / 3.0 / interval_s;
}

MessageEnergy message_energy(const UplinkProcedure& procedure, const NbiotPowerProfile& power,
                             const NbiotTimers& timers) {
  MessageEnergy e;
  for (const ProcedurePhase& phase : procedure.phases) {
    e.charge_by_kind_mas[static_cast<size_t>(phase.kind)] += power.current_ma(phase.kind) * phase.duration_s;
    e.burst.duration_s += phase.duration_s;
  }
  e.charge_by_kind_mas[static_cast<size_t>(PhaseKind::Connected)] +=
      power.connected_current_ma * timers.rrc_inactivity_s;
  e.burst.duration_s += timers.rrc_inactivity_s;
  for (double c : e.charge_by_kind_mas) e.burst.charge_mas += c;
  e.energy_j = e.burst.charge_mas / 1000.0 * power.supply_voltage_v;
  return e;
}

double idle_charge_mas(double idle_duration_s, const NbiotTimers& timers, const NbiotPowerProfile& power) {
  if (idle_duration_s < 0.0) throw std::invalid_argument("idle_charge_mas: negative duration");
  const double active_s = std::min(idle_duration_s, active_window_s(timers));
  const double psm_s = idle_duration_s - active_s;
  if (!edrx_enabled(timers)) {
    return active_s * power.idle_current_ma + psm_s * power.psm_current_ma;
  }
  const double cycles = std::floor(active_s / timers.edrx_cycle_s);
  const double listening_s = cycles * timers.paging_time_window_s +
                             std::min(timers.paging_time_window_s, active_s - cycles * timers.edrx_cycle_s);
  return listening_s * power.idle_current_ma + (active_s - listening_s) * power.edrx_sleep_current_ma +
         psm_s * power.psm_current_ma;
}

double idle_cycle_average_current_ma(const NbiotTimers& timers, const NbiotPowerProfile& power,
                                     const ActivityBurst& tau) {
  const double charge = idle_charge_mas(timers.periodic_tau_s, timers, power) + tau.charge_mas;
  return charge / (timers.periodic_tau_s + tau.duration_s);
}

double reporting_average_current_ma(const ActivityBurst& message, double report_interval_s,
                                    const NbiotTimers& timers, const NbiotPowerProfile& power,
                                    const ActivityBurst& tau) {
  const double gap_s = report_interval_s - message.duration_s;
  if (report_interval_s <= 0.0 || gap_s < 0.0) {
    throw std::invalid_argument("reporting_average_current_ma: interval shorter than the message burst");
  }
  // TAU k starts k T3412 + (k - 1) d_tau into the gap; it happens if that is before the next report.
  const double t3412 = timers.periodic_tau_s;
  const double taus =
      gap_s > t3412 ? std::ceil((gap_s + tau.duration_s) / (t3412 + tau.duration_s)) - 1.0 : 0.0;
  const double remaining_s = std::max(0.0, gap_s - taus * (t3412 + tau.duration_s));
  const double charge = message.charge_mas + taus * (idle_charge_mas(t3412, timers, power) + tau.charge_mas) +
                        idle_charge_mas(remaining_s, timers, power);
  return charge / report_interval_s;
}

}  // namespace citytwin::models::radio
