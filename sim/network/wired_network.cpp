#include "sim/network/wired_network.hpp"

#include <csignal>
#include <cstdio>

#include "sim/core/round_joining.hpp"
#include "sim/core/run_error.hpp"
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
                               scenario.platform.ccc_link_length_m * scenario::kFibreDelayPerMetre_s);
    ccc_link_index = link_order.size() - 1;
    core->add_route(server->get_netpoint(), ccc->get_netpoint(), nullptr, nullptr,
                    {s4u::LinkInRoute(ccc_link)}, true);
  }
  core->seal();
  // Shared links, in the city zone; gateways' routes find them by name (route_link_names).
  for (const scenario::CoreLink& l : scenario.fibre.core.links)
    link(city, l.name(), l.bandwidth_bps, l.length_m * scenario::kFibreDelayPerMetre_s);
  for (const scenario::Olt& olt : scenario.fibre.olts)
    link(city, "backbone:" + olt.name, olt.backbone_bandwidth_bps,
         olt.backbone_length_m * scenario::kFibreDelayPerMetre_s);
  // A PON carries its line rate less the GTC layer's overheads (bursts, GEM headers): the payload rate
  // for its ONTs and the frames they send (scenario::pon_upstream_capacity, models/fibre/gpon_framing.hpp).
  for (const scenario::Pon& pon : scenario.fibre.pons)
    link(city, "pon:" + pon.name, scenario::pon_upstream_capacity(scenario, pon).payload_bps,
         pon.length_m * scenario::kFibreDelayPerMetre_s);
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
      route.emplace_back(link(zone, names[0], gw.fibre_bandwidth_bps, scenario::own_link_latency_s(gw)));
      for (size_t k = 1; k < names.size(); ++k) route.emplace_back(links.at(names[k]));
    } else {
      // The gateway's own links: fibre by length, cellular by the operator's latency, a leased line
      // by both, each mesh hop by its latency.
      const double per_link = scenario::own_link_latency_s(gw);
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
  failure_driver = actor("failures", server, [this, events = std::move(events)]() {
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
  impl_->outbox_at.assign(scenario.gateways.size(), 0);
  impl_->start_failure_driver();
}

WiredNetwork::~WiredNetwork() = default;

const std::vector<scenario::Failure>& WiredNetwork::failures() const { return impl_->schedule; }

const std::vector<WiredNetwork::FailureEffect>& WiredNetwork::failure_effects() const {
  return impl_->effects;
}

void WiredNetwork::forward(uint32_t gateway, uint64_t frame_seq, double t_rx_s) {
  impl_->outbox.push_back({frame_seq, t_rx_s});
  impl_->outbox_gateway.push_back(gateway);
  ++copies_forwarded_;
}

void WiredNetwork::advance(double t_s) {
  batches_sent_ += impl_->send_batches(t_s);
  // SimGrid's actors run on stacks of their own: no round's item may run there (round_joining.hpp).
  const core::NoRoundJoining on_actors_stacks;
  impl_->engine->run_until(t_s + impl_->clock_origin);
  impl_->check();
  check_no_deadlock(t_s);
}

void WiredNetwork::drain(double t_s) {
  batches_sent_ += impl_->send_batches(t_s);
  const core::NoRoundJoining on_actors_stacks;  // (as in advance)
  impl_->stop_forward_workers();
  // A stopped run: the streams and failures planned past t_s are not simulated (a 200-day run's
  // streams once ran to their planned end here, tens of seconds after the stop).
  if (t_s < impl_->scenario.run.duration_s) impl_->stop_schedule_at(t_s);
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
  if (wired_detail::env_is("CITYTWIN_WIRED_STATS", "1")) {
    const Impl& im = *impl_;
    std::fprintf(stderr,
                 "citytwin: wired network: %llu forwarding periods carried inline (%llu of them in the order "
                 "the copies came), %llu in SimGrid actors; batches timed analytically %llu (by max-min "
                 "sharing %llu), by SimGrid %llu\n",
                 static_cast<unsigned long long>(im.inline_.periods),
                 static_cast<unsigned long long>(im.inline_.in_order),
                 static_cast<unsigned long long>(im.period - im.inline_.periods),
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
uint64_t WiredNetwork::periods_in_order() const { return impl_->inline_.in_order; }
uint64_t WiredNetwork::periods_in_actors() const { return impl_->period - impl_->inline_.periods; }

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
  const size_t links = im.link_order.size();
  ts.links = im.link_order;
  ts.utilisation.assign(bins * links, 0.0);
  for (const std::string& name : im.link_order)
    ts.capacity_bytes_per_s.push_back(im.links.at(name)->get_bandwidth());  // bytes per second
  // A bin's own length: the last one ends with the run (a 10-min run with an hour's interval is one bin of
  // 10 min, whose utilisation is what its 10 min carried over what they could carry).
  std::vector<double> width(bins, interval);
  if (end_s > 0.0) width.back() = std::min(interval, end_s - static_cast<double>(bins - 1) * interval);
  for (size_t b = 0; b < bins; ++b)
    for (size_t l = 0; l < links; ++l)
      ts.utilisation[b * links + l] = im.link_bytes.at(b, l) / (ts.capacity_bytes_per_s[l] * width[b]);
  ts.network_server.assign(bins, 0.0);
  for (size_t b = 0; b < bins && b < im.server_busy_s.size(); ++b)
    ts.network_server[b] = im.server_busy_s[b] / width[b];
  return ts;
}

double WiredNetwork::route_latency_s(uint32_t gateway) const { return impl_->latency_s[gateway]; }

}  // namespace citytwin::sim::network
