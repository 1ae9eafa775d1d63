#include "sim/network/max_min_fluid.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <numeric>
#include <queue>
#include <tuple>

namespace citytwin::sim::network {
namespace {

// SimGrid's arithmetic helpers (src/simgrid/math_utils.h): a quantity within `precision` of zero is zero.
void double_update(double& variable, double value, double precision) {
  variable -= value;
  if (variable < precision) variable = 0.0;
}

// The solver's working arrays, kept between solves (a group is re-solved at each of its events).
struct Scratch {
  std::vector<double> value, remaining, usage;
  std::vector<std::vector<size_t>> members;
  std::vector<char> light, fixed, listed;
  std::vector<size_t> saturated, candidates;
};

// max_min_rates into scratch.value.
void solve_rates(Scratch& w, const std::vector<FluidFlow>& flows, const std::vector<size_t>& active,
                 const std::vector<double>& capacity_Bps, double precision) {
  const size_t n_links = capacity_Bps.size();
  w.value.assign(flows.size(), 0.0);
  w.remaining.assign(n_links, 0.0);
  w.usage.assign(n_links, 0.0);
  w.members.resize(n_links);
  for (std::vector<size_t>& m : w.members) m.clear();
  w.light.assign(n_links, 0);
  w.fixed.assign(flows.size(), 0);
  w.listed.assign(flows.size(), 0);
  for (size_t i : active)
    for (size_t c : flows[i].links) {
      if (w.members[c].empty()) w.remaining[c] = capacity_Bps[c];
      w.members[c].push_back(i);
      w.usage[c] += 1.0 / flows[i].latency_s;  // the weight of a flow is 1 / penalty, the penalty its latency
    }
  for (size_t c = 0; c < n_links; ++c) w.light[c] = w.usage[c] > 0.0 ? 1 : 0;
  for (;;) {
    // The link that saturates first: the smallest remaining / usage (ties: all of them).
    double min_usage = -1.0;
    w.saturated.clear();
    for (size_t c = 0; c < n_links; ++c) {
      if (!w.light[c]) continue;
      const double level = w.remaining[c] / w.usage[c];
      if (min_usage < 0.0 || level < min_usage) {
        min_usage = level;
        w.saturated.assign(1, c);
      } else if (level == min_usage) {
        w.saturated.push_back(c);
      }
    }
    if (w.saturated.empty()) break;
    w.candidates.clear();
    for (size_t c : w.saturated)
      for (size_t i : w.members[c])
        if (!w.fixed[i] && !w.listed[i]) {
          w.listed[i] = 1;
          w.candidates.push_back(i);
        }
    for (size_t i : w.candidates) w.listed[i] = 0;
    // A flow that reaches its bound below the level is fixed there first (those with the smallest).
    double min_bound = -1.0;
    for (size_t i : w.candidates) {
      const double b = flows[i].bound_Bps * flows[i].latency_s;
      if (b < min_usage) min_bound = min_bound < 0.0 ? b : std::min(min_bound, b);
    }
    bool progress = false;
    for (size_t i : w.candidates) {
      const FluidFlow& f = flows[i];
      double v = 0.0;
      if (min_bound < 0.0)
        v = min_usage / f.latency_s;
      else if (std::abs(min_bound - f.bound_Bps * f.latency_s) < precision)
        v = f.bound_Bps;
      else
        continue;
      w.value[i] = v;
      w.fixed[i] = 1;
      progress = true;
      for (size_t c : f.links) {
        double_update(w.remaining[c], v, capacity_Bps[c] * precision);
        double_update(w.usage[c], 1.0 / f.latency_s, precision);
        if (!(w.usage[c] > precision) || !(w.remaining[c] > capacity_Bps[c] * precision)) w.light[c] = 0;
      }
    }
    if (!progress)
      for (size_t c : w.saturated) w.light[c] = 0;
  }
}

}  // namespace

std::vector<double> max_min_rates(const std::vector<FluidFlow>& flows, const std::vector<size_t>& active,
                                  const std::vector<double>& capacity_Bps, double precision) {
  Scratch w;
  solve_rates(w, flows, active, capacity_Bps, precision);
  return w.value;
}

std::vector<double> max_min_finish_times(const std::vector<FluidFlow>& flows,
                                         const std::vector<double>& capacity_Bps,
                                         const FluidPrecision& precision,
                                         const std::vector<double>& other_events_s) {
  const size_t n = flows.size();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // Groups: flows joined by shared links (union-find); each is solved on its own, on one clock.
  std::vector<size_t> group(n);
  std::iota(group.begin(), group.end(), size_t{0});
  const auto root = [&group](size_t i) {
    while (group[i] != i) i = group[i] = group[group[i]];
    return i;
  };
  std::vector<size_t> first_on_link(capacity_Bps.size(), n);
  for (size_t i = 0; i < n; ++i)
    for (size_t c : flows[i].links) {
      if (c >= capacity_Bps.size()) return std::vector<double>(n, nan);
      if (first_on_link[c] == n)
        first_on_link[c] = i;
      else
        group[root(i)] = root(first_on_link[c]);
    }
  std::vector<std::vector<size_t>> members(n);
  for (size_t i = 0; i < n; ++i) members[root(i)].push_back(i);
  // Each group's flows on its own links (local indices), so that a re-solve costs the group's size.
  std::vector<size_t> local_index(n, 0);
  std::vector<std::vector<FluidFlow>> group_flows(n);
  std::vector<std::vector<double>> group_capacity(n);
  std::vector<size_t> local_link(capacity_Bps.size(), 0);
  for (size_t r = 0; r < n; ++r) {
    for (size_t i : members[r]) {
      FluidFlow f = flows[i];
      for (size_t& c : f.links) {
        if (first_on_link[c] != n) {  // the first time this group meets the link
          local_link[c] = group_capacity[r].size();
          group_capacity[r].push_back(capacity_Bps[c]);
          first_on_link[c] = n;
        }
        c = local_link[c];
      }
      local_index[i] = group_flows[r].size();
      group_flows[r].push_back(std::move(f));
    }
  }
  std::vector<char> failed(n, 0);  // per group root: outside the model
  for (size_t i = 0; i < n; ++i) {
    const FluidFlow& f = flows[i];
    bool ok = f.latency_s > 0.0 && f.bound_Bps > 0.0 && f.bytes > 0.0;
    for (size_t c : f.links) ok = ok && capacity_Bps[c] > 0.0;
    if (!ok) failed[root(i)] = 1;
  }

  enum class Phase { Latency, Sharing, Done };
  std::vector<Phase> phase(n, Phase::Latency);
  std::vector<double> remains(n), last_update(n), rate(n, 0.0), date(n), finish(n, nan);
  const double never = std::numeric_limits<double>::infinity();
  // Pending events, one per group: (its next event's date, group, version); an entry whose version is
  // not the group's is stale.
  std::vector<uint32_t> version(n, 0);
  using Entry = std::tuple<double, size_t, uint32_t>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> pending;
  const auto schedule = [&](size_t r) {
    double next = never;
    for (size_t i : members[r])
      if (phase[i] != Phase::Done) next = std::min(next, date[i]);
    if (next < never) pending.emplace(next, r, ++version[r]);
  };
  double now = never;
  size_t left = 0;
  for (size_t i = 0; i < n; ++i) {
    if (failed[root(i)]) continue;
    remains[i] = flows[i].bytes;
    last_update[i] = flows[i].start_s;
    date[i] = flows[i].latency_s + flows[i].start_s;  // SimGrid: the end of the latency, from the start
    now = std::min(now, flows[i].start_s);
    ++left;
  }
  for (size_t r = 0; r < n; ++r)
    if (!members[r].empty() && !failed[r]) schedule(r);
  std::vector<double> ticks = other_events_s;
  std::sort(ticks.begin(), ticks.end());
  size_t tick = 0;
  std::vector<size_t> changed, sharing;
  Scratch scratch;
  while (left > 0) {
    while (!pending.empty() && std::get<2>(pending.top()) != version[std::get<1>(pending.top())])
      pending.pop();
    if (pending.empty()) break;  // flows that would never finish: their groups stay NaN
    double next = std::get<0>(pending.top());
    while (tick < ticks.size() && ticks[tick] < now) ++tick;
    if (tick < ticks.size()) next = std::min(next, ticks[tick]);
    now = now + (next - now);  // SimGrid advances its clock by the delay to the next event
    while (tick < ticks.size() && std::abs(ticks[tick] - now) < precision.timing_s) ++tick;
    // Every event within the timing precision of now happens now (a latency paid, a flow done).
    changed.clear();
    while (!pending.empty()) {
      const auto [t, r, v] = pending.top();
      if (v != version[r]) {
        pending.pop();
        continue;
      }
      if (!(std::abs(t - now) < precision.timing_s)) break;
      pending.pop();
      ++version[r];
      changed.push_back(r);
      for (size_t i : members[r]) {
        if (phase[i] == Phase::Done || !(std::abs(date[i] - now) < precision.timing_s)) continue;
        if (phase[i] == Phase::Latency) {
          phase[i] = Phase::Sharing;
          last_update[i] = now;
        } else {
          phase[i] = Phase::Done;
          finish[i] = now;
          --left;
        }
      }
    }
    for (size_t r : changed) {
      for (bool again = true; again;) {
        again = false;
        sharing.clear();
        for (size_t i : members[r])
          if (phase[i] == Phase::Sharing) sharing.push_back(local_index[i]);
        if (sharing.empty()) break;
        solve_rates(scratch, group_flows[r], sharing, group_capacity[r], precision.work);
        const std::vector<double>& fresh = scratch.value;
        for (size_t k : sharing) {
          const size_t i = members[r][k];
          if (remains[i] > 0.0)
            double_update(remains[i], rate[i] * (now - last_update[i]), precision.work * precision.timing_s);
          last_update[i] = now;
          rate[i] = fresh[k];
          if (!(remains[i] > 0.0)) {  // done on the way: its links are free from now on
            phase[i] = Phase::Done;
            finish[i] = now;
            --left;
            again = true;
          } else {
            date[i] = rate[i] > 0.0 ? now + remains[i] / rate[i] : never;
          }
        }
      }
      schedule(r);
    }
  }
  for (size_t i = 0; i < n; ++i)
    if (phase[i] != Phase::Done) failed[root(i)] = 1;
  for (size_t i = 0; i < n; ++i)
    if (failed[root(i)]) finish[i] = nan;
  return finish;
}

std::vector<double> link_traffic_bound(const std::vector<std::vector<size_t>>& routes,
                                       const std::vector<double>& bounds,
                                       const std::vector<double>& bandwidth) {
  const size_t n_links = bandwidth.size();
  constexpr size_t kNone = std::numeric_limits<size_t>::max();
  std::vector<std::vector<std::pair<size_t, double>>> in(n_links);  // per link: (upstream link, bound)
  for (size_t f = 0; f < routes.size(); ++f) {
    const std::vector<size_t>& route = routes[f];
    for (size_t k = 0; k < route.size(); ++k)
      in[route[k]].emplace_back(k > 0 ? route[k - 1] : kNone, bounds[f]);
  }
  std::vector<double> demand(n_links, 0.0);
  std::vector<char> state(n_links, 0);  // 0: not yet, 1: being computed, 2: done
  const auto visit = [&](const auto& self, size_t l) -> double {
    if (state[l] == 2) return demand[l];
    state[l] = 1;
    std::map<size_t, double> group;
    for (const auto& [up, bound] : in[l]) group[up] += bound;
    double total = 0.0;
    for (const auto& [up, sum] : group)
      total += up == kNone || state[up] == 1 ? sum : std::min({sum, bandwidth[up], self(self, up)});
    state[l] = 2;
    return demand[l] = total;
  };
  for (size_t l = 0; l < n_links; ++l) visit(visit, l);
  return demand;
}

}  // namespace citytwin::sim::network
