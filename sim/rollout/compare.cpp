#include "sim/rollout/compare.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/math/distributions/students_t.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <limits>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "sim/app/version.hpp"
#include "sim/plan/rollout_cost.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace citytwin::sim::rollout {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double kpi(const output::KpiList& kpis, const std::string& name) {
  for (const auto& [key, value] : kpis)
    if (key == name) return value;
  return kNaN;
}

// The KPIs compare summarises, each with its unit (derived ones computed in derived_kpis).
const std::vector<std::pair<std::string, std::string>>& summary_kpis() {
  static const std::vector<std::pair<std::string, std::string>> kpis = {
      {"devices", ""},
      {"coverage_devices", ""},
      {"coverage_area_lorawan", ""},
      {"coverage_area_nbiot", ""},
      {"coverage_area_wifi", ""},
      {"delivery_ratio", ""},
      {"latency_p95_s", "s"},
      {"alert_latency_first_s", "s"},
      {"cctv_carried", ""},
      {"battery_life_years", "year"},
  };
  return kpis;
}

// cctv_carried: the share of the offered camera bitrate that crosses the backhaul. (battery_life_years is the
// run's own KPI: sim/record/kpi.cpp, the devices on their battery alone.)
void derived_kpis(output::KpiList& kpis) {
  const double offered = kpi(kpis, "stream_offered_bps");
  kpis.emplace_back("cctv_carried",
                    offered > 0.0 ? kpi(kpis, "stream_carried_backhaul_bps") / offered : kNaN);
}

std::string format_value(double value, int decimals) {
  if (!std::isfinite(value)) return "-";
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

std::string pad(const std::string& text, std::size_t width) {
  return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}

}  // namespace

std::pair<double, double> mean_ci95(const std::vector<double>& values) {
  std::vector<double> finite;
  for (double v : values)
    if (std::isfinite(v)) finite.push_back(v);
  if (finite.empty()) return {kNaN, kNaN};
  double mean = 0.0;
  for (double v : finite) mean += v;
  mean /= static_cast<double>(finite.size());
  if (finite.size() < 2) return {mean, kNaN};
  double ss = 0.0;
  for (double v : finite) ss += (v - mean) * (v - mean);
  const double n = static_cast<double>(finite.size());
  const boost::math::students_t t(n - 1.0);
  return {mean, boost::math::quantile(boost::math::complement(t, 0.025)) * std::sqrt(ss / (n - 1.0) / n)};
}

CompareResult compare(const CompareOptions& options) {
  const std::vector<scenario::Scenario> phases =
      scenario::load_rollout_file(options.scenario_path, options.overrides);
  const std::vector<plan::PhaseCost> costs = plan::rollout_costs(phases);
  const std::size_t n_phases = phases.size();
  const auto n_seeds = static_cast<std::size_t>(std::max(1, options.seeds));
  const uint64_t first_seed = phases.front().run.seed;
  const std::string currency = phases.front().costs.currency;

  const std::filesystem::path scratch_dir =
      std::filesystem::temp_directory_path() / ("citytwin-compare-" + std::to_string(::getpid()));
  std::filesystem::create_directories(scratch_dir);

  struct Job {
    std::size_t phase = 0;
    uint64_t seed = 0;
    std::string trace;
    campaign::PoolOutcome outcome;
    bool kept = false;  // finished by an earlier invocation: its KPIs come from the compare file
  };
  std::vector<Job> jobs(n_phases * n_seeds);
  for (std::size_t p = 0; p < n_phases; ++p) {
    for (std::size_t s = 0; s < n_seeds; ++s) {
      Job& job = jobs[p * n_seeds + s];
      job.phase = p;
      job.seed = first_seed + s;
      job.trace =
          (scratch_dir / ("phase" + std::to_string(p) + "-seed" + std::to_string(job.seed) + ".h5")).string();
    }
  }

  CompareResult result;
  output::CompareData& data = result.data;
  data.citytwin_version = app::kVersion;
  data.scenario_source = options.scenario_path;
  data.scenario_text = phases.front().text;
  for (const std::string& o : options.overrides) data.overrides += o + "\n";
  data.seeds = static_cast<int>(n_seeds);
  data.currency = currency;
  data.costs.key_name = "phase";
  std::vector<std::pair<std::string, std::vector<double>>> cost_columns = {{"capital_catalogue", {}},
                                                                           {"running_yearly", {}},
                                                                           {"investment", {}},
                                                                           {"cost", {}},
                                                                           {"cost_cumulative", {}}};
  for (const std::string& kind : plan::inventory_kinds())
    cost_columns.emplace_back("added_" + kind, std::vector<double>{});
  for (std::size_t p = 0; p < n_phases; ++p) {
    const plan::PhaseCost& c = costs[p];
    data.costs.keys.push_back(p == 0 ? "base" : c.phase);
    cost_columns[0].second.push_back(c.capital);
    cost_columns[1].second.push_back(c.running_yearly);
    cost_columns[2].second.push_back(c.investment.value_or(kNaN));
    cost_columns[3].second.push_back(c.cost);
    cost_columns[4].second.push_back(c.cumulative);
    for (std::size_t k = 0; k < plan::inventory_kinds().size(); ++k)
      cost_columns[5 + k].second.push_back(c.added.at(plan::inventory_kinds()[k]));
  }
  data.costs.columns = cost_columns;
  for (const char* money : {"capital_catalogue", "running_yearly", "investment", "cost", "cost_cumulative",
                            "cost_per_covered_device", "cost_per_point_coverage", "cost_per_point_delivery"})
    data.units[money] = currency;
  data.units["running_yearly"] = currency + " per year";
  data.units["added_fibre_km"] = "km";
  for (const auto& [name, unit] : summary_kpis()) {
    data.units[name] = unit;
    data.units[name + "_ci95"] = unit;
  }

  // Catalogue entries left at their defaults are placeholders, not prices: every report says which of
  // those it priced (a kind no phase has, or adds, costs nothing whatever its entry says).
  const scenario::CostCatalogue defaults;
  for (const std::string& kind : plan::inventory_kinds()) {
    if (std::none_of(costs.begin(), costs.end(),
                     [&](const plan::PhaseCost& c) { return c.added.at(kind) > 0.0; }))
      continue;
    const scenario::CostEntry& used = plan::catalogue_entry(phases.front().costs, kind);
    const scenario::CostEntry& placeholder = plan::catalogue_entry(defaults, kind);
    if (used.capital == placeholder.capital && used.yearly == placeholder.yearly)
      data.placeholder_costs += (data.placeholder_costs.empty() ? "" : ", ") + kind;
  }

  std::vector<bool> phase_written(n_phases, false);
  std::vector<std::map<std::string, double>> phase_means(n_phases);
  std::vector<std::map<std::string, double>> phase_ci(n_phases);

  const auto phase_name = [&](std::size_t p) { return p == 0 ? std::string("base") : phases[p].run.phase; };
  // Rebuilds the summary from the finished phases (in phase order) and rewrites the file.
  const auto write_file = [&](bool complete) {
    output::KpiTable& summary = data.summary;
    summary = {};
    summary.key_name = "phase";
    std::vector<std::pair<std::string, std::vector<double>>> columns;
    auto column = [&](const std::string& name) -> std::vector<double>& {
      for (auto& [key, values] : columns)
        if (key == name) return values;
      columns.emplace_back(name, std::vector<double>{});
      return columns.back().second;
    };
    std::size_t previous = n_phases;  // the last finished phase before this one
    for (std::size_t p = 0; p < n_phases; ++p) {
      if (!phase_written[p]) continue;
      summary.keys.push_back(phase_name(p));
      column("cost").push_back(costs[p].cost);
      column("cost_cumulative").push_back(costs[p].cumulative);
      for (const auto& [name, unit] : summary_kpis()) {
        column(name).push_back(phase_means[p][name]);
        column(name + "_ci95").push_back(phase_ci[p][name]);
      }
      const double covered = phase_means[p]["coverage_devices"] * phase_means[p]["devices"];
      column("cost_per_covered_device").push_back(covered > 0.0 ? costs[p].cumulative / covered : kNaN);
      const auto per_point = [&](const std::string& name) {
        if (previous == n_phases) return kNaN;
        const double gained = 100.0 * (phase_means[p][name] - phase_means[previous][name]);
        return gained > 0.0 ? costs[p].cost / gained : kNaN;
      };
      column("cost_per_point_coverage").push_back(per_point("coverage_devices"));
      column("cost_per_point_delivery").push_back(per_point("delivery_ratio"));
      previous = p;
    }
    summary.columns = columns;
    data.complete = complete;
    output::write_compare_file(options.output_path, data);
  };

  // A phase is kept once all its seeds finished: its row of KPIs per seed and the runs' /kpi.
  const auto finish_phase = [&](std::size_t p) {
    output::ComparePhase phase;
    phase.name = phase_name(p);
    phase.runs.key_name = "seed";
    std::map<std::string, std::vector<double>> values;
    std::vector<std::string> order;
    for (std::size_t s = 0; s < n_seeds; ++s) {
      const Job& job = jobs[p * n_seeds + s];
      phase.runs.keys.push_back(std::to_string(job.seed));
      phase.traces.emplace_back(job.seed, job.trace);
      output::KpiList kpis = job.outcome.summary.kpis;
      derived_kpis(kpis);
      for (const auto& [name, value] : kpis) {
        if (!values.count(name)) order.push_back(name);
        values[name].push_back(value);
      }
    }
    for (const std::string& name : order) {
      if (values[name].size() == n_seeds) phase.runs.columns.emplace_back(name, values[name]);
    }
    for (const auto& [name, unit] : summary_kpis()) {
      const auto [mean, ci] = mean_ci95(values.count(name) ? values[name] : std::vector<double>{});
      phase_means[p][name] = mean;
      phase_ci[p][name] = ci;
    }
    phase.reused = jobs[p * n_seeds].kept;
    data.phases.push_back(std::move(phase));
    std::sort(data.phases.begin(), data.phases.end(), [&](const auto& a, const auto& b) {
      std::size_t ia = 0, ib = 0;
      for (std::size_t k = 0; k < n_phases; ++k) {
        if (phase_name(k) == a.name) ia = k;
        if (phase_name(k) == b.name) ib = k;
      }
      return ia < ib;
    });
    phase_written[p] = true;
    write_file(false);
  };

  // Phases an earlier invocation of the same comparison finished (it was stopped or killed) are kept
  // from its file, not run again.
  for (const output::KeptPhase& kept :
       output::read_kept_phases(options.output_path, data, scratch_dir.string())) {
    for (std::size_t p = 0; p < n_phases; ++p) {
      if (phase_name(p) != kept.name || kept.seeds.size() != n_seeds) continue;
      std::vector<std::size_t> at(n_seeds, n_seeds);  // job p * n_seeds + s is kept run at[s]
      for (std::size_t s = 0; s < n_seeds; ++s)
        for (std::size_t k = 0; k < n_seeds; ++k)
          if (kept.seeds[k] == jobs[p * n_seeds + s].seed) at[s] = k;
      if (std::count(at.begin(), at.end(), n_seeds) > 0) continue;
      for (std::size_t s = 0; s < n_seeds; ++s) {
        Job& job = jobs[p * n_seeds + s];
        job.kept = true;
        job.trace = kept.traces[at[s]];
        job.outcome.status = campaign::PoolOutcome::Status::Ok;
        job.outcome.summary.complete = true;
        job.outcome.summary.kpis = kept.kpis[at[s]];
      }
    }
  }
  for (std::size_t p = 0; p < n_phases; ++p) {
    if (!jobs[p * n_seeds].kept) continue;
    result.kept.push_back(phase_name(p));
    finish_phase(p);
  }

  // The runs, phase by phase, on the campaign pool; a phase is kept (its file rewritten) as soon as all its
  // seeds finished.
  std::vector<campaign::PoolRun> runs;
  std::vector<std::size_t> job_of;  // runs[i] is jobs[job_of[i]]
  for (const Job& job : jobs) {
    if (job.kept) continue;
    job_of.push_back(static_cast<std::size_t>(&job - jobs.data()));
    campaign::PoolRun run;
    run.source = app::ScenarioSource{options.scenario_path, false, options.overrides};
    run.source.overrides.push_back("run.phase=" + phases[job.phase].run.phase);
    run.source.overrides.push_back("run.seed=" + std::to_string(job.seed));  // random placements follow it
    run.seed = job.seed;
    run.output_path = job.trace;
    run.label = "phase " + phase_name(job.phase) + " seed " + std::to_string(job.seed);
    runs.push_back(run);
  }
  const auto ok = [](const campaign::PoolOutcome& o) {
    return o.status == campaign::PoolOutcome::Status::Ok && o.summary.complete;
  };
  campaign::PoolOptions pool;
  pool.jobs = options.jobs;
  pool.threads_per_run = 1;
  pool.overwrite = true;
  pool.progress = options.progress;
  pool.title = "compare";
  pool.cancel = options.stop;
  bool stopped = false;
  pool.on_finished = [&](std::size_t index, const campaign::PoolOutcome& outcome) {
    Job& job = jobs[job_of[index]];
    job.outcome = outcome;
    if (outcome.status == campaign::PoolOutcome::Status::Stopped) stopped = true;
    if (outcome.status == campaign::PoolOutcome::Status::Failed)
      result.errors.push_back(runs[index].label + ": " + outcome.error);
    bool all = true;
    for (std::size_t s = 0; s < n_seeds; ++s) all = all && ok(jobs[job.phase * n_seeds + s].outcome);
    if (all && !phase_written[job.phase]) finish_phase(job.phase);
  };
  const std::vector<campaign::PoolOutcome> outcomes = campaign::run_pool(runs, pool);
  for (const campaign::PoolOutcome& outcome : outcomes)
    stopped = stopped || outcome.status != campaign::PoolOutcome::Status::Ok;
  const bool stopping = stopped && result.errors.empty();
  result.complete = !stopping && result.errors.empty();
  write_file(result.complete);
  std::error_code ignored;
  std::filesystem::remove_all(scratch_dir, ignored);

  // The table.
  std::ostringstream out;
  const output::KpiTable& s = data.summary;
  const auto col = [&](const std::string& name) -> const std::vector<double>& {
    for (const auto& [key, values] : s.columns)
      if (key == name) return values;
    static const std::vector<double> none;
    return none;
  };
  out << "rollout " << options.scenario_path << ": " << n_phases << " phases x " << n_seeds
      << " seeds; costs in " << currency << "; +- is the 95 % CI over seeds\n";
  if (!data.placeholder_costs.empty())
    out << "PLACEHOLDER costs (catalogue defaults, not prices; set costs: in the scenario): "
        << data.placeholder_costs << "\n";
  out << pad("phase", 10) << pad("cum. cost", 12) << pad("coverage", 10) << pad("delivery", 16)
      << pad("p95 lat s", 11) << pad("alert s", 9) << pad("CCTV", 7) << pad("battery y", 11)
      << pad("cost/covered", 14) << pad("cost/pt cov", 13) << pad("cost/pt deliv", 15) << "\n";
  for (std::size_t r = 0; r < s.keys.size(); ++r) {
    const auto value = [&](const std::string& name) { return col(name).empty() ? kNaN : col(name)[r]; };
    std::string delivery = format_value(100.0 * value("delivery_ratio"), 2) + "%";
    if (std::isfinite(value("delivery_ratio_ci95")))
      delivery += "+-" + format_value(100.0 * value("delivery_ratio_ci95"), 2);
    out << pad(s.keys[r], 10) << pad(format_value(value("cost_cumulative"), 0), 12)
        << pad(format_value(100.0 * value("coverage_devices"), 1) + "%", 10) << pad(delivery, 16)
        << pad(format_value(value("latency_p95_s"), 3), 11)
        << pad(format_value(value("alert_latency_first_s"), 0), 9)
        << pad(format_value(100.0 * value("cctv_carried"), 0) +
                   (std::isfinite(value("cctv_carried")) ? "%" : ""),
               7)
        << pad(format_value(value("battery_life_years"), 1), 11)
        << pad(format_value(value("cost_per_covered_device"), 3), 14)
        << pad(format_value(value("cost_per_point_coverage"), 1), 13)
        << pad(format_value(value("cost_per_point_delivery"), 1), 15) << "\n";
  }
  if (!result.kept.empty()) {
    out << "kept from an earlier run of this comparison in " << options.output_path << " (not run again):";
    for (const std::string& name : result.kept) out << " " << name;
    out << "\n";
  }
  if (s.keys.size() < n_phases)
    out << (n_phases - s.keys.size()) << " phase(s) did not finish and are not in " << options.output_path
        << "\n";
  result.table = out.str();
  return result;
}

}  // namespace citytwin::sim::rollout
