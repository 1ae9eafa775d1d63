#include "sim/record/driver_record.hpp"

namespace citytwin::sim::record {

output::DriverTable driver_table(const scenario::Scenario& sc, const drivers::DriverSet& drivers,
                                 double end_s, double grid_s) {
  drivers::DriverRecording recording = drivers.record(end_s, grid_s);
  output::DriverTable table;
  table.t_s = std::move(recording.t_s);
  for (const scenario::District& d : sc.city.districts) table.districts.push_back(d.name);
  for (drivers::DriverRecording::Field& f : recording.fields)
    table.fields.push_back({f.name, f.unit, f.description, !f.uniform, std::move(f.values)});
  return table;
}

}  // namespace citytwin::sim::record
