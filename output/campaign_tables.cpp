#include "output/campaign_tables.hpp"

#include <hdf5.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>

#include "output/hdf5_columns.hpp"
#include "output/hdf5_handle.hpp"
#include "output/kpi_columns.hpp"

namespace citytwin::output {
namespace {

using h5::Handle;

std::vector<double> read_double_column(hid_t group, const std::string& name, size_t& rows) {
  Handle ds(H5Dopen2(group, name.c_str(), H5P_DEFAULT), H5Dclose, "open " + name);
  Handle space(H5Dget_space(ds.get()), H5Sclose, "dataspace of " + name);
  hsize_t n = 0;
  H5Sget_simple_extent_dims(space.get(), &n, nullptr);
  rows = static_cast<size_t>(n);
  std::vector<double> values(rows);
  if (rows > 0)
    h5::check(H5Dread(ds.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
              "read " + name);
  return values;
}

std::vector<std::string> read_string_column(hid_t group, const std::string& name) {
  Handle ds(H5Dopen2(group, name.c_str(), H5P_DEFAULT), H5Dclose, "open " + name);
  Handle type(H5Dget_type(ds.get()), H5Tclose, "type of " + name);
  Handle space(H5Dget_space(ds.get()), H5Sclose, "dataspace of " + name);
  hsize_t n = 0;
  H5Sget_simple_extent_dims(space.get(), &n, nullptr);
  const size_t width = H5Tget_size(type.get());
  std::vector<char> packed(static_cast<size_t>(n) * width);
  if (n > 0)
    h5::check(H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, packed.data()), "read " + name);
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) {
    std::string v(packed.data() + i * width, width);
    out.push_back(v.substr(0, v.find('\0')));
  }
  return out;
}

herr_t collect_link(hid_t, const char* name, const H5L_info_t*, void* data) {
  static_cast<std::vector<std::string>*>(data)->emplace_back(name);
  return 0;
}

KpiTable read_by_district(hid_t kpi) {
  KpiTable table;
  if (H5Lexists(kpi, "by_district", H5P_DEFAULT) <= 0) return table;
  Handle group(H5Gopen2(kpi, "by_district", H5P_DEFAULT), H5Gclose, "open /kpi/by_district");
  std::vector<std::string> names;
  hsize_t index = 0;
  // Creation order when tracked (the writer tracks it), so the key column comes first.
  if (H5Literate(group.get(), H5_INDEX_CRT_ORDER, H5_ITER_INC, &index, collect_link, &names) < 0) {
    names.clear();
    index = 0;
    h5::check(H5Literate(group.get(), H5_INDEX_NAME, H5_ITER_INC, &index, collect_link, &names),
              "list by_district");
  }
  if (names.empty()) return table;
  table.key_name = names.front();
  table.keys = read_string_column(group.get(), names.front());
  for (size_t i = 1; i < names.size(); ++i) {
    size_t rows = 0;
    std::vector<double> values = read_double_column(group.get(), names[i], rows);
    if (rows == table.keys.size()) table.columns.emplace_back(names[i], std::move(values));
  }
  return table;
}

// Column-wise writing of a table group.
Handle text_column(hid_t g, const std::string& name, const std::string& description,
                   const std::vector<std::string>& v) {
  return h5::write_column(g, {name, "", description}, v);
}

}  // namespace

std::string campaign_kpi_column(const std::string& kpi, const std::vector<std::string>& axes) {
  for (const char* fixed : kCampaignRunColumns)
    if (kpi == fixed) return "kpi." + kpi;
  for (const std::string& axis : axes)
    if (kpi == axis) return "kpi." + kpi;
  return kpi;
}

std::optional<TraceRecord> read_trace_record(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  h5::QuietErrors quiet;
  try {
    if (H5Fis_hdf5(path.c_str()) <= 0) return std::nullopt;
    Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "file access properties");
    h5::check(H5Pset_file_locking(fapl.get(), false, true), "set file locking");
    Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get()), H5Fclose, "open " + path);
    TraceRecord record;
    Handle meta(H5Gopen2(file.get(), "meta", H5P_DEFAULT), H5Gclose, "open /meta");
    record.complete = h5::read_number_attribute(meta.get(), "complete") == 1.0;
    if (H5Aexists(meta.get(), "seed") > 0) {
      Handle attr(H5Aopen(meta.get(), "seed", H5P_DEFAULT), H5Aclose, "open /meta@seed");
      uint64_t seed = 0;
      h5::check(H5Aread(attr.get(), H5T_NATIVE_UINT64, &seed), "read /meta@seed");
      record.seed = seed;
    }
    record.run_id = h5::read_string_attribute(meta.get(), "run_id");
    if (H5Lexists(file.get(), "kpi", H5P_DEFAULT) > 0) {
      Handle kpi(H5Gopen2(file.get(), "kpi", H5P_DEFAULT), H5Gclose, "open /kpi");
      record.kpis = h5::read_number_attributes(kpi.get(), "/kpi");
      record.by_district = read_by_district(kpi.get());
    }
    return record;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void write_campaign_summary(const std::string& path, const CampaignSummary& summary) {
  const std::string partial = path + ".partial";
  h5::QuietErrors quiet;
  try {
    {
      Handle file(H5Fcreate(partial.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose,
                  "create file");
      Handle meta = h5::create_group(file.get(), "meta", "");
      h5::write_attribute(meta.get(), "schema_version", int32_t{kSchemaVersion});
      h5::write_attribute(meta.get(), "kind", "campaign");
      h5::write_attribute(meta.get(), "citytwin_version", summary.citytwin_version);
      h5::write_attribute(meta.get(), "campaign", summary.campaign_text);
      h5::write_attribute(meta.get(), "scenario_source", summary.scenario_path);
      std::string axes;
      for (const auto& a : summary.axes) axes += a + "\n";
      h5::write_attribute(meta.get(), "axes", axes);
      h5::write_attribute(meta.get(), "runs", static_cast<int64_t>(summary.rows.size()));

      const auto& rows = summary.rows;
      Handle runs = h5::create_group(file.get(), "runs", "one row per run of the campaign");
      const hid_t g = runs.get();
      std::vector<std::string> ids, status, error, error_kind, trace;
      std::vector<int64_t> seed;
      std::vector<int8_t> reused;
      std::vector<double> wall;
      for (const auto& r : rows) {
        ids.push_back(r.run_id);
        status.push_back(r.status);
        error.push_back(r.error);
        error_kind.push_back(r.error_kind);
        trace.push_back(r.trace);
        seed.push_back(static_cast<int64_t>(r.seed));
        reused.push_back(r.reused ? 1 : 0);
        wall.push_back(r.wall_s);
      }
      const Handle run_id = text_column(
          g, "run_id", "the run's id: SHA-256 of scenario text, overrides and seed (16 hex digits)", ids);
      for (size_t a = 0; a < summary.axes.size(); ++a) {
        std::vector<std::string> values;
        for (const auto& r : rows) values.push_back(a < r.axis_values.size() ? r.axis_values[a] : "");
        text_column(g, summary.axes[a], "grid axis: the value of this key path, as YAML text", values);
      }
      h5::write_column(g, {"seed", "", "the run's master seed"}, seed);
      text_column(g, "status", "ok, failed, stopped (incomplete trace) or not_run", status);
      text_column(g, "error", "the run's error when it failed, as the command line prints it", error);
      text_column(g, "error_kind", "scenario (the run's scenario was refused), run (it failed), or empty",
                  error_kind);
      text_column(g, "trace", "the run's HDF5 trace, relative to this file's folder", trace);
      h5::write_column(g, {"reused", "", "1 when an earlier invocation of the campaign made the run"},
                       reused);
      h5::write_column(g, {"wall_s", "s", "the run's wall time (0 when reused)"}, wall);
      std::vector<std::string> kpi_names;
      std::map<std::string, size_t> kpi_index;
      for (const auto& r : rows)
        for (const auto& [name, value] : r.kpis)
          if (kpi_index.emplace(name, kpi_names.size()).second) kpi_names.push_back(name);
      for (const auto& name : kpi_names) {
        std::vector<double> values(rows.size(), std::numeric_limits<double>::quiet_NaN());
        for (size_t i = 0; i < rows.size(); ++i)
          for (const auto& [k, v] : rows[i].kpis)
            if (k == name) values[i] = v;
        h5::write_column(g,
                         {campaign_kpi_column(name, summary.axes), kpi_column_spec("", name).units,
                          "KPI (/kpi@" + name + " of the run's trace; NaN when it has none)"},
                         values);
      }

      h5::index_rows(g, run_id.get());

      Handle by = h5::create_group(file.get(), "by_district",
                                   "per-district KPIs of every run, one row per run, district and KPI");
      std::vector<std::string> b_id, b_district, b_kpi;
      std::vector<std::vector<std::string>> b_axes(summary.axes.size());
      std::vector<int64_t> b_seed;
      std::vector<double> b_value;
      for (const auto& r : rows)
        for (const auto& [name, values] : r.by_district.columns)
          for (size_t k = 0; k < r.by_district.keys.size() && k < values.size(); ++k) {
            b_id.push_back(r.run_id);
            for (size_t a = 0; a < b_axes.size(); ++a)
              b_axes[a].push_back(a < r.axis_values.size() ? r.axis_values[a] : "");
            b_seed.push_back(static_cast<int64_t>(r.seed));
            b_district.push_back(r.by_district.keys[k]);
            b_kpi.push_back(name);
            b_value.push_back(values[k]);
          }
      const Handle by_run = text_column(by.get(), "run_id", "the run (a row of /runs)", b_id);
      for (size_t a = 0; a < b_axes.size(); ++a)
        text_column(by.get(), summary.axes[a], "grid axis: the run's value of this key path", b_axes[a]);
      h5::write_column(by.get(), {"seed", "", "the run's master seed"}, b_seed);
      text_column(by.get(), "district", "the district", b_district);
      text_column(by.get(), "kpi", "the KPI's name (a column of the run's /kpi/by_district)", b_kpi);
      h5::write_column(by.get(), {"value", "", "the KPI's value"}, b_value);
      h5::index_rows(by.get(), by_run.get());
      h5::check(file.close(), "close file");
    }
    std::filesystem::rename(partial, path);
  } catch (const std::exception& e) {
    std::error_code ec;
    std::filesystem::remove(partial, ec);
    throw OutputError("cannot write the campaign summary " + path + ": " + e.what());
  }
}

}  // namespace citytwin::output
