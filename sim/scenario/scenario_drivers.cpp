// drivers.<quantity> (sim/scenario/quantities.hpp) and drivers.flood: the sources of the quantities that
// change over a run. Internal to the loader; called by read_drivers
// (sim/scenario/scenario_drivers_section.cpp).
#include <algorithm>

#include "sim/scenario/csv_table.hpp"
#include "sim/scenario/quantities.hpp"
#include "sim/scenario/scenario_reader.hpp"
#include "sim/scenario/scenario_sections.hpp"

namespace citytwin::sim::scenario {
namespace {

std::optional<double> read_value(DiagnosticLog& log, const YamlNode& node, const std::string& path,
                                 const QuantityKind& kind) {
  if (!node.is_scalar()) {
    log.error(node.location, path, "expected " + std::string(kind.name) + ", got " + node.describe());
    return std::nullopt;
  }
  std::string error;
  const auto value = parse_quantity_value(kind, node.scalar, false, &error);
  if (!value) log.error(node.location, path, error);
  return value;
}

std::vector<std::string> read_districts(DiagnosticLog& log, const YamlNode* node, const std::string& path,
                                        const City& city) {
  std::vector<std::string> out;
  if (node == nullptr || !expect_sequence(log, *node, path, "district names")) return out;
  const DistrictIndex index{city, true};
  for (std::size_t k = 0; k < node->items.size(); ++k) {
    const auto name = read_text(log, node->items[k], index_path(path, k));
    if (!name) continue;
    if (!index.has(*name)) {
      std::string message = "no district named '" + excerpt(*name) + "'";
      if (auto hint = closest_match(*name, index.names())) message += " (did you mean '" + *hint + "'?)";
      log.error(node->items[k].location, index_path(path, k), message);
      continue;
    }
    out.push_back(*name);
  }
  return out;
}

// points: [[0 h, 1.2 m], [6 h, 4.8 m]], times increasing.
void read_points(DiagnosticLog& log, const YamlNode& series, const std::string& path,
                 const QuantityKind& kind, SeriesData& out) {
  if (!expect_sequence(log, series, path, "[time, value] points")) return;
  if (series.items.empty()) log.error(series.location, path, "expected at least one [time, value] point");
  for (std::size_t i = 0; i < series.items.size(); ++i) {
    const YamlNode& point = series.items[i];
    const std::string point_path = index_path(path, i);
    if (!expect_sequence(log, point, point_path, "a [time, value] pair")) continue;
    if (point.items.size() != 2) {
      log.error(point.location, point_path,
                "expected [time, value], got " + std::to_string(point.items.size()) + " values");
      continue;
    }
    const auto t =
        read_quantity(log, point.items[0], point_path + "[0]", Dimension::Time, Bound::non_negative());
    const auto value = read_value(log, point.items[1], point_path + "[1]", kind);
    if (!t || !value) continue;
    if (!out.t_s.empty() && *t <= out.t_s.back()) {
      log.error(point.location, point_path, "times must increase");
      continue;
    }
    out.t_s.push_back(*t);
    out.value.push_back(*value);
  }
}

// csv: a time column, then one value column (the whole city) or one column per district.
void read_series_csv(DiagnosticLog& log, const YamlNode& node, const std::string& path, const City& city,
                     const QuantityKind& kind, const std::optional<double>& start, QuantitySource& out) {
  const auto name = read_text(log, node, path);
  if (!name) return;
  const auto fail = [&](const std::string& message) { log.error(node.location, path, message); };
  try {
    const CsvTable table = read_csv(data_file_path(log, *name).string());
    out.csv_file = table.file;
    const auto& header = table.header.cells;
    if (header.size() < 2) {
      fail(table.where(table.header.line) +
           "expected a header 'time,<value>' or 'time,<district>,...', got " + std::to_string(header.size()) +
           " column");
      return;
    }
    const DistrictIndex index{city, true};
    const bool uniform = header.size() == 2 && !index.has(header[1]);
    // A value column named almost like a district is a district misspelt, not a city-wide series (the
    // city-wide reading of 'time,lwo' replayed one district's levels everywhere).
    if (uniform)
      if (auto hint = closest_match(header[1], index.names())) {
        fail(table.where(table.header.line) + "column '" + excerpt(header[1]) +
             "' is not a district (did you mean '" + *hint +
             "'?); a city-wide series names its column otherwise (e.g. 'value')");
        return;
      }
    if (!uniform) {
      for (size_t c = 1; c < header.size(); ++c) {
        if (std::find(header.begin() + 1, header.begin() + static_cast<std::ptrdiff_t>(c), header[c]) !=
            header.begin() + static_cast<std::ptrdiff_t>(c)) {
          fail(table.where(table.header.line) + "column '" + excerpt(header[c]) +
               "' is given twice (the second replaced the first)");
          return;
        }
        if (index.has(header[c])) continue;
        std::string message = table.where(table.header.line) + "column '" + excerpt(header[c]) +
                              "' is not a district (a CSV with several value columns has one per district)";
        if (auto hint = closest_match(header[c], index.names()))
          message += " (did you mean '" + *hint + "'?)";
        fail(message);
        return;
      }
    }
    std::vector<SeriesData> columns(header.size() - 1);
    std::optional<CsvTime::Kind> time_kind;
    double origin = start.value_or(0.0);
    for (const CsvTable::Row& row : table.rows) {
      std::string error;
      const auto t = parse_csv_time(row.cells[0], &error);
      if (!t) {
        fail(table.where(row.line) + error);
        return;
      }
      if (time_kind && *time_kind != t->kind) {
        fail(table.where(row.line) + "mixes date-times and durations in the time column");
        return;
      }
      if (!time_kind) {
        time_kind = t->kind;
        if (t->kind == CsvTime::Kind::Timestamp) {
          if (!start) {
            origin = t->seconds;
            out.csv_origin_text = row.cells[0];
          }
          out.csv_origin_s = origin;
          out.csv_start_given = start.has_value();
        }
      }
      if (t->kind == CsvTime::Kind::Duration && start) {
        fail(table.where(row.line) + "'start' is given, so times must be date-times");
        return;
      }
      const double t_s = t->kind == CsvTime::Kind::Timestamp ? t->seconds - origin : t->seconds;
      if (!columns[0].t_s.empty() && t_s <= columns[0].t_s.back()) {
        fail(table.where(row.line) + "times must increase");
        return;
      }
      for (size_t c = 1; c < row.cells.size(); ++c) {
        const auto value = parse_quantity_value(kind, row.cells[c], true, &error);
        if (!value) {
          fail(table.where(row.line) + header[c] + ": " + error);
          return;
        }
        columns[c - 1].t_s.push_back(t_s);
        columns[c - 1].value.push_back(*value);
      }
    }
    if (table.rows.empty()) {
      fail(table.where(table.header.line) + "no rows after the header");
      return;
    }
    for (SeriesData& column : columns) column.interpolation = out.series.interpolation;
    if (uniform) {
      out.series = std::move(columns[0]);
    } else {
      for (size_t c = 1; c < header.size(); ++c)
        out.per_district.emplace_back(header[c], std::move(columns[c - 1]));
    }
  } catch (const CsvError& e) {
    fail(e.what());
  }
}

void read_daily(DiagnosticLog& log, const YamlNode& node, const std::string& path, const QuantityKind& kind,
                DailyProfile& out) {
  MapReader map(log, &node, path, {"base", "rush_hours", "start_of_day"});
  if (const YamlNode* base = map.require("base"))
    set_if(out.base, read_value(log, *base, map.path("base"), kind));
  set_if(out.start_of_day_s, map.quantity("start_of_day", Dimension::Time, Bound::between(0, 86400)));
  const YamlNode* list = map.get("rush_hours");
  if (list == nullptr || !expect_sequence(log, *list, map.path("rush_hours"), "rush hours")) return;
  for (std::size_t i = 0; i < list->items.size(); ++i) {
    const std::string item = index_path(map.path("rush_hours"), i);
    MapReader r(log, &list->items[i], item, {"peak", "width", "value"});
    RushHour rush;
    set_if(rush.peak_s, r.quantity("peak", Dimension::Time, Bound::between(0, 86400), Presence::Required));
    set_if(rush.width_s, r.quantity("width", Dimension::Time, Bound::between(0, 43200)));
    if (rush.width_s <= 0.0) log.error(r.location(), r.path("width"), "expected > 0");
    if (const YamlNode* v = r.require("value"))
      set_if(rush.value, read_value(log, *v, r.path("value"), kind));
    out.rush_hours.push_back(rush);
  }
}

void read_events(DiagnosticLog& log, const YamlNode& node, const std::string& path, const City& city,
                 const QuantityKind& kind, std::vector<DriverEvent>& out) {
  if (!expect_sequence(log, node, path, "events")) return;
  for (std::size_t i = 0; i < node.items.size(); ++i) {
    const std::string item = index_path(path, i);
    MapReader e(log, &node.items[i], item, {"start", "end", "factor", "add", "districts"});
    DriverEvent event;
    event.written = {log.mark(node.items[i].location), item, ""};
    set_if(event.start_s, e.quantity("start", Dimension::Time, Bound::non_negative(), Presence::Required));
    set_if(event.end_s, e.quantity("end", Dimension::Time, Bound::non_negative(), Presence::Required));
    if (event.end_s < event.start_s) log.error(e.location(), item, "end is before start");
    set_if(event.factor, e.number("factor", Bound::non_negative()));
    if (const YamlNode* add = e.get("add")) {
      // An addition may be negative (a drop): read it against the quantity's unit, without its range.
      std::string error;
      QuantityKind loose = kind;
      loose.lo = -kind.hi;
      if (add->is_scalar()) {
        if (const auto v = parse_quantity_value(loose, add->scalar, false, &error))
          event.add = *v;
        else
          log.error(add->location, e.path("add"), error);
      } else {
        log.error(add->location, e.path("add"),
                  "expected " + std::string(kind.name) + ", got " + add->describe());
      }
    }
    if (e.get("factor") == nullptr && e.get("add") == nullptr)
      log.error(e.location(), item, "an event changes the value: give factor, add, or both");
    event.districts = read_districts(log, e.get("districts"), e.path("districts"), city);
    out.push_back(event);
  }
}

}  // namespace

void read_quantity_source(DiagnosticLog& log, const YamlNode& node, const std::string& path,
                          const QuantityKind& kind, const City& city, QuantitySource& out) {
  out.quantity = std::string(kind.name);
  out.mark = log.mark(node.location);
  MapReader map(log, &node, path,
                {"value", "points", "daily", "csv", "interpolation", "start", "districts", "events"});
  if (!map.is_map()) return;
  const std::vector<std::string_view> sources = {"value", "points", "daily", "csv"};
  int given = 0;
  for (std::string_view key : sources) given += map.get(key) != nullptr ? 1 : 0;
  if (given != 1) {
    log.error(map.location(), path,
              given == 0 ? "give its source: value, points, daily or csv"
                         : "give one source: value, points, daily or csv");
    return;
  }
  if (const auto how = map.choice("interpolation", {"linear", "step"}))
    out.series.interpolation = *how == "step" ? Interpolation::Step : Interpolation::Linear;
  std::optional<double> start;
  if (const YamlNode* s = map.get("start")) {
    if (map.get("csv") == nullptr) log.error(s->location, map.path("start"), "only a csv source has a start");
    std::string error;
    if (!s->is_scalar())
      log.error(s->location, map.path("start"), "expected an ISO 8601 date-time, got " + s->describe());
    else if (!(start = parse_timestamp(s->scalar, &error)))
      log.error(s->location, map.path("start"), error);
    else
      out.csv_origin_text = s->scalar;
  }
  if (const YamlNode* v = map.get("value")) {
    out.kind = QuantitySource::Kind::Constant;
    set_if(out.constant, read_value(log, *v, map.path("value"), kind));
  } else if (const YamlNode* p = map.get("points")) {
    out.kind = QuantitySource::Kind::Points;
    read_points(log, *p, map.path("points"), kind, out.series);
  } else if (const YamlNode* d = map.get("daily")) {
    out.kind = QuantitySource::Kind::Daily;
    read_daily(log, *d, map.path("daily"), kind, out.daily);
  } else if (const YamlNode* c = map.get("csv")) {
    out.kind = QuantitySource::Kind::Csv;
    if (map.get("interpolation") == nullptr)
      log.error(map.location(), map.path("interpolation"),
                "a csv source declares its interpolation: step or linear");
    read_series_csv(log, *c, map.path("csv"), city, kind, start, out);
  }
  if (map.get("interpolation") != nullptr &&
      (out.kind == QuantitySource::Kind::Constant || out.kind == QuantitySource::Kind::Daily))
    log.error(map.get("interpolation")->location, map.path("interpolation"),
              "only points and csv sources interpolate");
  out.districts = read_districts(log, map.get("districts"), map.path("districts"), city);
  for (const auto& [district, series] : out.per_district) {
    (void)series;
    if (!out.districts.empty() &&
        std::find(out.districts.begin(), out.districts.end(), district) == out.districts.end())
      log.error(map.get("csv")->location, map.path("csv"),
                out.csv_file + ":1: column '" + district + "' is not among " + map.path("districts"));
  }
  if (!out.per_district.empty()) {
    // Every district the source covers has its column.
    for (const District& d : city.districts) {
      const bool covered = out.districts.empty() || std::find(out.districts.begin(), out.districts.end(),
                                                              d.name) != out.districts.end();
      const bool has = std::any_of(out.per_district.begin(), out.per_district.end(),
                                   [&](const auto& c) { return c.first == d.name; });
      if (covered && !has)
        log.error(
            map.get("csv")->location, map.path("csv"),
            out.csv_file + ":1: no column for district '" + d.name + "'" +
                (out.districts.empty() ? " (or list the districts it covers in " + map.path("districts") + ")"
                                       : ""));
    }
  }
  if (const YamlNode* e = map.get("events")) read_events(log, *e, map.path("events"), city, kind, out.events);
}

void read_flood(DiagnosticLog& log, const YamlNode& node, const std::string& path, const City& city,
                FloodSpec& out) {
  out.enabled = true;
  MapReader map(log, &node, path,
                {"elevation", "elevation_csv", "delay", "drainage", "step", "power_depth", "restore",
                 "submerged_depth"});
  if (!map.is_map()) return;
  const DistrictIndex index{city, true};
  const std::vector<std::string_view> names = index.names();
  const Bound elevation_range = Bound::between(-1e3, 1e4, "m");  // the map and the CSV alike
  if (const YamlNode* e = map.get("elevation")) {
    MapReader m(log, e, map.path("elevation"), names);
    for (std::string_view name : names)
      if (const auto v = m.quantity(name, Dimension::Length, elevation_range))
        out.elevation_m.emplace_back(std::string(name), *v);
  }
  if (const YamlNode* c = map.get("elevation_csv")) {
    const std::string at = map.path("elevation_csv");
    if (const auto name = read_text(log, *c, at)) {
      try {
        const CsvTable table = read_csv(data_file_path(log, *name).string());
        const int dc = table.column("district"), ec = table.column("elevation");
        if (dc < 0 || ec < 0) {
          log.error(c->location, at,
                    table.where(table.header.line) + "expected the columns 'district' and 'elevation'");
        } else {
          for (const CsvTable::Row& row : table.rows) {
            const std::string& district = row.cells[static_cast<size_t>(dc)];
            std::string error;
            std::string cell = row.cells[static_cast<size_t>(ec)];
            if (parse_number(cell)) cell += " m";  // a bare number is in metres
            const auto v = parse_quantity(cell, Dimension::Length, &error);
            if (!index.has(district)) {
              std::string message = table.where(row.line) + "no district named '" + excerpt(district) + "'";
              if (auto hint = closest_match(district, names)) message += " (did you mean '" + *hint + "'?)";
              log.error(c->location, at, message);
            } else if (!v) {
              log.error(c->location, at, table.where(row.line) + error);
            } else if (!elevation_range.contains(*v)) {
              log.error(c->location, at,
                        table.where(row.line) + "elevation: expected " + elevation_range.describe() +
                            ", got '" + excerpt(row.cells[static_cast<size_t>(ec)]) + "'");
            } else if (std::any_of(out.elevation_m.begin(), out.elevation_m.end(),
                                   [&](const auto& x) { return x.first == district; })) {
              log.error(c->location, at,
                        table.where(row.line) + "district '" + district + "' has an elevation already");
            } else {
              out.elevation_m.emplace_back(district, *v);
            }
          }
        }
      } catch (const CsvError& error) {
        log.error(c->location, at, error.what());
      }
    }
  }
  if (const YamlNode* d = map.get("delay")) {
    if (d->is_map()) {
      MapReader m(log, d, map.path("delay"), names);
      for (std::string_view name : names)
        if (const auto v = m.quantity(name, Dimension::Time, Bound::non_negative()))
          out.delays_s.emplace_back(std::string(name), *v);
    } else {
      set_if(out.delay_s, read_quantity(log, *d, map.path("delay"), Dimension::Time, Bound::non_negative()));
    }
  }
  if (const YamlNode* r = map.get("drainage")) {
    if (const auto v = read_value(log, *r, map.path("drainage"), *find_quantity("rainfall")))
      out.drainage_mm_h = *v;
  }
  set_if(out.step_s, map.quantity("step", Dimension::Time, Bound::between(1, 3600, "s")));
  set_if(out.power_depth_m, map.quantity("power_depth", Dimension::Length, Bound::between(0, 100, "m")));
  set_if(out.restore_s, map.quantity("restore", Dimension::Time, Bound::non_negative()));
  set_if(out.submerged_depth_m,
         map.quantity("submerged_depth", Dimension::Length, Bound::between(0, 100, "m")));
}

}  // namespace citytwin::sim::scenario
