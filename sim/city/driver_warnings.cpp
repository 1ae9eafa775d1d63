#include "sim/city/driver_warnings.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "sim/city/warning_text.hpp"
#include "sim/scenario/scenario_yaml.hpp"

namespace citytwin::sim::city {
namespace {

using scenario::Diagnostic;
using scenario::QuantitySource;

// "its series", "its CSV (data/rain.csv)".
std::string series_name(const QuantitySource& q) {
  return q.csv_file.empty() ? "its series" : "its CSV (" + q.csv_file + ")";
}

// "2026-07-15T00:00:00Z (its first row)", "2026-07-15T00:00:00Z (its start)".
std::string origin_name(const QuantitySource& q) {
  return scenario::excerpt(q.csv_origin_text) + (q.csv_start_given ? " (its start)" : " (its first row)");
}

}  // namespace

void check_driver_times(const scenario::Scenario& sc, std::vector<Diagnostic>& out) {
  const double end_s = sc.run.duration_s;
  const QuantitySource* reference = nullptr;  // the first CSV of date-times
  for (const QuantitySource& q : sc.drivers.quantities) {
    const scenario::SourceMark& mark = q.mark;
    const std::string path = "drivers." + q.quantity;
    // The span of its times (a CSV per district: every column has the CSV's times).
    std::vector<const scenario::SeriesData*> series;
    if (q.kind == QuantitySource::Kind::Points || q.kind == QuantitySource::Kind::Csv) {
      if (!q.series.empty()) series.push_back(&q.series);
      for (const auto& [district, s] : q.per_district)
        if (!s.empty()) series.push_back(&s);
    }
    if (!series.empty()) {
      double first = series[0]->t_s.front(), last = series[0]->t_s.back();
      for (const scenario::SeriesData* s : series) {
        first = std::min(first, s->t_s.front());
        last = std::max(last, s->t_s.back());
      }
      if (first >= end_s)
        out.push_back({mark, path,
                       series_name(q) + " starts at " + seconds_text(first) +
                           ", at or after the run's end (" + seconds_text(end_s) +
                           "): only its first value holds over the run",
                       Diagnostic::Severity::Warning});
      else if (last <= 0.0 && first < 0.0)
        out.push_back({mark, path,
                       series_name(q) + " ends at " + seconds_text(last) +
                           ", before the run's start (t = 0 is " + origin_name(q) +
                           "): only its last value holds over the run",
                       Diagnostic::Severity::Warning});
    }
    if (std::isnan(q.csv_origin_s)) continue;
    if (reference == nullptr) {
      reference = &q;
      continue;
    }
    if (q.csv_origin_s == reference->csv_origin_s || (q.csv_start_given && reference->csv_start_given))
      continue;
    out.push_back({mark, path,
                   series_name(q) + " counts its date-times from " + origin_name(q) + ", and drivers." +
                       reference->quantity + "'s CSV (" + reference->csv_file + ") from " +
                       origin_name(*reference) + ": each takes that as the run's t = 0, so one instant is " +
                       seconds_text(std::fabs(q.csv_origin_s - reference->csv_origin_s)) +
                       " apart in the two; give both the same start (the date-time of the run's t = 0)",
                   Diagnostic::Severity::Warning});
  }
}

}  // namespace citytwin::sim::city
