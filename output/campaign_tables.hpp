// A campaign's HDF5 files (output/SCHEMA.md, "Campaign summary"): reading back what a finished run's
// trace says about itself (is it complete, which campaign run it is, its KPIs), and writing the merged
// summary of all runs. Like the trace writer, HDF5 stays hidden behind this header.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "output/trace_writer.hpp"

namespace citytwin::output {

struct TraceRecord {
  bool complete = false;
  std::string run_id;  // /meta@run_id, "" when the trace has none
  uint64_t seed = 0;
  KpiList kpis;          // the /kpi attributes, in order
  KpiTable by_district;  // /kpi/by_district (empty when the trace has none)
};

// What the trace at path records, or nullopt when there is no readable trace there (missing, not HDF5,
// damaged). Never throws for a bad file.
std::optional<TraceRecord> read_trace_record(const std::string& path);

// One run of a campaign, as the summary lists it.
struct CampaignRow {
  std::string run_id;
  std::vector<std::string> axis_values;  // one per axis, as YAML text
  uint64_t seed = 0;
  std::string status;  // ok, failed, stopped, not_run
  std::string error;
  std::string error_kind;  // "scenario" (refused: exit 2 on the command line), "run" (failed), or ""
  std::string trace;       // the run's trace, relative to the summary's folder
  bool reused = false;     // finished by an earlier invocation of the campaign (restart)
  double wall_s = 0.0;
  KpiList kpis;
  KpiTable by_district;
};

struct CampaignSummary {
  std::string citytwin_version;
  std::string campaign_text;  // the campaign file as read
  std::string scenario_path;
  std::vector<std::string> axes;  // the axes' key paths, in order
  std::vector<CampaignRow> rows;
};

// Writes the summary to path (through "<path>.partial" and a rename, so a reader never sees half of
// one): /meta, /runs (one row per run: run_id, one text column per axis, seed, status, error, trace,
// reused, wall_s, then every scalar KPI any run reported, NaN where a run has none) and /by_district
// (long: run_id, seed, district, kpi, value). Throws OutputError naming the path.
void write_campaign_summary(const std::string& path, const CampaignSummary& summary);

}  // namespace citytwin::output
