#include "sim/wired_network.hpp"

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <exception>
#include <map>
#include <optional>
#include <simgrid/s4u.hpp>

#include "sim/run.hpp"

namespace citytwin::sim {
namespace s4u = simgrid::s4u;

namespace {
struct Copy {
  uint64_t frame_seq;
  double t_rx_s;
};
struct GatewayBatch {
  uint32_t gateway;
  std::vector<Copy> copies;
};
}  // namespace

struct Interval {
  double t0_s, t1_s;
};

// The interval of `down` containing t, or nullptr.
const Interval* down_at(const std::vector<Interval>& down, double t) {
  for (const Interval& i : down)
    if (i.t0_s <= t && t < i.t1_s) return &i;
  return nullptr;
}

struct WiredNetwork::Impl {
  const Scenario& scenario;
  DeliveryCallback on_delivered;
  DropCallback on_dropped;
  std::vector<std::vector<Interval>> route_down;  // per gateway, from drivers.failures
  std::vector<std::vector<int>> buffered;         // per gateway and route_down interval: copies held
  std::vector<Interval> server_down;
  uint64_t copies_buffered = 0;
  std::unique_ptr<s4u::Engine> engine;
  double clock_origin = 0.0;  // SimGrid's clock is not reset between engines: subtract this
  s4u::Host* server = nullptr;
  s4u::Host* ccc = nullptr;  // the command-and-control centre: CCTV's destination (server when shared)
  std::optional<size_t> ccc_link_index;
  std::vector<s4u::Host*> gateway_hosts;
  std::vector<double> latency_s;
  std::map<std::string, s4u::Link*> links;
  // Utilisation bookkeeping: bytes per link and server busy time per interval.
  std::vector<std::string> link_order;           // link names, in creation order
  std::vector<std::vector<size_t>> route_links;  // per gateway: indices into link_order
  std::vector<std::vector<double>> link_bytes;   // per link, per interval
  std::vector<double> server_busy_s;             // per interval
  LatencyBreakdown breakdown;

  size_t bin(double t_s) const {
    return static_cast<size_t>(std::max(0.0, t_s) / scenario.run.timeseries_interval_s);
  }
  void add(std::vector<double>& bins, double t_s, double amount) {
    const size_t b = bin(t_s);
    if (bins.size() <= b) bins.resize(b + 1, 0.0);
    bins[b] += amount;
  }
  std::vector<std::vector<Copy>> outbox;  // per gateway, since the last batch
  double server_free_at_s = 0.0;          // the network server's FIFO queue
  std::exception_ptr actor_error;
  uint64_t period = 0;
  struct Stream {
    uint32_t gateway;
    double bits_per_s, duration_s, throughput_bps = 0.0;
  };
  std::vector<Stream> streams;

  Impl(const Scenario& sc, DeliveryCallback cb, DropCallback drop)
      : scenario(sc), on_delivered(std::move(cb)), on_dropped(std::move(drop)) {
    for (const Gateway& g : sc.gateways) {
      const auto names = route_link_names(sc, g);
      std::vector<Interval> down;
      for (const Failure& f : sc.drivers.failures)
        if (std::find(names.begin(), names.end(), f.target) != names.end())
          down.push_back({f.start_s, f.end_s});
      buffered.emplace_back(down.size(), 0);
      route_down.push_back(std::move(down));
    }
    for (const Failure& f : sc.drivers.failures)
      if (f.target == "network_server") server_down.push_back({f.start_s, f.end_s});
  }

  double now() const { return s4u::Engine::get_clock() - clock_origin; }

  // A link, remembered by name (failures and the topology summary refer to links by name).
  s4u::Link* link(s4u::NetZone* zone, const std::string& name, double bits_per_s, double latency) {
    s4u::Link* l = zone->create_link(name, bits_per_s / 8.0)->set_latency(latency);  // SimGrid: bytes/s
    links.emplace(name, l);
    link_order.push_back(name);
    link_bytes.emplace_back();
    return l;
  }

  void build_platform() {
    auto* zone = s4u::create_full_zone("city");
    server = zone->create_host("platform", scenario.platform.server_speed_flops);
    ccc = server;
    s4u::Link* ccc_link = nullptr;
    if (scenario.platform.ccc_link_length_m > 0.0) {
      ccc = zone->create_host("ccc", scenario.platform.server_speed_flops);
      ccc_link = link(zone, "ccc", scenario.platform.ccc_link_bandwidth_bps,
                      scenario.platform.ccc_link_length_m * kFibreDelayPerMetre_s);
      ccc_link_index = link_order.size() - 1;
      zone->add_route(server->get_netpoint(), ccc->get_netpoint(), nullptr, nullptr,
                      {s4u::LinkInRoute(ccc_link)}, true);
    }
    // Shared links first; gateways' routes find them by name (route_link_names).
    for (const Olt& olt : scenario.fibre.olts)
      link(zone, "backbone:" + olt.name, olt.backbone_bandwidth_bps,
           olt.backbone_length_m * kFibreDelayPerMetre_s);
    for (const Pon& pon : scenario.fibre.pons)
      link(zone, "pon:" + pon.name, pon.upstream_bps, pon.length_m * kFibreDelayPerMetre_s);
    for (const Gateway& g : scenario.gateways) {
      s4u::Host* host = zone->create_host("gw:" + g.name, 1e9);
      std::vector<s4u::LinkInRoute> route;
      switch (g.backhaul) {
        case BackhaulKind::Fibre:
        case BackhaulKind::Cellular:
        case BackhaulKind::LeasedLine:
        case BackhaulKind::WifiMesh: {
          // The gateway's own links: fibre by length, cellular by the operator's latency, a leased line
          // by both, each mesh hop by its latency.
          const double per_link = g.backhaul == BackhaulKind::Fibre ? g.fibre_length_m * kFibreDelayPerMetre_s
                                  : g.backhaul == BackhaulKind::LeasedLine
                                      ? g.backhaul_latency_s + g.fibre_length_m * kFibreDelayPerMetre_s
                                      : g.backhaul_latency_s;
          for (const std::string& name : route_link_names(scenario, g))
            route.emplace_back(link(zone, name, g.fibre_bandwidth_bps, per_link));
          break;
        }
        case BackhaulKind::Pon: {
          // The drop from the ONT to the splitter is the gateway's own; the PON and backbone are shared.
          const auto names = route_link_names(scenario, g);
          route.emplace_back(
              link(zone, names[0], g.fibre_bandwidth_bps, g.fibre_length_m * kFibreDelayPerMetre_s));
          route.emplace_back(links.at(names[1]));
          route.emplace_back(links.at(names[2]));
          break;
        }
      }
      double latency = 0.0;
      for (const auto& hop : route) latency += hop.get_link()->get_latency();
      std::vector<size_t> indices;
      for (const auto& hop : route)
        indices.push_back(
            static_cast<size_t>(std::find(link_order.begin(), link_order.end(), hop.get_link()->get_name()) -
                                link_order.begin()));
      route_links.push_back(std::move(indices));
      zone->add_route(host->get_netpoint(), server->get_netpoint(), nullptr, nullptr, route, true);
      if (ccc_link != nullptr) {  // cameras' access points reach the CCC through the data centre
        std::vector<s4u::LinkInRoute> to_ccc = route;
        to_ccc.emplace_back(ccc_link);
        zone->add_route(host->get_netpoint(), ccc->get_netpoint(), nullptr, nullptr, to_ccc, true);
      }
      gateway_hosts.push_back(host);
      latency_s.push_back(latency);
    }
    zone->seal();
  }

  // The actor that carries one period's batches to the server and runs the network server on them.
  void forward_period(double t_send_s, std::vector<GatewayBatch> batches) {
    s4u::this_actor::sleep_until(t_send_s + clock_origin);
    const double msg_bytes = scenario.platform.forward_message_bytes;
    std::vector<s4u::CommPtr> comms;
    for (const GatewayBatch& b : batches) {
      const auto bytes = static_cast<uint64_t>(msg_bytes * static_cast<double>(b.copies.size()));
      comms.push_back(s4u::Comm::sendto_async(gateway_hosts[b.gateway], server, bytes));
    }
    s4u::Comm::wait_all(comms);

    struct Arrival {
      double t_s;
      uint32_t gateway;
      uint64_t frame_seq;
      double t_rx_s, t_send_s;
    };
    std::vector<Arrival> arrivals;
    for (size_t i = 0; i < batches.size(); ++i) {
      const GatewayBatch& b = batches[i];
      const Gateway& gw = scenario.gateways[b.gateway];
      // The rate the batch obtained once its first byte arrived; it is the link rate when the link
      // is not shared.
      const double batch_bytes = msg_bytes * static_cast<double>(b.copies.size());
      const double transfer_s =
          comms[i]->get_finish_time() - comms[i]->get_start_time() - latency_s[b.gateway];
      for (size_t l : route_links[b.gateway]) add(link_bytes[l], t_send_s, batch_bytes);
      const double rate =
          transfer_s > 0.0 ? batch_bytes / transfer_s : gw.fibre_bandwidth_bps / 8.0;  // bytes/s
      for (const Copy& c : b.copies) {
        double t_send = c.t_rx_s + gw.forward_delay_s;
        // A route down: held in the gateway's buffer until it is back, or dropped when the buffer is full.
        for (const Interval* down = down_at(route_down[b.gateway], t_send); down != nullptr;
             down = down_at(route_down[b.gateway], t_send)) {
          int& held = buffered[b.gateway][static_cast<size_t>(down - route_down[b.gateway].data())];
          if (held >= gw.buffer_frames) {
            on_dropped(c.frame_seq, output::FailReason::BufferFull);
            t_send = -1.0;
            break;
          }
          ++held;
          ++copies_buffered;
          t_send = down->t1_s;
        }
        if (t_send < 0.0) continue;
        const double t_arrive = t_send + latency_s[b.gateway] + msg_bytes / rate;
        if (down_at(server_down, t_arrive) != nullptr) {
          on_dropped(c.frame_seq, output::FailReason::ServerDown);
          continue;
        }
        arrivals.push_back({t_arrive, b.gateway, c.frame_seq, c.t_rx_s, t_send});
      }
    }
    std::sort(arrivals.begin(), arrivals.end(), [](const Arrival& a, const Arrival& b) {
      return a.t_s < b.t_s || (a.t_s == b.t_s && a.gateway < b.gateway);
    });
    const double service_s = scenario.platform.ns_cost_flops / scenario.platform.server_speed_flops;
    // Deduplication: the copies of a frame all arrive in the same period, whose frames are a narrow
    // seq range, so a flag per seq in that range does.
    uint64_t first_seq = UINT64_MAX, last_seq = 0;
    for (const Arrival& a : arrivals) {
      first_seq = std::min(first_seq, a.frame_seq);
      last_seq = std::max(last_seq, a.frame_seq);
    }
    std::vector<uint8_t> delivered(arrivals.empty() ? 0 : last_seq - first_seq + 1, 0);
    for (const Arrival& a : arrivals) {
      server_free_at_s = std::max(server_free_at_s, a.t_s) + service_s;
      add(server_busy_s, server_free_at_s - service_s, service_s);
      uint8_t& done = delivered[a.frame_seq - first_seq];
      if (!done) {
        on_delivered(a.frame_seq, server_free_at_s);
        breakdown.gateway_s += a.t_send_s - a.t_rx_s;
        breakdown.backhaul_s += a.t_s - a.t_send_s;
        breakdown.server_s += server_free_at_s - a.t_s;
        ++breakdown.frames;
      }
      done = 1;
    }
  }

  void send_batches(double t_s) {
    std::vector<GatewayBatch> batches;
    for (uint32_t g = 0; g < outbox.size(); ++g) {
      if (outbox[g].empty()) continue;
      batches.push_back({g, std::move(outbox[g])});
      outbox[g].clear();
    }
    if (batches.empty()) return;
    s4u::Actor::create("forward-" + std::to_string(period++), server,
                       [this, t_s, b = std::move(batches)]() mutable {
                         // An exception escaping an actor aborts the process: keep it for run().
                         try {
                           forward_period(t_s, std::move(b));
                         } catch (...) {
                           if (!actor_error) actor_error = std::current_exception();
                         }
                       });
  }

  void check() {
    if (actor_error) std::rethrow_exception(actor_error);
  }
};

WiredNetwork::WiredNetwork(const Scenario& scenario, DeliveryCallback on_delivered, DropCallback on_dropped)
    : impl_(std::make_unique<Impl>(scenario, std::move(on_delivered), std::move(on_dropped))) {
  int argc = 4;
  char arg0[] = "citytwin";
  // CM02: latency and bandwidth exactly as given (the default LV08 model scales both to fit TCP), and
  // no cross-traffic (by default SimGrid reserves 5 % of a link for the reverse TCP acknowledgements).
  char arg1[] = "--cfg=network/model:CM02";
  char arg2[] = "--cfg=network/crosstraffic:0";
  char arg3[] = "--log=root.thres:critical";
  char* argv[] = {arg0, arg1, arg2, arg3, nullptr};
  // SimGrid installs its own SIGINT handler (print the actors' status and exit); keep the caller's,
  // so that Ctrl-C stops the run cleanly and the trace is finished.
  struct sigaction caller_sigint {};
  sigaction(SIGINT, nullptr, &caller_sigint);
  impl_->engine = std::make_unique<s4u::Engine>(&argc, argv);
  sigaction(SIGINT, &caller_sigint, nullptr);
  impl_->clock_origin = s4u::Engine::get_clock();
  impl_->build_platform();
  impl_->outbox.resize(scenario.gateways.size());
}

WiredNetwork::~WiredNetwork() = default;

void WiredNetwork::start_stream(uint32_t gateway, double bits_per_s, double duration_s) {
  impl_->streams.push_back({gateway, bits_per_s, duration_s});
  const size_t index = impl_->streams.size() - 1;
  Impl* impl = impl_.get();
  // SimGrid 3.32 throttles mailbox comms only (set_rate on put_init, before start): the stream goes
  // through a mailbox to a receiver on the platform.
  s4u::Mailbox* mailbox = s4u::Mailbox::by_name("stream-" + std::to_string(index));
  s4u::Actor::create("stream-rx-" + std::to_string(index), impl->ccc, [impl, mailbox]() {
    try {
      mailbox->get<int>();
    } catch (const simgrid::Exception&) {
      // The stream is cancelled when the run ends with bytes still to send: expected.
    } catch (...) {
      if (!impl->actor_error) impl->actor_error = std::current_exception();
    }
  });
  s4u::Actor::create("stream-" + std::to_string(index), impl->gateway_hosts[gateway],
                     [impl, index, mailbox]() {
                       try {
                         static int payload = 0;
                         Impl::Stream& st = impl->streams[index];
                         // What the camera sends over the run; the bitrate obtained is what got through by
                         // its end (bytes still queued then are the backlog a saturated route builds up).
                         const double bytes = st.bits_per_s / 8.0 * st.duration_s;
                         const double start = s4u::Engine::get_clock();
                         s4u::CommPtr comm = mailbox->put_init(&payload, static_cast<uint64_t>(bytes));
                         comm->set_rate(st.bits_per_s / 8.0);
                         comm->start();
                         s4u::this_actor::sleep_until(start + st.duration_s);
                         const double remaining = comm->test() ? 0.0 : comm->get_remaining();
                         if (remaining > 0.0) comm->cancel();
                         st.throughput_bps = (bytes - remaining) * 8.0 / st.duration_s;
                       } catch (...) {
                         if (!impl->actor_error) impl->actor_error = std::current_exception();
                       }
                     });
}

double WiredNetwork::stream_throughput_bps(uint32_t gateway) const {
  for (const auto& st : impl_->streams)
    if (st.gateway == gateway) return st.throughput_bps;
  return 0.0;
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
}

void WiredNetwork::drain(double t_s) {
  for (const auto& box : impl_->outbox) batches_sent_ += box.empty() ? 0 : 1;
  impl_->send_batches(t_s);
  impl_->engine->run();
  impl_->check();
}

uint64_t WiredNetwork::copies_buffered() const { return impl_->copies_buffered; }

bool WiredNetwork::reachable(uint32_t gateway, double t_s) const {
  return down_at(impl_->route_down[gateway], t_s) == nullptr && down_at(impl_->server_down, t_s) == nullptr;
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
  // Streams carry their obtained rate over the run on every link of their route.
  std::vector<std::vector<double>> bytes = im.link_bytes;
  for (const auto& st : im.streams) {
    std::vector<size_t> route = im.route_links[st.gateway];
    if (im.ccc_link_index) route.push_back(*im.ccc_link_index);
    for (size_t l : route) {
      if (bytes[l].size() < bins) bytes[l].resize(bins, 0.0);
      for (size_t b = 0; b < bins; ++b) bytes[l][b] += st.throughput_bps / 8.0 * interval;
    }
  }
  for (size_t l = 0; l < im.link_order.size(); ++l) {
    const double capacity = im.links.at(im.link_order[l])->get_bandwidth() * interval;  // bytes per interval
    std::vector<double> u(bins, 0.0);
    for (size_t b = 0; b < bins && b < bytes[l].size(); ++b) u[b] = bytes[l][b] / capacity;
    ts.columns.emplace_back(im.link_order[l], std::move(u));
  }
  std::vector<double> server(bins, 0.0);
  for (size_t b = 0; b < bins && b < im.server_busy_s.size(); ++b) server[b] = im.server_busy_s[b] / interval;
  ts.columns.emplace_back("network_server", std::move(server));
  return ts;
}

double WiredNetwork::route_latency_s(uint32_t gateway) const { return impl_->latency_s[gateway]; }

}  // namespace citytwin::sim
