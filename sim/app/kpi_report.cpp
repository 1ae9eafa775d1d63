#include "sim/app/kpi_report.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace citytwin::sim::app {
namespace {

std::string number(double v) {
  char buf[64];
  if (std::isnan(v)) return "n/a";
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.4g", v);
  }
  return buf;
}

}  // namespace

std::string format_kpi_report(const RunSummary& s) {
  std::ostringstream out;
  out << "\nKPIs (seed " << s.seed << ", " << s.threads << " thread" << (s.threads == 1 ? "" : "s") << ", "
      << number(std::round(s.wall_s * 10) / 10) << " s wall"
      << (s.complete ? "" : ", INCOMPLETE: stopped early") << ")\n";
  for (const auto& [name, value] : s.kpis) {
    char line[128];
    std::snprintf(line, sizeof line, "  %-28s %s\n", name.c_str(), number(value).c_str());
    out << line;
  }
  const auto& t = s.by_district;
  if (!t.keys.empty()) {
    out << "\nby district:\n";
    char line[256];
    std::snprintf(line, sizeof line, "  %-16s", t.key_name.c_str());
    out << line;
    for (const auto& [name, _] : t.columns) {
      std::snprintf(line, sizeof line, " %17s", name.c_str());
      out << line;
    }
    out << "\n";
    for (size_t i = 0; i < t.keys.size(); ++i) {
      std::snprintf(line, sizeof line, "  %-16s", t.keys[i].c_str());
      out << line;
      for (const auto& [_, values] : t.columns) {
        std::snprintf(line, sizeof line, " %17s", number(values[i]).c_str());
        out << line;
      }
      out << "\n";
    }
  }
  out << "\ntrace: " << s.output_path << "\n";
  return out.str();
}

std::string describe_briefly(const scenario::Scenario& sc) {
  const size_t devices = scenario::total_devices(sc);
  std::ostringstream out;
  out << sc.city.districts.size() << " districts, " << sc.devices.size() << " device populations, " << devices
      << " devices, " << sc.gateways.size() << " gateways, " << sc.run.duration_s << " s simulated";
  return out.str();
}

}  // namespace citytwin::sim::app
