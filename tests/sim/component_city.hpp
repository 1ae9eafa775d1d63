// A small city for the component tests: a scenario from YAML text and its layout, kept together (the
// components keep references to both).
#pragma once

#include <string>

#include "sim/city/build_city_layout.hpp"
#include "sim/core/thread_pool.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace citytwin::test {

struct ComponentCity {
  explicit ComponentCity(const std::string& yaml, uint64_t seed = 1)
      : scenario(sim::scenario::load_scenario_text(yaml, "<test>")),
        pool(1),
        city(sim::city::build_city_layout(scenario, seed, pool)) {}
  sim::scenario::Scenario scenario;
  sim::core::ThreadPool pool;
  sim::city::CityLayout city;
};

}  // namespace citytwin::test
