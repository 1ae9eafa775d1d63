// The analytic path of the wired network's forwarding batches (issue 13: the wired network scales with
// its links, not with gateways squared).
//
// Every forwarding period each gateway sends one batch to the network server. As SimGrid comms, the
// batches of a district share its aggregation link and every comm's start and end re-solves the
// bandwidth sharing of all the comms connected to it: a period cost ~G^2 (0.5 ms of CPU at 100
// gateways, 86 ms at 2,000: bench/wired_period.cpp). But SimGrid's max-min sharing gives a comm its
// route's bound (the smallest bandwidth on it; CM02's TCP window bound, gamma / (2 latency)) whenever
// no link of its route is over-subscribed. So:
// - a link is *coupling* when the bounds of every batch and stream that may cross it add up to more
//   than its bandwidth (a PON, a backbone; never a gateway's own link);
// - in a period, a batch is sent to SimGrid when one of its coupling links is over-subscribed in time
//   (the batches on it, each at its bound over [send + latency, + bytes / bound), CM02's transfer
//   phase, sum to more than its bandwidth), carries a stream or a SimGrid batch still on the wire, or
//   when a link of its route fails or comes back while it would be on the wire; then so is every
//   batch sharing a coupling link with one sent to SimGrid (their rates depend on each other);
// - every other batch gets its bound: what SimGrid would give it, since the links it shares are never
//   over-subscribed whatever the SimGrid batches do (a SimGrid batch never goes faster than its bound).
// The results are those of the all-SimGrid network up to rounding (SimGrid's rate is recovered from
// its finish time); CITYTWIN_WIRED_CHECK=1 sends every batch to SimGrid and reports, at the end of
// the run, the largest relative difference between the analytic rate and the one SimGrid gave.
// At the end of the run (the last period and the drain send at the same instant, so a gateway's two
// batches share its own link) every batch goes to SimGrid. One approximation remains: an analytic
// batch still on the wire when a later period is planned is not in SimGrid: a SimGrid batch sharing a
// link with it does not see it, nor does a later batch of the same gateway. That needs a batch longer
// than a forwarding period (10 s) on an unloaded route (12.5 GB at 10 Gbps), or a stopped run whose
// last window ends on a period boundary (the drain then sends at the instant of the last period).
// Any --cfg of SimGrid's network (a model, factors) turns the analytic path off.
#include <cstdio>
#include <cstdlib>
#include <xbt/config.hpp>

#include "sim/network/wired_network_impl.hpp"

namespace citytwin::sim::network {

void WiredNetwork::Impl::prepare_fast_path() {
  fast.prepared = true;
  const char* check = std::getenv("CITYTWIN_WIRED_CHECK");
  fast.check = check != nullptr && std::string(check) == "1";
  const char* off = std::getenv("CITYTWIN_WIRED_FAST");
  if (off != nullptr && std::string(off) == "0") fast.enabled = false;
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
  for (size_t a = 0; a < aggregation_Bps.size(); ++a)
    fast.bandwidth_Bps[link_order.size() + a] = aggregation_Bps[a];
  fast.route.resize(gateway_hosts.size());
  fast.bound_Bps.resize(gateway_hosts.size());
  std::vector<double> demand(n_links, 0.0);  // the bounds of everything that may cross each link
  std::vector<int> users(n_links, 0);        // and how many flows that is
  for (uint32_t g = 0; g < gateway_hosts.size(); ++g) {
    fast.route[g] = route_links[g];
    fast.route[g].push_back(district_aggregation.at(gateway_district[g]));
    double bound = std::numeric_limits<double>::infinity();
    for (size_t l : fast.route[g]) bound = std::min(bound, fast.bandwidth_Bps[l]);
    if (gamma > 0.0 && latency_s[g] > 0.0) bound = std::min(bound, gamma / (2.0 * latency_s[g]));
    fast.bound_Bps[g] = bound;
    for (size_t l : fast.route[g]) {
      demand[l] += bound;
      ++users[l];
    }
  }
  fast.streamed.assign(n_links, false);
  for (const Stream& st : streams) {
    std::vector<size_t> route = st.links;
    route.push_back(district_aggregation.at(gateway_district[st.gateway]));
    for (size_t l : route) {
      demand[l] += st.peak_bps() / 8.0;
      ++users[l];
      fast.streamed[l] = true;
    }
  }
  fast.coupling.resize(n_links);
  // A margin for SimGrid's own precision (maxmin/precision 1e-5): a link nearly full is coupling. A
  // link only one flow may cross (a gateway's own) never is.
  for (size_t l = 0; l < n_links; ++l)
    fast.coupling[l] = users[l] > 1 && demand[l] > fast.bandwidth_Bps[l] * (1.0 - 1e-4);
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
                                                  const std::vector<double>& bytes) {
  if (!fast.prepared) prepare_fast_path();
  const size_t n = gateways.size();
  std::vector<bool> to_simgrid(n, true);
  // At the end of the run the last period and the drain's send at the same instant: a gateway's two
  // batches share its link, which only SimGrid sees (both are its).
  if (!fast.enabled || t_send_s >= scenario.run.duration_s) {
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
  // The batches of this period on each coupling link; a batch on a link that fails or is off is SimGrid's.
  std::map<size_t, std::vector<size_t>> on_link;
  std::vector<bool> forced(n, false);
  for (size_t i = 0; i < n; ++i) {
    if (bytes[i] <= 0.0) continue;
    for (size_t l : fast.route[gateways[i]]) {
      const std::vector<double>& ev = fast.events[l];
      const auto it = std::lower_bound(ev.begin(), ev.end(), t_send_s);
      if ((it != ev.end() && *it <= t1[i]) || (l < link_order.size() && !links.at(link_order[l])->is_on()))
        forced[i] = true;
      if (!fast.coupling[l]) continue;
      on_link[l].push_back(i);
      if (fast.streamed[l] || fast.simgrid_in_flight[l] > 0) forced[i] = true;
    }
  }
  // Over-subscribed coupling links: a sweep over the transfer phases (with the analytic batches of
  // earlier periods still on the wire).
  for (auto& [l, users] : on_link) {
    std::erase_if(fast.active[l], [t_send_s](const FastPath::Active& a) { return a.t1_s <= t_send_s; });
    std::vector<std::pair<double, double>> steps;  // (time, rate change); ends before starts at a tie
    for (size_t i : users) {
      steps.emplace_back(t0[i], fast.bound_Bps[gateways[i]]);
      steps.emplace_back(t1[i], -fast.bound_Bps[gateways[i]]);
    }
    for (const FastPath::Active& a : fast.active[l]) {
      steps.emplace_back(a.t0_s, a.rate_Bps);
      steps.emplace_back(a.t1_s, -a.rate_Bps);
    }
    std::sort(steps.begin(), steps.end());
    double load = 0.0;
    int concurrent = 0;
    bool over = false;
    for (const auto& [t, change] : steps) {
      load += change;
      concurrent += change > 0.0 ? 1 : -1;
      if (concurrent > 1 && load > fast.bandwidth_Bps[l] * (1.0 - 1e-4)) over = true;
    }
    if (over)
      for (size_t i : users) forced[i] = true;
  }
  // Everything coupled to a SimGrid batch goes with it.
  std::vector<size_t> queue;
  std::vector<bool> simgrid(n, false);
  for (size_t i = 0; i < n; ++i)
    if (forced[i]) {
      simgrid[i] = true;
      queue.push_back(i);
    }
  while (!queue.empty()) {
    const size_t i = queue.back();
    queue.pop_back();
    for (size_t l : fast.route[gateways[i]]) {
      if (!fast.coupling[l]) continue;
      for (size_t j : on_link[l])
        if (!simgrid[j]) {
          simgrid[j] = true;
          queue.push_back(j);
        }
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (bytes[i] <= 0.0) continue;
    to_simgrid[i] = simgrid[i];
    if (simgrid[i]) {
      ++fast.simgrid;
      continue;
    }
    ++fast.analytic;
    for (size_t l : fast.route[gateways[i]])
      if (fast.coupling[l]) fast.active[l].push_back({t0[i], t1[i], fast.bound_Bps[gateways[i]]});
  }
  return to_simgrid;
}

double WiredNetwork::Impl::analytic_rate(uint32_t gateway, double t_send_s, double bytes) const {
  const double start = t_send_s + clock_origin;
  const double finish = (start + latency_s[gateway]) + bytes / fast.bound_Bps[gateway];
  const double transfer_s = finish - start - latency_s[gateway];
  return transfer_s > 0.0 ? bytes / transfer_s : scenario.gateways[gateway].fibre_bandwidth_bps / 8.0;
}

void WiredNetwork::Impl::simgrid_batch_done(uint32_t gateway) {
  for (size_t l : fast.route[gateway]) --fast.simgrid_in_flight[l];
}

}  // namespace citytwin::sim::network
