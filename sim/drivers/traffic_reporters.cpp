#include "sim/drivers/traffic_reporters.hpp"

#include <algorithm>
#include <cmath>

namespace citytwin::sim::drivers {

double time_to_integral(const RateFunction& rate, double t0_s, double target, double step_s, double t_max_s) {
  double t = t0_s;
  double left = target;
  while (t < t_max_s) {
    // The grid step holding t: [k step, (k+1) step), rate at its middle.
    const double k = std::floor(t / step_s);
    const double step_end = std::min((k + 1.0) * step_s, t_max_s);
    const double r = std::max(0.0, rate((k + 0.5) * step_s));
    const double gained = r * (step_end - t);
    if (gained >= left && r > 0.0) return t + left / r;
    left -= gained;
    t = step_end;
  }
  return t_max_s;
}

double gamma_integer(core::Stream& stream, int n) {
  double sum = 0.0;
  for (int i = 0; i < n; ++i) sum += stream.exponential(1.0);
  return sum;
}

double next_counter_report_s(const CounterRule& rule, const RateFunction& volume_vph, double t_last_s,
                             core::Stream& stream) {
  const double target = gamma_integer(stream, std::max(1, rule.vehicles_per_report));
  const RateFunction per_s = [&](double t_s) { return volume_vph(t_s) / 3600.0; };
  return time_to_integral(per_s, t_last_s, target, rule.step_s, t_last_s + rule.heartbeat_s);
}

double first_counter_report_s(const CounterRule& rule, const RateFunction& volume_vph, double t0_s,
                              core::Stream& stream) {
  const int n = std::max(1, rule.vehicles_per_report);
  const int k = 1 + static_cast<int>(stream.below(static_cast<uint32_t>(n)));
  const double target = gamma_integer(stream, k);
  const RateFunction per_s = [&](double t_s) { return volume_vph(t_s) / 3600.0; };
  return time_to_integral(per_s, t0_s, target, rule.step_s, t0_s + rule.heartbeat_s);
}

ParkingSpace::ParkingSpace(const ParkingRule& rule, const RateFunction& occupancy, double t0_s,
                           core::Stream& stream)
    : rule_(rule), occupancy_(occupancy), occupied_(stream.uniform() < occupancy(t0_s)) {}

ParkingChange next_parking_change(const ParkingRule& rule, const RateFunction& occupancy, bool occupied,
                                  double t_s, core::Stream& stream) {
  const double leave_per_s = 1.0 / rule.parking_duration_s;
  RateFunction rate;
  if (occupied) {
    rate = [leave_per_s](double) { return leave_per_s; };
  } else {
    // Arrivals keep the occupied share at p: lambda (1 - p) = mu p. Capped at p = 0.999 (a full
    // street still turns over).
    rate = [&occupancy, leave_per_s](double t) {
      const double p = std::clamp(occupancy(t), 0.0, 0.999);
      return leave_per_s * p / (1.0 - p);
    };
  }
  const double heartbeat = t_s + rule.heartbeat_s;
  const double t = time_to_integral(rate, t_s, stream.exponential(1.0), rule.step_s, heartbeat);
  return {t, t < heartbeat};
}

}  // namespace citytwin::sim::drivers
