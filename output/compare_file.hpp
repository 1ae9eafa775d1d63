// The file `citytwin compare` writes (layout in output/SCHEMA.md, "compare file"): a summary table with one
// row per phase, the rollout's costs, and one group per phase with one row per seed and, per run, that
// run's /kpi group copied from its trace. Written whole to PATH.partial and renamed, after each phase that
// finishes: a stopped or killed compare leaves the phases that finished.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "output/trace_writer.hpp"

namespace citytwin::output {

inline constexpr int kCompareSchemaVersion = 1;

struct ComparePhase {
  std::string name;
  KpiTable runs;                                         // key "seed": one row per seed, the run's KPIs
  std::vector<std::pair<uint64_t, std::string>> traces;  // seed -> its trace, whose /kpi is copied
};

struct CompareData {
  std::string citytwin_version;
  std::string scenario_source;
  std::string scenario_text;
  int seeds = 1;
  bool complete = false;  // every phase x seed finished
  std::string currency;
  KpiTable summary;  // key "phase"
  KpiTable costs;    // key "phase"
  std::vector<ComparePhase> phases;
  std::map<std::string, std::string> units;  // column -> units
};

// Throws OutputError.
void write_compare_file(const std::string& path, const CompareData& data);

}  // namespace citytwin::output
