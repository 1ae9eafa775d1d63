#include "sim/scenario/csv_table.hpp"

#include <csv.h>
#include <sys/stat.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "sim/scenario/units.hpp"

namespace citytwin::sim::scenario {
namespace {

struct ParseState {
  CsvTable* table = nullptr;
  int line = 1;  // of the text being fed
  bool in_record = false;
  CsvTable::Row row;
  bool header_done = false;
  std::string error;
};

void on_field(void* data, size_t size, void* state_ptr) {
  auto& s = *static_cast<ParseState*>(state_ptr);
  if (!s.in_record) {
    s.in_record = true;
    s.row.line = s.line;
    s.row.cells.clear();
  }
  s.row.cells.emplace_back(data == nullptr ? "" : std::string(static_cast<const char*>(data), size));
}

void on_record(int, void* state_ptr) {
  auto& s = *static_cast<ParseState*>(state_ptr);
  if (!s.in_record) return;
  s.in_record = false;
  CsvTable& t = *s.table;
  if (!s.header_done) {
    t.header = std::move(s.row);
    s.header_done = true;
    return;
  }
  if (s.error.empty() && s.row.cells.size() != t.header.cells.size())
    s.error = t.where(s.row.line) + "expected " + std::to_string(t.header.cells.size()) +
              " fields (as the header, line " + std::to_string(t.header.line) + "), got " +
              std::to_string(s.row.cells.size());
  t.rows.push_back(std::move(s.row));
}

int parse_digits(std::string_view text, size_t at, size_t count, bool& ok) {
  if (at + count > text.size()) {
    ok = false;
    return 0;
  }
  int value = 0;
  for (size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') ok = false;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
long days_from_civil(long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long>(doe) - 719468;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

std::optional<double> iso_duration(std::string_view text) {
  // P[nW][nD][T[nH][nM][nS]]: years and months have no fixed length, so they are refused.
  if (text.size() < 2 || text[0] != 'P') return std::nullopt;
  double total = 0.0;
  bool time = false, any = false;
  size_t i = 1;
  while (i < text.size()) {
    if (text[i] == 'T') {
      if (time) return std::nullopt;
      time = true;
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size() && ((text[j] >= '0' && text[j] <= '9') || text[j] == '.' || text[j] == ',')) ++j;
    if (j == i || j == text.size()) return std::nullopt;
    std::string number(text.substr(i, j - i));
    for (char& c : number)
      if (c == ',') c = '.';
    const auto value = parse_number(number);
    if (!value) return std::nullopt;
    const char unit = text[j];
    double factor = 0.0;
    if (!time && unit == 'W') factor = 604800.0;
    if (!time && unit == 'D') factor = 86400.0;
    if (time && unit == 'H') factor = 3600.0;
    if (time && unit == 'M') factor = 60.0;
    if (time && unit == 'S') factor = 1.0;
    if (factor == 0.0) return std::nullopt;
    total += *value * factor;
    any = true;
    i = j + 1;
  }
  if (!any) return std::nullopt;
  return total;
}

}  // namespace

int CsvTable::column(std::string_view name) const {
  for (size_t i = 0; i < header.cells.size(); ++i)
    if (header.cells[i] == name) return static_cast<int>(i);
  return -1;
}

CsvTable parse_csv(std::string_view text, const std::string& file) {
  CsvTable table;
  table.file = file;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte-order mark
  csv_parser parser;
  if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
    throw CsvError(file + ": cannot start the CSV parser");
  ParseState state;
  state.table = &table;
  int record_line = 1;
  // Fed one physical line at a time, so that each record and each error knows its line.
  size_t at = 0;
  while (at < text.size() && state.error.empty()) {
    size_t end = text.find('\n', at);
    end = end == std::string_view::npos ? text.size() : end + 1;
    const std::string_view chunk = text.substr(at, end - at);
    if (!state.in_record) record_line = state.line;
    if (csv_parse(&parser, chunk.data(), chunk.size(), on_field, on_record, &state) != chunk.size()) {
      const std::string what = csv_error(&parser) == CSV_EPARSE
                                   ? "malformed quoted field (a quote must open "
                                     "the field, end it, or be doubled inside it)"
                                   : csv_strerror(csv_error(&parser));
      csv_free(&parser);
      throw CsvError(table.where(state.line) + what);
    }
    ++state.line;
    at = end;
  }
  if (state.error.empty() && csv_fini(&parser, on_field, on_record, &state) != 0) {
    csv_free(&parser);
    throw CsvError(table.where(record_line) + "unterminated quoted field");
  }
  csv_free(&parser);
  if (!state.error.empty()) throw CsvError(state.error);
  if (table.header.cells.empty()) throw CsvError(file + ":1: empty file: expected a header line");
  return table;
}

std::string data_file_problem(const std::filesystem::path& path) {
  // One stat(2) of the path (following links, as opening it would): its type, and for a device its
  // number, which tells the null device from the others (std::filesystem::equivalent refuses devices).
  struct stat file {};
  if (stat(path.c_str(), &file) != 0) return "";  // the reader's open says why
  if (S_ISDIR(file.st_mode)) return "is a directory, not a file";
  if (S_ISCHR(file.st_mode) || S_ISBLK(file.st_mode)) {
    struct stat null {};
    if (S_ISCHR(file.st_mode) && stat("/dev/null", &null) == 0 && file.st_rdev == null.st_rdev)
      return "";  // an empty file
    return "is a device, not a file (it would be read without end)";
  }
  return "";
}

std::string tried_path(const std::filesystem::path& path) {
  std::error_code error;
  const std::filesystem::path absolute = std::filesystem::absolute(path, error);
  return error ? path.string() : absolute.lexically_normal().string();
}

CsvTable read_csv(const std::string& path) {
  if (const std::string problem = data_file_problem(path); !problem.empty())
    throw CsvError("'" + tried_path(path) + "' " + problem);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const std::string why = std::strerror(errno);
    throw CsvError("cannot read '" + tried_path(path) + "' (" + why + ")");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_csv(text.str(), path);
}

std::optional<double> parse_timestamp(std::string_view text, std::string* error) {
  const auto fail = [&](const std::string& why) -> std::optional<double> {
    if (error != nullptr)
      *error = "expected an ISO 8601 date-time such as 2026-07-15T06:30:00+09:00, got '" + std::string(text) +
               "'" + (why.empty() ? "" : " (" + why + ")");
    return std::nullopt;
  };
  bool ok = true;
  const int year = parse_digits(text, 0, 4, ok);
  if (!ok || text.size() < 10 || text[4] != '-' || text[7] != '-') return fail("");
  const int month = parse_digits(text, 5, 2, ok);
  const int day = parse_digits(text, 8, 2, ok);
  if (!ok) return fail("");
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return fail("no month " + std::to_string(month));
  if (day < 1 || day > kDays[month - 1] + (month == 2 && leap(year) ? 1 : 0))
    return fail("no day " + std::to_string(day) + " in that month");
  double seconds =
      static_cast<double>(days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day))) *
      86400.0;
  size_t i = 10;
  if (i < text.size()) {
    if (text[i] != 'T' && text[i] != ' ') return fail("");
    const int hour = parse_digits(text, i + 1, 2, ok);
    if (!ok || i + 3 >= text.size() || text[i + 3] != ':') return fail("");
    const int minute = parse_digits(text, i + 4, 2, ok);
    if (!ok) return fail("");
    i += 6;
    double second = 0.0;
    if (i < text.size() && text[i] == ':') {
      const int whole = parse_digits(text, i + 1, 2, ok);
      if (!ok) return fail("");
      second = whole;
      i += 3;
      if (i < text.size() && (text[i] == '.' || text[i] == ',')) {
        double scale = 0.1;
        size_t j = i + 1;
        for (; j < text.size() && text[j] >= '0' && text[j] <= '9'; ++j, scale /= 10)
          second += (text[j] - '0') * scale;
        if (j == i + 1) return fail("");
        i = j;
      }
    }
    if (hour > 23 || minute > 59 || second >= 61.0) return fail("time of day out of range");
    seconds += hour * 3600.0 + minute * 60.0 + second;
    if (i < text.size()) {
      if (text[i] == 'Z' && i + 1 == text.size()) {
        i += 1;
      } else if (text[i] == '+' || text[i] == '-') {
        const int sign = text[i] == '+' ? 1 : -1;
        const int oh = parse_digits(text, i + 1, 2, ok);
        size_t j = i + 3;
        if (j < text.size() && text[j] == ':') ++j;
        const int om = j < text.size() ? parse_digits(text, j, 2, ok) : 0;
        if (!ok || oh > 23 || om > 59 || (j < text.size() && j + 2 != text.size()))
          return fail("bad UTC offset");
        seconds -= sign * (oh * 3600.0 + om * 60.0);
        i = text.size();
      } else {
        return fail("");
      }
    }
  }
  return seconds;
}

std::optional<CsvTime> parse_csv_time(std::string_view text, std::string* error) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
    text.remove_suffix(1);
  if (!text.empty() && text.front() == 'P') {
    if (const auto d = iso_duration(text)) return CsvTime{CsvTime::Kind::Duration, *d};
    if (error != nullptr)
      *error = "expected an ISO 8601 duration such as PT1H30M (weeks, days, hours, minutes, seconds), got '" +
               std::string(text) + "'";
    return std::nullopt;
  }
  if (text.size() >= 10 && text[4] == '-' && text[7] == '-') {
    const auto t = parse_timestamp(text, error);
    if (!t) return std::nullopt;
    return CsvTime{CsvTime::Kind::Timestamp, *t};
  }
  std::string why;
  if (const auto d = parse_quantity(text, Dimension::Time, &why)) return CsvTime{CsvTime::Kind::Duration, *d};
  if (error != nullptr)
    *error =
        "expected a time: an ISO 8601 date-time (2026-07-15T06:30:00Z), or a duration from the start "
        "(PT1H30M, 90 min); " +
        why;
  return std::nullopt;
}

}  // namespace citytwin::sim::scenario
