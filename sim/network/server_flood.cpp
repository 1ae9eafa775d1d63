#include "sim/network/server_flood.hpp"

#include <algorithm>
#include <limits>

#include "sim/core/rng.hpp"

namespace citytwin::sim::network {
namespace {
constexpr uint64_t kServerDos = core::purpose_tag("ns-dos");
constexpr double kNever = std::numeric_limits<double>::infinity();
}  // namespace

ServerFlood::ServerFlood(const scenario::Scenario& scenario, uint64_t seed) {
  const auto& attacks = scenario.attacks.platform_dos;
  sent_.assign(attacks.size(), 0);
  dropped_.assign(attacks.size(), 0);
  for (size_t a = 0; a < attacks.size(); ++a) {
    const scenario::PlatformDos& d = attacks[a];
    if (d.target != "network_server" || d.rate_per_s <= 0.0) continue;
    Source s{
        a, d.rate_per_s, std::min(d.end_s, scenario.run.duration_s), core::stream_key(seed, kServerDos, a),
        0, d.start_s};
    draw_next(s);
    attacks_.push_back(s);
  }
}

void ServerFlood::draw_next(Source& s) {
  core::Stream rng(s.key, s.counter);
  s.next_s += rng.exponential(1.0 / s.rate_per_s);
  s.counter = rng.counter();
  if (s.next_s >= s.end_s) s.next_s = kNever;
}

double ServerFlood::next_s() const {
  double t = kNever;
  for (const Source& s : attacks_) t = std::min(t, s.next_s);
  return t;
}

size_t ServerFlood::pop() {
  // The earliest of all floods (ties: the first attack).
  Source* first = nullptr;
  for (Source& s : attacks_)
    if (first == nullptr || s.next_s < first->next_s) first = &s;
  const size_t a = first->attack;
  ++sent_[a];
  draw_next(*first);
  return a;
}

}  // namespace citytwin::sim::network
