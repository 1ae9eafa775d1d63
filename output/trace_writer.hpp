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
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace citytwin::output {

// 2: coded columns are HDF5 enumerations, counts are integers, KPI columns carry units and
// descriptions, /timeseries/t_s is a dimension scale (netCDF-4 coordinate).
inline constexpr int kSchemaVersion = 2;

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
  // How much of /messages is kept (run.trace, /meta trace and trace_every): "full" every row;
  // "sample" the rows of every trace_every-th device (device id % trace_every == 0); "summary" none
  // (/messages exists with no rows). The KPIs, tables and /timeseries are complete at every level.
  std::string trace = "full";
  uint32_t trace_every = 1;
};

// Static tables, one entry per row.
struct DeviceTable {
  std::vector<uint32_t> id;
  std::vector<std::string> population;
  std::vector<std::string> type;
  std::vector<std::string> district;
  std::vector<double> x_m;
  std::vector<double> y_m;
};

struct GatewayTable {
  std::vector<uint32_t> id;
  std::vector<std::string> name;
  std::vector<std::string> district;  // "" when outside every district
  std::vector<double> x_m;
  std::vector<double> y_m;
};

// Why an uplink was not delivered (/messages/fail_reason); documented in output/SCHEMA.md. For a frame
// several gateways could hear, the reason is the one at the gateway that came closest to receiving it.
enum class FailReason : uint8_t {
  None = 0,                 // delivered
  BelowSensitivity = 1,     // no gateway received it above its sensitivity
  Collision = 2,            // lost to overlapping frames (and capture did not save it)
  NoDemodulator = 3,        // every demodulation path of the gateway was busy
  GatewayTransmitting = 4,  // the gateway was sending a downlink (half duplex)
  DutyCycle = 5,            // the device's sub-band duty cycle forbade the transmission
  DeviceDead = 6,           // the battery was empty: the report was never sent
  RandomAccess = 7,         // NB-IoT random access failed after every attempt
  GatewayDown = 8,          // the gateway was off (power cut beyond its backup) or its backhaul down
  BufferFull = 9,           // the gateway's backhaul was down and its buffer full
  ServerDown = 10,          // the network server was down when the frame arrived
};
inline constexpr size_t kFailReasons = 11;
const char* to_string(FailReason reason);

// A batch of per-uplink rows, column by column (all vectors the same length).
struct MessageBatch {
  std::vector<uint32_t> device;
  std::vector<double> t_tx_s;
  std::vector<uint8_t> radio;  // models::radio::Technology
  std::vector<uint8_t> sf;
  std::vector<uint32_t> channel_hz;
  std::vector<float> tx_power_dbm;
  std::vector<double> airtime_s;
  std::vector<uint16_t> gateways_heard;
  std::vector<float> rssi_dbm;           // best gateway; NaN when no gateway could hear it
  std::vector<float> snr_db;             // at that gateway
  std::vector<uint8_t> retransmissions;  // 0 for a first transmission
  std::vector<uint8_t> delivered;
  std::vector<uint8_t> fail_reason;   // FailReason
  std::vector<int16_t> failure;       // row of /kpi/failures that lost or delayed it; -1 none
  std::vector<double> t_delivered_s;  // NaN when not delivered
  std::vector<double> battery_mah_left;

  size_t size() const { return device.size(); }
  void clear();
};

// Named scalar KPIs, written as attributes of /kpi in the given order.
using KpiList = std::vector<std::pair<std::string, double>>;

// A KPI table broken down by a key (e.g. by district): one string key column plus numeric columns.
struct KpiTable {
  std::string key_name;  // e.g. "district"
  std::vector<std::string> keys;
  std::vector<std::pair<std::string, std::vector<double>>> columns;
};

// /timeseries: per interval, the utilisation of each link, PON and server (columns named after them).
struct TimeSeries {
  std::vector<double> t_s;  // start of each interval
  std::vector<std::pair<std::string, std::vector<double>>> columns;
  std::string description;
};

class TraceWriter {
 public:
  // Creates "<final_path>.partial" with /meta (complete = 0) and locks it. Throws OutputPathError
  // naming the path when the path is refused (see OutputPathError; an existing regular file at
  // final_path, or a .partial left by a killed run, is accepted only with `overwrite`), and
  // OutputError when the file cannot be created (disk full, ...).
  TraceWriter(std::string final_path, const RunMeta& meta, bool overwrite = false);
  // A writer destroyed without finish() belongs to a run that failed: the .partial file is closed with
  // complete = 0 and keeps its name (whatever was flushed is kept); final_path is not touched.
  ~TraceWriter();
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;

  void write_devices(const DeviceTable& devices);
  void write_gateways(const GatewayTable& gateways);
  // Buffered; rows reach the file in chunks of kMessageChunkRows and at finish(). The rows the trace
  // level (RunMeta::trace) does not keep are left out.
  void append_messages(const MessageBatch& batch);
  // Rows kept (written or buffered).
  uint64_t messages_written() const;
  // /kpi attributes, and /kpi/<name> tables.
  void write_kpis(const KpiList& kpis);
  void write_kpi_table(const std::string& name, const KpiTable& table);
  void write_timeseries(const TimeSeries& series);

  // Flushes, sets /meta complete (1 or 0), closes, and renames "<path>.partial" to <path>. A complete
  // trace replaces an existing <path> only when overwriting was asked for; an incomplete one (a
  // stopped run) never replaces an existing file and then stays at "<path>.partial" (see path()).
  // After a failed write the trace is closed as incomplete, keeps its .partial name, and finish throws
  // OutputError naming it. Safe to call once; later calls do nothing.
  void finish(bool complete);

  const std::string& final_path() const;
  // Where the trace is now: the .partial file until finish() has renamed it.
  const std::string& path() const;

  static constexpr size_t kMessageChunkRows = 65536;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace citytwin::output
