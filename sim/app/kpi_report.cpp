#include "sim/app/kpi_report.hpp"

#include <algorithm>
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
  // A compromised device's frames beyond its schedule are transmissions too (uplinks_sent counts the rows
  // of /messages): the ratios over them say so, and point at the city's own.
  double attack_frames = 0.0;
  size_t width = 28;
  for (const auto& [name, value] : s.kpis) {
    if (name == "attack_frames" && value > 0.0) attack_frames = value;
    width = std::max(width, name.size());
  }
  for (const auto& [name, value] : s.kpis) {
    out << "  " << name << std::string(width - name.size() + 1, ' ') << number(value);
    if (attack_frames > 0.0 && name == "delivery_ratio")
      out << "  (over every transmission, the attack's " << number(attack_frames)
          << " frames included; the city's reports: report_delivery_ratio)";
    out << "\n";
  }
  const auto& t = s.by_district;
  if (!t.keys.empty()) {
    out << (attack_frames > 0.0 ? "\nby district (uplinks include the attack's frames):\n"
                                : "\nby district:\n");
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
