// Machine-readable output of the command line (room: sim/app): `citytwin catalogue [--json]`,
// `citytwin describe FILE --json`, `citytwin run FILE --json`. JSON through nlohmann-json (Debian's
// nlohmann-json3-dev: header-only, maintained, and it escapes names and maps NaN to null correctly,
// which hand-written printing would have to get right). Field names use snake_case with units; objects
// keep their fields in the order written (ordered_json).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "sim/app/run.hpp"
#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::app {

// The device catalogue (models/device/catalogue.hpp): one object per type.
nlohmann::ordered_json catalogue_json();
// The same as an aligned text table.
std::string catalogue_text();
// The city a scenario builds: districts, device populations, gateways, PONs (with their upstream payload
// rate), OLTs.
nlohmann::ordered_json describe_json(const scenario::Scenario& scenario, const std::string& source);
// A run's summary: path, complete, seed, threads, wall_s (from the end of the set-up to the trace's end),
// end_s (the run's end, within wall_s), kpis, by_district.
nlohmann::ordered_json summary_json(const RunSummary& summary);

}  // namespace citytwin::sim::app
