// A GPON city's forwarding batches timed without SimGrid (issue 13, sim/network/wired_fast_path.cpp):
// 32 gateways per PON send at once, 32 x 1 Gbps ONT ports on a 1.24416 Gbps upstream (1.149 Gbps of
// payload once the GTC layer's overheads are paid, models/fibre/gpon_framing.hpp), so the PON is
// over-subscribed and the batches share it by max-min. With CITYTWIN_WIRED_CHECK=1 every batch also
// goes to SimGrid and the analytic rates must be SimGrid's; without it, none goes to SimGrid and the
// saturated PON slows the batches below their ports' rate. One SimGrid engine per process: ctest runs
// each test in its own process.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "sim/drivers/gateway_timeline.hpp"
#include "sim/network/wired_network.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace citytwin::sim {
namespace {

constexpr int kPons = 2, kPerPon = 32, kGateways = kPons * kPerPon, kPeriods = 6;

// Two PONs on one OLT in two districts; drop lengths 100 m to 1.1 km (so the gateways' latencies,
// CM02's sharing weights, differ).
std::string pon_city() {
  std::string y =
      "city:\n  districts:\n"
      "    - {name: west, origin: [0 m, 0 m], size: [1 km, 2 km]}\n"
      "    - {name: east, origin: [1 km, 0 m], size: [1 km, 2 km]}\n"
      "devices:\n  - {name: meters, count: 1, districts: [west], interval: 15 min}\n"
      "fibre:\n  olts: [{name: olt, backbone_length: 5 km}]\n  pons:\n";
  for (int p = 0; p < kPons; ++p)
    y += "    - {name: pon" + std::to_string(p) + ", olt: olt, length: 10 km}\n";
  y += "gateways:\n";
  for (int g = 0; g < kGateways; ++g) {
    const double x_m = 20.0 + 30.0 * g, y_m = 100.0 + 25.0 * (g % 60);
    y += "  - {name: gw" + std::to_string(g) + ", position: [" + std::to_string(x_m) + " m, " +
         std::to_string(y_m) + " m], backhaul: {kind: pon, pon: pon" + std::to_string(g / kPerPon) +
         ", drop_length: " + std::to_string(100 + (g * 37) % 1000) + " m}}\n";
  }
  // No network-server work: a copy is delivered when it arrives (its arrival shows its batch's rate).
  return y + "platform: {ns_cost: 0 f}\nrun:\n  duration: 1 h\n";
}

struct Delivery {
  uint64_t seq;
  double t_s;
};

// Runs kPeriods forwarding periods in which gateway g forwards 1 to 9 copies (its batch: 250 B each).
// rx[seq]: when copy seq was received; gateway_of[seq]: by which gateway.
void run_periods(const scenario::Scenario& sc, network::WiredNetwork& wired, std::vector<double>& rx,
                 std::vector<uint32_t>& gateway_of) {
  uint64_t seq = 0;
  const double batch = sc.run.forward_batch_s;
  for (int p = 0; p < kPeriods; ++p) {
    for (int g = 0; g < kGateways; ++g) {
      const int copies = 1 + (g * 7 + p * 3) % 9;
      for (int c = 0; c < copies; ++c) {
        const double t = p * batch + batch * (c + 0.5) / copies;
        wired.forward(static_cast<uint32_t>(g), seq++, t);
        rx.push_back(t);
        gateway_of.push_back(static_cast<uint32_t>(g));
      }
    }
    wired.advance((p + 1) * batch);
  }
  wired.drain(kPeriods * batch);
}

TEST(WiredPon, SharedPonRatesAreSimGridsInCheckMode) {
  ASSERT_EQ(setenv("CITYTWIN_WIRED_CHECK", "1", 1), 0);
  const scenario::Scenario sc = scenario::load_scenario_text(pon_city(), "<test>");
  const drivers::GatewayTimeline timeline(sc, {});
  uint64_t delivered = 0;
  network::WiredNetwork wired(
      sc, timeline,
      [&delivered](uint64_t, double, int) {
        ++delivered;
        return network::WiredNetwork::Delivery::Delivered;
      },
      [](uint64_t, output::FailReason, int) {});
  std::vector<double> rx;
  std::vector<uint32_t> gateway_of;
  run_periods(sc, wired, rx, gateway_of);
  EXPECT_EQ(delivered, rx.size());
  // Every batch was planned as max-min sharing on its PON (then sent to SimGrid for the comparison).
  EXPECT_EQ(wired.batches_shared(), static_cast<uint64_t>(kGateways * kPeriods));
  const network::WiredNetwork::AnalyticCheck check = wired.analytic_check();
  EXPECT_EQ(check.shared_batches, static_cast<uint64_t>(kGateways * kPeriods));
  EXPECT_EQ(check.batches, check.shared_batches);
  // The fibre path's tolerance (bench/RESULTS.md: 0 to 1.5e-6 on the scenarios): SimGrid re-times a
  // comm whenever one coupled to it starts or ends, which can move its end by an ulp of the clock. The
  // fluid handles SimGrid's 1 ns event merging too: without it, 1e-4 here.
  EXPECT_LT(check.max_relative_difference_shared, 2e-6);
}

TEST(WiredPon, ASaturatedPonIsTimedWithoutSimGrid) {
  ASSERT_EQ(unsetenv("CITYTWIN_WIRED_CHECK"), 0);
  const scenario::Scenario sc = scenario::load_scenario_text(pon_city(), "<test>");
  const drivers::GatewayTimeline timeline(sc, {});
  std::vector<Delivery> deliveries;
  network::WiredNetwork wired(
      sc, timeline,
      [&deliveries](uint64_t seq, double t_s, int) {
        deliveries.push_back({seq, t_s});
        return network::WiredNetwork::Delivery::Delivered;
      },
      [](uint64_t, output::FailReason, int) {});
  std::vector<double> rx;
  std::vector<uint32_t> gateway_of;
  run_periods(sc, wired, rx, gateway_of);
  EXPECT_EQ(wired.batches_simgrid(), 0u);
  EXPECT_EQ(wired.batches_shared(), static_cast<uint64_t>(kGateways * kPeriods));
  ASSERT_EQ(deliveries.size(), rx.size());
  // A copy arrives its route's latency after it leaves, plus its 250 B at its batch's rate: recover
  // each batch's rate, then its transfer (from send + latency, its bytes at that rate).
  const double bytes = sc.platform.forward_message_bytes;
  const double batch = sc.run.forward_batch_s;
  const double bound_Bps = sc.gateways[0].fibre_bandwidth_bps / 8.0;  // the ONT port's 1 Gbps
  // The PON's payload rate, not its 1.24416 Gbit/s line rate: 32 ONTs bursting every 125 us frame of
  // 19 440 bytes, each burst 12 (guard, preamble, delimiter) + 3 (PLOu) + 13 (PLOAMu) + 2 (DBRu) + 5
  // (a continued fragment's GEM header) bytes, and a 5-byte GEM header per 250-byte copy (G.984.2
  // Table I.1, G.984.3 clause 8; models/fibre/gpon_framing.hpp): 0.9239 of the line rate.
  ASSERT_DOUBLE_EQ(sc.fibre.pons[0].upstream_bps, 1.24416e9);
  ASSERT_DOUBLE_EQ(bytes, 250.0);
  const double capacity_Bps = (1.0 - 32 * 35.0 / 19440.0) * 250.0 / 255.0 * 1.24416e9 / 8.0;
  struct Batch {
    double bytes = 0.0, rate_Bps = 0.0;
  };
  std::vector<std::vector<Batch>> batches(kPeriods, std::vector<Batch>(kGateways));
  for (const Delivery& d : deliveries) {
    const uint32_t g = gateway_of[d.seq];
    const double leave = rx[d.seq] + sc.gateways[g].forward_delay_s;
    Batch& b = batches[static_cast<size_t>(rx[d.seq] / batch)][g];
    const double rate = bytes / (d.t_s - leave - wired.route_latency_s(g));
    if (b.bytes > 0.0) {
      EXPECT_NEAR(rate, b.rate_Bps, 1e-6 * b.rate_Bps);  // one rate per batch
    }
    b.rate_Bps = rate;
    b.bytes += bytes;
  }
  int below_port = 0;
  for (int p = 0; p < kPeriods; ++p)
    for (int pon = 0; pon < kPons; ++pon) {
      // The PON's batches, from the first one's end of latency to the last one's end: the upstream
      // carries at most its capacity, and is full nearly all that time (at their ports' rate the 32
      // batches would need 32 x 1 Gbps).
      double first = 1e300, last = 0.0, total = 0.0;
      for (int g = pon * kPerPon; g < (pon + 1) * kPerPon; ++g) {
        const Batch& b = batches[static_cast<size_t>(p)][static_cast<size_t>(g)];
        EXPECT_LE(b.rate_Bps, bound_Bps * (1 + 1e-9));
        below_port += b.rate_Bps < 0.9 * bound_Bps ? 1 : 0;
        const double start = (p + 1) * batch + wired.route_latency_s(static_cast<uint32_t>(g));
        first = std::min(first, start);
        last = std::max(last, start + b.bytes / b.rate_Bps);
        total += b.bytes;
      }
      const double throughput_Bps = total / (last - first);
      EXPECT_LE(throughput_Bps, capacity_Bps * (1 + 1e-6)) << "period " << p << ", pon " << pon;
      EXPECT_GE(throughput_Bps, 0.8 * capacity_Bps) << "period " << p << ", pon " << pon;
    }
  EXPECT_GT(below_port, kGateways * kPeriods / 2);
}

}  // namespace
}  // namespace citytwin::sim
