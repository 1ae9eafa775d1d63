#include "sim/platform/platform_flood.hpp"

#include <cmath>

#include "sim/core/rng.hpp"

namespace citytwin::sim::platform {
namespace {
constexpr uint64_t kPlatformDos = core::purpose_tag("platform-dos");
}  // namespace

PlatformFlood::PlatformFlood(const scenario::Scenario& scenario, uint64_t seed)
    : scenario_(scenario),
      broker_flops_per_s_(scenario.platform.server_speed_flops),
      analytics_flops_per_s_(scenario.platform.server_speed_flops) {
  const auto& attacks = scenario.attacks.platform_dos;
  for (size_t a = 0; a < attacks.size(); ++a) {
    core::Stream rng(core::stream_key(seed, kPlatformDos, a), 0);
    const double rate = attacks[a].rate_per_s;
    next_s_.push_back(rate > 0.0 && attacks[a].target == "broker"
                          ? attacks[a].start_s + rng.exponential(1.0 / rate)
                          : std::numeric_limits<double>::infinity());
    keys_.push_back(rng.key());
    counter_.push_back(rng.counter());
  }
  sent_.assign(attacks.size(), 0);
  dropped_.assign(attacks.size(), 0);
}

void PlatformFlood::inject_until(double t_s, PlatformPipeline& pipeline, double broker_flops_per_s,
                                 double analytics_flops_per_s) {
  broker_flops_per_s_ = broker_flops_per_s;
  analytics_flops_per_s_ = analytics_flops_per_s;
  const auto& attacks = scenario_.attacks.platform_dos;
  while (true) {
    // The earliest bogus message of all floods (ties: the first attack).
    size_t a = next_s_.size();
    for (size_t i = 0; i < next_s_.size(); ++i)
      if (next_s_[i] < t_s && next_s_[i] < attacks[i].end_s &&
          (a == next_s_.size() || next_s_[i] < next_s_[a]))
        a = i;
    if (a == next_s_.size()) return;
    const double t = next_s_[a];
    ++sent_[a];
    if (!pipeline.ingest(t, broker_flops_per_s_, analytics_flops_per_s_)) ++dropped_[a];
    check_alarm(t, pipeline);
    core::Stream rng(keys_[a], counter_[a]);
    next_s_[a] = t + rng.exponential(1.0 / attacks[a].rate_per_s);
    counter_[a] = rng.counter();
  }
}

void PlatformFlood::check_alarm(double t_s, const PlatformPipeline& pipeline) {
  if (std::isinf(alarm_at_s_) &&
      2 * pipeline.broker_peak() >= static_cast<size_t>(scenario_.platform.broker_capacity))
    alarm_at_s_ = t_s;
}

}  // namespace citytwin::sim::platform
