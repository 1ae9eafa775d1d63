#include "output/trace_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <set>
#include <stdexcept>
#include <type_traits>

#include "output/hdf5_columns.hpp"
#include "output/hdf5_handle.hpp"
#include "output/kpi_columns.hpp"

namespace citytwin::output {
namespace {

using h5::ColumnInfo;

// Calls f(info, column...) for every column of the given MessageBatches, in schema order: the single
// list of the /messages columns, used for creating, writing, buffering and validating them.
template <class F, class... Batches>
void for_each_message_column(F&& f, Batches&... batches) {
  f(ColumnInfo{"device", "", "device id (see /devices/id)"}, batches.device...);
  f(ColumnInfo{"t_tx_s", "s", "start of the transmission, simulated time since the run start"},
    batches.t_tx_s...);
  f(ColumnInfo{"radio", "", "radio technology: 0 LoRaWAN, 1 NB-IoT, 2 Wi-Fi", radio_codes()},
    batches.radio...);
  f(ColumnInfo{"sf", "", "LoRa spreading factor (7..12)"}, batches.sf...);
  f(ColumnInfo{"channel_hz", "Hz", "centre frequency of the uplink channel"}, batches.channel_hz...);
  f(ColumnInfo{"tx_power_dbm", "dBm", "transmit power"}, batches.tx_power_dbm...);
  f(ColumnInfo{"airtime_s", "s", "time on air of the frame"}, batches.airtime_s...);
  f(ColumnInfo{"gateways_heard", "", "number of gateways that received the frame intact"},
    batches.gateways_heard...);
  f(ColumnInfo{"rssi_dbm", "dBm", "received power at the strongest gateway in range; NaN when none"},
    batches.rssi_dbm...);
  f(ColumnInfo{"snr_db", "dB", "signal-to-noise ratio at that gateway; NaN when none"}, batches.snr_db...);
  f(ColumnInfo{"retransmissions", "", "how many times this report was sent before (0: first attempt)"},
    batches.retransmissions...);
  f(ColumnInfo{"delivered", "", "1 when the uplink reached the network server, else 0"},
    batches.delivered...);
  f(ColumnInfo{"fail_reason", "", "why it was not delivered (0 none: delivered; see SCHEMA.md)",
               fail_reason_codes()},
    batches.fail_reason...);
  f(
      ColumnInfo{
          "failure", "",
          "the wired failure that lost it, or held it in a gateway's buffer (row of /kpi/failures); -1 none"},
      batches.failure...);
  f(ColumnInfo{"t_delivered_s", "s", "time the network server received the uplink; NaN when not delivered"},
    batches.t_delivered_s...);
  f(ColumnInfo{"battery_mah_left", "mAh", "battery charge left after this uplink"},
    batches.battery_mah_left...);
}

std::string errno_text(int error) { return std::strerror(error); }

[[noreturn]] void throw_cannot_create(const std::string& final_path, int error) {
  throw OutputError("cannot create output file '" + final_path + "' (" + errno_text(error) + ")");
}

// Creates (truncates) the file with plain POSIX calls first: HDF5's own failure message is long and
// buried in its error stack, while "No such file or directory" is what the user needs to see. A file
// system without room for /meta is refused here too, because a failed H5Fcreate leaves HDF5 1.10
// with state it cannot release at exit ("HDF5: infinite loop closing library").
void check_creatable(const std::string& final_path, const std::string& partial_path, size_t meta_bytes) {
  struct stat info {};
  if (::stat(final_path.c_str(), &info) == 0 && S_ISDIR(info.st_mode))
    throw_cannot_create(final_path, EISDIR);
  const int fd = ::open(partial_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) throw_cannot_create(final_path, errno);
  struct statvfs space {};
  const bool known = ::fstatvfs(fd, &space) == 0;
  ::close(fd);
  constexpr uint64_t kHeadroomBytes = 1 << 20;  // superblock, groups and attributes, with margin
  if (known && uint64_t{space.f_bavail} * space.f_frsize < meta_bytes + kHeadroomBytes) {
    ::unlink(partial_path.c_str());
    throw_cannot_create(final_path, ENOSPC);
  }
}

void check_name(const std::string& name, const char* what) {
  if (name.empty() || name == "." || name.find('/') != std::string::npos) {
    throw std::invalid_argument(std::string("invalid HDF5 name for ") + what + ": '" + name + "'");
  }
}

template <class T>
void check_length(const std::vector<T>& column, size_t rows, const std::string& table,
                  const std::string& name) {
  if (column.size() != rows) {
    throw std::invalid_argument(table + "." + name + " has " + std::to_string(column.size()) +
                                " rows, expected " + std::to_string(rows));
  }
}

bool is_whole(double value) {
  return std::isfinite(value) && std::abs(value) < 9.0e15 && value == std::trunc(value);
}

// A /kpi/<table> column, stored as its catalogue entry says (kpi_columns.hpp): a count as i8, a radio
// as an enumeration, else f8.
void write_kpi_column(hid_t group, const std::string& table, const std::string& column,
                      const std::vector<double>& values) {
  const KpiColumnSpec spec = kpi_column_spec(table, column);
  const bool whole = std::all_of(values.begin(), values.end(), is_whole);
  if (spec.storage == KpiStorage::Real || !whole) {
    h5::write_column(group, {column, spec.units, spec.description}, values);
  } else if (spec.storage == KpiStorage::Count) {
    const std::vector<int64_t> counts(values.begin(), values.end());
    h5::write_column(group, {column, spec.units, spec.description}, counts);
  } else {
    const std::vector<int8_t> codes(values.begin(), values.end());
    h5::write_column(group, {column, spec.units, spec.description, radio_codes_with_mixed()}, codes);
  }
}

}  // namespace

const char* to_string(FailReason reason) {
  switch (reason) {
    case FailReason::None:
      return "none";
    case FailReason::BelowSensitivity:
      return "below_sensitivity";
    case FailReason::Collision:
      return "collision";
    case FailReason::NoDemodulator:
      return "no_demodulator";
    case FailReason::GatewayTransmitting:
      return "gateway_transmitting";
    case FailReason::DutyCycle:
      return "duty_cycle";
    case FailReason::DeviceDead:
      return "device_dead";
    case FailReason::RandomAccess:
      return "random_access";
    case FailReason::GatewayDown:
      return "gateway_down";
    case FailReason::BufferFull:
      return "buffer_full";
    case FailReason::ServerDown:
      return "server_down";
  }
  return "?";
}

void MessageBatch::clear() {
  for_each_message_column([](const ColumnInfo&, auto& column) { column.clear(); }, *this);
}

struct TraceWriter::Impl {
  std::string final_path;
  std::string partial_path;
  h5::Handle file;
  h5::Handle meta;
  h5::Handle kpi;
  h5::Handle messages;
  std::vector<h5::AppendableColumn> message_columns;  // created at the first flush
  MessageBatch pending;                               // fewer than kMessageChunkRows rows
  uint64_t messages_appended = 0;
  bool messages_started = false;
  bool finished = false;
  bool broken = false;  // an HDF5 write failed: the tables may be ragged, write nothing more

  // Runs `body`, turning HDF5 failures into OutputError naming the operation and the file.
  template <class F>
  void guarded(const char* operation, F&& body) {
    if (finished) {
      throw OutputError(std::string("cannot ") + operation + ": '" + final_path + "' is finished");
    }
    if (broken) {
      throw OutputError(std::string("cannot ") + operation + ": an earlier write to '" + partial_path +
                        "' failed");
    }
    h5::QuietErrors quiet;
    try {
      body();
    } catch (const h5::Failure& failure) {
      broken = true;
      throw OutputError(std::string("cannot ") + operation + " in '" + partial_path + "': " + failure.what());
    }
  }

  void flush_file() { h5::check(H5Fflush(file.get(), H5F_SCOPE_LOCAL), "flush file"); }

  void create_messages(size_t chunk_rows) {
    messages = h5::create_group(file.get(), "messages",
                                "one row per uplink transmission, ordered by (t_tx_s, device)");
    h5::write_attribute(messages.get(), "rows_written", uint64_t{0});
    for_each_message_column(
        [&](const ColumnInfo& info, const auto& column) {
          using T = typename std::decay_t<decltype(column)>::value_type;
          message_columns.emplace_back(messages.get(), info, h5::numeric_type<T>(), chunk_rows);
        },
        pending);
  }

  // Appends rows [first, first + count) of `source` to the /messages datasets and flushes the file, so
  // that an interrupted run keeps them. /messages@rows_written follows in a second flush: a flush that
  // fails half-way (disk full) can leave the new extent on disk without all of its chunks, and
  // rows_written then still counts only rows whose data is known to be on disk.
  void write_messages(const MessageBatch& source, size_t first, size_t count) {
    if (count == 0) return;
    if (message_columns.empty()) create_messages(std::min(count, kMessageChunkRows));
    size_t index = 0;
    for_each_message_column(
        [&](const ColumnInfo&, const auto& column) {
          message_columns[index++].append(column.data() + first, count);
        },
        source);
    flush_file();
    h5::write_attribute(messages.get(), "rows_written", uint64_t{message_columns.front().rows()});
    flush_file();
  }

  // Copies rows [first, first + count) of `source` to the end of `pending`.
  void buffer(const MessageBatch& source, size_t first, size_t count) {
    const auto begin = static_cast<std::ptrdiff_t>(first);
    const auto end = static_cast<std::ptrdiff_t>(first + count);
    for_each_message_column(
        [&](const ColumnInfo&, auto& to, const auto& from) {
          to.insert(to.end(), from.begin() + begin, from.begin() + end);
        },
        pending, source);
  }

  // Keeps every write a whole number of chunks (except the last, at finish): top up the pending rows
  // to one chunk, write full chunks straight from the caller's batch, buffer the remainder.
  void append(const MessageBatch& batch) {
    const size_t rows = batch.size();
    size_t first = 0;
    if (pending.size() > 0) {
      const size_t take = std::min(rows, kMessageChunkRows - pending.size());
      buffer(batch, 0, take);
      first = take;
      if (pending.size() == kMessageChunkRows) {
        write_messages(pending, 0, pending.size());
        pending.clear();
      }
    }
    const size_t direct = (rows - first) / kMessageChunkRows * kMessageChunkRows;
    write_messages(batch, first, direct);
    buffer(batch, first + direct, rows - first - direct);
  }
};

TraceWriter::TraceWriter(std::string final_path, const RunMeta& meta) : impl_(std::make_unique<Impl>()) {
  Impl& impl = *impl_;
  impl.final_path = std::move(final_path);
  impl.partial_path = impl.final_path + ".partial";
  check_creatable(impl.final_path, impl.partial_path, meta.scenario_text.size());

  h5::QuietErrors quiet;
  try {
    h5::Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "create file access properties");
    // Keep HDF5's file locking, but do not fail on file systems that do not support it.
    h5::check(H5Pset_file_locking(fapl.get(), true, true), "set file locking");
    impl.file = h5::Handle(H5Fcreate(impl.partial_path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()),
                           H5Fclose, "create file");
    // No description attribute on /meta and /kpi: every attribute there is data.
    impl.meta = h5::create_group(impl.file.get(), "meta", "");
    const hid_t group = impl.meta.get();
    h5::write_attribute(group, "schema_version", int32_t{kSchemaVersion});
    h5::write_attribute(group, "citytwin_version", meta.citytwin_version);
    h5::write_attribute(group, "seed", uint64_t{meta.seed});
    h5::write_attribute(group, "threads", int32_t{meta.threads});
    h5::write_attribute(group, "scenario_source", meta.scenario_source);
    h5::write_attribute(group, "scenario", meta.scenario_text);
    std::string overrides;
    for (const auto& line : meta.overrides) overrides += line + "\n";
    h5::write_attribute(group, "overrides", overrides);
    h5::write_attribute(group, "duration_s", meta.duration_s);
    h5::ColumnInfo warnings;
    warnings.name = "warnings";
    warnings.description = "what the scenario asks that the run silently does not do, one per row";
    h5::write_column(group, warnings, meta.warnings);
    h5::write_attribute(group, "complete", int32_t{0});
    impl.kpi = h5::create_group(impl.file.get(), "kpi", "");
    impl.flush_file();
  } catch (const h5::Failure& failure) {
    if (impl.file.valid()) h5::detach_from_disk(impl.file.get());  // see finish()
    impl.kpi.reset();
    impl.meta.reset();
    impl.file.reset();
    std::remove(impl.partial_path.c_str());
    throw OutputError("cannot create output file '" + impl.final_path + "' (" + failure.what() + ")");
  }
}

TraceWriter::~TraceWriter() {
  try {
    finish(false);
  } catch (...) {
    // May run while another exception unwinds the stack; the file stays marked incomplete.
  }
}

void TraceWriter::write_devices(const DeviceTable& devices) {
  const size_t rows = devices.id.size();
  check_length(devices.population, rows, "devices", "population");
  check_length(devices.type, rows, "devices", "type");
  check_length(devices.district, rows, "devices", "district");
  check_length(devices.x_m, rows, "devices", "x_m");
  check_length(devices.y_m, rows, "devices", "y_m");
  impl_->guarded("write /devices", [&] {
    h5::Handle group = h5::create_group(impl_->file.get(), "devices", "one row per device");
    const hid_t g = group.get();
    h5::write_column(g, {"id", "", "device id; /messages/device refers to it"}, devices.id);
    h5::write_column(g, {"population", "", "scenario device population the device belongs to"},
                     devices.population);
    h5::write_column(g, {"type", "", "device type from the scenario (free text)"}, devices.type);
    h5::write_column(g, {"district", "", "district containing the device"}, devices.district);
    h5::write_column(g, {"x_m", "m", "position east of the city origin (south-west corner)"}, devices.x_m);
    h5::write_column(g, {"y_m", "m", "position north of the city origin (south-west corner)"}, devices.y_m);
    impl_->flush_file();
  });
}

void TraceWriter::write_gateways(const GatewayTable& gateways) {
  const size_t rows = gateways.id.size();
  check_length(gateways.name, rows, "gateways", "name");
  check_length(gateways.district, rows, "gateways", "district");
  check_length(gateways.x_m, rows, "gateways", "x_m");
  check_length(gateways.y_m, rows, "gateways", "y_m");
  impl_->guarded("write /gateways", [&] {
    h5::Handle group = h5::create_group(impl_->file.get(), "gateways", "one row per gateway");
    const hid_t g = group.get();
    h5::write_column(g, {"id", "", "gateway id"}, gateways.id);
    h5::write_column(g, {"name", "", "gateway name from the scenario"}, gateways.name);
    h5::write_column(g,
                     {"district", "", "district containing the gateway; empty when outside every district"},
                     gateways.district);
    h5::write_column(g, {"x_m", "m", "position east of the city origin (south-west corner)"}, gateways.x_m);
    h5::write_column(g, {"y_m", "m", "position north of the city origin (south-west corner)"}, gateways.y_m);
    impl_->flush_file();
  });
}

void TraceWriter::append_messages(const MessageBatch& batch) {
  const size_t rows = batch.size();
  for_each_message_column([&](const ColumnInfo& info,
                              const auto& column) { check_length(column, rows, "MessageBatch", info.name); },
                          batch);
  impl_->guarded("write /messages", [&] {
    impl_->messages_started = true;
    impl_->append(batch);
    impl_->messages_appended += rows;
  });
}

uint64_t TraceWriter::messages_written() const { return impl_->messages_appended; }

void TraceWriter::write_kpis(const KpiList& kpis) {
  for (const auto& [name, value] : kpis) check_name(name, "a KPI");
  impl_->guarded("write /kpi", [&] {
    for (const auto& [name, value] : kpis) {
      if (kpi_column_spec("", name).storage == KpiStorage::Count && is_whole(value)) {
        h5::write_attribute(impl_->kpi.get(), name, static_cast<int64_t>(value));
      } else {
        h5::write_attribute(impl_->kpi.get(), name, value);
      }
    }
    impl_->flush_file();
  });
}

void TraceWriter::write_kpi_table(const std::string& name, const KpiTable& table) {
  check_name(name, "a KPI table");
  check_name(table.key_name, "a KPI table key");
  std::set<std::string> names{table.key_name};
  for (const auto& [column, values] : table.columns) {
    check_name(column, "a KPI table column");
    if (!names.insert(column).second) {
      throw std::invalid_argument("KPI table '" + name + "' has two columns named '" + column + "'");
    }
    check_length(values, table.keys.size(), "kpi/" + name, column);
  }
  impl_->guarded("write /kpi table", [&] {
    h5::Handle group = h5::create_group(impl_->kpi.get(), name, "KPIs by " + table.key_name);
    const hid_t g = group.get();
    h5::write_column(g, {table.key_name, "", "table key: one row per " + table.key_name}, table.keys);
    for (const auto& [column, values] : table.columns) write_kpi_column(g, name, column, values);
    impl_->flush_file();
  });
}

void TraceWriter::write_timeseries(const TimeSeries& series) {
  std::set<std::string> names{"t_s"};
  for (const auto& [column, values] : series.columns) {
    check_name(column, "a time-series column");
    if (!names.insert(column).second)
      throw std::invalid_argument("/timeseries has two columns named '" + column + "'");
    check_length(values, series.t_s.size(), "timeseries", column);
  }
  impl_->guarded("write /timeseries", [&] {
    h5::Handle group = h5::create_group(impl_->file.get(), "timeseries", series.description);
    const hid_t g = group.get();
    h5::Handle time = h5::write_column(g, {"t_s", "s", "start of the interval"}, series.t_s);
    std::vector<h5::Handle> columns;
    for (const auto& [column, values] : series.columns) {
      const std::string what = column == "network_server"
                                   ? "fraction of the interval the network server's CPU was busy"
                                   : "bytes carried in the interval / (capacity x interval)";
      columns.push_back(h5::write_column(g, {column, "", what}, values));
    }
    std::vector<hid_t> ids;
    for (const auto& c : columns) ids.push_back(c.get());
    h5::attach_dimension_scale(time.get(), "t_s", ids);
    impl_->flush_file();
  });
}

void TraceWriter::finish(bool complete) {
  Impl& impl = *impl_;
  if (impl.finished) return;
  impl.finished = true;
  h5::QuietErrors quiet;
  std::string error;  // the first failure; the file is still closed and renamed after it
  auto record = [&](const std::string& message) {
    if (error.empty()) error = message;
  };
  if (impl.broken && complete) {
    record("cannot finish '" + impl.partial_path + "' as complete: an earlier write failed");
  }
  if (!impl.broken) {
    try {
      // A run that recorded a trace has /messages even when it holds no rows.
      if (impl.messages_started && impl.message_columns.empty() && impl.pending.size() == 0) {
        impl.create_messages(1);
      }
      impl.write_messages(impl.pending, 0, impl.pending.size());
      impl.pending.clear();
      h5::write_attribute(impl.meta.get(), "complete", int32_t{complete ? 1 : 0});
      impl.flush_file();  // so that closing has nothing left to write
    } catch (const h5::Failure& failure) {
      impl.broken = true;
      record(std::string("cannot finish '") + impl.partial_path + "': " + failure.what());
    }
  }
  // After a failed write the file cannot be flushed; detach it so that closing it is clean. The data
  // on disk is then what the last successful flush left, with /meta complete = 0.
  if (impl.broken && impl.file.valid() && !h5::detach_from_disk(impl.file.get())) {
    record("cannot close '" + impl.partial_path + "' after a failed write");
  }
  for (auto& column : impl.message_columns) {
    if (column.close() < 0) record("cannot close a /messages dataset in '" + impl.partial_path + "'");
  }
  impl.message_columns.clear();
  impl.messages.reset();
  impl.kpi.reset();
  impl.meta.reset();
  if (impl.file.close() < 0) record("cannot close '" + impl.partial_path + "'");
  if (std::rename(impl.partial_path.c_str(), impl.final_path.c_str()) != 0) {
    record("cannot rename '" + impl.partial_path + "' to '" + impl.final_path + "' (" + errno_text(errno) +
           ")");
  }
  if (!error.empty()) throw OutputError(error);
}

const std::string& TraceWriter::final_path() const { return impl_->final_path; }

}  // namespace citytwin::output
