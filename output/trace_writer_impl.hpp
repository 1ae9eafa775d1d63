// Inside output/'s TraceWriter (trace_writer.cpp: the file's life and /messages; trace_tables.cpp: the
// static tables, /kpi, /timeseries and /drivers): its state (TraceWriter::Impl) and the one list of the
// /messages columns. Not part of the library's interface.
#pragma once

#include <hdf5_hl.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "output/hdf5_columns.hpp"
#include "output/hdf5_handle.hpp"
#include "output/kpi_columns.hpp"
#include "output/trace_file.hpp"
#include "output/trace_writer.hpp"
#include "output/writer_thread.hpp"

namespace citytwin::output {
namespace trace_detail {

using h5::ColumnInfo;

// The /messages columns' names, units and descriptions, in schema order. Built once: every batch the
// message log hands over walks them (buffered, then cleared), and their descriptions live on the heap.
inline const std::array<ColumnInfo, 16>& message_column_infos() {
  static const std::array<ColumnInfo, 16> infos{{
      {"device", "", "device id (see /devices/id)"},
      {"t_tx_s", "s", "start of the transmission, simulated time since the run start"},
      {"radio", "", "radio technology: 0 LoRaWAN, 1 NB-IoT, 2 Wi-Fi", radio_codes()},
      {"sf", "", "LoRa spreading factor (7..12)"},
      {"channel_hz", "Hz", "centre frequency of the uplink channel", {}, false},
      {"tx_power_dbm", "dBm", "transmit power"},
      {"airtime_s", "s", "time on air of the frame", {}, false},
      {"gateways_heard", "", "number of gateways that received the frame intact"},
      {"rssi_dbm", "dBm", "received power at the strongest gateway in range; NaN when none"},
      {"snr_db", "dB", "signal-to-noise ratio at that gateway; NaN when none"},
      {"retransmissions", "", "how many times this report was sent before (0: first attempt)"},
      {"delivered", "", "1 when the uplink reached the network server, else 0"},
      {"fail_reason", "", "why it was not delivered (0 none: delivered; see SCHEMA.md)", fail_reason_codes()},
      {"failure", "",
       "the wired failure that lost it, or held it in a gateway's buffer (row of /kpi/failures); -1 none"},
      {"t_delivered_s", "s",
       "time the network server finished processing the first copy of the frame; NaN when not delivered"},
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
    return uint64_t{h5::string_width(column)} * column.size();
  } else {
    return uint64_t{sizeof(T)} * column.size();
  }
}
// The bytes of a coded column as written: rows x the longest value (an upper bound of the width written).
inline uint64_t bytes_of(const CodedStrings& column) {
  return uint64_t{h5::string_width(column.values)} * column.size();
}

inline void check_name(const std::string& name, const char* what) {
  if (name.empty() || name == "." || name.find('/') != std::string::npos) {
    throw std::invalid_argument(std::string("invalid HDF5 name for ") + what + ": '" + name + "'");
  }
}

template <class Column>  // a std::vector or CodedStrings
void check_length(const Column& column, size_t rows, const std::string& table, const std::string& name) {
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

}  // namespace trace_detail

struct TraceWriter::Impl {
  using ColumnInfo = h5::ColumnInfo;

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
    trace_detail::for_each_message_column(
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
    trace_detail::for_each_message_column(
        [&](const ColumnInfo& info, const auto& column) {
          using T = typename std::decay_t<decltype(column)>::value_type;
          message_columns.emplace_back(messages.get(), info, h5::numeric_type<T>(), chunk_rows,
                                       deflate_level);
        },
        pending);
    // The rows are in time order: xarray indexes /messages by t_tx_s (netCDF's coordinate).
    h5::index_rows(messages.get(), message_columns[1].id());
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
    trace_detail::for_each_message_column(
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
    trace_detail::for_each_message_column(
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
      trace_detail::for_each_message_column(
          [r](const ColumnInfo&, auto& to, const auto& from) { to.push_back(from[r]); }, kept, batch);
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
      throw trace_detail::BrokenWrite(std::string("cannot write /messages in '") + trace.partial_path +
                                      "': " + failure.what());
    }
  }

  // Runs `call` on the writer thread's queue; the writer's error, when it throws one, becomes the
  // caller's: no row may follow the failed chunk, and after a failed HDF5 write the file is broken.
  template <class F>
  void with_writer(F&& call) {
    try {
      call();
    } catch (const trace_detail::BrokenWrite&) {
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

}  // namespace citytwin::output
