// TraceWriter's tables other than /messages: /devices, /gateways, /kpi (its attributes and tables),
// /timeseries and /drivers, each written whole, checked first, and flushed (trace_writer_impl.hpp).
#include <hdf5_hl.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "output/trace_writer.hpp"
#include "output/trace_writer_impl.hpp"

namespace citytwin::output {
namespace {

using trace_detail::bytes_of;
using trace_detail::check_length;
using trace_detail::check_name;

bool is_whole(double value) {
  return std::isfinite(value) && std::abs(value) < 9.0e15 && value == std::trunc(value);
}

// A /kpi/<table> column, stored as its catalogue entry says (kpi_columns.hpp): a count as i8, a radio
// as an enumeration, else f8.
void write_kpi_column(hid_t group, const std::string& table, const std::string& column,
                      const std::vector<double>& values) {
  const KpiColumnSpec spec = kpi_column_spec(table, column);
  const bool whole = std::all_of(values.begin(), values.end(), is_whole);
  if (spec.storage == KpiStorage::Real || !whole) {
    h5::write_column(group, {column, spec.units, spec.description}, values);
  } else if (spec.storage == KpiStorage::Count) {
    const std::vector<int64_t> counts(values.begin(), values.end());
    h5::write_column(group, {column, spec.units, spec.description}, counts);
  } else {
    const std::vector<int8_t> codes(values.begin(), values.end());
    h5::write_column(group, {column, spec.units, spec.description, spec.codes}, codes);
  }
}

}  // namespace

void TraceWriter::write_devices(const DeviceTable& devices) {
  impl_->settle();
  const size_t rows = devices.id.size();
  check_length(devices.population, rows, "devices", "population");
  check_length(devices.type, rows, "devices", "type");
  check_length(devices.district, rows, "devices", "district");
  check_length(devices.x_m, rows, "devices", "x_m");
  check_length(devices.y_m, rows, "devices", "y_m");
  const uint64_t bytes = bytes_of(devices.id) + bytes_of(devices.population) + bytes_of(devices.type) +
                         bytes_of(devices.district) + bytes_of(devices.x_m) + bytes_of(devices.y_m);
  impl_->trace.guarded("write /devices", bytes, [&] {
    h5::Handle group = h5::create_group(impl_->trace.file.get(), "devices", "one row per device");
    const hid_t g = group.get();
    const h5::Handle id = h5::write_column(g, {"id", "", "device id; /messages/device refers to it"},
                                           devices.id, impl_->deflate_level);
    h5::write_column(g, {"population", "", "scenario device population the device belongs to"},
                     devices.population.values, devices.population.codes, impl_->deflate_level);
    h5::write_column(g, {"type", "", "device type from the scenario (free text)"}, devices.type.values,
                     devices.type.codes, impl_->deflate_level);
    h5::write_column(g, {"district", "", "district containing the device"}, devices.district.values,
                     devices.district.codes, impl_->deflate_level);
    h5::write_column(g, {"x_m", "m", "position east of the city origin (south-west corner)"}, devices.x_m,
                     impl_->deflate_level);
    h5::write_column(g, {"y_m", "m", "position north of the city origin (south-west corner)"}, devices.y_m,
                     impl_->deflate_level);
    h5::index_rows(g, id.get());
    impl_->trace.flush_file();
  });
}

void TraceWriter::write_gateways(const GatewayTable& gateways) {
  impl_->settle();
  const size_t rows = gateways.id.size();
  check_length(gateways.name, rows, "gateways", "name");
  check_length(gateways.district, rows, "gateways", "district");
  check_length(gateways.x_m, rows, "gateways", "x_m");
  check_length(gateways.y_m, rows, "gateways", "y_m");
  const uint64_t bytes = bytes_of(gateways.id) + bytes_of(gateways.name) + bytes_of(gateways.district) +
                         bytes_of(gateways.x_m) + bytes_of(gateways.y_m);
  impl_->trace.guarded("write /gateways", bytes, [&] {
    h5::Handle group = h5::create_group(impl_->trace.file.get(), "gateways", "one row per gateway");
    const hid_t g = group.get();
    const h5::Handle id = h5::write_column(g, {"id", "", "gateway id"}, gateways.id, impl_->deflate_level);
    h5::write_column(g, {"name", "", "gateway name from the scenario"}, gateways.name, impl_->deflate_level);
    h5::write_column(g,
                     {"district", "", "district containing the gateway; empty when outside every district"},
                     gateways.district, impl_->deflate_level);
    h5::write_column(g, {"x_m", "m", "position east of the city origin (south-west corner)"}, gateways.x_m,
                     impl_->deflate_level);
    h5::write_column(g, {"y_m", "m", "position north of the city origin (south-west corner)"}, gateways.y_m,
                     impl_->deflate_level);
    h5::index_rows(g, id.get());
    impl_->trace.flush_file();
  });
}

void TraceWriter::write_kpis(const KpiList& kpis) {
  impl_->settle();
  for (const auto& [name, value] : kpis) check_name(name, "a KPI");
  impl_->trace.guarded("write /kpi", kpis.size() * 64, [&] {
    for (const auto& [name, value] : kpis) {
      if (kpi_column_spec("", name).storage == KpiStorage::Count && is_whole(value)) {
        h5::write_attribute(impl_->trace.kpi.get(), name, static_cast<int64_t>(value));
      } else {
        h5::write_attribute(impl_->trace.kpi.get(), name, value);
      }
    }
    impl_->trace.flush_file();
  });
}

void TraceWriter::write_kpi_table(const std::string& name, const KpiTable& table) {
  impl_->settle();
  check_name(name, "a KPI table");
  check_name(table.key_name, "a KPI table key");
  std::set<std::string> names{table.key_name};
  for (const auto& [column, values] : table.columns) {
    check_name(column, "a KPI table column");
    if (!names.insert(column).second) {
      throw std::invalid_argument("KPI table '" + name + "' has two columns named '" + column + "'");
    }
    check_length(values, table.keys.size(), "kpi/" + name, column);
  }
  uint64_t bytes = bytes_of(table.keys);
  for (const auto& [column, values] : table.columns) bytes += bytes_of(values);
  impl_->trace.guarded("write /kpi table", bytes, [&] {
    h5::Handle group = h5::create_group(impl_->trace.kpi.get(), name, "KPIs by " + table.key_name);
    const hid_t g = group.get();
    const h5::Handle key =
        h5::write_column(g, {table.key_name, "", "table key: one row per " + table.key_name}, table.keys);
    for (const auto& [column, values] : table.columns) write_kpi_column(g, name, column, values);
    h5::index_rows(g, key.get());
    impl_->trace.flush_file();
  });
}

void TraceWriter::write_timeseries(const TimeSeries& series) {
  impl_->settle();
  std::set<std::string> names;
  for (const std::string& link : series.links)
    if (!names.insert(link).second)
      throw std::invalid_argument("/timeseries has two links named '" + link + "'");
  const size_t rows = series.t_s.size();
  check_length(series.capacity_bytes_per_s, series.links.size(), "timeseries", "capacity_bytes_per_s");
  check_length(series.network_server, rows, "timeseries", "network_server");
  if (series.utilisation.size() != rows * series.links.size())
    throw std::invalid_argument("/timeseries/utilisation: " + std::to_string(series.utilisation.size()) +
                                " values, expected " + std::to_string(rows) + " intervals x " +
                                std::to_string(series.links.size()) + " links");
  uint64_t bytes = bytes_of(series.t_s) + bytes_of(series.links) + bytes_of(series.capacity_bytes_per_s) +
                   bytes_of(series.utilisation) + bytes_of(series.network_server);
  impl_->trace.guarded("write /timeseries", bytes, [&] {
    h5::Handle group = h5::create_group(impl_->trace.file.get(), "timeseries", series.description);
    const hid_t g = group.get();
    h5::Handle time = h5::write_column(g, {"t_s", "s", "start of the interval"}, series.t_s);
    h5::Handle link = h5::write_names(g, {"link", "", "wired link"}, series.links);
    h5::Handle utilisation =
        h5::write_matrix(g, {"utilisation", "", "bytes carried in the interval / (capacity x interval)"},
                         series.utilisation, rows, series.links.size());
    h5::Handle capacity = h5::write_column(g, {"capacity_bytes_per_s", "B/s", "the link's capacity"},
                                           series.capacity_bytes_per_s);
    h5::Handle server = h5::write_column(
        g, {"network_server", "", "fraction of the interval the network server's CPU was busy"},
        series.network_server);
    const hid_t over_time[] = {utilisation.get(), server.get()};
    h5::attach_dimension_scale(time.get(), "t_s", over_time);
    h5::check(H5DSset_scale(link.get(), "link"), "make /timeseries/link a dimension scale");
    h5::check(H5DSattach_scale(utilisation.get(), link.get(), 1), "attach /timeseries/link");
    h5::check(H5DSattach_scale(capacity.get(), link.get(), 0), "attach /timeseries/link");
    impl_->trace.flush_file();
  });
}

void TraceWriter::write_drivers(const DriverTable& drivers) {
  impl_->settle();
  std::set<std::string> names{"t_s", "district"};
  uint64_t bytes = bytes_of(drivers.t_s) + bytes_of(drivers.districts);
  for (const DriverTable::Field& field : drivers.fields) {
    check_name(field.name, "a driver");
    if (!names.insert(field.name).second)
      throw std::invalid_argument("/drivers has two fields named '" + field.name + "'");
    const size_t expected = drivers.t_s.size() * (field.per_district ? drivers.districts.size() : 1);
    if (field.values.size() != expected)
      throw std::invalid_argument("/drivers/" + field.name + ": " + std::to_string(field.values.size()) +
                                  " values, expected " + std::to_string(expected));
    bytes += bytes_of(field.values);
  }
  impl_->trace.guarded("write /drivers", bytes, [&] {
    h5::Handle group = h5::create_group(impl_->trace.file.get(), "drivers",
                                        "quantities that changed over the run, as the run used them");
    const hid_t g = group.get();
    h5::Handle time = h5::write_column(g, {"t_s", "s", "simulated time"}, drivers.t_s);
    h5::Handle district = h5::write_names(g, {"district", "", "district name"}, drivers.districts);
    std::vector<hid_t> over_time, over_district;
    std::vector<h5::Handle> datasets;
    for (const DriverTable::Field& field : drivers.fields) {
      if (!field.per_district) {
        datasets.push_back(h5::write_column(g, {field.name, field.units, field.description}, field.values));
        over_time.push_back(datasets.back().get());
        continue;
      }
      h5::Handle set = h5::write_matrix(g, {field.name, field.units, field.description}, field.values,
                                        drivers.t_s.size(), drivers.districts.size());
      over_time.push_back(set.get());
      over_district.push_back(set.get());
      datasets.push_back(std::move(set));
    }
    h5::attach_dimension_scale(time.get(), "t_s", over_time);
    h5::check(H5DSset_scale(district.get(), "district"), "make /drivers/district a dimension scale");
    for (const hid_t set : over_district)
      h5::check(H5DSattach_scale(set, district.get(), 1), "attach /drivers/district");
    impl_->trace.flush_file();
  });
}

}  // namespace citytwin::output
