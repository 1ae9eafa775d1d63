#include "output/trace_writer.hpp"

#include <hdf5_hl.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <type_traits>

#include "output/hdf5_columns.hpp"
#include "output/hdf5_handle.hpp"
#include "output/kpi_columns.hpp"
#include "output/trace_file.hpp"
#include "output/writer_thread.hpp"

namespace citytwin::output {
namespace {

using h5::ColumnInfo;

// The /messages columns' names, units and descriptions, in schema order. Built once: every batch the
// message log hands over walks them (buffered, then cleared), and their descriptions live on the heap.
const std::array<ColumnInfo, 16>& message_column_infos() {
  static const std::array<ColumnInfo, 16> infos{{
      {"device", "", "device id (see /devices/id)"},
      {"t_tx_s", "s", "start of the transmission, simulated time since the run start"},
      {"radio", "", "radio technology: 0 LoRaWAN, 1 NB-IoT, 2 Wi-Fi", radio_codes()},
      {"sf", "", "LoRa spreading factor (7..12)"},
      {"channel_hz", "Hz", "centre frequency of the uplink channel"},
      {"tx_power_dbm", "dBm", "transmit power"},
      {"airtime_s", "s", "time on air of the frame"},
      {"gateways_heard", "", "number of gateways that received the frame intact"},
      {"rssi_dbm", "dBm", "received power at the strongest gateway in range; NaN when none"},
      {"snr_db", "dB", "signal-to-noise ratio at that gateway; NaN when none"},
      {"retransmissions", "", "how many times this report was sent before (0: first attempt)"},
      {"delivered", "", "1 when the uplink reached the network server, else 0"},
      {"fail_reason", "", "why it was not delivered (0 none: delivered; see SCHEMA.md)", fail_reason_codes()},
      {"failure", "",
       "the wired failure that lost it, or held it in a gateway's buffer (row of /kpi/failures); -1 none"},
      {"t_delivered_s", "s", "time the network server received the uplink; NaN when not delivered"},
      {"battery_mah_left", "mAh", "battery charge left after this uplink; NaN for a mains-powered device"},
  }};
  return infos;
}

// Calls f(info, column...) for every column of the given MessageBatches, in schema order: the single
// list of the /messages columns, used for creating, writing, buffering and validating them.
template <class F, class... Batches>
void for_each_message_column(F&& f, Batches&... batches) {
  const auto& info = message_column_infos();
  f(info[0], batches.device...);
  f(info[1], batches.t_tx_s...);
  f(info[2], batches.radio...);
  f(info[3], batches.sf...);
  f(info[4], batches.channel_hz...);
  f(info[5], batches.tx_power_dbm...);
  f(info[6], batches.airtime_s...);
  f(info[7], batches.gateways_heard...);
  f(info[8], batches.rssi_dbm...);
  f(info[9], batches.snr_db...);
  f(info[10], batches.retransmissions...);
  f(info[11], batches.delivered...);
  f(info[12], batches.fail_reason...);
  f(info[13], batches.failure...);
  f(info[14], batches.t_delivered_s...);
  f(info[15], batches.battery_mah_left...);
}

template <class T>
uint64_t bytes_of(const std::vector<T>& column) {
  if constexpr (std::is_same_v<T, std::string>) {
    size_t width = 1;
    for (const auto& value : column) width = std::max(width, value.size());
    return uint64_t{width} * column.size();
  } else {
    return uint64_t{sizeof(T)} * column.size();
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

// An HDF5 write of /messages failed on the writer thread: the file is broken (TraceFile::broken), which
// the calling thread records when it takes the error (TraceWriter::Impl::with_writer).
class BrokenWrite : public OutputError {
 public:
  using OutputError::OutputError;
};

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
    case FailReason::Jammed:
      return "jammed";
    case FailReason::Blocked:
      return "blocked";
    case FailReason::ServerOverload:
      return "server_overload";
  }
  return "?";
}

void MessageBatch::clear() {
  for_each_message_column([](const ColumnInfo&, auto& column) { column.clear(); }, *this);
}

struct TraceWriter::Impl {
  TraceFile trace;  // the file: its lock, disk reservation, /meta and /kpi
  h5::Handle messages;
  std::vector<h5::AppendableColumn> message_columns;  // created by the first append_messages
  MessageBatch pending;                               // fewer than kMessageChunkRows rows
  uint64_t messages_appended = 0;
  bool messages_started = false;
  bool keep_none = false;                      // run.trace: summary
  uint32_t keep_every = 1;                     // run.trace: sample (1: every row)
  MessageBatch kept;                           // the rows a sampled batch keeps
  unsigned deflate_level = h5::kDeflateLevel;  // run.trace_compression: /messages, /devices, /gateways
  bool messages_lost = false;  // a chunk failed on the writer thread: no row may follow it in /messages
  // MessageWriting::WriterThread: full chunks go to this thread, which makes every HDF5 call for
  // /messages while it has work; every other HDF5 call waits until it has none (settle()). Last: it
  // uses the members above, and ~TraceWriter ends it before closing the file.
  std::unique_ptr<WriterThread> writer_thread;

  // Closes the /messages datasets, then the file (TraceFile::close_file).
  template <class Record>
  void close_file(Record&& record) {
    trace.close_file(record, [&](auto&& record_table) {
      for (auto& column : message_columns) {
        if (column.close() < 0)
          record_table("cannot close a /messages dataset in '" + trace.partial_path + "'");
      }
      message_columns.clear();
      messages.reset();
    });
  }
  void close_file() {
    h5::QuietErrors quiet;
    close_file([](const std::string&) {});
  }

  // Bytes of `rows` message rows, uncompressed (what a chunk can take at worst).
  uint64_t message_bytes(size_t rows) {
    uint64_t row = 0;
    for_each_message_column(
        [&](const ColumnInfo&, const auto& column) {
          row += sizeof(typename std::decay_t<decltype(column)>::value_type);
        },
        pending);
    return row * rows;
  }

  void create_messages(size_t chunk_rows) {
    messages = h5::create_group(trace.file.get(), "messages",
                                "one row per uplink transmission, ordered by (t_tx_s, device)");
    h5::write_attribute(messages.get(), "rows_written", uint64_t{0});
    for_each_message_column(
        [&](const ColumnInfo& info, const auto& column) {
          using T = typename std::decay_t<decltype(column)>::value_type;
          message_columns.emplace_back(messages.get(), info, h5::numeric_type<T>(), chunk_rows,
                                       deflate_level);
        },
        pending);
  }

  // Appends rows [first, first + count) of `source` to the /messages datasets and flushes the file, so
  // that an interrupted run keeps them. /messages@rows_written follows in a second flush: a flush that
  // fails half-way (disk full) can leave the new extent on disk without all of its chunks, and
  // rows_written then still counts only rows whose data is known to be on disk.
  void write_messages(const MessageBatch& source, size_t first, size_t count) {
    if (count == 0) return;
    trace.reserve("write /messages", message_bytes(count));
    if (message_columns.empty()) create_messages(std::min(count, kMessageChunkRows));
    size_t index = 0;
    for_each_message_column(
        [&](const ColumnInfo&, const auto& column) {
          message_columns[index++].append(column.data() + first, count);
        },
        source);
    trace.flush_file();
    h5::write_attribute(messages.get(), "rows_written", uint64_t{message_columns.front().rows()});
    trace.flush_file();
  }

  // Copies rows [first, first + count) of `source` to the end of `pending`.
  void buffer(const MessageBatch& source, size_t first, size_t count) {
    const auto begin = static_cast<std::ptrdiff_t>(first);
    const auto end = static_cast<std::ptrdiff_t>(first + count);
    for_each_message_column(
        [&](const ColumnInfo&, auto& to, const auto& from) {
          // A whole chunk's room at once: growing by doubling copied each column about twice and
          // faulted in the memory twice over (the writer thread hands its written chunks back).
          if (to.capacity() < kMessageChunkRows) to.reserve(kMessageChunkRows);
          to.insert(to.end(), from.begin() + begin, from.begin() + end);
        },
        pending, source);
  }

  // The rows of `batch` the trace level keeps: all of them, or a sampled copy in `kept`.
  const MessageBatch& kept_rows(const MessageBatch& batch) {
    if (keep_every <= 1) return batch;
    kept.clear();
    for (size_t r = 0; r < batch.size(); ++r) {
      if (batch.device[r] % keep_every != 0) continue;
      for_each_message_column([r](const ColumnInfo&, auto& to, const auto& from) { to.push_back(from[r]); },
                              kept, batch);
    }
    return kept;
  }

  // On the writer thread: one full chunk, written as append() writes it inline (same calls, same text
  // on failure).
  void write_chunk(const MessageBatch& chunk) {
    h5::QuietErrors quiet;  // HDF5's error stack and its printing are per thread in a thread-safe build
    try {
      write_messages(chunk, 0, chunk.size());
    } catch (const h5::Failure& failure) {
      throw BrokenWrite(std::string("cannot write /messages in '") + trace.partial_path +
                        "': " + failure.what());
    }
  }

  // Runs `call` on the writer thread's queue; the writer's error, when it throws one, becomes the
  // caller's: no row may follow the failed chunk, and after a failed HDF5 write the file is broken.
  template <class F>
  void with_writer(F&& call) {
    try {
      call();
    } catch (const BrokenWrite&) {
      messages_lost = true;
      trace.broken = true;
      throw;
    } catch (...) {
      messages_lost = true;
      throw;
    }
  }

  // Waits until the writer thread has written every chunk handed over (it then makes no HDF5 call until
  // the next one), and throws its error if not yet thrown. Every HDF5 call on the caller's thread
  // comes after this.
  void settle() {
    if (!writer_thread) return;
    with_writer([&] {
      writer_thread->drain();
      writer_thread->rethrow_error();
    });
  }

  // MessageWriting::WriterThread: the caller's thread creates /messages at the first append (nothing
  // is handed over yet), and from then on only copies rows and hands full chunks over.
  void append_in_background(const MessageBatch& batch) {
    if (trace.finished) throw OutputError("cannot write /messages: '" + trace.final_path + "' is finished");
    with_writer([&] { writer_thread->rethrow_error(); });
    if (messages_lost || trace.broken)
      throw OutputError("cannot write /messages: an earlier write to '" + trace.partial_path + "' failed");
    if (!messages_started) {
      settle();
      trace.guarded("write /messages", 0, [&] {
        create_messages(kMessageChunkRows);
        trace.flush_file();
      });
      messages_started = true;
    }
    if (keep_none) return;
    const MessageBatch& rows = kept_rows(batch);
    for (size_t first = 0; first < rows.size();) {
      const size_t take = std::min(rows.size() - first, kMessageChunkRows - pending.size());
      buffer(rows, first, take);
      first += take;
      if (pending.size() == kMessageChunkRows) with_writer([&] { writer_thread->push(pending); });
    }
    messages_appended += rows.size();
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

TraceWriter::TraceWriter(std::string final_path, const RunMeta& meta, bool overwrite, MessageWriting writing)
    : impl_(std::make_unique<Impl>()) {
  Impl& impl = *impl_;
  if ((meta.trace != "full" && meta.trace != "sample" && meta.trace != "summary") || meta.trace_every < 1)
    throw OutputError("trace level '" + meta.trace + "' (every " + std::to_string(meta.trace_every) +
                      "): expected full, sample or summary, every >= 1");
  if (meta.trace_compression > 9)
    throw OutputError("trace compression " + std::to_string(meta.trace_compression) + ": expected 0..9");
  impl.deflate_level = meta.trace_compression;
  impl.keep_none = meta.trace == "summary";
  impl.keep_every = meta.trace == "sample" ? meta.trace_every : 1;
  impl.trace.open(std::move(final_path), meta, overwrite);
  if (writing == MessageWriting::WriterThread) {
    impl.writer_thread = std::make_unique<WriterThread>(
        kWriterQueueChunks, [&impl](const MessageBatch& chunk) { impl.write_chunk(chunk); });
  }
}

TraceWriter::~TraceWriter() {
  Impl& impl = *impl_;
  if (impl.writer_thread) {  // finish() was not called (or failed): the chunks handed over are written first
    try {
      impl.settle();
    } catch (...) {  // the run failed already; the file is as the writer thread's last flush left it
    }
    impl.writer_thread.reset();
  }
  if (impl.trace.finished) return;
  // The run failed (an exception is unwinding the stack, usually): write the rows still buffered if the
  // file is sound, close it with /meta complete = 0, and keep its .partial name.
  if (!impl.trace.broken && !impl.messages_lost) {
    h5::QuietErrors quiet;
    try {
      impl.write_messages(impl.pending, 0, impl.pending.size());
    } catch (const h5::Failure&) {
      impl.trace.broken = true;
    } catch (const OutputError&) {  // no room for them: the file is as the last flush left it
    }
  }
  impl.trace.finished = true;
  impl.close_file();
  impl.trace.release_reservation();
  impl.trace.unlock();
}

void TraceWriter::write_devices(const DeviceTable& devices) {
  impl_->settle();
  const size_t rows = devices.id.size();
  check_length(devices.population, rows, "devices", "population");
  check_length(devices.type, rows, "devices", "type");
  check_length(devices.district, rows, "devices", "district");
  check_length(devices.x_m, rows, "devices", "x_m");
  check_length(devices.y_m, rows, "devices", "y_m");
  const uint64_t bytes = bytes_of(devices.id) + bytes_of(devices.population) + bytes_of(devices.type) +
                         bytes_of(devices.district) + bytes_of(devices.x_m) + bytes_of(devices.y_m);
  impl_->trace.guarded("write /devices", bytes, [&] {
    h5::Handle group = h5::create_group(impl_->trace.file.get(), "devices", "one row per device");
    const hid_t g = group.get();
    h5::write_column(g, {"id", "", "device id; /messages/device refers to it"}, devices.id,
                     impl_->deflate_level);
    h5::write_column(g, {"population", "", "scenario device population the device belongs to"},
                     devices.population, impl_->deflate_level);
    h5::write_column(g, {"type", "", "device type from the scenario (free text)"}, devices.type,
                     impl_->deflate_level);
    h5::write_column(g, {"district", "", "district containing the device"}, devices.district,
                     impl_->deflate_level);
    h5::write_column(g, {"x_m", "m", "position east of the city origin (south-west corner)"}, devices.x_m,
                     impl_->deflate_level);
    h5::write_column(g, {"y_m", "m", "position north of the city origin (south-west corner)"}, devices.y_m,
                     impl_->deflate_level);
    impl_->trace.flush_file();
  });
}

void TraceWriter::write_gateways(const GatewayTable& gateways) {
  impl_->settle();
  const size_t rows = gateways.id.size();
  check_length(gateways.name, rows, "gateways", "name");
  check_length(gateways.district, rows, "gateways", "district");
  check_length(gateways.x_m, rows, "gateways", "x_m");
  check_length(gateways.y_m, rows, "gateways", "y_m");
  const uint64_t bytes = bytes_of(gateways.id) + bytes_of(gateways.name) + bytes_of(gateways.district) +
                         bytes_of(gateways.x_m) + bytes_of(gateways.y_m);
  impl_->trace.guarded("write /gateways", bytes, [&] {
    h5::Handle group = h5::create_group(impl_->trace.file.get(), "gateways", "one row per gateway");
    const hid_t g = group.get();
    h5::write_column(g, {"id", "", "gateway id"}, gateways.id, impl_->deflate_level);
    h5::write_column(g, {"name", "", "gateway name from the scenario"}, gateways.name, impl_->deflate_level);
    h5::write_column(g,
                     {"district", "", "district containing the gateway; empty when outside every district"},
                     gateways.district, impl_->deflate_level);
    h5::write_column(g, {"x_m", "m", "position east of the city origin (south-west corner)"}, gateways.x_m,
                     impl_->deflate_level);
    h5::write_column(g, {"y_m", "m", "position north of the city origin (south-west corner)"}, gateways.y_m,
                     impl_->deflate_level);
    impl_->trace.flush_file();
  });
}

void TraceWriter::append_messages(const MessageBatch& batch) {
  const size_t rows = batch.size();
  for_each_message_column([&](const ColumnInfo& info,
                              const auto& column) { check_length(column, rows, "MessageBatch", info.name); },
                          batch);
  if (impl_->writer_thread) {
    impl_->append_in_background(batch);
    return;
  }
  impl_->trace.guarded("write /messages", 0, [&] {
    // /messages exists from the first append on, so that a killed run's .partial has it (empty)
    // before its first full chunk.
    if (!impl_->messages_started) {
      impl_->create_messages(kMessageChunkRows);
      impl_->trace.flush_file();
    }
    impl_->messages_started = true;
    if (impl_->keep_none) return;
    const MessageBatch& rows_kept = impl_->kept_rows(batch);
    impl_->append(rows_kept);
    impl_->messages_appended += rows_kept.size();
  });
}

uint64_t TraceWriter::messages_written() const { return impl_->messages_appended; }

void TraceWriter::write_kpis(const KpiList& kpis) {
  impl_->settle();
  for (const auto& [name, value] : kpis) check_name(name, "a KPI");
  impl_->trace.guarded("write /kpi", kpis.size() * 64, [&] {
    for (const auto& [name, value] : kpis) {
      if (kpi_column_spec("", name).storage == KpiStorage::Count && is_whole(value)) {
        h5::write_attribute(impl_->trace.kpi.get(), name, static_cast<int64_t>(value));
      } else {
        h5::write_attribute(impl_->trace.kpi.get(), name, value);
      }
    }
    impl_->trace.flush_file();
  });
}

void TraceWriter::write_kpi_table(const std::string& name, const KpiTable& table) {
  impl_->settle();
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
  uint64_t bytes = bytes_of(table.keys);
  for (const auto& [column, values] : table.columns) bytes += bytes_of(values);
  impl_->trace.guarded("write /kpi table", bytes, [&] {
    h5::Handle group = h5::create_group(impl_->trace.kpi.get(), name, "KPIs by " + table.key_name);
    const hid_t g = group.get();
    h5::write_column(g, {table.key_name, "", "table key: one row per " + table.key_name}, table.keys);
    for (const auto& [column, values] : table.columns) write_kpi_column(g, name, column, values);
    impl_->trace.flush_file();
  });
}

void TraceWriter::write_timeseries(const TimeSeries& series) {
  impl_->settle();
  std::set<std::string> names{"t_s"};
  for (const auto& [column, values] : series.columns) {
    check_name(column, "a time-series column");
    if (!names.insert(column).second)
      throw std::invalid_argument("/timeseries has two columns named '" + column + "'");
    check_length(values, series.t_s.size(), "timeseries", column);
  }
  uint64_t bytes = bytes_of(series.t_s);
  for (const auto& [column, values] : series.columns) bytes += bytes_of(values);
  impl_->trace.guarded("write /timeseries", bytes, [&] {
    h5::Handle group = h5::create_group(impl_->trace.file.get(), "timeseries", series.description);
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
    impl_->trace.flush_file();
  });
}

void TraceWriter::write_drivers(const DriverTable& drivers) {
  impl_->settle();
  std::set<std::string> names{"t_s", "district"};
  uint64_t bytes = bytes_of(drivers.t_s) + bytes_of(drivers.districts);
  for (const DriverTable::Field& field : drivers.fields) {
    check_name(field.name, "a driver");
    if (!names.insert(field.name).second)
      throw std::invalid_argument("/drivers has two fields named '" + field.name + "'");
    const size_t expected = drivers.t_s.size() * (field.per_district ? drivers.districts.size() : 1);
    if (field.values.size() != expected)
      throw std::invalid_argument("/drivers/" + field.name + ": " + std::to_string(field.values.size()) +
                                  " values, expected " + std::to_string(expected));
    bytes += bytes_of(field.values);
  }
  impl_->trace.guarded("write /drivers", bytes, [&] {
    h5::Handle group = h5::create_group(impl_->trace.file.get(), "drivers",
                                        "quantities that changed over the run, as the run used them");
    const hid_t g = group.get();
    h5::Handle time = h5::write_column(g, {"t_s", "s", "simulated time"}, drivers.t_s);
    // Variable-length UTF-8 names, which netCDF readers (xarray) read as str.
    const hsize_t district_count = drivers.districts.size();
    h5::Handle name_type(H5Tcopy(H5T_C_S1), H5Tclose, "copy a string type");
    h5::check(H5Tset_size(name_type.get(), H5T_VARIABLE), "make a variable-length string type");
    h5::check(H5Tset_cset(name_type.get(), H5T_CSET_UTF8), "make a UTF-8 string type");
    h5::Handle name_space(H5Screate_simple(1, &district_count, nullptr), H5Sclose,
                          "create /drivers/district's space");
    h5::Handle district(
        H5Dcreate2(g, "district", name_type.get(), name_space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
        H5Dclose, "create /drivers/district");
    std::vector<const char*> district_names;
    for (const std::string& name : drivers.districts) district_names.push_back(name.c_str());
    if (!district_names.empty())
      h5::check(
          H5Dwrite(district.get(), name_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, district_names.data()),
          "write /drivers/district");
    h5::write_attribute(district.get(), "units", "");
    h5::write_attribute(district.get(), "description", "district name");
    std::vector<hid_t> over_time, over_district;
    std::vector<h5::Handle> datasets;
    for (const DriverTable::Field& field : drivers.fields) {
      if (!field.per_district) {
        datasets.push_back(h5::write_column(g, {field.name, field.units, field.description}, field.values));
        over_time.push_back(datasets.back().get());
        continue;
      }
      const hsize_t dims[2] = {drivers.t_s.size(), drivers.districts.size()};
      h5::Handle space(H5Screate_simple(2, dims, nullptr), H5Sclose,
                       "create the space of /drivers/" + field.name);
      h5::Handle set(H5Dcreate2(g, field.name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT,
                                H5P_DEFAULT),
                     H5Dclose, "create /drivers/" + field.name);
      h5::check(H5Dwrite(set.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, field.values.data()),
                "write /drivers/" + field.name);
      h5::write_attribute(set.get(), "units", field.units);
      h5::write_attribute(set.get(), "description", field.description);
      over_time.push_back(set.get());
      over_district.push_back(set.get());
      datasets.push_back(std::move(set));
    }
    h5::attach_dimension_scale(time.get(), "t_s", over_time);
    h5::check(H5DSset_scale(district.get(), "district"), "make /drivers/district a dimension scale");
    for (const hid_t set : over_district)
      h5::check(H5DSattach_scale(set, district.get(), 1), "attach /drivers/district");
    impl_->trace.flush_file();
  });
}

void TraceWriter::finish(bool complete) {
  Impl& impl = *impl_;
  if (impl.trace.finished) return;
  std::string error;  // the first failure; the file is still closed after it
  auto record = [&](const std::string& message) {
    if (error.empty()) error = message;
  };
  if (impl.writer_thread) {  // its last chunks first (an error it has not reported yet comes first)
    try {
      impl.settle();
    } catch (const std::exception& failure) {
      record(failure.what());
    } catch (...) {
      record("cannot write /messages in '" + impl.trace.partial_path +
             "': unknown error on the writer thread");
    }
    impl.writer_thread.reset();
  }
  impl.trace.finished = true;
  h5::QuietErrors quiet;
  if ((impl.trace.broken || impl.messages_lost) && complete) {
    record("cannot finish '" + impl.trace.partial_path + "' as complete: an earlier write failed");
  }
  if (!impl.trace.broken && !impl.messages_lost) {
    try {
      // A run that recorded no full chunk writes its rows with chunks no larger than the table (the
      // /messages created at the first append has full-size chunks and no rows yet).
      if (impl.messages_started && !impl.message_columns.empty() &&
          impl.message_columns.front().rows() == 0) {
        impl.message_columns.clear();
        impl.messages.reset();
        impl.trace.reserve("write /messages", impl.message_bytes(impl.pending.size()));
        impl.create_messages(std::max<size_t>(impl.pending.size(), 1));
      }
      impl.write_messages(impl.pending, 0, impl.pending.size());
      impl.pending.clear();
      h5::write_attribute(impl.trace.meta.get(), "complete", int32_t{complete ? 1 : 0});
      impl.trace.flush_file();  // so that closing has nothing left to write
    } catch (const h5::Failure& failure) {
      impl.trace.broken = true;
      record(std::string("cannot finish '") + impl.trace.partial_path + "': " + failure.what());
    } catch (const OutputError& failure) {  // no disk space for the last rows: the file is still good
      record(failure.what());
    }
  }
  impl.close_file(record);
  impl.trace.release_reservation();
  if (!error.empty()) {
    impl.trace.unlock();
    throw OutputError(error + "; the trace so far (complete = 0) is kept in '" + impl.trace.partial_path +
                      "'");
  }
  try {
    impl.trace.publish(complete);
  } catch (...) {
    impl.trace.unlock();
    throw;
  }
  impl.trace.unlock();
}

const std::string& TraceWriter::final_path() const { return impl_->trace.final_path; }

const std::string& TraceWriter::path() const { return impl_->trace.path; }

}  // namespace citytwin::output
