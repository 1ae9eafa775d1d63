#include "sim/campaign/campaign.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "sim/app/run.hpp"
#include "sim/app/version.hpp"

namespace citytwin::sim::campaign {
namespace {

namespace fs = std::filesystem;

std::string relative_trace(const Campaign& c, const CampaignRun& run) {
  return fs::path(run.trace_path).lexically_relative(c.out).string();
}

}  // namespace

output::CampaignRow campaign_row(const Campaign& c, const CampaignRun& run) {
  output::CampaignRow row;
  row.run_id = run.id;
  for (size_t a = 0; a < c.axes.size(); ++a) row.axis_values.push_back(c.axes[a].values[run.point[a]]);
  row.seed = run.seed;
  row.trace = relative_trace(c, run);
  row.status = "not_run";
  return row;
}

namespace {

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char ch : text) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

std::string csv_number(double v) {
  if (std::isnan(v)) return "";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

PoolRun pool_run(const Campaign& c, const CampaignRun& run) {
  PoolRun p;
  // The text the run id covers, not the file again: an edit of the file while the campaign runs must
  // not change the runs under their ids. Loaded under the file's path, relative data files are found
  // next to it, as when the campaign was loaded.
  p.source.text_or_path = c.scenario_text;
  p.source.is_text = true;
  p.source.source_name = c.scenario_path;
  p.source.overrides = run.overrides;
  p.seed = run.seed;
  p.output_path = run.trace_path;
  p.run_id = run.id;
  p.label = describe_run(c, run);
  return p;
}

std::vector<output::CampaignRow> reuse_finished(const Campaign& c, const std::vector<CampaignRun>& runs,
                                                std::vector<size_t>& to_run) {
  std::vector<output::CampaignRow> rows;
  to_run.clear();
  for (const CampaignRun& run : runs) {
    output::CampaignRow row = campaign_row(c, run);
    const auto record = output::read_trace_record(run.trace_path);
    if (record && record->complete && record->run_id == run.id) {
      row.status = "ok";
      row.reused = true;
      row.kpis = record->kpis;
      row.by_district = record->by_district;
    } else {
      to_run.push_back(run.index);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

output::CampaignRow row_of(const Campaign& c, const CampaignRun& run, const PoolOutcome& outcome) {
  output::CampaignRow row = campaign_row(c, run);
  row.status = to_string(outcome.status);
  row.error = outcome.error;
  if (outcome.status == PoolOutcome::Status::Failed)
    row.error_kind = outcome.scenario_error ? "scenario" : "run";
  row.wall_s = outcome.wall_s;
  if (outcome.status == PoolOutcome::Status::Ok || outcome.status == PoolOutcome::Status::Stopped) {
    row.kpis = outcome.summary.kpis;
    row.by_district = outcome.summary.by_district;
  }
  return row;
}

CampaignResult run_campaign(const Campaign& c, const CampaignOptions& options) {
  CampaignResult result;
  result.runs = expand_campaign(c);
  fs::create_directories(fs::path(c.out) / "runs");
  std::vector<size_t> to_run;
  result.rows = reuse_finished(c, result.runs, to_run);
  result.reused = result.runs.size() - to_run.size();

  std::vector<PoolRun> pool;
  for (size_t i : to_run) pool.push_back(pool_run(c, result.runs[i]));
  PoolOptions po;
  po.jobs = options.jobs > 0 ? options.jobs : c.jobs;
  po.threads_per_run = c.threads;
  po.overwrite = true;  // an incomplete or stale trace of the same run is replaced
  po.progress = options.progress;
  po.title = "campaign";
  po.total_for_progress = result.runs.size();
  po.done_before = result.reused;
  po.cancel = options.cancel;
  const std::vector<PoolOutcome> outcomes = run_pool(pool, po);
  for (size_t k = 0; k < to_run.size(); ++k) {
    const CampaignRun& run = result.runs[to_run[k]];
    result.rows[run.index] = row_of(c, run, outcomes[k]);
    if (outcomes[k].status == PoolOutcome::Status::NotRun ||
        outcomes[k].status == PoolOutcome::Status::Stopped)
      result.stopped = true;
    else
      ++result.executed;
    if (outcomes[k].status == PoolOutcome::Status::Failed) ++result.failed;
  }
  write_campaign_results(c, result);
  return result;
}

void write_campaign_csv(const std::string& folder, const output::CampaignSummary& s) {
  std::vector<std::string> kpi_names;
  std::map<std::string, size_t> seen;
  for (const auto& r : s.rows)
    for (const auto& [name, value] : r.kpis)
      if (seen.emplace(name, kpi_names.size()).second) kpi_names.push_back(name);
  const auto write = [&](const std::string& name, const auto& body) {
    const fs::path path = fs::path(folder) / name;
    const fs::path partial = path.string() + ".partial";
    {
      std::ofstream out(partial, std::ios::binary);
      body(out);
      out.flush();
      if (!out) throw output::OutputError("cannot write " + path.string());
    }
    fs::rename(partial, path);
  };
  write("summary.csv", [&](std::ofstream& out) {
    out << "run_id";
    for (const auto& a : s.axes) out << "," << csv_field(a);
    out << ",seed,status,error,error_kind,trace,reused,wall_s";
    for (const auto& k : kpi_names) out << "," << csv_field(output::campaign_kpi_column(k, s.axes));
    out << "\n";
    for (const auto& r : s.rows) {
      out << r.run_id;
      for (const auto& v : r.axis_values) out << "," << csv_field(v);
      out << "," << r.seed << "," << r.status << "," << csv_field(r.error) << "," << r.error_kind << ","
          << csv_field(r.trace) << "," << (r.reused ? 1 : 0) << "," << csv_number(r.wall_s);
      for (const auto& k : kpi_names) {
        double v = std::nan("");
        for (const auto& [name, value] : r.kpis)
          if (name == k) v = value;
        out << "," << csv_number(v);
      }
      out << "\n";
    }
  });
  write("by_district.csv", [&](std::ofstream& out) {
    out << "run_id";
    for (const auto& a : s.axes) out << "," << csv_field(a);
    out << ",seed,district,kpi,value\n";
    for (const auto& r : s.rows)
      for (const auto& [name, values] : r.by_district.columns)
        for (size_t k = 0; k < r.by_district.keys.size() && k < values.size(); ++k) {
          out << r.run_id;
          for (const auto& v : r.axis_values) out << "," << csv_field(v);
          out << "," << r.seed << "," << csv_field(r.by_district.keys[k]) << "," << csv_field(name) << ","
              << csv_number(values[k]) << "\n";
        }
  });
}

void write_campaign_results(const Campaign& c, const CampaignResult& result) {
  output::CampaignSummary s;
  s.citytwin_version = app::kVersion;
  s.campaign_text = c.text;
  s.scenario_path = c.scenario_path;
  for (const Axis& a : c.axes) s.axes.push_back(a.key);
  s.rows = result.rows;
  output::write_campaign_summary((fs::path(c.out) / "summary.h5").string(), s);
  write_campaign_csv(c.out, s);
}

}  // namespace citytwin::sim::campaign
