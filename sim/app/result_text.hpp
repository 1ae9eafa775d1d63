// The text a finished run's results travel as between processes (an isolated run's child to its
// parent, an MPI rank to rank 0): one record per line, tab-separated, doubles in hexadecimal so that
// they arrive exact. The KPI lines and the /kpi/by_district table lines are shared here; each caller
// adds its own header lines (status, seed, wall time...) around them.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "output/records.hpp"

namespace citytwin::sim::app {

// "%a": exact, and read back by std::strtod.
std::string hex_double(double v);
// The line's tab-separated fields.
std::vector<std::string> split_fields(const std::string& line);

// Writes the lines "kpi NAME VALUE", "table KEY_NAME", "key K", "column NAME V...".
void write_result_lines(std::ostream& out, const output::KpiList& kpis, const output::KpiTable& table);
// Reads one such line into kpis / table; false when the line is not one of them.
bool read_result_line(const std::vector<std::string>& fields, output::KpiList& kpis, output::KpiTable& table);

}  // namespace citytwin::sim::app
