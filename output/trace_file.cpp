#include "output/trace_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "output/hdf5_columns.hpp"

namespace citytwin::output {
namespace {

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

}  // namespace

void TraceFile::unlock() {
  if (lock_fd >= 0) ::close(lock_fd);
  lock_fd = -1;
}

void TraceFile::reserve(const char* operation, uint64_t bytes) {
  struct stat info {};
  if (lock_fd < 0 || ::fstat(lock_fd, &info) != 0) return;
  const uint64_t end = static_cast<uint64_t>(info.st_size);
  const uint64_t needed = end + bytes + kMetadataHeadroomBytes;
  // The file size limit (ulimit -f) is met the same way: fallocate with FALLOC_FL_KEEP_SIZE does
  // not check it, and HDF5's write would fail with EFBIG (or the process die of SIGXFSZ).
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_FSIZE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && needed > limit.rlim_cur) {
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
    if (::fallocate(lock_fd, FALLOC_FL_KEEP_SIZE, static_cast<off_t>(end), static_cast<off_t>(length)) == 0) {
      reserved_end = end + length;
      return;
    }
    if (errno == EOPNOTSUPP || errno == ENOSYS || errno == EINVAL) return;
    if (errno != ENOSPC && errno != EDQUOT) break;
  }
  throw OutputError(std::string("cannot ") + operation + " in '" + partial_path + "' (" + errno_text(errno) +
                    ")");
}

void TraceFile::release_reservation() {
  struct stat info {};
  if (lock_fd < 0 || reserved_end == 0 || ::fstat(lock_fd, &info) != 0) return;
  if (::ftruncate(lock_fd, info.st_size + 1) == 0) (void)::ftruncate(lock_fd, info.st_size);
  reserved_end = 0;
}

void TraceFile::publish(bool complete) {
  struct stat info {};
  const bool exists = ::lstat(final_path.c_str(), &info) == 0;
  if (exists && !S_ISREG(info.st_mode)) {
    throw OutputError("cannot rename '" + partial_path + "' to '" + final_path + "': it became " +
                      file_kind(info.st_mode) + " during the run; the trace is kept in '" + partial_path +
                      "'");
  }
  if (complete && overwrite) {
    if (std::rename(partial_path.c_str(), final_path.c_str()) != 0) {
      throw OutputError("cannot rename '" + partial_path + "' to '" + final_path + "' (" + errno_text(errno) +
                        ")");
    }
  } else if (!rename_no_replace(partial_path, final_path)) {
    if (errno != EEXIST) {
      throw OutputError("cannot rename '" + partial_path + "' to '" + final_path + "' (" + errno_text(errno) +
                        ")");
    }
    if (complete) {
      throw OutputError("'" + final_path + "' was created by someone else during the run; this run's " +
                        "trace is kept in '" + partial_path + "'");
    }
    return;  // a stopped run next to an existing trace: both are kept
  }
  path = final_path;
}

void TraceFile::open(std::string final_path_in, const RunMeta& run, bool overwrite_in) {
  final_path = std::move(final_path_in);
  partial_path = final_path + ".partial";
  path = partial_path;
  overwrite = overwrite_in;
  check_final_path(final_path, overwrite);
  lock_fd = create_locked_partial(final_path, partial_path, overwrite);
  const uint64_t meta_bytes = run.scenario_text.size();
  try {
    check_room(lock_fd, final_path, meta_bytes + (1 << 20));
  } catch (const OutputError&) {
    (void)::unlink(partial_path.c_str());  // locked by us: no other run's file
    throw;
  }

  h5::QuietErrors quiet;
  try {
    h5::Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "create file access properties");
    // The writer holds its own lock on the file (create_locked_partial); HDF5's would conflict with it.
    h5::check(H5Pset_file_locking(fapl.get(), false, true), "set file locking");
    // The 1.8 file format at least: from 1.8 on, large attributes go to dense storage; the original format
    // caps one at 64 KiB (a dimension scale's REFERENCE_LIST passes it at 4,085 datasets: schema 2's
    // /timeseries, one dataset per wired link, failed there at a 10 M-device city's 10,000 gateways).
    // Readable by HDF5 >= 1.8 (h5py, netCDF-4, xarray).
    h5::check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V18, H5F_LIBVER_LATEST), "set the file format");
    file = h5::Handle(H5Fcreate(partial_path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), H5Fclose,
                      "create file");
    reserve("create the file", meta_bytes);
    // No description attribute on /meta and /kpi: every attribute there is data.
    meta = h5::create_group(file.get(), "meta", "");
    const hid_t group = meta.get();
    h5::write_attribute(group, "schema_version", int32_t{kSchemaVersion});
    h5::write_attribute(group, "citytwin_version", run.citytwin_version);
    h5::write_attribute(group, "seed", uint64_t{run.seed});
    h5::write_attribute(group, "threads", int32_t{run.threads});
    h5::write_attribute(group, "scenario_source", run.scenario_source);
    h5::write_attribute(group, "scenario", run.scenario_text);
    std::string overrides;
    for (const auto& line : run.overrides) overrides += line + "\n";
    h5::write_attribute(group, "overrides", overrides);
    h5::write_attribute(group, "duration_s", run.duration_s);
    if (!run.run_id.empty()) h5::write_attribute(group, "run_id", run.run_id);
    h5::write_attribute(group, "trace", run.trace);
    h5::write_attribute(group, "trace_every", int64_t{run.trace_every});
    h5::write_attribute(group, "trace_compression", static_cast<int32_t>(run.trace_compression));
    h5::write_attribute(group, "radio_receptions", run.radio_receptions);
    h5::write_attribute(group, "radio_strongest_k", static_cast<int32_t>(run.radio_strongest_k));
    h5::ColumnInfo warnings;
    warnings.name = "warnings";
    warnings.description = "what the scenario asks that the run silently does not do, one per row";
    const h5::Handle listed = h5::write_column(group, warnings, run.warnings);
    // Its own dimension (netCDF's coordinate variable), so that xarray opens /meta without phony_dims.
    h5::attach_dimension_scale(listed.get(), "warnings", {});
    h5::write_attribute(group, "complete", int32_t{0});
    kpi = h5::create_group(file.get(), "kpi", "");
    flush_file();
  } catch (const std::exception& error) {
    if (file.valid()) h5::detach_from_disk(file.get());  // see finish()
    kpi.reset();
    meta.reset();
    file.reset();
    (void)::unlink(partial_path.c_str());
    if (dynamic_cast<const OutputError*>(&error) != nullptr) throw;
    throw OutputError("cannot create output file '" + final_path + "' (" + error.what() + ")");
  }
}

}  // namespace citytwin::output
