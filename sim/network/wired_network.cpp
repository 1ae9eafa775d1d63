#include "sim/network/wired_network.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "sim/core/run_error.hpp"
#include "sim/core/time_sort.hpp"
#include "sim/network/wired_network_impl.hpp"

namespace citytwin::sim::network {
namespace {

// SimGrid reports a deadlock (activities that can never complete: a transfer that will never end, a
// receive nobody sends to) by a signal, then kills the actors and returns from Engine::run as if the
// simulation had ended: the run must fail instead of finishing a trace that claims completeness. One
// engine per process (run_isolated forks), so a process-wide flag is enough.
bool g_deadlocked = false;

void watch_for_deadlock() {
  static const bool connected = [] {
    s4u::Engine::on_deadlock_cb([] { g_deadlocked = true; });
    return true;
  }();
  (void)connected;
  g_deadlocked = false;
}

// t_s: the simulated time the network was being advanced to.
void check_no_deadlock(double t_s) {
  if (g_deadlocked) {
    throw core::RunError(
        "the wired network simulation (SimGrid) deadlocked (advancing to t = " + std::to_string(t_s) +
        " s): some transfers can never complete (a link latency or bandwidth out of range?)");
  }
}

std::vector<std::string>& simgrid_config() {
  static std::vector<std::string> items;
  return items;
}

}  // namespace

void set_simgrid_config(std::vector<std::string> items) {
  check_simgrid_config(items);
  simgrid_config() = std::move(items);
}

void WiredNetwork::Impl::build_platform() {
  s4u::NetZone* city = s4u::create_full_zone("city");
  s4u::NetZone* core = s4u::create_full_zone("core");
  core->set_parent(city);
  server = core->create_host("platform", scenario.platform.server_speed_flops)
               ->set_core_count(scenario.platform.server_cores);
  ccc = server;
  if (scenario.platform.ccc_link_length_m > 0.0) {
    ccc = core->create_host("ccc", scenario.platform.server_speed_flops);
    s4u::Link* ccc_link = link(core, "ccc", scenario.platform.ccc_link_bandwidth_bps,
                               scenario.platform.ccc_link_length_m * kFibreDelayPerMetre_s);
    ccc_link_index = link_order.size() - 1;
    core->add_route(server->get_netpoint(), ccc->get_netpoint(), nullptr, nullptr,
                    {s4u::LinkInRoute(ccc_link)}, true);
  }
  core->seal();
  // Shared links, in the city zone; gateways' routes find them by name (route_link_names).
  for (const scenario::CoreLink& l : scenario.fibre.core.links)
    link(city, l.name(), l.bandwidth_bps, l.length_m * kFibreDelayPerMetre_s);
  for (const scenario::Olt& olt : scenario.fibre.olts)
    link(city, "backbone:" + olt.name, olt.backbone_bandwidth_bps,
         olt.backbone_length_m * kFibreDelayPerMetre_s);
  for (const scenario::Pon& pon : scenario.fibre.pons)
    link(city, "pon:" + pon.name, pon.upstream_bps, pon.length_m * kFibreDelayPerMetre_s);
  // One zone per district with gateways (and one for gateways outside every district).
  std::map<int, std::pair<s4u::NetZone*, simgrid::kernel::routing::NetPoint*>> districts;
  const auto district_zone = [&](int d) {
    auto it = districts.find(d);
    if (it != districts.end()) return it->second;
    const std::string name = d < 0 ? "(outside)" : scenario.city.districts[static_cast<size_t>(d)].name;
    s4u::NetZone* zone = s4u::create_full_zone("district:" + name);
    zone->set_parent(city);
    return districts.emplace(d, std::make_pair(zone, zone->create_router("router:" + name))).first->second;
  };
  for (uint32_t g = 0; g < scenario.gateways.size(); ++g) {
    const scenario::Gateway& gw = scenario.gateways[g];
    const int district = scenario::district_of(scenario.city, gw.x_m, gw.y_m);
    gateway_district.push_back(district);
    auto [zone, router] = district_zone(district);
    s4u::Host* host = zone->create_host("gw:" + gw.name, 1e9);
    std::vector<s4u::LinkInRoute> route;
    const std::vector<std::string>& names = route_names[g];
    if (gw.backhaul == scenario::BackhaulKind::Pon) {
      // The drop from the ONT to the splitter is the gateway's own; the PON and backbone are shared.
      route.emplace_back(
          link(zone, names[0], gw.fibre_bandwidth_bps, gw.fibre_length_m * kFibreDelayPerMetre_s));
      for (size_t k = 1; k < names.size(); ++k) route.emplace_back(links.at(names[k]));
    } else {
      // The gateway's own links: fibre by length, cellular by the operator's latency, a leased line
      // by both, each mesh hop by its latency.
      const double per_link = gw.backhaul == scenario::BackhaulKind::Fibre
                                  ? gw.fibre_length_m * kFibreDelayPerMetre_s
                              : gw.backhaul == scenario::BackhaulKind::LeasedLine
                                  ? gw.backhaul_latency_s + gw.fibre_length_m * kFibreDelayPerMetre_s
                                  : gw.backhaul_latency_s;
      for (const std::string& name : names)
        route.emplace_back(link(zone, name, gw.fibre_bandwidth_bps, per_link));
    }
    double latency = 0.0;
    std::vector<size_t> indices;
    for (const auto& hop : route) {
      latency += hop.get_link()->get_latency();
      indices.push_back(link_index.at(hop.get_link()->get_name()));
    }
    route_links.push_back(std::move(indices));
    zone->add_route(host->get_netpoint(), router, nullptr, nullptr, route, true);
    gateway_hosts.push_back(host);
    latency_s.push_back(latency);
  }
  for (auto& [d, zone_router] : districts) {
    auto [zone, router] = zone_router;
    zone->seal();
    s4u::Link* aggregation = city->create_link("aggregation:" + zone->get_name(), 125e9)->set_latency(0.0);
    district_aggregation[d] = link_order.size() + aggregation_Bps.size();
    aggregation_Bps.push_back(aggregation->get_bandwidth());
    city->add_route(zone->get_netpoint(), core->get_netpoint(), router, server->get_netpoint(),
                    {s4u::LinkInRoute(aggregation)}, true);
  }
  city->seal();
}

void WiredNetwork::Impl::start_failure_driver() {
  struct Event {
    double t_s;
    bool off;
    s4u::Link* link;
  };
  std::vector<Event> events;
  for (const scenario::Failure& f : schedule) {
    const auto it = links.find(f.target);
    if (it == links.end()) continue;  // the network server: software, not a SimGrid resource
    events.push_back({f.start_s, true, it->second});
    events.push_back({f.end_s, false, it->second});
  }
  for (uint32_t g = 0; g < route_names.size(); ++g) {
    if (route_names[g].empty()) continue;
    for (const scenario::TimeInterval& off : timeline.off_intervals(g)) {
      events.push_back({off.t0_s, true, links.at(route_names[g][0])});
      events.push_back({off.t1_s, false, links.at(route_names[g][0])});
    }
  }
  const double end_s = scenario.run.duration_s;
  std::erase_if(events, [end_s](const Event& e) { return e.t_s >= end_s; });
  if (events.empty()) return;
  // At equal times, off first: a link failed again as it comes back stays off.
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return a.t_s < b.t_s || (a.t_s == b.t_s && a.off && !b.off);
  });
  actor("failures", server, [this, events = std::move(events)]() {
    std::map<s4u::Link*, int> depth;
    for (const Event& e : events) {
      s4u::this_actor::sleep_until(e.t_s + clock_origin);
      if (e.off) {
        if (depth[e.link]++ > 0) continue;
        // What the streams' chunks still had to send as the link goes: a cut one's delivered part.
        for (Stream& st : streams)
          if (st.active) st.remaining_at_cut = st.active->get_remaining();
        e.link->turn_off();
        ++links_off;
      } else if (--depth[e.link] == 0) {
        e.link->turn_on();
        --links_off;
      }
    }
  });
}

void WiredNetwork::Impl::forward_period(double t_send_s, const PeriodBatches& batches) {
  s4u::this_actor::sleep_until(t_send_s + clock_origin);
  PreparedPeriod prepared;
  prepare_period(t_send_s, batches, prepared);
  carry_period(prepared);
}

void WiredNetwork::Impl::prepare_period(double t_send_s, const PeriodBatches& batches, PreparedPeriod& p) {
  const double msg_bytes = scenario.platform.forward_message_bytes;
  p.t_send_s = t_send_s;
  p.gateway = batches.gateway;
  p.leaving.clear();
  p.leaving_bounds.assign(1, 0);
  // When each copy leaves its gateway: forward_delay after reception, or, while a link of its route
  // is down, when the route is back (held in the gateway's buffer, dropped when it is full).
  p.leaving.reserve(batches.copies.size());
  p.leaving_bounds.reserve(batches.size() + 1);
  p.comm_bytes.assign(batches.size(), 0.0);
  for (size_t i = 0; i < batches.size(); ++i) {
    const uint32_t g = batches.gateway[i];
    const scenario::Gateway& gw = scenario.gateways[g];
    const std::vector<Down>& route_down = timeline.backhaul_failures(g);
    for (const Copy& c : batches.copies_of(i)) {
      double t_leave = c.t_rx_s + gw.forward_delay_s;
      int failure = -1;
      for (const Down* down = down_at(route_down, t_leave); down != nullptr;
           down = down_at(route_down, t_leave)) {
        int& held = buffered[g][static_cast<size_t>(down - route_down.data())];
        if (held >= gw.buffer_frames) {
          on_dropped(c.frame_seq, output::FailReason::BufferFull, down->cause);
          ++effects[static_cast<size_t>(down->cause)].copies_lost;
          t_leave = -1.0;
          break;
        }
        ++held;
        ++effects[static_cast<size_t>(down->cause)].copies_delayed;
        failure = down->cause;
        t_leave = down->t1_s;
      }
      if (t_leave < 0.0) continue;
      p.leaving.push_back({c.frame_seq, c.t_rx_s, t_leave, failure});
      for (size_t l : route_links[g]) add_link(l, t_leave, msg_bytes);
    }
    p.leaving_bounds.push_back(p.leaving.size());
    // One SimGrid comm per gateway and period carries the bytes; while the route is down they wait
    // for the gateway's first batch after it is back.
    deferred_bytes[g] += msg_bytes * static_cast<double>(p.leaving_bounds[i + 1] - p.leaving_bounds[i]);
    if (deferred_bytes[g] > 0.0 && route_up(g, t_send_s)) {
      p.comm_bytes[i] = deferred_bytes[g];
      deferred_bytes[g] = 0.0;
    }
  }
  // The batches no other traffic slows are timed analytically (wired_fast_path.cpp); the rest are
  // SimGrid comms, sharing their links.
  p.to_simgrid = plan_period(t_send_s, p.gateway, p.comm_bytes);
  p.planned = p.to_simgrid;
  if (fast.check) p.to_simgrid.assign(batches.size(), true);
}

void WiredNetwork::Impl::carry_period(const PreparedPeriod& p) {
  const double msg_bytes = scenario.platform.forward_message_bytes;
  const double t_send_s = p.t_send_s;
  const size_t n = p.gateway.size();
  std::vector<s4u::CommPtr> comms(n);
  for (size_t i = 0; i < n; ++i) {
    if (!p.to_simgrid[i] || p.comm_bytes[i] <= 0.0) continue;
    comms[i] =
        s4u::Comm::sendto_async(gateway_hosts[p.gateway[i]], server, static_cast<uint64_t>(p.comm_bytes[i]));
    for (size_t l : fast.route[p.gateway[i]]) ++fast.simgrid_in_flight[l];
  }
  for (size_t i = 0; i < n; ++i) {
    const uint32_t g = p.gateway[i];
    // The rate the batch obtained once its first byte arrived; the link rate when the link is not
    // shared, or when the batch did not get through (a cut while it was on the wire).
    double rate = scenario.gateways[g].fibre_bandwidth_bps / 8.0;  // bytes/s
    if (comms[i]) {
      try {
        comms[i]->wait();
        const double transfer_s = comms[i]->get_finish_time() - comms[i]->get_start_time() - latency_s[g];
        if (transfer_s > 0.0) rate = p.comm_bytes[i] / transfer_s;
      } catch (const std::exception& e) {
        if (!comm_failed(e)) throw;
      }
      simgrid_batch_done(g);
      if (fast.check && !p.planned[i]) check_rate(g, t_send_s, p.comm_bytes[i], rate);
    } else if (p.comm_bytes[i] > 0.0) {
      rate = analytic_rate(g, t_send_s, p.comm_bytes[i]);
    }
    for (size_t k = p.leaving_bounds[i]; k < p.leaving_bounds[i + 1]; ++k) {
      const Leaving& c = p.leaving[k];
      const double t_arrive = c.t_leave_s + latency_s[g] + msg_bytes / rate;
      if (const int failure = timeline.server_failure_at(t_arrive); failure >= 0) {
        on_dropped(c.frame_seq, output::FailReason::ServerDown, failure);
        ++effects[static_cast<size_t>(failure)].copies_lost;
        continue;
      }
      arriving.push_back({t_arrive, g, c.frame_seq, c.t_rx_s, c.t_leave_s, c.failure});
    }
  }
  // Copies of later periods were received after t_send_s, so they arrive after it: everything up to
  // t_send_s can be served in arrival order (held copies wait in `arriving` for their time).
  serve_until(t_send_s);
}

std::vector<double> WiredNetwork::Impl::execute_stages(const std::vector<double>& work) {
  const double speed_per_core = scenario.platform.server_speed_flops;
  if (inline_.now) {
    // Each on a core of its own (inline_allowed: no more stages than cores), nothing else executing on
    // the platform: SimGrid's finish is start + work / speed, and the speed it gives back that work over
    // the difference of the two clock readings. The caller's clock moves on when the last one ends.
    const double start = inline_.stage_clock;
    double end = start;
    std::vector<double> speeds;
    for (double flops : work) {
      double speed = speed_per_core;
      if (flops > 0.0) {
        const double finish = start + flops / speed_per_core;
        const double busy_s = finish - start;
        if (busy_s > 0.0) speed = flops / busy_s;
        end = std::max(end, finish);
      }
      speeds.push_back(speed);
    }
    inline_.stage_clock = end;
    serve_free_at = end;
    return speeds;
  }
  std::vector<s4u::ExecPtr> execs;
  for (double flops : work) execs.push_back(flops > 0.0 ? s4u::this_actor::exec_async(flops) : nullptr);
  std::vector<double> speeds;
  for (size_t i = 0; i < work.size(); ++i) {
    double speed = speed_per_core;
    if (execs[i]) {
      execs[i]->wait();
      const double busy_s = execs[i]->get_finish_time() - execs[i]->get_start_time();
      if (busy_s > 0.0) speed = work[i] / busy_s;
    }
    speeds.push_back(speed);
  }
  return speeds;
}

void WiredNetwork::Impl::serve_until(double horizon_s) {
  // One period served at a time: in actors, by the mutex; after stages carried inline, by waiting for
  // their end; inline, nothing else is serving (inline_allowed), and the stages start then.
  std::optional<std::lock_guard<s4u::Mutex>> lock;
  if (inline_.now) {
    inline_.stage_clock = std::max(s4u::Engine::get_clock(), serve_free_at);
  } else {
    lock.emplace(*serve_mutex);
    if (serve_free_at > s4u::Engine::get_clock()) s4u::this_actor::sleep_until(serve_free_at);
  }
  // The copies due by the horizon, in arrival order; the others stay.
  const auto due = std::partition(arriving.begin(), arriving.end(),
                                  [horizon_s](const Arrival& a) { return a.t_s > horizon_s; });
  std::vector<Arrival>& group = serve_group;  // kept between periods: no allocation in steady state
  group.assign(due, arriving.end());
  arriving.erase(due, arriving.end());
  core::sort_by_time(group, sort_scratch, sort_starts, [](const Arrival& a) { return a.t_s; });
  // Bogus frames of a flood at the server up to the horizon (attacks.platform_dos, server_flood.hpp).
  size_t bogus = 0;
  const auto bogus_before = [&](double t_s) {
    if (server_flood == nullptr) return false;
    const double next = server_flood->next_s();
    return std::isfinite(next) && next <= std::min(t_s, horizon_s);
  };
  if (server_flood != nullptr) {
    ServerFlood probe = *server_flood;
    while (std::isfinite(probe.next_s()) && probe.next_s() <= horizon_s) (void)probe.pop(), ++bogus;
  }
  if (group.empty() && bogus == 0) return;
  const scenario::Platform& platform = scenario.platform;
  const double ns_speed =
      execute_stages({platform.ns_cost_flops * static_cast<double>(group.size() + bogus)})[0];
  const double service_s = platform.ns_cost_flops / ns_speed;
  const auto serve_bogus = [&](double until_s) {
    while (bogus_before(until_s)) {
      const double t = server_flood->next_s();
      const size_t attack = server_flood->pop();
      if (server_queue.arrive(t, service_s)) {
        add(server_busy_s, server_queue.free_at_s() - service_s, service_s);
      } else {
        server_flood->record_drop(attack);
      }
    }
  };
  std::vector<std::pair<uint64_t, double>>& delivered = serve_delivered;
  delivered.clear();
  for (const Arrival& a : group) {
    serve_bogus(a.t_s);
    const std::optional<double> done = server_queue.arrive(a.t_s, service_s);
    if (!done) {
      on_dropped(a.frame_seq, output::FailReason::ServerOverload, -1);
      continue;
    }
    add(server_busy_s, *done - service_s, service_s);
    if (on_delivered(a.frame_seq, *done, a.failure)) {
      breakdown.gateway_s += a.t_send_s - a.t_rx_s;
      breakdown.backhaul_s += a.t_s - a.t_send_s;
      breakdown.server_s += *done - a.t_s;
      ++breakdown.frames;
      delivered.emplace_back(a.frame_seq, *done);
    }
  }
  serve_bogus(horizon_s);
  if (delivered.empty() || !on_ingest) return;
  const auto n = static_cast<double>(delivered.size());
  const auto speeds = execute_stages({platform.broker_cost_flops * n, platform.analytics_cost_flops * n});
  for (const auto& [seq, t] : delivered) on_ingest(seq, t, speeds[0], speeds[1]);
}

void WiredNetwork::Impl::send_batches(double t_s) {
  PeriodBatches& batches = period_batches;  // kept between periods (moved out when an actor takes it)
  batches.gateway.clear();
  batches.bounds.assign(1, 0);
  batches.copies.clear();
  for (uint32_t g = 0; g < outbox.size(); ++g) {
    if (outbox[g].empty()) continue;
    batches.gateway.push_back(g);
    batches.copies.insert(batches.copies.end(), outbox[g].begin(), outbox[g].end());
    batches.bounds.push_back(batches.copies.size());
    outbox[g].clear();  // keeps its storage for the next period
  }
  if (batches.size() == 0) return;
  ++period;
  // Inline when nothing of an earlier period is still in SimGrid (its comms, or its stages on the
  // platform) once the clock is at the period's instant, where its actor would start it. The run's last
  // period goes to SimGrid (plan_period), and so does any whose batches share a link SimGrid must time.
  if (!inline_allowed()) {
    ++inline_.periods_in_actors;
    queue_forward_job({t_s, std::move(batches), std::nullopt, false});
    return;
  }
  engine->run_until(t_s + clock_origin);
  check();
  if (forward_workers_free != forward_workers_alive || !forward_jobs.empty()) {
    ++inline_.periods_in_actors;
    queue_forward_job({t_s, std::move(batches), std::nullopt, false});
    return;
  }
  PreparedPeriod& prepared = inline_prepared;  // kept between periods (moved out when an actor takes it)
  prepare_period(t_s, batches, prepared);
  if (prepared.any_simgrid()) {
    ++inline_.periods_in_actors;
    queue_forward_job({t_s, {}, std::move(prepared), false});
    return;
  }
  ++inline_.periods;
  inline_.now = true;
  try {
    carry_period(prepared);
  } catch (...) {
    inline_.now = false;
    throw;
  }
  inline_.now = false;
}

bool WiredNetwork::Impl::inline_allowed() {
  if (!inline_.decided) {
    inline_.decided = true;
    const char* env = std::getenv("CITYTWIN_WIRED_INLINE");
    // The network server runs alone, then the broker and the analytics side by side: two cores at least
    // for the stages to run each on its own. CITYTWIN_WIRED_CHECK sends everything to SimGrid.
    inline_.enabled = !(env != nullptr && std::string(env) == "0") && scenario.platform.server_cores >= 2;
    if (!fast.prepared) prepare_fast_path();
    if (fast.check) inline_.enabled = false;
  }
  return inline_.enabled;
}

void WiredNetwork::Impl::queue_forward_job(ForwardJob job) {
  forward_jobs.push_back(std::move(job));
  if (forward_workers_free > 0) {
    --forward_workers_free;
  } else {
    ++forward_workers_alive;
    actor("forward-" + std::to_string(forward_workers++), server, [this] {
      while (true) {
        forward_ready->acquire();
        ForwardJob next = std::move(forward_jobs.front());
        forward_jobs.pop_front();
        if (next.quit) {
          --forward_workers_alive;
          return;
        }
        if (next.prepared)
          carry_period(*next.prepared);
        else
          forward_period(next.t_s, next.batches);
        ++forward_workers_free;
      }
    });
  }
  forward_ready->release();
}

void WiredNetwork::Impl::stop_forward_workers() {
  // Queued after every period still to run: each worker returns when it reaches one.
  for (size_t i = 0; i < forward_workers; ++i) {
    forward_jobs.push_back({0.0, {}, std::nullopt, true});
    forward_ready->release();
  }
  forward_workers_free = 0;
}

WiredNetwork::WiredNetwork(const scenario::Scenario& scenario, const drivers::GatewayTimeline& timeline,
                           DeliveryCallback on_delivered, DropCallback on_dropped, IngestCallback on_ingest)
    : impl_(std::make_unique<Impl>(scenario, timeline, std::move(on_delivered), std::move(on_dropped),
                                   std::move(on_ingest))) {
  // CM02: latency and bandwidth exactly as given (the default LV08 model scales both to fit TCP), and
  // no cross-traffic (by default SimGrid reserves 5 % of a link for the reverse TCP acknowledgements).
  std::vector<std::string> args = {"citytwin", "--cfg=network/model:CM02", "--cfg=network/crosstraffic:0",
                                   "--log=root.thres:critical"};
#if defined(__SANITIZE_ADDRESS__)
  // Debian's SimGrid switches actor stacks without telling AddressSanitizer, which then reports false
  // stack errors: under ASan every actor runs on a thread of its own.
  args.emplace_back("--cfg=contexts/factory:thread");
#endif
  for (const std::string& item : simgrid_config()) args.push_back("--cfg=" + item);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int argc = static_cast<int>(args.size());
  // SimGrid installs its own SIGINT handler (print the actors' status and exit); keep the caller's,
  // so that Ctrl-C stops the run cleanly and the trace is finished.
  struct sigaction caller_sigint {};
  sigaction(SIGINT, nullptr, &caller_sigint);
  try {
    impl_->engine = std::make_unique<s4u::Engine>(&argc, argv.data());
  } catch (const std::exception& e) {  // "Bad config key: foo", then every key SimGrid has
    const std::string what = e.what();
    throw SimgridConfigError("SimGrid configuration (--cfg): " + what.substr(0, what.find('\n')));
  }
  sigaction(SIGINT, &caller_sigint, nullptr);
  watch_for_deadlock();
  impl_->clock_origin = s4u::Engine::get_clock();
  impl_->serve_mutex = s4u::Mutex::create();
  impl_->forward_ready = s4u::Semaphore::create(0);
  impl_->build_platform();
  impl_->outbox.resize(scenario.gateways.size());
  impl_->start_failure_driver();
}

WiredNetwork::~WiredNetwork() = default;

const std::vector<scenario::Failure>& WiredNetwork::failures() const { return impl_->schedule; }

const std::vector<WiredNetwork::FailureEffect>& WiredNetwork::failure_effects() const {
  return impl_->effects;
}

void WiredNetwork::forward(uint32_t gateway, uint64_t frame_seq, double t_rx_s) {
  impl_->outbox[gateway].push_back({frame_seq, t_rx_s});
  ++copies_forwarded_;
}

void WiredNetwork::advance(double t_s) {
  for (const auto& box : impl_->outbox) batches_sent_ += box.empty() ? 0 : 1;
  impl_->send_batches(t_s);
  impl_->engine->run_until(t_s + impl_->clock_origin);
  impl_->check();
  check_no_deadlock(t_s);
}

void WiredNetwork::drain(double t_s) {
  for (const auto& box : impl_->outbox) batches_sent_ += box.empty() ? 0 : 1;
  impl_->send_batches(t_s);
  impl_->stop_forward_workers();
  impl_->engine->run();
  impl_->check();
  check_no_deadlock(t_s);
  // What is still waiting for the network server: copies held past the end, the last period's tail.
  impl_->actor("serve-rest", impl_->server,
               [impl = impl_.get()] { impl->serve_until(std::numeric_limits<double>::infinity()); });
  impl_->engine->run();
  impl_->check();
  check_no_deadlock(t_s);
  if (impl_->fast.check) impl_->print_check();
  if (const char* stats = std::getenv("CITYTWIN_WIRED_STATS");
      stats != nullptr && std::string(stats) == "1") {
    const Impl& im = *impl_;
    std::fprintf(stderr,
                 "citytwin: wired network: %llu forwarding periods carried inline, %llu in SimGrid actors; "
                 "batches timed analytically %llu (by max-min sharing %llu), by SimGrid %llu\n",
                 static_cast<unsigned long long>(im.inline_.periods),
                 static_cast<unsigned long long>(im.inline_.periods_in_actors),
                 static_cast<unsigned long long>(im.fast.analytic),
                 static_cast<unsigned long long>(im.fast.shared),
                 static_cast<unsigned long long>(im.fast.simgrid));
  }
}

void WiredNetwork::set_server_flood(ServerFlood* flood) {
  impl_->server_flood = flood != nullptr && !flood->empty() ? flood : nullptr;
}

uint64_t WiredNetwork::batches_analytic() const { return impl_->fast.analytic; }
uint64_t WiredNetwork::batches_simgrid() const { return impl_->fast.simgrid; }
uint64_t WiredNetwork::periods_inline() const { return impl_->inline_.periods; }
uint64_t WiredNetwork::periods_in_actors() const { return impl_->inline_.periods_in_actors; }

uint64_t WiredNetwork::copies_buffered() const {
  uint64_t held = 0;
  for (const FailureEffect& e : impl_->effects) held += e.copies_delayed;
  return held;
}

bool WiredNetwork::reachable(uint32_t gateway, double t_s) const {
  return impl_->timeline.backhaul_up(gateway, t_s) && impl_->timeline.server_up(t_s);
}

WiredNetwork::LatencyBreakdown WiredNetwork::latency_breakdown() const {
  LatencyBreakdown mean = impl_->breakdown;
  if (mean.frames > 0) {
    const auto n = static_cast<double>(mean.frames);
    mean.gateway_s /= n;
    mean.backhaul_s /= n;
    mean.server_s /= n;
  }
  return mean;
}

output::TimeSeries WiredNetwork::utilisation(double end_s) const {
  const Impl& im = *impl_;
  const double interval = im.scenario.run.timeseries_interval_s;
  const size_t bins = std::max<size_t>(1, static_cast<size_t>(std::ceil(end_s / interval)));
  output::TimeSeries ts;
  ts.description =
      "utilisation per interval: wired links (bytes carried / capacity) and the network server's CPU";
  for (size_t b = 0; b < bins; ++b) ts.t_s.push_back(static_cast<double>(b) * interval);
  for (size_t l = 0; l < im.link_order.size(); ++l) {
    const double capacity = im.links.at(im.link_order[l])->get_bandwidth() * interval;  // bytes per interval
    std::vector<double> u(bins, 0.0);
    for (size_t b = 0; b < bins && b < im.link_bytes.rows.size(); ++b)
      u[b] = im.link_bytes.at(b, l) / capacity;
    ts.columns.emplace_back(im.link_order[l], std::move(u));
  }
  std::vector<double> server(bins, 0.0);
  for (size_t b = 0; b < bins && b < im.server_busy_s.size(); ++b) server[b] = im.server_busy_s[b] / interval;
  ts.columns.emplace_back("network_server", std::move(server));
  return ts;
}

double WiredNetwork::route_latency_s(uint32_t gateway) const { return impl_->latency_s[gateway]; }

}  // namespace citytwin::sim::network
