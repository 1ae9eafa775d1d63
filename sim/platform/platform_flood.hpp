// Denial of service on the platform (scenario attacks.platform_dos with target broker; those aimed at
// the network server are sim/network/server_flood.hpp): bogus messages arrive at the broker's ingest queue at
// `rate` per second (Poisson arrivals from the stream (seed, "platform-dos", attack index)) during each
// attack's window. They enter the platform pipeline (sim/platform/ platform_pipeline.hpp) in time order with
// the honest messages, so they take the broker's, the analytics' and the storage's time like honest ones, and
// honest messages that find the ingest queue full are dropped. The platform raises a queue alarm the first
// time the broker's queue reaches half its capacity: the attack's time to detect.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "sim/platform/platform_pipeline.hpp"
#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::platform {

class PlatformFlood {
 public:
  PlatformFlood(const scenario::Scenario& scenario, uint64_t seed);

  bool empty() const {
    for (double t : next_s_)
      if (t != std::numeric_limits<double>::infinity()) return false;
    return true;
  }
  // Feeds the pipeline every bogus message arriving before t_s, at the stage speeds given (those of
  // the honest message about to be ingested at t_s).
  void inject_until(double t_s, PlatformPipeline& pipeline, double broker_flops_per_s,
                    double analytics_flops_per_s);
  // After a message (honest or bogus) was ingested at t_s: raises the queue alarm when due.
  void check_alarm(double t_s, const PlatformPipeline& pipeline);

  // Per entry of scenario.attacks.platform_dos (0 for those aimed at the network server): bogus messages that
  // arrived, and those dropped at the full queue.
  const std::vector<uint64_t>& sent() const { return sent_; }
  const std::vector<uint64_t>& dropped() const { return dropped_; }
  // The first time the broker's queue reached half its capacity (infinity: never).
  double alarm_at_s() const { return alarm_at_s_; }

 private:
  const scenario::Scenario& scenario_;
  std::vector<double> next_s_;  // per attack: its next bogus message
  std::vector<uint64_t> counter_;
  std::vector<uint64_t> keys_;
  std::vector<uint64_t> sent_, dropped_;
  double broker_flops_per_s_, analytics_flops_per_s_;
  double alarm_at_s_ = std::numeric_limits<double>::infinity();
};

}  // namespace citytwin::sim::platform
