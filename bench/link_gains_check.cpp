// What computing the links' gains eight at a time with libmvec changes (LinkGains::compute): builds a
// scenario's city twice, with the vector gains and with CITYTWIN_SCALAR_GAINS=1 (libm, one at a time), and
// counts the links whose gateway or float gain differ, and the devices whose SF at join differs.
// Usage: link_gains_check SCENARIO.yaml [--set key=value ...] [threads=2]
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "sim/city/build_city_layout.hpp"
#include "sim/city/link_index.hpp"
#include "sim/core/thread_pool.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace sim = citytwin::sim;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: link_gains_check SCENARIO.yaml [--set key=value ...] [threads]\n");
    return 2;
  }
  std::vector<std::string> overrides;
  int threads = 2;
  for (int i = 2; i < argc; ++i) {
    if (std::string(argv[i]) == "--set" && i + 1 < argc)
      overrides.emplace_back(argv[++i]);
    else
      threads = std::atoi(argv[i]);
  }
  if (!sim::city::LinkGains::vector_available())
    std::fprintf(stderr, "link_gains_check: no vector gains on this machine (no AVX-512 or no libmvec)\n");
  const sim::scenario::Scenario sc = sim::scenario::load_scenario_file(argv[1], overrides);
  sim::core::ThreadPool pool(threads);
  unsetenv("CITYTWIN_SCALAR_GAINS");
  const sim::city::CityLayout vector = sim::city::build_city_layout(sc, sc.run.seed, pool);
  setenv("CITYTWIN_SCALAR_GAINS", "1", 1);
  const sim::city::CityLayout scalar = sim::city::build_city_layout(sc, sc.run.seed, pool);
  size_t sf = 0, gateway = 0, gain = 0;
  double worst = 0.0;
  for (size_t d = 0; d < scalar.device_count(); ++d) sf += vector.device_sf[d] != scalar.device_sf[d];
  const bool same_offsets = vector.link_offset == scalar.link_offset;
  if (same_offsets)
    for (size_t k = 0; k < scalar.link_gateway.size(); ++k) {
      gateway += vector.link_gateway[k] != scalar.link_gateway[k];
      if (vector.link_gain_db[k] != scalar.link_gain_db[k]) {
        ++gain;
        worst =
            std::max(worst, std::abs(static_cast<double>(vector.link_gain_db[k]) - scalar.link_gain_db[k]));
      }
    }
  std::printf(
      "%zu devices, %zu links: link counts %s, %zu gateways differ, %zu float gains differ (worst %g dB), "
      "%zu SFs at join differ\n",
      scalar.device_count(), scalar.link_gateway.size(), same_offsets ? "the same" : "DIFFER", gateway, gain,
      worst, sf);
  return same_offsets && gateway == 0 && sf == 0 ? 0 : 1;
}
