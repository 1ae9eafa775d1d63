// The life of one trace file, whatever is written in it (the tables: trace_writer.cpp, trace_tables.cpp): the
// path is checked, "<path>.partial" is created, locked (flock) and given /meta, disk space is reserved before
// each write, HDF5 failures become OutputError, and the file is closed and renamed. What survives what
// is described in trace_writer.hpp. Private to output/.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "output/hdf5_handle.hpp"
#include "output/trace_writer.hpp"

namespace citytwin::output {

struct TraceFile {
  std::string final_path;
  std::string partial_path;
  std::string path;  // where the trace is: partial_path, then final_path once renamed
  bool overwrite = false;
  int lock_fd = -1;           // the .partial file, locked (flock) while this writer owns it
  uint64_t reserved_end = 0;  // file offset up to which disk space is reserved (fallocate)
  h5::Handle file;
  h5::Handle meta;
  h5::Handle kpi;
  bool finished = false;
  bool broken = false;  // an HDF5 write failed: the tables may be ragged, write nothing more

  TraceFile() = default;
  ~TraceFile() { unlock(); }
  TraceFile(const TraceFile&) = delete;
  TraceFile& operator=(const TraceFile&) = delete;

  // Refuses the path (OutputPathError; see TraceWriter's constructor), or creates "<final_path>.partial",
  // locks it, and writes /meta (complete = 0) and an empty /kpi, flushed.
  void open(std::string final_path, const RunMeta& run, bool overwrite);

  // Closes the .partial file's descriptor, which releases the lock.
  void unlock();

  // Reserves disk space for `bytes` more (plus metadata headroom) beyond the file's current end, so
  // that a full disk (or quota) is met here, before HDF5 writes: HDF5 1.10 cannot recover from a
  // failed write (see h5::detach_from_disk), while a refused reservation leaves the file as the last
  // flush left it, still good to close. The reservation does not change the file's size
  // (FALLOC_FL_KEEP_SIZE); what is left unused is released at the end. File systems without fallocate
  // are written without a reservation.
  void reserve(const char* operation, uint64_t bytes);

  // Gives back the reserved space beyond the end of the file. Punching a hole there is ignored by ext4
  // (nothing to punch past the end), but shrinking the file frees every block beyond its new end: grow
  // it by a byte and shrink it back.
  void release_reservation();

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

  // Closes every HDF5 object of the file: `close_tables(record)` closes those the tables hold open,
  // then /kpi, /meta and the file. After a failed write the file cannot be flushed; it is detached
  // first so that closing it is clean: the data on disk is then what the last successful flush left,
  // with /meta complete = 0.
  template <class Record, class CloseTables>
  void close_file(Record&& record, CloseTables&& close_tables) {
    if (broken && file.valid() && !h5::detach_from_disk(file.get())) {
      record("cannot close '" + partial_path + "' after a failed write");
    }
    close_tables(record);
    kpi.reset();
    meta.reset();
    if (file.close() < 0) record("cannot close '" + partial_path + "'");
  }

  // Gives the finished trace its final name. A complete trace replaces an existing regular file only
  // when overwriting was asked for; an incomplete one replaces nothing and otherwise keeps its .partial
  // name. rename(2) is atomic: a reader sees the old file or the new one, never a mix.
  void publish(bool complete);
};

}  // namespace citytwin::output
