// One HDF5 file per run: columnar tables (a group holding one chunked, compressed 1-D dataset per
// column), written to "<path>.partial" and renamed to <path> when finished. The schema is in
// output/SCHEMA.md; kSchemaVersion changes whenever a reader would need to change.
//
// What survives what (docs/RELIABILITY.md, "Output and kills"):
// - the .partial file is locked (flock) by the run writing it: a second run to the same path is
//   refused, never truncates it;
// - every message chunk and every table is followed by H5Fflush, so a process killed at any point
//   (SIGKILL, power loss after the flush reached the disk) leaves a .partial that HDF5 opens, with
//   /meta and every flushed chunk; disk space is reserved (fallocate) before each write, so a full
//   disk is reported before HDF5 sees a failed write;
// - <path> is only ever replaced by rename(2) of a finished trace: a run that fails keeps its
//   .partial and leaves an existing <path> untouched.
//
// With MessageWriting::WriterThread (what `citytwin run` uses), the full /messages chunks are compressed
// and written by one writer thread (output/writer_thread.hpp, output/README.md) while the caller goes on;
// every other method first waits until that thread has written what it was handed, so only one thread
// is ever inside HDF5. A failure on the writer thread is thrown by the caller's next call, with the same
// text. The rules above hold, except that a SIGKILL also loses the chunks handed over and not yet written
// (at most kWriterQueueChunks).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "output/records.hpp"

namespace citytwin::output {

// 2: coded columns are HDF5 enumerations, counts are integers, KPI columns carry units and
// descriptions, /timeseries/t_s is a dimension scale (netCDF-4 coordinate). 3: /timeseries holds the
// links' utilisation as one (t_s, link) matrix with a `link` coordinate, not one column per link.
inline constexpr int kSchemaVersion = 3;

// Raised when the file cannot be created or written; the message names the path.
class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The output path is refused before anything is written (bad input: the command line exits 2): it is
// not a regular file (directory, device, FIFO, symbolic link), it exists and overwriting was not
// asked for, its directory is missing or not writable, or another run is writing its .partial.
class OutputPathError : public OutputError {
 public:
  using OutputError::OutputError;
};

struct RunMeta {
  std::string citytwin_version;
  uint64_t seed = 0;
  int threads = 1;
  std::string scenario_source;         // file path or "<text>"
  std::string scenario_text;           // the YAML as read
  std::vector<std::string> overrides;  // key.path=value as given on the command line or from Python
  double duration_s = 0.0;
  // What the scenario asks that the run will silently not do, "file:line:col: key: warning: ..."
  std::vector<std::string> warnings;
  // A campaign's id for this run (sim/campaign/run_id.hpp), written as /meta@run_id when not empty.
  std::string run_id;
  // How much of /messages is kept (run.trace, /meta trace and trace_every): "full" every row;
  // "sample" the rows of every trace_every-th device (device id % trace_every == 0); "summary" none
  // (/messages exists with no rows). The KPIs, tables and /timeseries are complete at every level.
  std::string trace = "full";
  uint32_t trace_every = 1;
  // gzip level (0..9, after the shuffle filter) of /messages, /devices and /gateways
  // (run.trace_compression, /meta@trace_compression); 0 stores them unfiltered. The small tables
  // always use level 1.
  uint32_t trace_compression = 1;
  // Where a LoRa frame is received (radio.receptions, /meta@radio_receptions and radio_strongest_k):
  // "exact", or "strongest" / "strongest_only" with K (approximations; K is 0 when exact).
  std::string radio_receptions = "exact";
  uint32_t radio_strongest_k = 0;
};

// /drivers: the quantities that changed over the run, as the run used them (sim/drivers), on one time
// axis. A per-district field has one value per time and district (t-major); a uniform one (a
// city-wide source, such as a river gauge) one per time.
struct DriverTable {
  std::vector<double> t_s;
  std::vector<std::string> districts;
  struct Field {
    std::string name, units, description;
    bool per_district = false;
    std::vector<double> values;
  };
  std::vector<Field> fields;
};

// Where the full /messages chunks are compressed and written.
enum class MessageWriting {
  Inline,        // by the thread that calls append_messages, before it returns
  WriterThread,  // by one writer thread; append_messages only copies rows (waiting if the queue is full)
};

class TraceWriter {
 public:
  // Creates "<final_path>.partial" with /meta (complete = 0) and locks it. Throws OutputPathError
  // naming the path when the path is refused (see OutputPathError; an existing regular file at
  // final_path, or a .partial left by a killed run, is accepted only with `overwrite`), and
  // OutputError when the file cannot be created (disk full, ...).
  TraceWriter(std::string final_path, const RunMeta& meta, bool overwrite = false,
              MessageWriting writing = MessageWriting::Inline);
  // A writer destroyed without finish() belongs to a run that failed: the .partial file is closed with
  // complete = 0 and keeps its name (whatever was flushed is kept, and the rows appended are written
  // first, the writer thread's queue included, unless a write failed); final_path is not touched.
  ~TraceWriter();
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;

  void write_devices(const DeviceTable& devices);
  void write_gateways(const GatewayTable& gateways);
  // Buffered; rows reach the file in chunks of kMessageChunkRows and at finish(). The rows the trace
  // level (RunMeta::trace) does not keep are left out. With the writer thread, throws the error of a
  // chunk it failed to write (then every later call refuses: the rows after it would leave a hole).
  void append_messages(const MessageBatch& batch);
  // Rows kept (written or buffered).
  uint64_t messages_written() const;
  // /kpi attributes, and /kpi/<name> tables.
  void write_kpis(const KpiList& kpis);
  void write_kpi_table(const std::string& name, const KpiTable& table);
  void write_timeseries(const TimeSeries& series);
  // /drivers (only when the scenario has drivers): t_s and district are netCDF-4 coordinates
  // (dimension scales), so xarray.open_dataset(path, group="drivers", engine="h5netcdf") reads it.
  void write_drivers(const DriverTable& drivers);

  // Flushes, sets /meta complete (1 or 0), closes, and renames "<path>.partial" to <path>. A complete
  // trace replaces an existing <path> only when overwriting was asked for; an incomplete one (a
  // stopped run) never replaces an existing file and then stays at "<path>.partial" (see path()).
  // After a failed write the trace is closed as incomplete, keeps its .partial name, and finish throws
  // OutputError naming it. Safe to call once; later calls do nothing. simulated_s (when given): the simulated
  // time the run reached, /meta@simulated_s (a stopped run's is short of /meta@duration_s).
  void finish(bool complete, std::optional<double> simulated_s = std::nullopt);

  const std::string& final_path() const;
  // Where the trace is now: the .partial file until finish() has renamed it.
  const std::string& path() const;

  static constexpr size_t kMessageChunkRows = 65536;
  // MessageWriting::WriterThread: chunks handed over and not yet written, at most (the one being written
  // included); append_messages waits while there are this many (~4 MB each).
  static constexpr size_t kWriterQueueChunks = 3;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace citytwin::output
