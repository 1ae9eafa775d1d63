// How traffic sensors report on what they see: pure state machines driven by a rate over time and a
// device's own random stream (sim/core/rng.hpp), so their report rates rise with the traffic.
//
// Traffic counter (a loop or radar counter on a road section): vehicles pass as a Poisson process of
// rate traffic_volume(t) (non-homogeneous); the counter reports its count every vehicles_per_report
// vehicles ("on change" of the count by that step), and at the latest heartbeat_s after its last
// report. Its count restarts at every report, so the time to the next report is where the integrated
// rate from the last report reaches a Gamma(vehicles_per_report, 1) draw: the report rate is
// traffic_volume / vehicles_per_report, and doubling the volume doubles it. With vehicles_per_report
// 1 the reports are themselves a Poisson process (a count in a window has variance = mean); with n
// per report the variance is about mean / n (an Erlang renewal process).
//
// Parking sensor (one space): occupied or free, a two-state Markov chain whose occupied share is the
// district's parking_occupancy p(t): a car leaves at rate 1/parking_duration, one arrives at rate
// (1/parking_duration) p / (1 - p) when free. It reports each change (and a heartbeat), so it reports
// 2 p / parking_duration times per unit time on average: more as the district fills.
//
// Both integrate their rate with the midpoint rule on a fixed grid of step_s (the rate is held at its
// value in the middle of each step): results do not depend on when a device last woke.
#pragma once

#include <cstdint>
#include <functional>

#include "sim/core/rng.hpp"

namespace citytwin::sim::drivers {

// A rate over time: events per second at run time t_s.
using RateFunction = std::function<double(double t_s)>;

// The first time after t0_s at which the integral of rate from t0_s reaches target (> 0), on the
// step_s grid (see above); t_max_s if it is not reached by then.
double time_to_integral(const RateFunction& rate, double t0_s, double target, double step_s, double t_max_s);

// A Gamma(n, 1) draw (sum of n unit exponentials) from the stream.
double gamma_integer(core::Stream& stream, int n);

struct CounterRule {
  int vehicles_per_report = 50;
  double heartbeat_s = 3600.0;
  double step_s = 10.0;
};

// The next report of a counter that last reported at t_last_s, seeing volume_vph(t) vehicles/h.
double next_counter_report_s(const CounterRule& rule, const RateFunction& volume_vph, double t_last_s,
                             core::Stream& stream);

// The first report of a counter whose count is already running at t0_s (the start of a run): in a
// steady state the vehicles still to come before its next report are uniform on 1..vehicles_per_report
// (the residual of the Erlang renewal), so the time is where the integrated rate reaches Gamma(k, 1)
// with that k. Without this every counter would start from zero at once.
double first_counter_report_s(const CounterRule& rule, const RateFunction& volume_vph, double t0_s,
                              core::Stream& stream);

struct ParkingRule {
  double parking_duration_s = 3600.0;  // mean time a car stays
  double heartbeat_s = 3600.0;
  double step_s = 10.0;
};

struct ParkingChange {
  double t_s = 0.0;
  bool change = false;  // false: the heartbeat came first
};
// What a space in state `occupied` does next after t_s: change, or a heartbeat after heartbeat_s.
ParkingChange next_parking_change(const ParkingRule& rule, const RateFunction& occupancy, bool occupied,
                                  double t_s, core::Stream& stream);

// One parking space: its state and when it changes next.
class ParkingSpace {
 public:
  // The initial state is drawn occupied with probability occupancy(t0_s).
  ParkingSpace(const ParkingRule& rule, const RateFunction& occupancy, double t0_s, core::Stream& stream);
  bool occupied() const { return occupied_; }
  // What happens next after t_s: the state changes (the caller flips it with flip()), or, if no change
  // comes within heartbeat_s, a heartbeat report.
  using Next = ParkingChange;
  Next next(double t_s, core::Stream& stream) const {
    return next_parking_change(rule_, occupancy_, occupied_, t_s, stream);
  }
  void flip() { occupied_ = !occupied_; }

 private:
  ParkingRule rule_;
  RateFunction occupancy_;
  bool occupied_ = false;
};

}  // namespace citytwin::sim::drivers
