// Gateways, their fibre backhaul and the platform's network server, in SimGrid.
//
// Gateways and the platform server are SimGrid hosts; each gateway reaches the server over a fibre
// link whose latency comes from its length (5 us per km). The network server deduplicates the copies
// of a frame heard by several gateways (the first copy it processes delivers the frame) and spends
// CPU on every copy (a FIFO queue at the server's speed).
//
// How small messages cross the wired network: SimGrid runs ~0.3-0.47 M comms per second when few
// are in flight (DESIGN.md section 6; bench/wired_messages.cpp re-measures it), and a city sends
// millions of forwarded copies a day. So every forward_batch seconds each gateway sends ONE SimGrid
// comm carrying the bytes of all the copies it received in that period: SimGrid sees the load on
// every link and its bandwidth sharing sets the rate. Each copy is then timed analytically: it
// leaves the gateway forward_delay after reception and arrives after the route's latency plus its
// own size at the rate the batch obtained. The delivery time of a copy does not wait for the batch.
//
// The platform is a hierarchy of SimGrid zones: a "core" zone (the platform server and, when separate,
// the CCC with its link) and one zone per district holding its gateways and a router. A gateway's
// route to its district router carries its own links and the shared PON and backbone links it uses;
// the district router reaches the core through a notional aggregation switch (SimGrid forbids empty
// routes between zones: a 0-latency link of 1 Tbit/s, not reported).
//
// Failures (failure_schedule: drivers.failures, their CSV profile and availability profiles) turn the
// failed SimGrid links off and back on, as does a power cut once a gateway's backup is exhausted (its
// access link). Copies are timed the same way analytically: while a link of its route is down a
// gateway holds its copies (up to its buffer) and sends them when the route is back; copies arriving
// while the network server is down are lost (a crash of the network-server software: the platform
// host, and the CCTV streams it receives, stay up). CCTV streams are sent in chunks of one
// /timeseries interval: a cut interrupts the chunk on the wire, the video of the outage is lost, and
// the stream resumes when the route is back. Every delay and loss is attributed to its failure.
//
// The platform's stages are SimGrid executions on the platform host (platform.server_cores cores at
// server_speed each), batched like the comms: per period, the network server executes the work of the
// copies it serves, then the broker and the analytics execute the work of the frames it delivered,
// concurrently. Each stage's per-message times follow analytically (FIFO) at the speed its execution
// obtained, which is a full core's unless the stages outnumber the cores.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "output/records.hpp"
#include "sim/city/city_layout.hpp"
#include "sim/drivers/gateway_timeline.hpp"
#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::network {

class ServerFlood;  // sim/network/server_flood.hpp

// Extra SimGrid configuration, "key:value" items as SimGrid's --cfg takes them (e.g.
// "contexts/factory:thread"), for every engine this process creates afterwards: like SimGrid's engine,
// its configuration is process-wide. Later items override earlier ones and the defaults below.
// Throws SimgridConfigError for an item check_simgrid_config refuses.
void set_simgrid_config(std::vector<std::string> items);

// A configuration item citytwin or SimGrid refuses.
class SimgridConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Refuses (SimgridConfigError) a --cfg item outside the settings citytwin lets through (simgrid_config.cpp:
// SimGrid aborts, hangs or crashes on some bad values instead of reporting them).
void check_simgrid_config(const std::vector<std::string>& items);

class WiredNetwork {
 public:
  // What the network server made of a copy it processed.
  enum class Delivery : uint8_t {
    Duplicate,       // another copy delivered its frame before (deduplication)
    Delivered,       // it delivered its frame, whose report the server passes on to the platform
    Retransmission,  // it delivered its frame, a retransmission of a report already passed on: not again
  };
  // Called for every copy the network server processes, in arrival order, with the time it finished
  // and the failure (index into the schedule) that held it in its gateway's buffer, or -1. Returns
  // what the server made of it.
  using DeliveryCallback = std::function<Delivery(uint64_t frame_seq, double t_delivered_s, int failure)>;
  // Called for every delivered frame the server passes on (Delivery::Delivered) once the platform's stages
  // have run on the period's, with the speeds (flop/s) the broker and the analytics obtained on the
  // platform host.
  using IngestCallback = std::function<void(uint64_t frame_seq, double t_delivered_s,
                                            double broker_flops_per_s, double analytics_flops_per_s)>;
  // Called once per copy lost behind its gateway (full buffer during a backhaul failure, server down),
  // with the failure that lost it.
  using DropCallback = std::function<void(uint64_t frame_seq, output::FailReason reason, int failure)>;

  // Creates the SimGrid engine and platform. One per process (see sim/app/run.hpp). `timeline` (which
  // holds the run's failure_schedule) says when each gateway is without power, its route down, the
  // network server down; it must outlive the network.
  WiredNetwork(const scenario::Scenario& scenario, const drivers::GatewayTimeline& timeline,
               DeliveryCallback on_delivered, DropCallback on_dropped, IngestCallback on_ingest = {});
  ~WiredNetwork();
  WiredNetwork(const WiredNetwork&) = delete;
  WiredNetwork& operator=(const WiredNetwork&) = delete;

  // A copy of frame_seq, received intact by gateway at t_rx_s.
  void forward(uint32_t gateway, uint64_t frame_seq, double t_rx_s);
  // Hands the copies received up to t_s to SimGrid (sent at t_s) and runs SimGrid up to t_s.
  void advance(double t_s);
  // Sends what is left and runs SimGrid until every copy has been processed.
  void drain(double t_s);

  // Bogus frames the network server must process (attacks.platform_dos aimed at network_server,
  // sim/network/server_flood.hpp); null: none. Call before the first advance; it must outlive the network.
  void set_server_flood(ServerFlood* flood);

  // A constant-bitrate stream (CCTV) from a gateway to the platform over [0, duration_s]: one SimGrid
  // flow limited to bits_per_s, sharing the backhaul with everything else. Call before the first advance.
  // extra_bps (optional): more bitrate per interval of extra_interval_s (CCTV event clips).
  void start_stream(uint32_t gateway, double bits_per_s, double duration_s,
                    const std::vector<double>& extra_bps = {}, double extra_interval_s = 0.0);
  // The bitrate a stream obtained end to end (the bytes that reached the platform by the end of the
  // run, over the run); after drain().
  double stream_throughput_bps(uint32_t gateway) const;
  // How long a stream's route was down (failures and power cuts), within the run.
  double stream_outage_s(uint32_t gateway) const;

  // What each failure of the schedule did: copies it held in buffers (delivered late) or lost, and
  // the seconds of CCTV stream it interrupted (summed over streams; overlapping failures each count).
  struct FailureEffect {
    uint64_t copies_delayed = 0, copies_lost = 0;
    double stream_outage_s = 0.0;
  };
  const std::vector<scenario::Failure>& failures() const;
  const std::vector<FailureEffect>& failure_effects() const;

  // Where the time of delivered frames went, averaged over their first copies: gateway (forwarding
  // and buffering), backhaul (propagation and transmission), network server (queue and processing).
  struct LatencyBreakdown {
    double gateway_s = 0.0, backhaul_s = 0.0, server_s = 0.0;
    uint64_t frames = 0;
  };
  LatencyBreakdown latency_breakdown() const;
  // Utilisation of every wired link and of the network server's CPU per interval over [0, end_s).
  output::TimeSeries utilisation(double end_s) const;

  // Route latency from a gateway to the platform server (s).
  double route_latency_s(uint32_t gateway) const;
  uint64_t copies_forwarded() const { return copies_forwarded_; }
  uint64_t batches_sent() const { return batches_sent_; }
  // Of the batches that carried bytes: those timed analytically (no other traffic slowed them) and
  // those SimGrid's bandwidth sharing timed (sim/network/wired_fast_path.cpp).
  uint64_t batches_analytic() const;
  uint64_t batches_simgrid() const;
  // Of batches_analytic: those on an over-subscribed link (a PON), timed by max-min sharing.
  uint64_t batches_shared() const;
  // Forwarding periods carried at their instant without a SimGrid actor (nothing earlier still in
  // SimGrid, no batch SimGrid must time: the platform's stages timed as SimGrid would), and the others.
  uint64_t periods_inline() const;
  uint64_t periods_in_actors() const;
  // Of periods_inline: those carried in the order the copies came, not grouped by gateway (a run no failure
  // or power cut touches; CITYTWIN_WIRED_IN_ORDER=0 turns it off).
  uint64_t periods_in_order() const;
  // With CITYTWIN_WIRED_CHECK=1 every batch goes to SimGrid and the analytic rate of those that would
  // not have is compared with SimGrid's: how many, and the largest relative difference (all, and those
  // timed by max-min sharing).
  struct AnalyticCheck {
    uint64_t batches = 0;
    double max_relative_difference = 0.0;
    uint64_t shared_batches = 0;
    double max_relative_difference_shared = 0.0;
  };
  AnalyticCheck analytic_check() const;
  uint64_t copies_buffered() const;
  // Whether the network server is up and the gateway's route to it works at t_s (drivers.failures).
  bool reachable(uint32_t gateway, double t_s) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  uint64_t copies_forwarded_ = 0;
  uint64_t batches_sent_ = 0;
};

}  // namespace citytwin::sim::network
