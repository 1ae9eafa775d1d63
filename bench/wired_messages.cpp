// How should small IoT messages cross the wired network in SimGrid? Measures the wall-clock cost of
// carrying M forwarded frames from G gateways to one server over fibre links:
//   per-frame: one SimGrid comm per frame (each gateway actor sends its frames one after another);
//   batched:   one comm per gateway per batch period carrying the bytes of all its frames (what
//              sim/wired_network.cpp does).
// Usage: wired_messages [gateways=100] [frames=1000000] [batch_s=10]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <simgrid/s4u.hpp>
#include <string>
#include <vector>

namespace s4u = simgrid::s4u;

int main(int argc, char** argv) {
  const int gateways = argc > 1 ? std::atoi(argv[1]) : 100;
  const long frames = argc > 2 ? std::atol(argv[2]) : 1000000;
  const double batch_s = argc > 3 ? std::atof(argv[3]) : 10.0;
  const bool batched = std::getenv("BATCHED") != nullptr;
  int sargc = 3;
  char a0[] = "bench", a1[] = "--cfg=network/model:CM02", a2[] = "--log=root.thres:critical";
  char* sargv[] = {a0, a1, a2, nullptr};
  s4u::Engine engine(&sargc, sargv);
  auto* zone = s4u::create_full_zone("city");
  s4u::Host* server = zone->create_host("server", 1e10);
  std::vector<s4u::Host*> gws;
  for (int g = 0; g < gateways; ++g) {
    s4u::Host* h = zone->create_host("gw" + std::to_string(g), 1e9);
    s4u::Link* l = zone->create_link("l" + std::to_string(g), 125e6)->set_latency(2e-5);
    zone->add_route(h->get_netpoint(), server->get_netpoint(), nullptr, nullptr, {s4u::LinkInRoute(l)}, true);
    gws.push_back(h);
  }
  zone->seal();
  const long per_gateway = frames / gateways;
  const double day_s = 86400.0;
  for (int g = 0; g < gateways; ++g) {
    s4u::Actor::create("gw" + std::to_string(g), gws[g], [=]() {
      if (!batched) {
        // Frames evenly spread over a day, one comm each.
        const double gap = day_s / static_cast<double>(per_gateway);
        for (long i = 0; i < per_gateway; ++i) {
          s4u::this_actor::sleep_until(static_cast<double>(i) * gap);
          s4u::Comm::sendto(gws[g], server, 250);
        }
      } else {
        const long periods = static_cast<long>(day_s / batch_s);
        const long per_period = per_gateway / periods + 1;
        for (long p = 1; p <= periods; ++p) {
          s4u::this_actor::sleep_until(static_cast<double>(p) * batch_s);
          s4u::Comm::sendto(gws[g], server, static_cast<uint64_t>(250 * per_period));
        }
      }
    });
  }
  const auto start = std::chrono::steady_clock::now();
  engine.run();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s: %d gateways, %ld frames over a simulated day: %.2f s wall, %.0f frames/s\n",
              batched ? "batched" : "per-frame", gateways, frames, wall, static_cast<double>(frames) / wall);
  return 0;
}
