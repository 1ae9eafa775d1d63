// What one forwarding period of the wired network costs as the city grows (issue 13: "the wired
// network scales with its links, not with gateways squared"). Builds the WiredNetwork of a city like
// bench/gen_city.py's (G gateways on a jittered grid over 16 districts, each on its own 1 Gbps fibre
// of 0.5-8 km; with --pon, 32 gateways per PON behind 8 PONs per OLT), then runs P forwarding
// periods in which every gateway forwards `copies` frames, and prints the median wall and CPU time of
// one period (WiredNetwork::advance: SimGrid's comms, the network server, the platform's stages).
// Usage: wired_period [gateways=100] [periods=20] [copies=5] [--pon]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "sim/drivers/gateway_timeline.hpp"
#include "sim/network/wired_network.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace sim = citytwin::sim;

namespace {

std::string city_yaml(int gateways, bool pon) {
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const double side_km = std::max(2.0, std::sqrt(static_cast<double>(gateways)));
  const int k = 4;
  const double cell = side_km / k;
  std::string y = "city:\n  districts:\n";
  std::string names;
  for (int i = 0; i < k; ++i)
    for (int j = 0; j < k; ++j) {
      const std::string name = "d" + std::to_string(i) + "_" + std::to_string(j);
      names += (names.empty() ? "" : ", ") + name;
      y += "    - {name: " + name + ", origin: [" + std::to_string(i * cell) + " km, " +
           std::to_string(j * cell) + " km], size: [" + std::to_string(cell) + " km, " +
           std::to_string(cell) + " km]}\n";
    }
  y += "devices:\n  - {name: meters, count: 1, districts: [" + names + "], interval: 15 min}\n";
  const int pons = (gateways + 31) / 32, olts = (pons + 7) / 8;
  if (pon) {
    y += "fibre:\n  olts:\n";
    for (int o = 0; o < olts; ++o) y += "    - {name: olt" + std::to_string(o) + ", backbone_length: 5 km}\n";
    y += "  pons:\n";
    for (int p = 0; p < pons; ++p)
      y += "    - {name: pon" + std::to_string(p) + ", olt: olt" + std::to_string(p / 8) +
           ", length: 10 km}\n";
  }
  y += "gateways:\n";
  const int g_side = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(gateways))));
  const double step = side_km / g_side;
  for (int g = 0; g < gateways; ++g) {
    const double x =
        std::clamp((g % g_side + 0.5) * step + (u(rng) - 0.5) * 0.4 * step, 0.001, side_km - 0.001);
    const double yy =
        std::clamp((g / g_side + 0.5) * step + (u(rng) - 0.5) * 0.4 * step, 0.001, side_km - 0.001);
    y += "  - {name: gw" + std::to_string(g) + ", position: [" + std::to_string(x) + " km, " +
         std::to_string(yy) + " km], backhaul: ";
    if (pon)
      y += "{kind: pon, pon: pon" + std::to_string(g / 32) +
           ", drop_length: " + std::to_string(0.1 + u(rng)) + " km}}\n";
    else
      y += "{fibre_length: " + std::to_string(0.5 + 7.5 * u(rng)) + " km, bandwidth: 1 Gbps}}\n";
  }
  y += "run:\n  duration: 24 h\n";
  return y;
}

double cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const bool pon = std::erase(args, std::string("--pon")) > 0;
  const int gateways = args.size() > 0 ? std::atoi(args[0].c_str()) : 100;
  const int periods = args.size() > 1 ? std::atoi(args[1].c_str()) : 20;
  const int copies = args.size() > 2 ? std::atoi(args[2].c_str()) : 5;
  const sim::scenario::Scenario sc = sim::scenario::load_scenario_text(city_yaml(gateways, pon), "<bench>");
  const sim::drivers::GatewayTimeline timeline(sc, {});
  uint64_t delivered = 0;
  sim::network::WiredNetwork wired(
      sc, timeline,
      [&delivered](uint64_t, double, int) {
        ++delivered;
        return sim::network::WiredNetwork::Delivery::Delivered;
      },
      [](uint64_t, citytwin::output::FailReason, int) {});
  const double batch = sc.run.forward_batch_s;
  std::vector<double> wall, cpu;
  uint64_t seq = 0;
  for (int p = 0; p < periods; ++p) {
    for (int c = 0; c < copies; ++c)
      for (int g = 0; g < gateways; ++g)
        wired.forward(static_cast<uint32_t>(g), seq++, p * batch + batch * (c + 0.5) / copies);
    const auto w0 = std::chrono::steady_clock::now();
    const double c0 = cpu_s();
    wired.advance((p + 1) * batch);
    cpu.push_back(cpu_s() - c0);
    wall.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count());
  }
  wired.drain(periods * batch);
  std::printf(
      "%s: %d gateways, %d periods x %d copies per gateway: one period median %.3f ms wall, %.3f ms CPU "
      "(%llu copies delivered; batches: %llu analytic, of which %llu by max-min sharing, %llu to SimGrid)\n",
      pon ? "pon" : "fibre", gateways, periods, copies, 1e3 * median(wall), 1e3 * median(cpu),
      static_cast<unsigned long long>(delivered), static_cast<unsigned long long>(wired.batches_analytic()),
      static_cast<unsigned long long>(wired.batches_shared()),
      static_cast<unsigned long long>(wired.batches_simgrid()));
  return 0;
}
