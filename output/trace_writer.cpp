#include "output/trace_writer.hpp"

#include <fcntl.h>
#include <hdf5_hl.h>
#include <sys/file.h>
#include <sys/resource.h>
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
  const std::string message = "cannot create output file '" + final_path + "' (" + errno_text(error) + ")";
  if (error == ENOSPC || error == EDQUOT || error == EIO) throw OutputError(message);
  throw OutputPathError(message);
}

const char* file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISLNK(mode)) return "a symbolic link";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// The final path may be absent, or a regular file when overwriting. Anything else is refused: rename(2)
// would replace a device node, FIFO or symbolic link itself (as root, "-o /dev/null" would replace
// /dev/null), or fail on a directory after the whole run.
void check_final_path(const std::string& final_path, bool overwrite) {
  struct stat info {};
  if (::lstat(final_path.c_str(), &info) != 0) {
    if (errno == ENOENT) return;
    throw_cannot_create(final_path, errno);
  }
  if (S_ISDIR(info.st_mode)) throw_cannot_create(final_path, EISDIR);
  if (!S_ISREG(info.st_mode)) {
    throw OutputPathError("refusing to write the trace to '" + final_path + "': it is " +
                          file_kind(info.st_mode) + ", not a regular file");
  }
  if (!overwrite) {
    throw OutputPathError("output file '" + final_path +
                          "' already exists; replacing it must be asked for (--overwrite, or "
                          "overwrite=True in Python); it is kept until the new trace is complete");
  }
}

// Creates (or, with `overwrite`, takes over a stale) "<path>.partial" and locks it for the lifetime of
// the writer; returns the locked descriptor. Plain POSIX calls first: HDF5's own failure message is
// long and buried in its error stack, while "No such file or directory" is what the user needs to
// see. The lock is ours, not HDF5's (HDF5's file locking is turned off, since flock locks of two
// descriptors of one file conflict even within a process).
int create_locked_partial(const std::string& final_path, const std::string& partial_path, bool overwrite) {
  constexpr int kFlags = O_RDWR | O_CLOEXEC | O_NOFOLLOW;
  int fd = ::open(partial_path.c_str(), kFlags | O_CREAT | O_EXCL, 0666);
  const bool existed = fd < 0 && errno == EEXIST;
  if (existed) fd = ::open(partial_path.c_str(), kFlags | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ELOOP) {
      throw OutputPathError("refusing to write '" + partial_path + "': it is a symbolic link");
    }
    throw_cannot_create(final_path, errno);
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    throw OutputPathError("refusing to write '" + partial_path + "': it is " + file_kind(info.st_mode) +
                          ", not a regular file");
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(fd);
    if (error == EWOULDBLOCK) {
      throw OutputPathError("another run is writing '" + partial_path + "' (the same -o path)");
    }
    throw_cannot_create(final_path, error);
  }
  if (existed && !overwrite) {
    ::close(fd);
    throw OutputPathError("'" + partial_path +
                          "' is left over from an earlier run that was killed (it holds that run's trace "
                          "up to its last flush); move it away, or ask for --overwrite to replace it");
  }
  return fd;
}

// Refuses a file system without room for /meta before HDF5 creates the file: a failed H5Fcreate
// leaves HDF5 1.10 with state it cannot release at exit ("HDF5: infinite loop closing library").
void check_room(int fd, const std::string& final_path, uint64_t bytes) {
  struct statvfs space {};
  if (::fstatvfs(fd, &space) == 0 && uint64_t{space.f_bavail} * space.f_frsize < bytes) {
    throw_cannot_create(final_path, ENOSPC);
  }
}

// rename(2) that fails with EEXIST instead of replacing `to`; link(2) + unlink(2) where the file
// system does not support RENAME_NOREPLACE.
bool rename_no_replace(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return true;
  if (errno != EINVAL && errno != ENOSYS) return false;
  if (::link(from.c_str(), to.c_str()) != 0) return false;
  (void)::unlink(from.c_str());
  return true;
}

// Disk space for the metadata a write adds (object headers, B-tree nodes, heaps), on top of its data.
constexpr uint64_t kMetadataHeadroomBytes = 256 << 10;

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
  std::string final_path;
  std::string partial_path;
  std::string path;  // where the trace is: partial_path, then final_path once renamed
  bool overwrite = false;
  int lock_fd = -1;           // the .partial file, locked (flock) while this writer owns it
  uint64_t reserved_end = 0;  // file offset up to which disk space is reserved (fallocate)
  h5::Handle file;
  h5::Handle meta;
  h5::Handle kpi;
  h5::Handle messages;
  std::vector<h5::AppendableColumn> message_columns;  // created by the first append_messages
  MessageBatch pending;                               // fewer than kMessageChunkRows rows
  uint64_t messages_appended = 0;
  bool messages_started = false;
  bool finished = false;
  bool broken = false;      // an HDF5 write failed: the tables may be ragged, write nothing more
  bool keep_none = false;   // run.trace: summary
  uint32_t keep_every = 1;  // run.trace: sample (1: every row)
  MessageBatch kept;        // the rows a sampled batch keeps

  ~Impl() { unlock(); }

  // Closes the .partial file's descriptor, which releases the lock.
  void unlock() {
    if (lock_fd >= 0) ::close(lock_fd);
    lock_fd = -1;
  }

  // Reserves disk space for `bytes` more (plus metadata headroom) beyond the file's current end, so
  // that a full disk (or quota) is met here, before HDF5 writes: HDF5 1.10 cannot recover from a
  // failed write (see h5::detach_from_disk), while a refused reservation leaves the file as the last
  // flush left it, still good to close. The reservation does not change the file's size
  // (FALLOC_FL_KEEP_SIZE); what is left unused is released at the end. File systems without fallocate
  // are written without a reservation.
  void reserve(const char* operation, uint64_t bytes) {
    struct stat info {};
    if (lock_fd < 0 || ::fstat(lock_fd, &info) != 0) return;
    const uint64_t end = static_cast<uint64_t>(info.st_size);
    const uint64_t needed = end + bytes + kMetadataHeadroomBytes;
    // The file size limit (ulimit -f) is met the same way: fallocate with FALLOC_FL_KEEP_SIZE does
    // not check it, and HDF5's write would fail with EFBIG (or the process die of SIGXFSZ).
    struct rlimit limit {};
    if (::getrlimit(RLIMIT_FSIZE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
        needed > limit.rlim_cur) {
      throw OutputError(std::string("cannot ") + operation + " in '" + partial_path + "' (" +
                        errno_text(EFBIG) + ": the file size limit is " + std::to_string(limit.rlim_cur) +
                        " bytes)");
    }
    if (needed <= reserved_end) return;
    // Ask for some slack so that small writes do not each cost a system call; without it if the disk
    // is nearly full.
    constexpr uint64_t kSlackBytes = 8 << 20;
    for (const uint64_t slack : {kSlackBytes, uint64_t{0}}) {
      const uint64_t length = needed - end + slack;
      if (::fallocate(lock_fd, FALLOC_FL_KEEP_SIZE, static_cast<off_t>(end), static_cast<off_t>(length)) ==
          0) {
        reserved_end = end + length;
        return;
      }
      if (errno == EOPNOTSUPP || errno == ENOSYS || errno == EINVAL) return;
      if (errno != ENOSPC && errno != EDQUOT) break;
    }
    throw OutputError(std::string("cannot ") + operation + " in '" + partial_path + "' (" +
                      errno_text(errno) + ")");
  }

  // Gives back the reserved space beyond the end of the file. Punching a hole there is ignored by ext4
  // (nothing to punch past the end), but shrinking the file frees every block beyond its new end: grow
  // it by a byte and shrink it back.
  void release_reservation() {
    struct stat info {};
    if (lock_fd < 0 || reserved_end == 0 || ::fstat(lock_fd, &info) != 0) return;
    if (::ftruncate(lock_fd, info.st_size + 1) == 0) (void)::ftruncate(lock_fd, info.st_size);
    reserved_end = 0;
  }

  // Runs `body` after reserving `bytes` of disk space for it, turning HDF5 failures into OutputError
  // naming the operation and the file.
  template <class F>
  void guarded(const char* operation, uint64_t bytes, F&& body) {
    if (finished) {
      throw OutputError(std::string("cannot ") + operation + ": '" + final_path + "' is finished");
    }
    if (broken) {
      throw OutputError(std::string("cannot ") + operation + ": an earlier write to '" + partial_path +
                        "' failed");
    }
    reserve(operation, bytes);
    h5::QuietErrors quiet;
    try {
      body();
    } catch (const h5::Failure& failure) {
      broken = true;
      throw OutputError(std::string("cannot ") + operation + " in '" + partial_path + "': " + failure.what());
    }
  }

  void flush_file() { h5::check(H5Fflush(file.get(), H5F_SCOPE_LOCAL), "flush file"); }

  // Closes every HDF5 object of the file. After a failed write the file cannot be flushed; it is
  // detached first so that closing it is clean: the data on disk is then what the last successful
  // flush left, with /meta complete = 0.
  template <class Record>
  void close_file(Record&& record) {
    if (broken && file.valid() && !h5::detach_from_disk(file.get())) {
      record("cannot close '" + partial_path + "' after a failed write");
    }
    for (auto& column : message_columns) {
      if (column.close() < 0) record("cannot close a /messages dataset in '" + partial_path + "'");
    }
    message_columns.clear();
    messages.reset();
    kpi.reset();
    meta.reset();
    if (file.close() < 0) record("cannot close '" + partial_path + "'");
  }
  void close_file() {
    h5::QuietErrors quiet;
    close_file([](const std::string&) {});
  }

  // Gives the finished trace its final name. A complete trace replaces an existing regular file only
  // when overwriting was asked for; an incomplete one replaces nothing and otherwise keeps its .partial
  // name. rename(2) is atomic: a reader sees the old file or the new one, never a mix.
  void publish(bool complete) {
    struct stat info {};
    const bool exists = ::lstat(final_path.c_str(), &info) == 0;
    if (exists && !S_ISREG(info.st_mode)) {
      throw OutputError("cannot rename '" + partial_path + "' to '" + final_path + "': it became " +
                        file_kind(info.st_mode) + " during the run; the trace is kept in '" + partial_path +
                        "'");
    }
    if (complete && overwrite) {
      if (std::rename(partial_path.c_str(), final_path.c_str()) != 0) {
        throw OutputError("cannot rename '" + partial_path + "' to '" + final_path + "' (" +
                          errno_text(errno) + ")");
      }
    } else if (!rename_no_replace(partial_path, final_path)) {
      if (errno != EEXIST) {
        throw OutputError("cannot rename '" + partial_path + "' to '" + final_path + "' (" +
                          errno_text(errno) + ")");
      }
      if (complete) {
        throw OutputError("'" + final_path + "' was created by someone else during the run; this run's " +
                          "trace is kept in '" + partial_path + "'");
      }
      return;  // a stopped run next to an existing trace: both are kept
    }
    path = final_path;
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
    reserve("write /messages", message_bytes(count));
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

TraceWriter::TraceWriter(std::string final_path, const RunMeta& meta, bool overwrite)
    : impl_(std::make_unique<Impl>()) {
  Impl& impl = *impl_;
  impl.final_path = std::move(final_path);
  impl.partial_path = impl.final_path + ".partial";
  impl.path = impl.partial_path;
  impl.overwrite = overwrite;
  if ((meta.trace != "full" && meta.trace != "sample" && meta.trace != "summary") || meta.trace_every < 1)
    throw OutputError("trace level '" + meta.trace + "' (every " + std::to_string(meta.trace_every) +
                      "): expected full, sample or summary, every >= 1");
  impl.keep_none = meta.trace == "summary";
  impl.keep_every = meta.trace == "sample" ? meta.trace_every : 1;
  check_final_path(impl.final_path, overwrite);
  impl.lock_fd = create_locked_partial(impl.final_path, impl.partial_path, overwrite);
  const uint64_t meta_bytes = meta.scenario_text.size();
  try {
    check_room(impl.lock_fd, impl.final_path, meta_bytes + (1 << 20));
  } catch (const OutputError&) {
    (void)::unlink(impl.partial_path.c_str());  // locked by us: no other run's file
    throw;
  }

  h5::QuietErrors quiet;
  try {
    h5::Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "create file access properties");
    // The writer holds its own lock on the file (create_locked_partial); HDF5's would conflict with it.
    h5::check(H5Pset_file_locking(fapl.get(), false, true), "set file locking");
    impl.file = h5::Handle(H5Fcreate(impl.partial_path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()),
                           H5Fclose, "create file");
    impl.reserve("create the file", meta_bytes);
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
    if (!meta.run_id.empty()) h5::write_attribute(group, "run_id", meta.run_id);
    h5::write_attribute(group, "trace", meta.trace);
    h5::write_attribute(group, "trace_every", int64_t{meta.trace_every});
    h5::ColumnInfo warnings;
    warnings.name = "warnings";
    warnings.description = "what the scenario asks that the run silently does not do, one per row";
    h5::write_column(group, warnings, meta.warnings);
    h5::write_attribute(group, "complete", int32_t{0});
    impl.kpi = h5::create_group(impl.file.get(), "kpi", "");
    impl.flush_file();
  } catch (const std::exception& error) {
    if (impl.file.valid()) h5::detach_from_disk(impl.file.get());  // see finish()
    impl.kpi.reset();
    impl.meta.reset();
    impl.file.reset();
    (void)::unlink(impl.partial_path.c_str());
    if (dynamic_cast<const OutputError*>(&error) != nullptr) throw;
    throw OutputError("cannot create output file '" + impl.final_path + "' (" + error.what() + ")");
  }
}

TraceWriter::~TraceWriter() {
  if (impl_->finished) return;
  // The run failed (an exception is unwinding the stack, usually): write the rows still buffered if the
  // file is sound, close it with /meta complete = 0, and keep its .partial name.
  Impl& impl = *impl_;
  if (!impl.broken) {
    h5::QuietErrors quiet;
    try {
      impl.write_messages(impl.pending, 0, impl.pending.size());
    } catch (const h5::Failure&) {
      impl.broken = true;
    } catch (const OutputError&) {  // no room for them: the file is as the last flush left it
    }
  }
  impl.finished = true;
  impl.close_file();
  impl.release_reservation();
  impl.unlock();
}

void TraceWriter::write_devices(const DeviceTable& devices) {
  const size_t rows = devices.id.size();
  check_length(devices.population, rows, "devices", "population");
  check_length(devices.type, rows, "devices", "type");
  check_length(devices.district, rows, "devices", "district");
  check_length(devices.x_m, rows, "devices", "x_m");
  check_length(devices.y_m, rows, "devices", "y_m");
  const uint64_t bytes = bytes_of(devices.id) + bytes_of(devices.population) + bytes_of(devices.type) +
                         bytes_of(devices.district) + bytes_of(devices.x_m) + bytes_of(devices.y_m);
  impl_->guarded("write /devices", bytes, [&] {
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
  const uint64_t bytes = bytes_of(gateways.id) + bytes_of(gateways.name) + bytes_of(gateways.district) +
                         bytes_of(gateways.x_m) + bytes_of(gateways.y_m);
  impl_->guarded("write /gateways", bytes, [&] {
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
  impl_->guarded("write /messages", 0, [&] {
    // /messages exists from the first append on, so that a killed run's .partial has it (empty)
    // before its first full chunk.
    if (!impl_->messages_started) {
      impl_->create_messages(kMessageChunkRows);
      impl_->flush_file();
    }
    impl_->messages_started = true;
    if (impl_->keep_none) return;
    const MessageBatch* rows_kept = &batch;
    if (impl_->keep_every > 1) {
      MessageBatch& kept = impl_->kept;
      kept.clear();
      for (size_t r = 0; r < rows; ++r) {
        if (batch.device[r] % impl_->keep_every != 0) continue;
        for_each_message_column([r](const ColumnInfo&, auto& to, const auto& from) { to.push_back(from[r]); },
                                kept, batch);
      }
      rows_kept = &kept;
    }
    impl_->append(*rows_kept);
    impl_->messages_appended += rows_kept->size();
  });
}

uint64_t TraceWriter::messages_written() const { return impl_->messages_appended; }

void TraceWriter::write_kpis(const KpiList& kpis) {
  for (const auto& [name, value] : kpis) check_name(name, "a KPI");
  impl_->guarded("write /kpi", kpis.size() * 64, [&] {
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
  uint64_t bytes = bytes_of(table.keys);
  for (const auto& [column, values] : table.columns) bytes += bytes_of(values);
  impl_->guarded("write /kpi table", bytes, [&] {
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
  uint64_t bytes = bytes_of(series.t_s);
  for (const auto& [column, values] : series.columns) bytes += bytes_of(values);
  impl_->guarded("write /timeseries", bytes, [&] {
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

void TraceWriter::write_drivers(const DriverTable& drivers) {
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
  impl_->guarded("write /drivers", bytes, [&] {
    h5::Handle group = h5::create_group(impl_->file.get(), "drivers",
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
    impl_->flush_file();
  });
}

void TraceWriter::finish(bool complete) {
  Impl& impl = *impl_;
  if (impl.finished) return;
  impl.finished = true;
  h5::QuietErrors quiet;
  std::string error;  // the first failure; the file is still closed after it
  auto record = [&](const std::string& message) {
    if (error.empty()) error = message;
  };
  if (impl.broken && complete) {
    record("cannot finish '" + impl.partial_path + "' as complete: an earlier write failed");
  }
  if (!impl.broken) {
    try {
      // A run that recorded no full chunk writes its rows with chunks no larger than the table (the
      // /messages created at the first append has full-size chunks and no rows yet).
      if (impl.messages_started && !impl.message_columns.empty() &&
          impl.message_columns.front().rows() == 0) {
        impl.message_columns.clear();
        impl.messages.reset();
        impl.reserve("write /messages", impl.message_bytes(impl.pending.size()));
        impl.create_messages(std::max<size_t>(impl.pending.size(), 1));
      }
      impl.write_messages(impl.pending, 0, impl.pending.size());
      impl.pending.clear();
      h5::write_attribute(impl.meta.get(), "complete", int32_t{complete ? 1 : 0});
      impl.flush_file();  // so that closing has nothing left to write
    } catch (const h5::Failure& failure) {
      impl.broken = true;
      record(std::string("cannot finish '") + impl.partial_path + "': " + failure.what());
    } catch (const OutputError& failure) {  // no disk space for the last rows: the file is still good
      record(failure.what());
    }
  }
  impl.close_file(record);
  impl.release_reservation();
  if (!error.empty()) {
    impl.unlock();
    throw OutputError(error + "; the trace so far (complete = 0) is kept in '" + impl.partial_path + "'");
  }
  try {
    impl.publish(complete);
  } catch (...) {
    impl.unlock();
    throw;
  }
  impl.unlock();
}

const std::string& TraceWriter::final_path() const { return impl_->final_path; }

const std::string& TraceWriter::path() const { return impl_->path; }

}  // namespace citytwin::output
