// CCTV streams over the wired network: chunked, rate-limited SimGrid comms that failures cut
// (sim/wired_network.hpp).
#include "sim/network/wired_network.hpp"
#include "sim/network/wired_network_impl.hpp"

namespace citytwin::sim::network {

// A CCTV stream: chunks of one /timeseries interval (and no further than the next known outage),
// each a rate-limited mailbox comm. A cut interrupts the chunk on the wire (its delivered part
// counts), the video of the outage is lost, and the stream resumes when its route is back.
void WiredNetwork::Impl::run_stream(size_t index, s4u::Mailbox* mailbox) {
  static int payload = 0;
  Stream& st = streams[index];
  const double end_s = st.duration_s;  // (or earlier, when stop_schedule_at stops it)
  // Chunks end at /timeseries intervals and at the event clips' intervals: the rate is constant in each.
  const double interval = st.extra_bps.empty()
                              ? scenario.run.timeseries_interval_s
                              : std::min(scenario.run.timeseries_interval_s, st.extra_interval_s);
  double t = now();  // the start of the video the next chunk carries (behind now() on a saturated route)
  while (t < end_s && !st.stopped) {
    if (const scenario::TimeInterval* down = down_at(st.down, now())) {
      st.outage_s += std::min(down->t1_s, end_s) - now();
      st.asleep_until_s = std::min(down->t1_s, end_s);
      s4u::this_actor::sleep_until(st.asleep_until_s + clock_origin);
      st.asleep_until_s = -1.0;
      // The failure driver turns the links on at this same instant: let it go first.
      for (int spin = 0; spin < 1000 && now() < end_s && !route_on(st); ++spin)
        s4u::this_actor::sleep_for(1e-6);
      t = now();  // the video of the outage is lost
      continue;
    }
    double chunk_end = std::min(end_s, wired_detail::next_boundary(t, interval));
    for (const scenario::TimeInterval& d : st.down)
      if (d.t0_s > now()) chunk_end = std::min(chunk_end, std::max(d.t0_s, t + 1e-3));
    const double rate = st.rate_bps(0.5 * (t + chunk_end)) / 8.0;  // bytes/s
    const double bytes = rate * (chunk_end - t);
    const double started = now();
    st.remaining_at_cut = bytes;
    st.active = mailbox->put_init(&payload, static_cast<uint64_t>(std::max(1.0, bytes)));
    st.active->set_rate(rate);
    st.active->start();
    double sent = bytes;
    try {
      st.active->wait();
    } catch (const std::exception& e) {
      if (!comm_failed(e)) throw;
      sent = std::max(0.0, bytes - st.remaining_at_cut);
    }
    st.active = nullptr;
    st.delivered_bytes += sent;
    for (size_t l : st.links) spread_link(l, started, now(), sent);
    if (sent < bytes) {
      t = now();  // cut: the rest of the chunk, and what the camera sends meanwhile, is lost
      if (now() == started) s4u::this_actor::sleep_for(1e-3);  // cut before it began: let time pass
    } else {
      t = chunk_end;
    }
  }
}

bool WiredNetwork::Impl::route_on(const Stream& st) const {
  for (size_t l : st.links)
    if (!links.at(link_order[l])->is_on()) return false;
  return true;
}

void WiredNetwork::start_stream(uint32_t gateway, double bits_per_s, double duration_s,
                                const std::vector<double>& extra_bps, double extra_interval_s) {
  Impl* impl = impl_.get();
  Impl::Stream st;
  st.gateway = gateway;
  st.bits_per_s = bits_per_s;
  st.duration_s = duration_s;
  st.end_s = duration_s;
  st.extra_bps = extra_bps;
  st.extra_interval_s = extra_interval_s;
  st.links = impl->route_links[gateway];
  if (impl->ccc_link_index) st.links.push_back(*impl->ccc_link_index);
  std::vector<scenario::TimeInterval> down = impl->timeline.off_intervals(gateway);
  for (size_t i = 0; i < impl->schedule.size(); ++i) {
    const scenario::Failure& f = impl->schedule[i];
    const bool on_route = std::any_of(st.links.begin(), st.links.end(),
                                      [&](size_t l) { return impl->link_order[l] == f.target; });
    if (!on_route) continue;
    down.push_back({f.start_s, f.end_s});
    impl->effects[i].stream_outage_s +=
        std::max(0.0, std::min(f.end_s, duration_s) - std::min(f.start_s, duration_s));
  }
  st.down = merged(std::move(down));
  impl->streams.push_back(std::move(st));
  const size_t index = impl->streams.size() - 1;
  s4u::Mailbox* mailbox = s4u::Mailbox::by_name("stream-" + std::to_string(index));
  // The receiver takes chunk after chunk; a daemon, gone when the senders are done.
  impl->actor("stream-rx-" + std::to_string(index), impl->ccc, [mailbox]() {
    s4u::Actor::self()->daemonize();
    for (;;) {
      try {
        mailbox->get<int>();
      } catch (const std::exception& e) {
        if (!comm_failed(e)) throw;
      }
    }
  });
  // SimGrid 3.32 throttles mailbox comms only (set_rate on put_init, before start).
  impl->streams[index].sender = impl->actor("stream-" + std::to_string(index), impl->gateway_hosts[gateway],
                                            [impl, index, mailbox]() { impl->run_stream(index, mailbox); });
  if (index == 0) {
    // At the end of the run, what is still on the wire is the backlog of a saturated route: stop it.
    impl->stream_stop = impl->actor("stream-stop", impl->server, [impl, duration_s]() {
      s4u::this_actor::sleep_until(duration_s + impl->clock_origin);
      impl->stop_streams();
    });
  }
}

void WiredNetwork::Impl::stop_streams() {
  for (Stream& s : streams) {
    s.stopped = true;
    if (!s.active) continue;
    s.remaining_at_cut = s.active->get_remaining();
    s.active->cancel();  // its sender counts the delivered part, then ends
  }
}

void WiredNetwork::Impl::stop_schedule_at(double t_s) {
  actor("stop-schedule", server, [this, t_s]() {
    for (const s4u::ActorPtr& planned : {failure_driver, stream_stop})
      if (planned && s4u::Actor::by_pid(planned->get_pid())) planned->kill();  // if it has not ended
    for (Stream& st : streams) {
      st.end_s = std::min(st.end_s, t_s);
      // A sender asleep through an outage counted all of it when it began: not the part after t_s.
      if (st.asleep_until_s > t_s) {
        st.outage_s -= st.asleep_until_s - t_s;
        st.sender->kill();
      }
      for (size_t i = 0; i < schedule.size(); ++i) {  // as start_stream counted them, from t_s on
        const scenario::Failure& f = schedule[i];
        if (std::any_of(st.links.begin(), st.links.end(),
                        [&](size_t l) { return link_order[l] == f.target; }))
          effects[i].stream_outage_s -=
              std::max(0.0, std::min(f.end_s, st.duration_s) - std::max(f.start_s, t_s));
      }
    }
    stop_streams();
  });
}

double WiredNetwork::stream_throughput_bps(uint32_t gateway) const {
  for (const auto& st : impl_->streams)
    if (st.gateway == gateway) return st.end_s > 0.0 ? st.delivered_bytes * 8.0 / st.end_s : 0.0;
  return 0.0;
}

double WiredNetwork::stream_outage_s(uint32_t gateway) const {
  for (const auto& st : impl_->streams)
    if (st.gateway == gateway) return st.outage_s;
  return 0.0;
}

}  // namespace citytwin::sim::network
