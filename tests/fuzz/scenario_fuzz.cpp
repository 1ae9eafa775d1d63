// libFuzzer target: the scenario loader (load_scenario_text), then, for scenarios small enough to be
// cheap, the run's budget estimate and the city build (build_city_layout). Leading lines "#set
// key.path=value" (YAML comments, so a seed stays a scenario) are passed as overrides.
//
// Besides the sanitizers' checks (any crash, leak, overflow, undefined behaviour, hang or memory
// blow-up is a finding), the loader's contract: it returns a scenario or throws ScenarioError, every
// diagnostic located (a line in the file, or the override it came from) and of sensible size; nothing
// else escapes (no std::bad_alloc, no yaml-cpp exception).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "sim/app/run.hpp"
#include "sim/app/run_budget.hpp"
#include "sim/city/build_city_layout.hpp"
#include "sim/core/thread_pool.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace {

using namespace citytwin::sim::app;
using namespace citytwin::sim::city;
using namespace citytwin::sim::core;
using namespace citytwin::sim::scenario;

[[noreturn]] void finding(const std::string& what) {
  std::fprintf(stderr, "scenario_fuzz: %s\n", what.c_str());
  std::abort();
}

// The tiny limits of the city build: enough to reach every path, cheap per input.
constexpr uint64_t kMaxFuzzDevices = 200;
constexpr size_t kMaxFuzzGateways = 16;

void check_diagnostics(const ScenarioError& e) {
  if (e.diagnostics().empty()) finding("ScenarioError without a diagnostic");
  for (const Diagnostic& d : e.diagnostics()) {
    const bool from_override = d.mark.file.rfind("--set ", 0) == 0;
    if (d.mark.file != "<fuzz>" && !from_override)
      finding("diagnostic of an unknown source: " + d.to_string());
    if (!from_override && d.mark.line < 1) finding("unlocated diagnostic: " + d.to_string());
    if (d.message.empty()) finding("diagnostic without a message: " + d.to_string());
    if (d.key_path.size() + d.message.size() > 4096)
      finding("oversized diagnostic: " + d.to_string().substr(0, 200));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> overrides;
  while (text.rfind("#set ", 0) == 0 && overrides.size() < 8) {
    const size_t end = text.find('\n');
    overrides.push_back(text.substr(5, end == std::string::npos ? std::string::npos : end - 5));
    text.erase(0, end == std::string::npos ? text.size() : end + 1);
  }
  Scenario scenario;
  try {
    scenario = load_scenario_text(text, "<fuzz>", overrides);
  } catch (const ScenarioError& e) {
    check_diagnostics(e);
    return 0;
  }
  const RunEstimate estimate = estimate_run(scenario);
  if (estimate.devices > kMaxFuzzDevices || scenario.gateways.size() > kMaxFuzzGateways) return 0;
  try {
    check_run_budget(estimate, 0, 1);
  } catch (const RunError&) {
    return 0;  // refused before it starts: what run would do
  }
  try {
    ThreadPool pool(1);
    const CityLayout city = build_city_layout(scenario, scenario.run.seed, pool);
    if (city.device_count() != estimate.devices) finding("layout device count differs from the scenario's");
    if (city.link_offset.size() != city.device_count() + 1) finding("link offsets do not match the devices");
  } catch (const RunError&) {
    // a located refusal of the build (a disc outside every district)
  }
  return 0;
}
