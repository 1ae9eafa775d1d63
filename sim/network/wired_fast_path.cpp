// The analytic path of the wired network's forwarding batches (issue 13: the wired network scales with
// its links, not with gateways squared).
//
// Every forwarding period each gateway sends one batch to the network server. As SimGrid comms, the
// batches of a district share its aggregation link and every comm's start and end re-solves the
// bandwidth sharing of all the comms connected to it: a period cost ~G^2 (0.5 ms of CPU at 100
// gateways, 86 ms at 2,000: bench/wired_period.cpp). But SimGrid's max-min sharing gives a comm its
// route's bound (the smallest bandwidth on it; CM02's TCP window bound, gamma / (2 latency)) whenever
// no link of its route is over-subscribed. So:
// - a link is *coupling* when the traffic that may cross it can exceed its bandwidth: the bounds of the
//   batches and streams crossing it, each group arriving from the same upstream link capped at what
//   that link can carry (a PON's 32 gateways carry at most its upstream's 1.15 Gbps of payload, so a
//   10 Gbps OLT backbone under 8 PONs never binds, nor does a district's 125 GB/s aggregation link); a
//   gateway's own link never is. A link that is not coupling is never saturated in max-min: it couples
//   nothing;
// - the batches of a period that share coupling links form groups (connected components). A group
//   goes to SimGrid when one of its batches carries a stream or a SimGrid batch still on the wire, or
//   when a link of its route fails or comes back while it would be on the wire;
// - otherwise, when no coupling link of the group is over-subscribed in time (the batches on it, each
//   at its bound over [send + latency, + bytes / bound), CM02's transfer phase, sum to no more than its
//   bandwidth), every batch gets its bound: what SimGrid would give it;
// - when one is (a PON's batches all start at once: 32 x 1 Gbps ONT ports on a 1.15 Gbps upstream),
//   the group is timed as SimGrid times it: max-min sharing on its coupling links as a fluid in time,
//   re-solved when a batch starts sharing (after its latency) or finishes (max_min_fluid.hpp: CM02's
//   RTT-weighted sharing, SimGrid's precisions). SimGrid batches never share a coupling link with an
//   analytic one, so neither needs the other.
// The results are those of the all-SimGrid network up to rounding (SimGrid's rate is recovered from
// its finish time); CITYTWIN_WIRED_CHECK=1 sends every batch to SimGrid and reports, at the end of
// the run, the largest relative difference between the analytic rate and the one SimGrid gave.
// app::run sends a run's last period with the drain, ended or stopped: one period at the end's instant,
// one batch a gateway, timed like the others. A second period at one instant (a caller that sends a
// period, then drains at its instant) sends every batch to SimGrid, since a gateway's two batches share
// its own link; the drain's copies received before that instant then reach the network server after the
// period's were served, later than one period would deliver them. One approximation remains: an analytic
// batch still on the wire when a later period is planned is not in SimGrid: a SimGrid batch sharing a link
// with it does not see it, nor does a later batch of the same gateway. That needs a batch longer than a
// forwarding period (10 s) on an unloaded route (12.5 GB at 10 Gbps). Any --cfg of SimGrid's network (a
// model, factors) turns the analytic path off.
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <xbt/config.hpp>

#include "sim/network/max_min_fluid.hpp"
#include "sim/network/wired_network_impl.hpp"

namespace citytwin::sim::network {

void WiredNetwork::Impl::prepare_fast_path() {
  fast.prepared = true;
  fast.check = wired_detail::env_is("CITYTWIN_WIRED_CHECK", "1");
  if (wired_detail::env_is("CITYTWIN_WIRED_FAST", "0")) fast.enabled = false;
  // Another network model or its factors: the bound below is CM02's, as configured by the constructor.
  if (simgrid::config::get_value<std::string>("network/model") != "CM02" ||
      simgrid::config::get_value<double>("network/bandwidth-factor") != 1.0 ||
      simgrid::config::get_value<double>("network/latency-factor") != 1.0 ||
      simgrid::config::get_value<bool>("network/crosstraffic"))
    fast.enabled = false;
  const double gamma = simgrid::config::get_value<double>("network/TCP-gamma");

  const size_t n_links = link_order.size() + aggregation_Bps.size();
  fast.bandwidth_Bps.resize(n_links);
  for (size_t l = 0; l < link_order.size(); ++l)
    fast.bandwidth_Bps[l] = links.at(link_order[l])->get_bandwidth();
  fast.link.resize(link_order.size());
  for (size_t l = 0; l < link_order.size(); ++l) fast.link[l] = links.at(link_order[l]);
  for (size_t a = 0; a < aggregation_Bps.size(); ++a)
    fast.bandwidth_Bps[link_order.size() + a] = aggregation_Bps[a];
  fast.route.resize(gateway_hosts.size());
  fast.bound_Bps.resize(gateway_hosts.size());
  // Every flow that may cross the links: the gateways' batches, then the streams (their routes, bounds).
  std::vector<std::vector<size_t>> flow_route;
  std::vector<double> flow_bound;
  for (uint32_t g = 0; g < gateway_hosts.size(); ++g) {
    fast.route[g] = route_links[g];
    fast.route[g].push_back(district_aggregation.at(gateway_district[g]));
    double bound = std::numeric_limits<double>::infinity();
    for (size_t l : fast.route[g]) bound = std::min(bound, fast.bandwidth_Bps[l]);
    if (gamma > 0.0 && latency_s[g] > 0.0) bound = std::min(bound, gamma / (2.0 * latency_s[g]));
    fast.bound_Bps[g] = bound;
    flow_route.push_back(fast.route[g]);
    flow_bound.push_back(bound);
  }
  std::vector<std::vector<size_t>> stream_routes;
  stream_routes.reserve(streams.size());
  fast.streamed.assign(n_links, false);
  for (const Stream& st : streams) {
    stream_routes.push_back(st.links);
    stream_routes.back().push_back(district_aggregation.at(gateway_district[st.gateway]));
    for (size_t l : stream_routes.back()) fast.streamed[l] = true;
  }
  for (size_t s = 0; s < streams.size(); ++s) {
    flow_route.push_back(stream_routes[s]);
    double bound = streams[s].peak_bps() / 8.0;
    for (size_t l : stream_routes[s]) bound = std::min(bound, fast.bandwidth_Bps[l]);
    flow_bound.push_back(bound);
  }
  const std::vector<double> demand = link_traffic_bound(flow_route, flow_bound, fast.bandwidth_Bps);
  std::vector<int> users(n_links, 0);
  for (const std::vector<size_t>& route : flow_route)
    for (size_t l : route) ++users[l];
  fast.coupling.resize(n_links);
  // A margin for SimGrid's own precision (maxmin/precision 1e-5): a link nearly full is coupling. A
  // link only one flow may cross (a gateway's own) never is.
  for (size_t l = 0; l < n_links; ++l)
    fast.coupling[l] = users[l] > 1 && demand[l] > fast.bandwidth_Bps[l] * (1.0 - 1e-4);
  fast.precision.timing_s = simgrid::config::get_value<double>("surf/precision");
  fast.precision.work = simgrid::config::get_value<double>("maxmin/precision");
  fast.shared_rates.assign(gateway_hosts.size(), {});
  fast.events.assign(n_links, {});
  for (const scenario::Failure& f : schedule) {
    const auto it = link_index.find(f.target);
    if (it == link_index.end()) continue;
    fast.events[it->second].push_back(f.start_s);
    fast.events[it->second].push_back(f.end_s);
  }
  for (uint32_t g = 0; g < route_names.size(); ++g) {
    if (route_names[g].empty()) continue;
    for (const scenario::TimeInterval& i : timeline.off_intervals(g)) {
      fast.events[link_index.at(route_names[g][0])].push_back(i.t0_s);
      fast.events[link_index.at(route_names[g][0])].push_back(i.t1_s);
    }
  }
  for (auto& e : fast.events) std::sort(e.begin(), e.end());
  fast.simgrid_in_flight.assign(n_links, 0);
  fast.active.assign(n_links, {});
}

std::vector<bool> WiredNetwork::Impl::plan_period(double t_send_s, const std::vector<uint32_t>& gateways,
                                                  const std::vector<double>& bytes, bool same_instant) {
  if (!fast.prepared) prepare_fast_path();
  const size_t n = gateways.size();
  std::vector<bool> to_simgrid(n, true);
  // A second period at one instant (a drain at the instant of the period before it): a gateway's two
  // batches share its link, which only SimGrid sees (both are its).
  if (!fast.enabled || same_instant) {
    for (size_t i = 0; i < n; ++i) fast.simgrid += bytes[i] > 0.0 ? 1 : 0;
    return to_simgrid;
  }
  // Each batch's transfer phase at its bound.
  std::vector<double> t0(n), t1(n);
  for (size_t i = 0; i < n; ++i) {
    const uint32_t g = gateways[i];
    t0[i] = t_send_s + latency_s[g];
    t1[i] = t0[i] + bytes[i] / fast.bound_Bps[g];
  }
  // Whether a link of a batch's route fails or comes back in [t_send_s, until_s], or is off.
  const auto failure_touches = [&](size_t i, double until_s) {
    for (size_t l : fast.route[gateways[i]]) {
      const std::vector<double>& ev = fast.events[l];
      const auto it = std::lower_bound(ev.begin(), ev.end(), t_send_s);
      if (it != ev.end() && *it <= until_s) return true;
      // Asking SimGrid's link (a cache miss a batch at 2,000 gateways) only while one is off.
      if (links_off > 0 && l < fast.link.size() && !fast.link[l]->is_on()) return true;
    }
    return false;
  };
  // The batches of this period on each coupling link, and the groups they form (union-find).
  std::map<size_t, std::vector<size_t>> on_link;
  std::vector<bool> forced(n, false);
  std::vector<size_t> parent(n);
  std::iota(parent.begin(), parent.end(), size_t{0});
  const auto root = [&parent](size_t i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  };
  for (size_t i = 0; i < n; ++i) {
    if (bytes[i] <= 0.0) continue;
    if (failure_touches(i, t1[i])) forced[i] = true;
    for (size_t l : fast.route[gateways[i]]) {
      if (!fast.coupling[l]) continue;
      std::vector<size_t>& users = on_link[l];
      if (!users.empty()) parent[root(i)] = root(users.front());
      users.push_back(i);
      if (fast.streamed[l] || fast.simgrid_in_flight[l] > 0) forced[i] = true;
    }
  }
  // Over-subscribed coupling links: a sweep over the transfer phases at their bounds. With the analytic
  // batches of earlier periods still on the wire (not in SimGrid, not in the fluid below) the group
  // goes to SimGrid as before; without them, it is timed by max-min sharing.
  std::vector<bool> shared(n, false);  // in a group with an over-subscribed link
  const auto over_subscribed = [&](size_t l, const std::vector<size_t>& users, bool with_earlier) {
    std::vector<std::pair<double, double>> steps;  // (time, rate change); ends before starts at a tie
    for (size_t i : users) {
      steps.emplace_back(t0[i], fast.bound_Bps[gateways[i]]);
      steps.emplace_back(t1[i], -fast.bound_Bps[gateways[i]]);
    }
    if (with_earlier)
      for (const FastPath::Active& a : fast.active[l]) {
        steps.emplace_back(a.t0_s, a.rate_Bps);
        steps.emplace_back(a.t1_s, -a.rate_Bps);
      }
    std::sort(steps.begin(), steps.end());
    double load = 0.0;
    int concurrent = 0;
    for (const auto& [t, change] : steps) {
      load += change;
      concurrent += change > 0.0 ? 1 : -1;
      if (concurrent > 1 && load > fast.bandwidth_Bps[l] * (1.0 - 1e-4)) return true;
    }
    return false;
  };
  for (auto& [l, users] : on_link) {
    std::erase_if(fast.active[l], [t_send_s](const FastPath::Active& a) { return a.t1_s <= t_send_s; });
    if (!over_subscribed(l, users, true)) continue;
    const bool alone = fast.active[l].empty() && over_subscribed(l, users, false);
    for (size_t i : users) (alone ? shared[i] : forced[i]) = true;
  }
  // Per group: SimGrid if any of its batches must be, max-min sharing if a link of it is over-subscribed.
  std::vector<bool> group_simgrid(n, false), group_shared(n, false);
  for (size_t i = 0; i < n; ++i) {
    if (bytes[i] <= 0.0) continue;
    if (forced[i]) group_simgrid[root(i)] = true;
    if (shared[i]) group_shared[root(i)] = true;
  }
  // The groups to time by sharing, all on one clock with the events of the batches timed at their
  // bound (SimGrid handles events closer than its timing precision together, whichever comms they are).
  std::vector<size_t> sharing;
  std::vector<double> other_events_s;
  for (size_t i = 0; i < n; ++i) {
    if (bytes[i] <= 0.0 || group_simgrid[root(i)]) continue;
    if (group_shared[root(i)]) {
      sharing.push_back(i);
      continue;
    }
    const double start = t_send_s + clock_origin;
    const uint32_t g = gateways[i];
    other_events_s.push_back(start + latency_s[g]);
    other_events_s.push_back((start + latency_s[g]) + bytes[i] / fast.bound_Bps[g]);
  }
  std::vector<double> finish_s(n, 0.0);  // of the batches timed by sharing: SimGrid's clock
  if (!sharing.empty()) time_shared_groups(t_send_s, gateways, bytes, sharing, other_events_s, finish_s);
  for (size_t i : sharing)
    if (std::isnan(finish_s[i]) || failure_touches(i, finish_s[i] - clock_origin))
      group_simgrid[root(i)] = true;
  for (size_t i = 0; i < n; ++i) {
    if (bytes[i] <= 0.0) continue;
    const uint32_t g = gateways[i];
    to_simgrid[i] = group_simgrid[root(i)];
    if (to_simgrid[i]) {
      ++fast.simgrid;
      continue;
    }
    ++fast.analytic;
    double end_s = t1[i];
    if (group_shared[root(i)]) {
      // The rate run() derives from its times, with SimGrid's arithmetic (analytic_rate returns it).
      const double start = t_send_s + clock_origin;
      const double transfer_s = finish_s[i] - start - latency_s[g];
      fast.shared_rates[g].emplace_back(t_send_s, transfer_s > 0.0
                                                      ? bytes[i] / transfer_s
                                                      : scenario.gateways[g].fibre_bandwidth_bps / 8.0);
      end_s = finish_s[i] - clock_origin;
      ++fast.shared;
    }
    for (size_t l : fast.route[g])
      if (fast.coupling[l]) fast.active[l].push_back({t0[i], end_s, fast.bound_Bps[g]});
  }
  return to_simgrid;
}

void WiredNetwork::Impl::time_shared_groups(double t_send_s, const std::vector<uint32_t>& gateways,
                                            const std::vector<double>& bytes,
                                            const std::vector<size_t>& members,
                                            const std::vector<double>& other_events_s,
                                            std::vector<double>& finish_s) const {
  // The groups' coupling links (the others never saturate) and their batches as SimGrid starts them.
  std::map<size_t, size_t> local;  // link id -> index into capacity
  std::vector<double> capacity;
  std::vector<FluidFlow> flows;
  flows.reserve(members.size());
  for (size_t i : members) {
    const uint32_t g = gateways[i];
    FluidFlow f;
    f.start_s = t_send_s + clock_origin;
    f.latency_s = latency_s[g];
    f.bytes = static_cast<double>(static_cast<uint64_t>(bytes[i]));  // SimGrid's size is whole bytes
    f.bound_Bps = fast.bound_Bps[g];
    for (size_t l : fast.route[g]) {
      if (!fast.coupling[l]) continue;
      const auto [it, fresh] = local.emplace(l, capacity.size());
      if (fresh) capacity.push_back(fast.bandwidth_Bps[l]);
      f.links.push_back(it->second);
    }
    flows.push_back(std::move(f));
  }
  const std::vector<double> finish = max_min_finish_times(flows, capacity, fast.precision, other_events_s);
  for (size_t k = 0; k < members.size(); ++k) finish_s[members[k]] = finish[k];
}

double WiredNetwork::Impl::analytic_rate(uint32_t gateway, double t_send_s, double bytes) {
  // A batch timed by sharing: its rate, read once (a period still waiting for SimGrid batches may run
  // into the next one: a gateway may have two).
  std::vector<std::pair<double, double>>& shared = fast.shared_rates[gateway];
  for (auto it = shared.begin(); it != shared.end(); ++it)
    if (it->first == t_send_s) {
      const double rate = it->second;
      shared.erase(it);
      return rate;
    }
  const double start = t_send_s + clock_origin;
  const double finish = (start + latency_s[gateway]) + bytes / fast.bound_Bps[gateway];
  const double transfer_s = finish - start - latency_s[gateway];
  return transfer_s > 0.0 ? bytes / transfer_s : scenario.gateways[gateway].fibre_bandwidth_bps / 8.0;
}

void WiredNetwork::Impl::check_rate(uint32_t gateway, double t_send_s, double bytes,
                                    double simgrid_rate_Bps) {
  const std::vector<std::pair<double, double>>& rates = fast.shared_rates[gateway];
  const bool shared =
      std::any_of(rates.begin(), rates.end(), [t_send_s](const auto& r) { return r.first == t_send_s; });
  const double difference =
      std::abs(simgrid_rate_Bps - analytic_rate(gateway, t_send_s, bytes)) / simgrid_rate_Bps;
  ++fast.checked;
  fast.max_relative_error = std::max(fast.max_relative_error, difference);
  if (!shared) return;
  ++fast.checked_shared;
  fast.max_relative_error_shared = std::max(fast.max_relative_error_shared, difference);
}

void WiredNetwork::Impl::print_check() const {
  std::fprintf(stderr,
               "citytwin: wired analytic path check: %llu batches compared, largest relative rate difference "
               "%.3g (of which %llu timed by max-min sharing: %.3g); %llu planned for SimGrid\n",
               static_cast<unsigned long long>(fast.checked), fast.max_relative_error,
               static_cast<unsigned long long>(fast.checked_shared), fast.max_relative_error_shared,
               static_cast<unsigned long long>(fast.simgrid));
}

void WiredNetwork::Impl::simgrid_batch_done(uint32_t gateway) {
  for (size_t l : fast.route[gateway]) --fast.simgrid_in_flight[l];
}

WiredNetwork::AnalyticCheck WiredNetwork::analytic_check() const {
  const auto& fast = impl_->fast;
  return {fast.checked, fast.max_relative_error, fast.checked_shared, fast.max_relative_error_shared};
}

uint64_t WiredNetwork::batches_shared() const { return impl_->fast.shared; }

}  // namespace citytwin::sim::network
