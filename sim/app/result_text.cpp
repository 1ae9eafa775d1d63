#include "sim/app/result_text.hpp"

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <utility>

namespace citytwin::sim::app {

std::string hex_double(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", v);
  return buf;
}

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> fields;
  std::istringstream in(line);
  for (std::string part; std::getline(in, part, '\t');) fields.push_back(part);
  return fields;
}

void write_result_lines(std::ostream& out, const output::KpiList& kpis, const output::KpiTable& table) {
  for (const auto& [name, value] : kpis) out << "kpi\t" << name << "\t" << hex_double(value) << "\n";
  out << "table\t" << table.key_name << "\n";
  for (const auto& key : table.keys) out << "key\t" << key << "\n";
  for (const auto& [name, values] : table.columns) {
    out << "column\t" << name;
    for (double v : values) out << "\t" << hex_double(v);
    out << "\n";
  }
}

bool read_result_line(const std::vector<std::string>& f, output::KpiList& kpis, output::KpiTable& table) {
  if (f.empty()) return false;
  const std::string value = f.size() > 1 ? f[1] : "";
  if (f[0] == "kpi" && f.size() == 3) {
    kpis.emplace_back(f[1], std::strtod(f[2].c_str(), nullptr));
  } else if (f[0] == "table") {
    table.key_name = value;
  } else if (f[0] == "key") {
    table.keys.push_back(value);
  } else if (f[0] == "column" && f.size() >= 2) {
    std::vector<double> values;
    for (size_t i = 2; i < f.size(); ++i) values.push_back(std::strtod(f[i].c_str(), nullptr));
    table.columns.emplace_back(f[1], std::move(values));
  } else {
    return false;
  }
  return true;
}

}  // namespace citytwin::sim::app
