// CSV files a scenario refers to (drivers.<quantity>.csv, drivers.flood.elevation_csv), read with
// libcsv (Debian libcsv-dev: a maintained RFC 4180 parser, strict mode) rather than by splitting on
// commas: quoted fields (with commas, doubled quotes and line breaks inside), CRLF or LF line ends,
// blanks around unquoted fields, blank lines, and a UTF-8 byte-order mark are handled. The first
// record is the header. Every problem is a CsvError whose message starts with "file:line: ".
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace citytwin::sim::scenario {

class CsvError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CsvTable {
  struct Row {
    int line = 0;  // 1-based line of the file where the record starts
    std::vector<std::string> cells;
  };
  std::string file;
  Row header;
  std::vector<Row> rows;

  // "file:line: " for messages about a row.
  std::string where(int line) const { return file + ":" + std::to_string(line) + ": "; }
  // The column of that header name, or -1.
  int column(std::string_view name) const;
};

// Throws CsvError ("file:line: ...") when the file is empty, has a malformed quoted field, or a record
// whose cell count differs from the header's; ("cannot read '/abs/path' (reason)", tried_path) when it
// cannot be read.
CsvTable read_csv(const std::string& path);

// Why `path` cannot be a data file, before a byte of it is read, or "" when it can (or does not exist: the
// reader's own open reports that): a directory, or a device other than /dev/null (/dev/zero, /dev/full and
// /dev/urandom never end; /dev/null reads as an empty file). Pipes are read (a process substitution, <(...)).
std::string data_file_problem(const std::filesystem::path& path);
// A data file's path as a message names it when it cannot be read: absolute and normalised, so that the
// reader sees where it was looked for (a relative name is resolved next to the scenario file, not the
// working directory).
std::string tried_path(const std::filesystem::path& path);
// The same, from text (tests); `file` names it in messages.
CsvTable parse_csv(std::string_view text, const std::string& file);

// A time cell: an ISO 8601 date-time ("2026-07-15T06:30:00+09:00", "2026-07-15 06:30", "...Z"; no
// offset reads as UTC), or a duration from the start: ISO 8601 ("PT1H30M", "P1DT2H") or with a unit
// ("90 min", "5400 s", see sim/scenario/units.hpp).
struct CsvTime {
  enum class Kind { Timestamp, Duration } kind = Kind::Duration;
  double seconds = 0.0;  // Timestamp: since 1970-01-01T00:00:00Z; Duration: from the start
};
std::optional<CsvTime> parse_csv_time(std::string_view text, std::string* error);
// An ISO 8601 date-time alone, as parse_csv_time reads it (seconds since the Unix epoch).
std::optional<double> parse_timestamp(std::string_view text, std::string* error);

}  // namespace citytwin::sim::scenario
