#include "sim/attacks/attack_set.hpp"

namespace citytwin::sim::attacks {

AttackSet::AttackSet(const scenario::Scenario& scenario, const city::CityLayout& city, uint64_t seed,
                     events::Bus& bus)
    : scenario_(scenario),
      jamming_(scenario, city),
      compromised_(scenario, city, seed, scenario.run.duration_s),
      platform_flood_(scenario, seed),
      server_flood_(scenario, seed) {
  if (scenario.attacks.compromised.empty()) return;
  detector_.emplace(scenario, city);
  bus.subscribe<events::FrameResolved>([this](const events::FrameResolved& f) {
    if (f.tx.sent && !f.gateways_received.empty())
      in_flight_.emplace(f.seq, InFlight{f.tx.device, static_cast<uint32_t>(f.gateways_received.size())});
  });
  bus.subscribe<events::CopyDelivered>([this](const events::CopyDelivered& c) {
    const auto it = in_flight_.find(c.seq);
    if (it == in_flight_.end()) return;
    if (c.first) detector_->on_delivery(it->second.device, c.t_delivered_s);
    release(c.seq);
  });
  bus.subscribe<events::CopyDropped>([this](const events::CopyDropped& c) { release(c.seq); });
}

void AttackSet::release(uint64_t seq) {
  const auto it = in_flight_.find(seq);
  if (it != in_flight_.end() && --it->second.copies_left == 0) in_flight_.erase(it);
}

void AttackSet::produce(double t_s, const engine::Fleet& fleet, std::vector<engine::Transmission>& out) {
  if (!compromised_.devices().empty()) compromised_.advance(t_s, fleet, out);
}

std::function<bool(uint64_t, double)> AttackSet::server_filter() {
  if (!detector_ || !scenario_.attacks.detection.block) return {};
  return [this](uint64_t seq, double t_s) {
    const auto it = in_flight_.find(seq);
    return it != in_flight_.end() && detector_->blocks(it->second.device, t_s);
  };
}

}  // namespace citytwin::sim::attacks
