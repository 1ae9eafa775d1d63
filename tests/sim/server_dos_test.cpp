// Denial of service at the LoRaWAN network server against queueing theory. The server is one FIFO
// server with a constant service time (platform.ns_cost at its core's speed) and room for K copies
// (platform.ns_capacity): with Poisson arrivals, an M/D/1/K queue. Its blocking probability follows from
// the embedded Markov chain at departures (Gross and Harris, Fundamentals of Queueing Theory, section
// 6.1.5, M/G/1/K): with a_k = e^-rho rho^k / k! the arrivals during one service and pi the chain's
// stationary law on 0..K-1, P(block) = 1 - 1 / (pi_0 + rho). With room enough, the mean wait is
// Pollaczek-Khinchine's for M/D/1, rho / (2 mu (1 - rho)). Checked on the queue alone and on whole runs
// with a flood of bogus frames (attacks.platform_dos, target network_server).
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "sim/app/isolated_run.hpp"
#include "sim/core/rng.hpp"
#include "sim/network/server_flood.hpp"
#include "sim/network/server_queue.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim_test_support.hpp"
#include "tests/sim/rooms.hpp"

namespace citytwin::sim {
namespace {

// M/D/1/K blocking probability at offered load rho (Gross and Harris 6.1.5), the embedded chain's
// stationary law found by power iteration (the chain is small and aperiodic: a_0 > 0).
double md1k_blocking(double rho, int K) {
  const auto n = static_cast<size_t>(K);
  std::vector<double> a(n + 1);
  for (size_t k = 0; k <= n; ++k)
    a[k] =
        std::exp(-rho + static_cast<double>(k) * std::log(rho) - std::lgamma(static_cast<double>(k) + 1.0));
  // P[i][j]: from i left behind by a departure to j left behind by the next; the last column takes the
  // rest (the arrivals beyond the room are lost).
  std::vector<std::vector<double>> P(n, std::vector<double>(n, 0.0));
  for (size_t i = 0; i < n; ++i) {
    double rest = 1.0;
    for (size_t j = 0; j + 1 < n; ++j) {
      P[i][j] = i == 0 ? a[j] : j + 1 >= i ? a[j + 1 - i] : 0.0;
      rest -= P[i][j];
    }
    P[i][n - 1] = rest;
  }
  std::vector<double> pi(n, 1.0 / static_cast<double>(n));
  for (int sweep = 0; sweep < 20000; ++sweep) {
    std::vector<double> next(n, 0.0);
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < n; ++j) next[j] += pi[i] * P[i][j];
    pi = next;
  }
  return 1.0 - 1.0 / (pi[0] + rho);
}

struct QueueResult {
  double blocked, mean_wait;
};

// n Poisson arrivals at rate rho (service time 1) into a queue of capacity K.
QueueResult simulate_queue(double rho, size_t K, int n, uint64_t seed) {
  network::ServerQueue queue(K);
  core::Stream rng(seed, "queue-test", 0);
  double t = 0.0, wait = 0.0;
  int blocked = 0, served = 0;
  for (int i = 0; i < n; ++i) {
    t += rng.exponential(1.0 / rho);
    const auto done = queue.arrive(t, 1.0);
    if (!done) {
      ++blocked;
      continue;
    }
    wait += *done - 1.0 - t;
    ++served;
  }
  return {static_cast<double>(blocked) / n, wait / served};
}

class MD1K : public ::testing::TestWithParam<std::pair<double, int>> {};

TEST_P(MD1K, BlockingProbabilityMatchesTheEmbeddedChain) {
  const auto [rho, K] = GetParam();
  const QueueResult r = simulate_queue(rho, static_cast<size_t>(K), 400000, 3);
  const double theory = md1k_blocking(rho, K);
  // 400 000 arrivals: binomial standard error under 0.0008, a few times that for the queue's memory.
  EXPECT_NEAR(r.blocked, theory, 0.006) << "rho " << rho << ", K " << K;
  std::printf("M/D/1/%d at rho %.2f: blocked %.4f, embedded chain %.4f\n", K, rho, r.blocked, theory);
}

INSTANTIATE_TEST_SUITE_P(Loads, MD1K,
                         ::testing::Values(std::pair{0.8, 5}, std::pair{0.9, 3}, std::pair{1.2, 10},
                                           std::pair{1.5, 20}));

TEST(ServerQueue, MeanWaitIsPollaczekKhinchineWithRoomEnough) {
  const double rho = 0.8;
  const QueueResult r = simulate_queue(rho, 1000000, 1000000, 5);
  EXPECT_EQ(r.blocked, 0.0);
  const double theory = rho / (2.0 * (1.0 - rho));  // in service times
  EXPECT_NEAR(r.mean_wait, theory, 0.04 * theory);
  std::printf("M/D/1 at rho %.2f: mean wait %.4f services, Pollaczek-Khinchine %.4f\n", rho, r.mean_wait,
              theory);
}

TEST(ServerQueue, FifoAndCapacity) {
  network::ServerQueue queue(2);
  EXPECT_EQ(*queue.arrive(0.0, 1.0), 1.0);
  EXPECT_EQ(*queue.arrive(0.5, 1.0), 2.0);
  EXPECT_FALSE(queue.arrive(0.9, 1.0).has_value());  // two in the system
  EXPECT_EQ(*queue.arrive(1.0, 1.0), 3.0);           // the first left at 1.0
  EXPECT_EQ(queue.in_system(), 2u);
}

TEST(ServerFlood, PoissonArrivalsInTheWindowOnly) {
  const scenario::Scenario sc = scenario::load_scenario_text(
      "city:\n  districts:\n    - {name: a, origin: [0 m, 0 m], size: [1 km, 1 km]}\n"
      "devices:\n  - {name: d, count: 1, districts: [a]}\n"
      "gateways:\n  - {name: g, position: [500 m, 500 m]}\n"
      "attacks:\n  platform_dos:\n    - {target: broker, rate: 10, start: 0 s, end: 10 s}\n"
      "    - {target: network_server, rate: 500, start: 100 s, end: 200 s}\n"
      "run: {duration: 150 s}\n");
  network::ServerFlood flood(sc, 7);
  ASSERT_FALSE(flood.empty());
  double last = 0.0;
  while (std::isfinite(flood.next_s())) {
    const double t = flood.next_s();
    EXPECT_GE(t, std::max(last, 100.0));
    EXPECT_LT(t, 150.0);  // clipped to the run
    last = t;
    EXPECT_EQ(flood.pop(), 1u);
  }
  EXPECT_EQ(flood.sent()[0], 0u);  // the broker's flood is platform::PlatformFlood's
  // 50 s at 500/s: 25 000, Poisson (5 sigma: 790).
  EXPECT_NEAR(static_cast<double>(flood.sent()[1]), 25000.0, 790.0);
}

// --- whole runs ------------------------------------------------------------------------------------

constexpr double kService_s = 1e-3;   // ns_cost 10 Mf at 10 Gf/s per core
constexpr double kHonestPerS = 10.0;  // 1000 devices every 100 s, one gateway: one copy each
constexpr double kWindowStart_s = 300.0, kWindowEnd_s = 900.0;

std::string server_dos_scenario(double flood_per_s, int capacity) {
  return "city:\n"
         "  districts:\n"
         "    - {name: field, origin: [0 m, 0 m], size: [1 km, 1 km]}\n"
         "devices:\n"
         "  - {name: sensors, count: 1000, disc: {centre: [500 m, 500 m], radius: 400 m}, traffic: poisson,\n"
         "     interval: 100 s, payload: 10 B, radio: {sf: 7}}\n"
         "gateways:\n"
         "  - {name: gw, position: [500 m, 500 m]}\n"
         "platform: {ns_cost: 10 Mf, server_speed: 10 Gf, server_cores: 16, ns_capacity: " +
         std::to_string(capacity) +
         "}\n"
         "attacks:\n"
         "  platform_dos:\n"
         "    - {name: ns-flood, target: network_server, rate: " +
         std::to_string(flood_per_s) + ", start: " + std::to_string(kWindowStart_s) +
         " s, end: " + std::to_string(kWindowEnd_s) +
         " s}\n"
         "run: {duration: 1200 s, seed: 23}\n";
}

// A 1-D dataset converted to double by HDF5 (the table's count columns are integers).
std::vector<double> read_as_doubles(const std::string& file, const std::string& dataset) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t d = H5Dopen2(f, dataset.c_str(), H5P_DEFAULT);
  std::vector<double> v;
  if (d >= 0) {
    const hid_t space = H5Dget_space(d);
    v.resize(static_cast<size_t>(H5Sget_simple_extent_npoints(space)));
    if (!v.empty()) H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
    H5Sclose(space);
    H5Dclose(d);
  }
  H5Fclose(f);
  return v;
}

std::vector<double> run_attack_row(const std::string& text, const test::TempDir& dir,
                                   const std::vector<std::string>& columns) {
  RunOptions options;
  options.output_path = dir.file("dos.h5");
  options.progress = false;
  const IsolatedOutcome outcome = run_isolated({text, true, {}}, options);
  EXPECT_EQ(outcome.status, IsolatedOutcome::Status::Ok) << outcome.error;
  std::vector<double> row;
  for (const std::string& c : columns) {
    const std::vector<double> v = read_as_doubles(dir.file("dos.h5"), "kpi/attacks/" + c);
    row.push_back(v.empty() ? std::nan("") : v[0]);
  }
  return row;
}

TEST(ServerDos, HonestCopiesAreDroppedAsTheMD1KQueueBlocks) {
  const double rho = 1.5, flood = rho / kService_s - kHonestPerS;
  const int K = 20;
  test::TempDir dir;
  const auto row = run_attack_row(
      server_dos_scenario(flood, K), dir,
      {"honest_delivery_ratio_before", "honest_delivery_ratio_during", "honest_delivery_ratio_after",
       "honest_sent_during", "lost_to_attack", "attack_messages", "attack_messages_dropped", "kind"});
  EXPECT_EQ(row[7], 3.0);  // a flood at the network server
  // The radio's losses are the same before and during: the ratio of the two is what the server kept.
  const double blocked = 1.0 - row[1] / row[0];
  const double theory = md1k_blocking(rho, K);
  // ~6000 honest frames in the window and ~3000 before: standard error of the estimate about 0.013.
  EXPECT_NEAR(blocked, theory, 0.03) << row[3] << " honest frames during, " << row[4] << " lost to it";
  EXPECT_NEAR(row[4] / (row[3] * row[0]), theory, 0.03);
  // The bogus frames block as the honest ones do (PASTA).
  EXPECT_NEAR(row[6] / row[5], theory, 0.01);
  EXPECT_NEAR(row[5], flood * (kWindowEnd_s - kWindowStart_s), 5.0 * std::sqrt(flood * 600.0));
  // Afterwards the queue empties at once (20 ms of work).
  EXPECT_NEAR(row[2], row[0], 0.02);
  std::printf("network server at rho %.2f, K %d: honest blocked %.4f (%.0f frames), M/D/1/K %.4f\n", rho, K,
              blocked, row[3], theory);
}

TEST(ServerDos, HonestCopiesWaitThePollaczekKhinchineMean) {
  const double rho = 0.8, flood = rho / kService_s - kHonestPerS;
  test::TempDir dir;
  const auto row = run_attack_row(server_dos_scenario(flood, 100000), dir,
                                  {"honest_latency_before_mean_s", "honest_latency_during_mean_s",
                                   "honest_delivery_ratio_before", "honest_delivery_ratio_during"});
  // Before the flood the server is idle (rho 0.01): the latency is the path's. During it, each copy
  // waits rho / (2 mu (1 - rho)) more on average.
  const double theory_s = rho * kService_s / (2.0 * (1.0 - rho));
  const double honest_idle_s =
      (kHonestPerS * kService_s) * kService_s / (2.0 * (1.0 - kHonestPerS * kService_s));
  const double extra_s = row[1] - row[0];
  EXPECT_NEAR(extra_s, theory_s - honest_idle_s, 0.1 * theory_s);
  EXPECT_NEAR(row[3], row[2], 0.02);  // nothing dropped
  std::printf("network server at rho %.2f: honest copies wait %.3f ms more, Pollaczek-Khinchine %.3f ms\n",
              rho, 1e3 * extra_s, 1e3 * (theory_s - honest_idle_s));
}

}  // namespace
}  // namespace citytwin::sim
