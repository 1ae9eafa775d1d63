#include "output/compare_file.hpp"

#include <hdf5.h>

#include <cstdio>
#include <string>

#include "output/hdf5_columns.hpp"
#include "output/hdf5_handle.hpp"

namespace citytwin::output {
namespace {

void write_table(hid_t parent, const std::string& name, const std::string& description, const KpiTable& table,
                 const std::map<std::string, std::string>& units) {
  h5::Handle group = h5::create_group(parent, name, description);
  h5::write_column(group.get(), {table.key_name, "", "table key: one row per " + table.key_name}, table.keys);
  for (const auto& [column, values] : table.columns) {
    const auto unit = units.find(column);
    h5::write_column(group.get(), {column, unit == units.end() ? "" : unit->second, column}, values);
  }
}

}  // namespace

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
      h5::write_attribute(meta.get(), "seeds", int32_t{data.seeds});
      h5::write_attribute(meta.get(), "currency", data.currency);
      h5::write_attribute(meta.get(), "complete", int32_t{data.complete ? 1 : 0});
      write_table(file.get(), "summary", "one row per finished phase: KPIs (mean over seeds, CI) and costs",
                  data.summary, data.units);
      write_table(file.get(), "costs", "one row per phase of the plan: catalogue and plan costs", data.costs,
                  data.units);
      h5::Handle phases = h5::create_group(file.get(), "phases", "one group per finished phase");
      for (const ComparePhase& phase : data.phases) {
        h5::Handle group = h5::create_group(phases.get(), phase.name, "phase " + phase.name);
        write_table(group.get(), "runs", "one row per seed: the run's KPIs", phase.runs, data.units);
        for (const auto& [seed, trace] : phase.traces) {
          h5::Handle source(H5Fopen(trace.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "open " + trace);
          h5::check(H5Ocopy(source.get(), "kpi", group.get(), ("seed_" + std::to_string(seed)).c_str(),
                            H5P_DEFAULT, H5P_DEFAULT),
                    "copy /kpi of " + trace);
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
