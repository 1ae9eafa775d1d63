#include "output/compare_file.hpp"

#include <hdf5.h>

#include <cstdio>
#include <string>

#include "output/hdf5_columns.hpp"
#include "output/hdf5_handle.hpp"

namespace citytwin::output {
namespace {

// integer_keys: the keys are numbers (a phase's seeds), kept as an integer column (i8, as a campaign
// summary's seeds).
void write_table(hid_t parent, const std::string& name, const std::string& description, const KpiTable& table,
                 const std::map<std::string, std::string>& units, bool integer_keys = false) {
  h5::Handle group = h5::create_group(parent, name, description);
  const h5::ColumnInfo key{table.key_name, "", "table key: one row per " + table.key_name};
  h5::Handle keys;
  if (integer_keys) {
    std::vector<int64_t> numbers;
    for (const std::string& k : table.keys) numbers.push_back(static_cast<int64_t>(std::stoull(k)));
    keys = h5::write_column(group.get(), key, numbers);
  } else {
    keys = h5::write_column(group.get(), key, table.keys);
  }
  for (const auto& [column, values] : table.columns) {
    const auto unit = units.find(column);
    h5::write_column(group.get(), {column, unit == units.end() ? "" : unit->second, column}, values);
  }
  h5::index_rows(group.get(), keys.get());
}

herr_t link_names(hid_t, const char* name, const H5L_info_t*, void* data) {
  static_cast<std::vector<std::string>*>(data)->emplace_back(name);
  return 0;
}

}  // namespace

std::vector<KeptPhase> read_kept_phases(const std::string& path, const CompareData& data,
                                        const std::string& scratch_dir) {
  h5::QuietErrors quiet;
  std::vector<KeptPhase> kept;
  try {
    if (H5Fis_hdf5(path.c_str()) <= 0) return {};
    h5::Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "open " + path);
    h5::Handle meta(H5Gopen2(file.get(), "meta", H5P_DEFAULT), H5Gclose, "open /meta");
    if (h5::read_number_attribute(meta.get(), "compare_schema_version") != kCompareSchemaVersion ||
        h5::read_string_attribute(meta.get(), "citytwin_version") != data.citytwin_version ||
        h5::read_string_attribute(meta.get(), "scenario") != data.scenario_text ||
        h5::read_string_attribute(meta.get(), "overrides") != data.overrides ||
        h5::read_number_attribute(meta.get(), "seeds") != data.seeds)
      return {};
    h5::Handle phases(H5Gopen2(file.get(), "phases", H5P_DEFAULT), H5Gclose, "open /phases");
    std::vector<std::string> names;
    hsize_t index = 0;
    h5::check(H5Literate(phases.get(), H5_INDEX_NAME, H5_ITER_INC, &index, link_names, &names),
              "list /phases");
    for (const std::string& name : names) {
      h5::Handle group(H5Gopen2(phases.get(), name.c_str(), H5P_DEFAULT), H5Gclose, "open phase " + name);
      std::vector<std::string> runs;
      index = 0;
      h5::check(H5Literate(group.get(), H5_INDEX_NAME, H5_ITER_INC, &index, link_names, &runs),
                "list " + name);
      KeptPhase phase;
      phase.name = name;
      for (const std::string& run : runs) {
        if (run.rfind("seed_", 0) != 0) continue;
        h5::Handle kpi(H5Gopen2(group.get(), run.c_str(), H5P_DEFAULT), H5Gclose, "open " + run);
        KpiList kpis = h5::read_number_attributes(kpi.get(), run);
        // The seed's /kpi, in a file of its own, to be copied when the compare file is rewritten.
        const std::string trace = scratch_dir + "/kept-" + std::to_string(kept.size()) + "-" + run + ".h5";
        h5::Handle out(H5Fcreate(trace.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose,
                       "create " + trace);
        h5::check(H5Ocopy(group.get(), run.c_str(), out.get(), "kpi", H5P_DEFAULT, H5P_DEFAULT),
                  "copy " + run);
        phase.seeds.push_back(std::stoull(run.substr(5)));
        phase.kpis.push_back(std::move(kpis));
        phase.traces.push_back(trace);
      }
      kept.push_back(std::move(phase));
    }
  } catch (const std::exception&) {
    return {};  // damaged or foreign: run everything again
  }
  return kept;
}

void write_compare_file(const std::string& path, const CompareData& data) {
  const std::string partial = path + ".partial";
  h5::QuietErrors quiet;
  try {
    {
      h5::Handle file(H5Fcreate(partial.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose,
                      "create file");
      h5::Handle meta = h5::create_group(file.get(), "meta", "");
      h5::write_attribute(meta.get(), "compare_schema_version", int32_t{kCompareSchemaVersion});
      h5::write_attribute(meta.get(), "citytwin_version", data.citytwin_version);
      h5::write_attribute(meta.get(), "scenario_source", data.scenario_source);
      h5::write_attribute(meta.get(), "scenario", data.scenario_text);
      h5::write_attribute(meta.get(), "overrides", data.overrides);
      h5::write_attribute(meta.get(), "seeds", int32_t{data.seeds});
      h5::write_attribute(meta.get(), "currency", data.currency);
      h5::write_attribute(meta.get(), "placeholder_costs", data.placeholder_costs);
      h5::write_attribute(meta.get(), "complete", int32_t{data.complete ? 1 : 0});
      write_table(file.get(), "summary", "one row per finished phase: KPIs (mean over seeds, CI) and costs",
                  data.summary, data.units);
      write_table(file.get(), "costs", "one row per phase of the plan: catalogue and plan costs", data.costs,
                  data.units);
      h5::Handle phases = h5::create_group(file.get(), "phases", "one group per finished phase");
      for (const ComparePhase& phase : data.phases) {
        h5::Handle group = h5::create_group(phases.get(), phase.name, "phase " + phase.name);
        h5::write_attribute(group.get(), "reused", int32_t{phase.reused ? 1 : 0});
        write_table(group.get(), "runs", "one row per seed: the run's KPIs", phase.runs, data.units, true);
        for (const auto& [seed, trace] : phase.traces) {
          h5::Handle source(H5Fopen(trace.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "open " + trace);
          const std::string copy = "seed_" + std::to_string(seed);
          h5::check(H5Ocopy(source.get(), "kpi", group.get(), copy.c_str(), H5P_DEFAULT, H5P_DEFAULT),
                    "copy /kpi of " + trace);
          h5::Handle copied(H5Gopen2(group.get(), copy.c_str(), H5P_DEFAULT), H5Gclose,
                            "open the copy of " + trace);
          h5::index_copied_tables(copied.get());
        }
      }
      h5::check(file.close(), "close file");
    }
    if (std::rename(partial.c_str(), path.c_str()) != 0)
      throw OutputError("cannot rename '" + partial + "' to '" + path + "'");
  } catch (const h5::Failure& e) {
    std::remove(partial.c_str());
    throw OutputError("cannot write compare file '" + path + "' (" + e.what() + ")");
  }
}

}  // namespace citytwin::output
