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
  bool reused = false;  // kept from an earlier invocation of the same comparison (not run again)
  KpiTable runs;        // key "seed": one row per seed, the run's KPIs
  std::vector<std::pair<uint64_t, std::string>> traces;  // seed -> its trace, whose /kpi is copied
};

struct CompareData {
  std::string citytwin_version;
  std::string scenario_source;
  std::string scenario_text;
  std::string overrides;  // --set, one per line, as given
  int seeds = 1;
  bool complete = false;  // every phase x seed finished
  std::string currency;
  std::string placeholder_costs;  // catalogue kinds priced by the default placeholders, ", "-separated
  KpiTable summary;               // key "phase"
  KpiTable costs;                 // key "phase"
  std::vector<ComparePhase> phases;
  std::map<std::string, std::string> units;  // column -> units
};

// Throws OutputError.
void write_compare_file(const std::string& path, const CompareData& data);

// A phase of a compare file that a rerun of the same comparison keeps: per seed, the run's KPIs (the
// attributes of its copied /kpi) and a file in scratch_dir holding that /kpi (to be copied again).
struct KeptPhase {
  std::string name;
  std::vector<uint64_t> seeds;
  std::vector<KpiList> kpis;
  std::vector<std::string> traces;
};

// The finished phases of the compare file at path when it compares the same thing as data (scenario text,
// overrides, seeds, citytwin version); empty when there is no readable compare file there or it compares
// something else. Never throws for a bad file (a damaged one is simply not reused).
std::vector<KeptPhase> read_kept_phases(const std::string& path, const CompareData& data,
                                        const std::string& scratch_dir);

}  // namespace citytwin::output
