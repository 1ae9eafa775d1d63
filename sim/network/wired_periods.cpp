// The forwarding periods of the wired network (sim/network/wired_network.hpp): each period's copies
// prepared (departures, copies held by failures, which batches SimGrid must time), carried either inline
// or by a pool of long-lived SimGrid actors, and served by the network server, the broker and the
// analytics (the platform's stages). The platform and the failure driver are in wired_network.cpp, the
// analytic timing of the batches in wired_fast_path.cpp, the CCTV streams in wired_streams.cpp.
#include <limits>
#include <optional>

#include "sim/core/round_joining.hpp"
#include "sim/core/time_sort.hpp"
#include "sim/network/wired_network.hpp"
#include "sim/network/wired_network_impl.hpp"

namespace citytwin::sim::network {

void WiredNetwork::Impl::forward_period(double t_send_s, const PeriodBatches& batches) {
  s4u::this_actor::sleep_until(t_send_s + clock_origin);
  PreparedPeriod prepared;
  prepare_period(t_send_s, batches, prepared);
  carry_period(prepared);
}

void WiredNetwork::Impl::prepare_period(double t_send_s, const PeriodBatches& batches, PreparedPeriod& p,
                                        const std::vector<bool>* plan) {
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
  p.to_simgrid =
      plan != nullptr ? *plan : plan_period(t_send_s, p.gateway, p.comm_bytes, batches.same_instant);
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
      arriving.push_back({t_arrive, c.frame_seq, c.t_rx_s, c.t_leave_s, g, c.failure});
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
  // The copies due by the horizon, in arrival order: the first `due` of them once all are sorted (the
  // order starts with the time). They stay in `arriving`, addressed by index, until served: while the
  // stages run below, an actor carrying another period may append to it (and move it).
  // Carried in the order they came, they are nearly in time order: more buckets (time_sort.hpp).
  core::sort_by_time(
      arriving, sort_scratch, sort_starts, [](const Arrival& a) { return a.t_s; },
      untouched ? core::kMaxBucketsInOrder : core::kMaxBuckets);
  const size_t due =
      static_cast<size_t>(std::partition_point(arriving.begin(), arriving.end(),
                                               [horizon_s](const Arrival& a) { return a.t_s <= horizon_s; }) -
                          arriving.begin());
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
  if (due == 0 && bogus == 0) return;
  const scenario::Platform& platform = scenario.platform;
  const double ns_speed = execute_stages({platform.ns_cost_flops * static_cast<double>(due + bogus)})[0];
  const double service_s = platform.ns_cost_flops / ns_speed;
  const auto serve_bogus = [&](double until_s) {
    while (bogus_before(until_s)) {
      const double t = server_flood->next_s();
      const size_t attack = server_flood->pop();
      if (server_queue.arrive(t, service_s)) {
        add_busy(server_queue.free_at_s() - service_s, service_s);
      } else {
        server_flood->record_drop(attack);
      }
    }
  };
  std::vector<std::pair<uint64_t, double>>& delivered = serve_delivered;
  delivered.clear();
  for (size_t i = 0; i < due; ++i) {
    if ((i & 63) == 63) core::join_waiting_round();  // (on the pool's lane, outside SimGrid's actors)
    const Arrival a = arriving[i];
    serve_bogus(a.t_s);
    const std::optional<double> done = server_queue.arrive(a.t_s, service_s);
    if (!done) {
      on_dropped(a.frame_seq, output::FailReason::ServerOverload, -1);
      continue;
    }
    add_busy(*done - service_s, service_s);
    const Delivery delivery = on_delivered(a.frame_seq, *done, a.failure);
    if (delivery == Delivery::Duplicate) continue;
    breakdown.gateway_s += a.t_send_s - a.t_rx_s;
    breakdown.backhaul_s += a.t_s - a.t_send_s;
    breakdown.server_s += *done - a.t_s;
    ++breakdown.frames;
    if (delivery == Delivery::Delivered) delivered.emplace_back(a.frame_seq, *done);
  }
  arriving.erase(arriving.begin(), arriving.begin() + static_cast<std::ptrdiff_t>(due));
  serve_bogus(horizon_s);
  if (delivered.empty() || !on_ingest) return;
  const auto n = static_cast<double>(delivered.size());
  const auto speeds = execute_stages({platform.broker_cost_flops * n, platform.analytics_cost_flops * n});
  for (const auto& [seq, t] : delivered) on_ingest(seq, t, speeds[0], speeds[1]);
}

size_t WiredNetwork::Impl::send_batches(double t_s) {
  PeriodBatches& batches = period_batches;  // kept between periods (moved out when an actor takes it)
  batches.gateway.clear();
  batches.bounds.assign(1, 0);
  // The period's batches: a count per gateway, then each gateway's place in the copies grouped by gateway,
  // gateways in order (group_outbox writes them there, unless carry_in_order takes them as they came).
  for (uint32_t g : outbox_gateway) ++outbox_at[g];
  size_t at = 0;
  for (uint32_t g = 0; g < outbox_at.size(); ++g) {
    const size_t count = outbox_at[g];
    if (count == 0) continue;
    outbox_at[g] = at;
    at += count;
    batches.gateway.push_back(g);
    batches.bounds.push_back(at);
  }
  const size_t n = batches.size();
  if (n == 0) {
    batches.copies.resize(0);
    return 0;
  }
  ++period;
  batches.same_instant = t_s == last_period_s;
  last_period_s = t_s;
  // Inline when nothing of an earlier period is still in SimGrid (its comms, or its stages on the
  // platform) once the clock is at the period's instant, where its actor would start it. A second period
  // at one instant goes to SimGrid (plan_period), and so does any whose batches share a link SimGrid must
  // time: its worker takes it prepared.
  if (inline_allowed()) {
    {
      const core::NoRoundJoining on_actors_stacks;  // (round_joining.hpp)
      engine->run_until(t_s + clock_origin);
    }
    check();
    if (forward_workers_free == forward_workers_alive && forward_jobs.empty()) {
      std::optional<std::vector<bool>> plan;
      if (carry_in_order(t_s, batches, plan)) {
        release_outbox(batches);
        return n;
      }
      group_outbox(batches);
      PreparedPeriod& prepared = inline_prepared;  // kept between periods (moved out when a worker takes it)
      prepare_period(t_s, batches, prepared, plan ? &*plan : nullptr);
      if (prepared.any_simgrid()) {
        queue_forward_job({t_s, {}, std::move(prepared), false});
        return n;
      }
      ++inline_.periods;
      run_inline([&] { carry_period(prepared); });
      return n;
    }
  }
  group_outbox(batches);
  queue_forward_job({t_s, std::move(batches), std::nullopt, false});
  return n;
}

void WiredNetwork::Impl::group_outbox(PeriodBatches& batches) {
  // Each copy written at its gateway's next place (a few thousand places at once, held in the core's
  // caches while this loop runs alone).
  batches.copies.resize(outbox.size());
  for (size_t i = 0; i < outbox.size(); ++i) batches.copies[outbox_at[outbox_gateway[i]]++] = outbox[i];
  release_outbox(batches);
}

void WiredNetwork::Impl::release_outbox(const PeriodBatches& batches) {
  for (uint32_t g : batches.gateway) outbox_at[g] = 0;
  outbox.clear();  // both keep their storage for the next period
  outbox_gateway.clear();
}

void WiredNetwork::Impl::prepare_in_order() {
  bool quiet = timeline.server_failures().empty() && !wired_detail::env_is("CITYTWIN_WIRED_IN_ORDER", "0");
  const auto gateways = static_cast<uint32_t>(scenario.gateways.size());
  for (uint32_t g = 0; quiet && g < gateways; ++g)
    quiet = timeline.backhaul_failures(g).empty() && timeline.off_intervals(g).empty();
  untouched = quiet;
  if (!untouched) return;
  in_order_gateway.resize(gateways);
  for (uint32_t g = 0; g < gateways; ++g) {
    InOrderGateway& at = in_order_gateway[g];
    at.forward_delay_s = scenario.gateways[g].forward_delay_s;
    at.latency_s = latency_s[g];
    at.first_link = static_cast<uint32_t>(in_order_links.size());
    at.links = static_cast<uint32_t>(route_links[g].size());
    for (size_t l : route_links[g]) in_order_links.push_back(static_cast<uint32_t>(l));
  }
}

bool WiredNetwork::Impl::carry_in_order(double t_send_s, const PeriodBatches& batches,
                                        std::optional<std::vector<bool>>& plan) {
  if (!untouched) return false;
  // No copy is held or dropped: each batch carries all of its copies' bytes (prepare_period: what a gateway
  // deferred, 0, plus its copies'), and its copies leave forward_delay after they were received.
  const double msg_bytes = scenario.platform.forward_message_bytes;
  const size_t n = batches.size();
  period_bytes.resize(n);
  for (size_t i = 0; i < n; ++i)
    period_bytes[i] = msg_bytes * static_cast<double>(batches.bounds[i + 1] - batches.bounds[i]);
  plan = plan_period(t_send_s, batches.gateway, period_bytes, batches.same_instant);
  for (size_t i = 0; i < n; ++i)
    if ((*plan)[i] && period_bytes[i] > 0.0) return false;  // (prepare_period takes the plan)
  // Each batch's rate, in batch order as carry_period asks them (analytic_rate reads a shared one once).
  for (size_t i = 0; i < n; ++i) {
    const uint32_t g = batches.gateway[i];
    double rate = scenario.gateways[g].fibre_bandwidth_bps / 8.0;  // bytes/s
    if (period_bytes[i] > 0.0) rate = analytic_rate(g, t_send_s, period_bytes[i]);
    in_order_gateway[g].transfer_s = msg_bytes / rate;
  }
  ++inline_.periods;
  ++inline_.in_order;
  // The copies as they came, nearly in time order (a window's frames at a time): their arrivals' sort
  // below then writes to a few of its buckets at a time, where grouped by gateway each gateway's copies
  // spread over all of them (at 1 M devices the sort's scatter missed the cache at every copy). The links'
  // bytes are added copy by copy as prepare_period adds them: each link's additions in another order, but
  // all of the same amount, so the same sums.
  // (The copies' intervals: the same for long runs of them, its row looked up again only when it changes.)
  size_t row_bin = std::numeric_limits<size_t>::max();
  double* row = nullptr;
  for (size_t k = 0; k < outbox.size(); ++k) {
    if ((k & 255) == 255) core::join_waiting_round();
    const uint32_t g = outbox_gateway[k];
    const InOrderGateway& at = in_order_gateway[g];
    const Copy& c = outbox[k];
    const double t_leave = c.t_rx_s + at.forward_delay_s;
    if (const size_t b = bin(t_leave); b != row_bin) {
      row = link_bytes.row(b).data();
      row_bin = b;
    }
    for (uint32_t i = at.first_link; i < at.first_link + at.links; ++i) row[in_order_links[i]] += msg_bytes;
    arriving.push_back({t_leave + at.latency_s + at.transfer_s, c.frame_seq, c.t_rx_s, t_leave, g, -1});
  }
  run_inline([&] { serve_until(t_send_s); });
  return true;
}

bool WiredNetwork::Impl::inline_allowed() {
  if (!inline_.decided) {
    inline_.decided = true;
    // The network server runs alone, then the broker and the analytics side by side: two cores at least
    // for the stages to run each on its own. CITYTWIN_WIRED_CHECK sends everything to SimGrid.
    inline_.enabled =
        !wired_detail::env_is("CITYTWIN_WIRED_INLINE", "0") && scenario.platform.server_cores >= 2;
    if (!fast.prepared) prepare_fast_path();
    if (fast.check) inline_.enabled = false;
    if (inline_.enabled) prepare_in_order();
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

}  // namespace citytwin::sim::network
