// The network server's queue: one FIFO server, each job (a forwarded copy, or a bogus frame of a flood)
// taking `service_s`, and at most `capacity` jobs in the system (waiting or in service): a job that finds
// it full is dropped. With Poisson arrivals and a constant service time this is the M/D/1/K queue
// (Gross and Harris, Fundamentals of Queueing Theory, 4th ed., section 6.1.5: M/G/1/K by the embedded
// Markov chain at departures); tests/sim/server_dos_test.cpp checks the simulated drop ratio and mean
// wait against it and against Pollaczek-Khinchine's M/D/1 mean wait, rho / (2 mu (1 - rho)).
#pragma once

#include <algorithm>
#include <cstddef>
#include <deque>
#include <optional>

namespace citytwin::sim::network {

class ServerQueue {
 public:
  explicit ServerQueue(size_t capacity) : capacity_(std::max<size_t>(1, capacity)) {}

  // A job arriving at t_s (arrivals in time order): when the server finishes it, or nullopt when the
  // queue was full and it is dropped.
  std::optional<double> arrive(double t_s, double service_s) {
    while (!departures_.empty() && departures_.front() <= t_s) departures_.pop_front();
    if (departures_.size() >= capacity_) return std::nullopt;
    free_at_s_ = std::max(free_at_s_, t_s) + service_s;
    departures_.push_back(free_at_s_);
    return free_at_s_;
  }
  // When the server has finished everything admitted so far.
  double free_at_s() const { return free_at_s_; }
  // Jobs in the system after the last arrival.
  size_t in_system() const { return departures_.size(); }

 private:
  size_t capacity_;
  std::deque<double> departures_;  // of the jobs in the system, increasing
  double free_at_s_ = 0.0;
};

}  // namespace citytwin::sim::network
