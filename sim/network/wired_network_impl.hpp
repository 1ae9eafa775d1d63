// Internal to the wired network (sim/network/wired_network.cpp, wired_periods.cpp, wired_fast_path.cpp,
// wired_streams.cpp): its state and the helpers they share. A period's batches, the analytic path's state
// and a stream's are in wired_periods.hpp, wired_fast_path.hpp and wired_streams.hpp. Not part of the
// public interface.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <exception>
#include <limits>
#include <map>
#include <optional>
#include <simgrid/s4u.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "sim/drivers/gateway_timeline.hpp"
#include "sim/network/server_flood.hpp"
#include "sim/network/server_queue.hpp"
#include "sim/network/wired_fast_path.hpp"
#include "sim/network/wired_network.hpp"
#include "sim/network/wired_periods.hpp"
#include "sim/network/wired_streams.hpp"

namespace citytwin::sim::network {
namespace s4u = simgrid::s4u;

namespace wired_detail {
// The first multiple of interval strictly after t. (floor(t / interval) + 1) * interval rounds back to
// t itself for some t (8.1 with interval 0.1): a loop stepping by it would not advance.
inline double next_boundary(double t, double interval) {
  const double k = std::floor(t / interval);
  for (double step = 1.0; step <= 2.0; ++step)
    if ((k + step) * interval > t) return (k + step) * interval;
  return std::nextafter(t, std::numeric_limits<double>::infinity());
}

// A stretch of time a gateway's route is down, and the failure (index into the schedule) behind it.
using Down = drivers::GatewayTimeline::Outage;

// The interval of `down` containing t, or nullptr.
template <typename Interval>
const Interval* down_at(const std::vector<Interval>& down, double t) {
  for (const Interval& i : down)
    if (i.t0_s <= t && t < i.t1_s) return &i;
  return nullptr;
}

using drivers::merged;

// Whether the environment variable `name` is set to `value` (the wired network's switches for checks and
// benchmarks: CITYTWIN_WIRED_CHECK, _FAST, _INLINE, _STATS).
inline bool env_is(const char* name, const char* value) {
  const char* set = std::getenv(name);
  return set != nullptr && std::string(set) == value;
}

// Whether a SimGrid exception is a failed or cancelled communication (what a cut or the end of a
// stream does to a comm in flight), possibly nested.
inline bool comm_failed(const std::exception& e) {
  if (dynamic_cast<const simgrid::NetworkFailureException*>(&e) != nullptr ||
      dynamic_cast<const simgrid::CancelException*>(&e) != nullptr)
    return true;
  try {
    std::rethrow_if_nested(e);
  } catch (const std::exception& inner) {
    return comm_failed(inner);
  }
  return false;
}
}  // namespace wired_detail
using wired_detail::comm_failed;
using wired_detail::down_at;
using wired_detail::merged;

struct WiredNetwork::Impl {
  using Copy = wired_detail::Copy;
  using PeriodBatches = wired_detail::PeriodBatches;
  using Leaving = wired_detail::Leaving;
  using PreparedPeriod = wired_detail::PreparedPeriod;
  using Down = wired_detail::Down;
  const scenario::Scenario& scenario;
  const drivers::GatewayTimeline& timeline;  // power, route and server outages: the one truth
  const std::vector<scenario::Failure>& schedule;
  DeliveryCallback on_delivered;
  DropCallback on_dropped;
  IngestCallback on_ingest;
  s4u::MutexPtr serve_mutex;                          // one period served at a time, in order
  std::vector<std::vector<std::string>> route_names;  // per gateway: its route's links, by name
  std::vector<std::vector<int>> buffered;  // per gateway and backhaul failure (timeline): copies held
  std::vector<FailureEffect> effects;      // per schedule entry
  std::vector<double> deferred_bytes;      // per gateway: batch bytes held while its route was down
  // Forwarding periods are run by a pool of SimGrid actors that live for the whole run: creating an
  // actor per period cost a stack (mmap, guard page, munmap) each time, most of a small scenario's CPU.
  // A worker takes the queued periods in order; a period whose work is still blocked in SimGrid when the
  // next one is due keeps its worker, and the next period gets another (started if none is free), so
  // every period starts at the same simulated time as with an actor of its own.
  using ForwardJob = wired_detail::ForwardJob;
  std::deque<ForwardJob> forward_jobs;
  PeriodBatches period_batches;
  PreparedPeriod inline_prepared;
  s4u::SemaphorePtr forward_ready;  // one token per queued job
  size_t forward_workers = 0, forward_workers_free = 0;
  size_t forward_workers_alive = 0;  // started and not yet returned
  void queue_forward_job(ForwardJob job);
  void stop_forward_workers();
  ~Impl() {
    // A run ended by an exception (a full disk, Ctrl-C) leaves workers waiting on forward_ready, and
    // SimGrid aborts when a semaphore is destroyed while actors wait on it: it is then kept, reachable,
    // for the rest of the process (a few bytes per such run).
    static auto* kept = new std::vector<s4u::SemaphorePtr>;
    if (forward_workers_alive > 0) kept->push_back(std::move(forward_ready));
  }
  std::unique_ptr<s4u::Engine> engine;
  double clock_origin = 0.0;  // SimGrid's clock is not reset between engines: subtract this
  s4u::Host* server = nullptr;
  s4u::Host* ccc = nullptr;  // the command-and-control centre: CCTV's destination (server when shared)
  std::optional<size_t> ccc_link_index;
  std::vector<s4u::Host*> gateway_hosts;
  std::vector<double> latency_s;
  std::map<std::string, s4u::Link*> links;
  int links_off = 0;  // links the failure driver has turned off (the only one that turns links off)
  std::map<std::string, size_t> link_index;  // name -> index into link_order
  // Utilisation bookkeeping: bytes per link and server busy time per interval.
  std::vector<std::string> link_order;           // link names, in creation order
  std::vector<std::vector<size_t>> route_links;  // per gateway: indices into link_order
  // Bytes per link and interval, held by interval (a row of every link per interval): a period's batches
  // fall in one interval, so they write one row rather than a vector of their own link's each (one cache
  // miss a batch at 2,000 gateways: bench/wired_period.cpp).
  struct LinkBytes {
    size_t links = 0;                       // every link is created before the first bytes
    std::vector<std::vector<double>> rows;  // [interval][link]
    void add(size_t bin, size_t link, double amount) { row(bin)[link] += amount; }
    std::vector<double>& row(size_t bin) {
      if (rows.size() <= bin) rows.resize(bin + 1, std::vector<double>(links, 0.0));
      return rows[bin];
    }
    double at(size_t bin, size_t link) const { return bin < rows.size() ? rows[bin][link] : 0.0; }
  } link_bytes;
  std::vector<double> server_busy_s;  // per interval
  LatencyBreakdown breakdown;

  size_t bin(double t_s) const {
    return static_cast<size_t>(std::max(0.0, t_s) / scenario.run.timeseries_interval_s);
  }
  void add_link(size_t link, double t_s, double amount) { link_bytes.add(bin(t_s), link, amount); }
  // The first time of interval k (the least t with bin(t) >= k: k times the interval, give or take the
  // division's rounding).
  double bin_start(size_t k) const {
    constexpr double kInf = std::numeric_limits<double>::infinity();
    double t = static_cast<double>(k) * scenario.run.timeseries_interval_s;
    while (t > 0.0 && bin(std::nextafter(t, -kInf)) >= k) t = std::nextafter(t, -kInf);
    while (bin(t) < k) t = std::nextafter(t, kInf);
    return t;
  }
  // server_busy_s's interval of t_s gets `amount`, for the network server's services, which start in time
  // order (a FIFO): the interval found by division only when a start leaves the last one's (a division and
  // its wait at every copy were a quarter of serving it at 1 M devices).
  struct BusyInterval {
    size_t bin = 0;
    double last_s = std::numeric_limits<double>::infinity(), end_s = -std::numeric_limits<double>::infinity();
  } busy_interval;
  void add_busy(double t_s, double amount) {
    BusyInterval& at = busy_interval;
    if (!(t_s >= at.last_s && t_s < at.end_s)) {  // (bin is monotone: from last_s up to end_s it is at.bin)
      at.bin = bin(t_s);
      at.end_s = bin_start(at.bin + 1);
      if (server_busy_s.size() <= at.bin) server_busy_s.resize(at.bin + 1, 0.0);
    }
    at.last_s = t_s;
    server_busy_s[at.bin] += amount;
  }
  // Spreads `amount` evenly over [t0_s, t1_s) of a link's intervals.
  void spread_link(size_t link, double t0_s, double t1_s, double amount) {
    if (t1_s <= t0_s) return add_link(link, t0_s, amount);
    const double interval = scenario.run.timeseries_interval_s;
    for (double t = t0_s; t < t1_s;) {
      const double next = std::min(t1_s, wired_detail::next_boundary(t, interval));
      add_link(link, t, amount * (next - t) / (t1_s - t0_s));
      t = next;
    }
  }
  struct Arrival {  // 40 B (the sort moves each twice)
    double t_s;
    uint64_t frame_seq;
    double t_rx_s, t_send_s;
    uint32_t gateway;
    int failure;
    // Earliest first; ties by gateway, then frame (a total order: a frame reaches a gateway once).
    bool operator<(const Arrival& o) const {
      return std::tie(t_s, gateway, frame_seq) < std::tie(o.t_s, o.gateway, o.frame_seq);
    }
  };
  // Not yet served, in no order: serve_until sorts them and serves those due, which come first (a heap
  // cost ~80 ns a copy in its pushes and pops, 7 % of a 100k-device run; bench/RESULTS.md).
  std::vector<Arrival> arriving;
  std::vector<Arrival> sort_scratch;  // serve_until's sort (core::sort_by_time)
  std::vector<size_t> sort_starts;
  // Storage kept from one period to the next (a period's own, at 2,000 gateways ~0.5 MB each, was
  // mapped and faulted in afresh every period): serve_until's deliveries, send_batches' batches and the
  // inline period (a worker's job takes them when it must: they are then made anew).
  std::vector<std::pair<uint64_t, double>> serve_delivered;
  // The copies forwarded since the last period, in the order they came, each with its gateway (two flat
  // arrays, appended to in turn). send_batches groups them by gateway. One vector per gateway, appended to
  // as each copy came, made every copy a store to a line of its own gateway's that the radio medium had
  // pushed out of the cache by then: ~70 % of forward's samples, ~3 % of the realistic 1 M hour's.
  std::vector<Copy> outbox;
  std::vector<uint32_t> outbox_gateway;
  std::vector<size_t> outbox_at;        // send_batches' counts, then write positions, per gateway (kept)
  ServerQueue server_queue{1};          // the network server's FIFO queue (platform.ns_capacity)
  ServerFlood* server_flood = nullptr;  // bogus frames at the server (attacks.platform_dos), or none
  std::exception_ptr actor_error;
  uint64_t period = 0;
  double last_period_s = -std::numeric_limits<double>::infinity();  // the instant of the last period sent
  // Periods carried without a SimGrid actor (wired_periods.cpp, send_batches): when no earlier period
  // is still in SimGrid and none of its batches needs SimGrid's sharing, a period is carried at its
  // instant by the caller, and the platform's stages are timed as SimGrid times executions alone on
  // their cores (execute_stages). CITYTWIN_WIRED_INLINE=0 turns it off (every period in an actor).
  struct Inline {
    bool decided = false;
    bool enabled = true;
    bool now = false;          // carrying a period inline: no actor, no mutex, the stages timed here
    double stage_clock = 0.0;  // inline: SimGrid's clock as the stages run (starts at the period's)
    uint64_t periods = 0;      // of `period`: the others went to the workers
    uint64_t in_order = 0;     // of `periods`: carried in the order the copies came (carry_in_order)
  } inline_;
  // A run no failure touches (no power cut, no failure of a route or of the network server; decided with
  // inline_allowed, CITYTWIN_WIRED_IN_ORDER=0 says no): an inline period's copies are then carried in the
  // order they came, without grouping them by gateway (carry_in_order).
  bool untouched = false;
  // What a copy's arrival needs of its gateway, on half a cache line (four arrays were four lines): when
  // it leaves after reception, the route's latency, this period's message bytes / its batch's rate, and
  // the route's links (in_order_links[first, first + count)).
  struct InOrderGateway {
    double forward_delay_s = 0.0, latency_s = 0.0, transfer_s = 0.0;
    uint32_t first_link = 0, links = 0;
  };
  std::vector<InOrderGateway> in_order_gateway;
  std::vector<uint32_t> in_order_links;
  std::vector<double> period_bytes;  // per batch of the period: its bytes
  // Decides `untouched` and, if so, fills in_order_gateway and in_order_links (once, when inline periods
  // are allowed).
  void prepare_in_order();
  // With `untouched`: carries the period inline from the outbox (batches: its gateways and bounds, the
  // copies not grouped), unless a batch goes to SimGrid: then false, with `plan` (plan_period's) for
  // prepare_period. The same arrivals, bytes and rates as prepare_period then carry_period.
  bool carry_in_order(double t_send_s, const PeriodBatches& batches, std::optional<std::vector<bool>>& plan);
  // Writes the outbox into batches.copies, grouped by gateway (send_batches' positions in outbox_at);
  // empties the outbox.
  void group_outbox(PeriodBatches& batches);
  void release_outbox(const PeriodBatches& batches);
  // SimGrid's clock when the platform's last stages carried inline end: a later period's stages wait
  // for them, as they would wait for serve_mutex (the platform serves one period at a time).
  double serve_free_at = -std::numeric_limits<double>::infinity();
  using Stream = wired_detail::Stream;  // a CCTV stream (wired_streams.cpp)
  std::vector<Stream> streams;
  // The actors that play the planned schedule to the run's end: a stopped run's drain ends them
  // (stop_schedule_at), so that nothing is simulated past where it stopped.
  s4u::ActorPtr stream_stop, failure_driver;

  // The analytic path of the forwarding comms (sim/network/wired_fast_path.cpp): the batches no other
  // traffic can slow are timed there without a SimGrid comm.
  using FastPath = wired_detail::FastPath;
  FastPath fast;
  std::vector<int> gateway_district;           // per gateway: the key of its district zone
  std::map<int, size_t> district_aggregation;  // district key -> link id of its aggregation link
  std::vector<double> aggregation_Bps;         // per aggregation link (id - link_order.size())

  // Fills `fast` from the platform, the schedule and the streams (at the first period).
  void prepare_fast_path();
  // Which of a period's batches (gateway, bytes; bytes 0: none) go to SimGrid; the others' rate is
  // fast.bound_Bps[gateway]. `same_instant`: PeriodBatches::same_instant (every batch to SimGrid).
  std::vector<bool> plan_period(double t_send_s, const std::vector<uint32_t>& gateways,
                                const std::vector<double>& bytes, bool same_instant);
  // The rate run() derives from an analytic batch's times, with SimGrid's arithmetic (the transfer
  // phase starts at send + latency and lasts bytes / bound), so that it is SimGrid's to the bit; for a
  // batch timed by max-min sharing, from its finish time (once: it is then forgotten).
  double analytic_rate(uint32_t gateway, double t_send_s, double bytes);
  // Times the batches `members` (indices into the period's) of the groups sharing over-subscribed links,
  // on one clock with other_events_s (SimGrid's clock): their finish times into finish_s (SimGrid's
  // clock; NaN for a group the fluid cannot time: SimGrid's then).
  void time_shared_groups(double t_send_s, const std::vector<uint32_t>& gateways,
                          const std::vector<double>& bytes, const std::vector<size_t>& members,
                          const std::vector<double>& other_events_s, std::vector<double>& finish_s) const;
  // CITYTWIN_WIRED_CHECK: an analytic batch's rate against the one SimGrid gave it; the summary.
  void check_rate(uint32_t gateway, double t_send_s, double bytes, double simgrid_rate_Bps);
  void print_check() const;
  // A SimGrid batch of `gateway` is off the wire.
  void simgrid_batch_done(uint32_t gateway);

  Impl(const scenario::Scenario& sc, const drivers::GatewayTimeline& gateway_timeline, DeliveryCallback cb,
       DropCallback drop, IngestCallback ingest)
      : scenario(sc),
        timeline(gateway_timeline),
        schedule(gateway_timeline.failures()),
        on_delivered(std::move(cb)),
        on_dropped(std::move(drop)),
        on_ingest(std::move(ingest)),
        server_queue(static_cast<size_t>(sc.platform.ns_capacity)) {
    effects.resize(schedule.size());
    for (uint32_t g = 0; g < sc.gateways.size(); ++g) {
      route_names.push_back(scenario::route_link_names(sc, sc.gateways[g]));
      buffered.emplace_back(timeline.backhaul_failures(g).size(), 0);
    }
    deferred_bytes.assign(sc.gateways.size(), 0.0);
  }

  double now() const { return s4u::Engine::get_clock() - clock_origin; }

  bool route_up(uint32_t g, double t_s) const {
    return timeline.backhaul_up(g, t_s) && timeline.powered(g, t_s);
  }

  // A link, remembered by name (failures and the topology summary refer to links by name).
  s4u::Link* link(s4u::NetZone* zone, const std::string& name, double bits_per_s, double latency) {
    s4u::Link* l = zone->create_link(name, bits_per_s / 8.0)->set_latency(latency);  // SimGrid: bytes/s
    links.emplace(name, l);
    link_index.emplace(name, link_order.size());
    link_order.push_back(name);
    ++link_bytes.links;
    return l;
  }

  void build_platform();

  // Turns the failed links off and back on at the schedule's times (and gateways' access links
  // during power cuts past their backup); overlapping outages of a link nest.
  void start_failure_driver();
  // Ends the streams (what is on the wire cancelled, its delivered part counted) at SimGrid's clock.
  void stop_streams();
  // A run stopped at t_s, before its planned end: ends the failure driver and the streams there and
  // takes their outages after t_s out of stream_outage_s (sim/network/wired_streams.cpp).
  void stop_schedule_at(double t_s);

  // The actor that carries one period's batches to the server and runs the network server on them:
  // at t_send_s, prepare_period then carry_period.
  void forward_period(double t_send_s, const PeriodBatches& batches);
  // When each copy leaves (failures hold or drop it), the bytes of each batch, and which batches
  // SimGrid times (plan_period). SimGrid's clock must be at t_send_s; no actor is needed.
  // `plan`: plan_period's choice for these batches when the caller has already asked it.
  void prepare_period(double t_send_s, const PeriodBatches& batches, PreparedPeriod& prepared,
                      const std::vector<bool>* plan = nullptr);
  // The batches' comms (in an actor, when any goes to SimGrid), their copies' arrivals, and the network
  // server up to t_send_s.
  void carry_period(const PreparedPeriod& period);
  // Whether periods may be carried inline (decided at the first period).
  bool inline_allowed();
  // Runs `carry` with inline_.now set (cleared however it ends).
  template <class Carry>
  void run_inline(Carry&& carry) {
    inline_.now = true;
    try {
      carry();
    } catch (...) {
      inline_.now = false;
      throw;
    }
    inline_.now = false;
  }

  // Runs each stage's work (flop) as concurrent executions on the calling actor's host (the platform)
  // and returns the speed each obtained (flop/s). Inline (inline_.now), with at most as many stages as
  // the platform has cores and nothing else executing there, without SimGrid: each execution alone on
  // a core lasts work / speed (CPU model Cas01: an execution is bounded by one core's speed), on
  // SimGrid's clock, so that the speeds derived from the times are SimGrid's to the bit.
  std::vector<double> execute_stages(const std::vector<double>& work);

  // The network server: a FIFO in arrival order over all gateways, at the speed its execution obtains.
  // Deduplication is the delivery callback's (the first copy of a frame delivers it). Then the broker
  // and the analytics take the delivered frames (on_ingest).
  void serve_until(double horizon_s);

  // An actor on `host` running `body`; an exception escaping an actor aborts the process: keep it for
  // run().
  template <typename Body>
  s4u::ActorPtr actor(const std::string& name, s4u::Host* host, Body body) {
    return s4u::Actor::create(name, host, [this, body = std::move(body)]() mutable {
      try {
        body();
      } catch (const simgrid::ForcefulKillException&) {
        throw;  // SimGrid ending a daemon (a stream receiver) at the end of the run: not an error
      } catch (...) {
        if (!actor_error) actor_error = std::current_exception();
      }
    });
  }

  // Groups the outbox into the period's batches and sends them; the number of batches.
  size_t send_batches(double t_s);

  // A CCTV stream's sender (sim/wired_streams.cpp).
  void run_stream(size_t index, s4u::Mailbox* mailbox);
  bool route_on(const Stream& st) const;

  void check() {
    if (actor_error) std::rethrow_exception(actor_error);
  }
};

}  // namespace citytwin::sim::network
