// Builds the static city (sim/city/city_layout.hpp) from a scenario: places the devices, then computes
// each device's radio links (sim/city/device_links.hpp) in blocks on the thread pool.
#pragma once

#include <cstdint>
#include <functional>

#include "sim/city/city_layout.hpp"
#include "sim/core/thread_pool.hpp"
#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::city {

// Places devices (named stream "placement" per population) and computes the links. The scenario has
// passed resolve() (sim/city/resolve.hpp): its frames fit the region and its discs can be filled.
// progress, when given, is called as the radio links are computed (most of the set-up's time) with the
// share of the devices done, in (0, 1], from any of the pool's threads: it must be thread-safe.
using LinkProgress = std::function<void(double)>;
CityLayout build_city_layout(const scenario::Scenario& scenario, uint64_t seed, core::ThreadPool& pool,
                             const LinkProgress& progress = {});

}  // namespace citytwin::sim::city
