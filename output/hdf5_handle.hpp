// Small RAII and error helpers over the HDF5 C API, private to output/. HDF5 reports failures through
// negative return values and an error stack; these helpers turn them into exceptions carrying the
// failed operation and HDF5's own explanation, which the trace writer wraps with the file's path.
#pragma once

#include <hdf5.h>

#include <stdexcept>
#include <string>

namespace citytwin::output::h5 {

// An HDF5 call failed. what() is "<operation>: <innermost HDF5 error description>".
class Failure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws Failure for `operation`, with the description HDF5 left on the error stack.
[[noreturn]] void fail(const std::string& operation);

// Returns `status` if it is not negative, else throws Failure for `operation`.
herr_t check(herr_t status, const std::string& operation);

// An owned HDF5 identifier (file, group, dataset, dataspace, datatype, attribute, property list),
// closed with the function given at construction.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);

  Handle() = default;
  // Takes ownership of `id`, or throws Failure for `operation` when `id` is negative.
  Handle(hid_t id, Closer closer, const std::string& operation);
  ~Handle() { reset(); }
  Handle(Handle&& other) noexcept;
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  // Closes now and reports the close status (closing a file writes its remaining metadata).
  herr_t close();
  // Closes, ignoring failure (used on error paths and in destructors).
  void reset() noexcept { (void)close(); }

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

// After a failed write (disk full, file size limit, I/O error), points the file's descriptor at an
// anonymous in-memory file, so that the flush done by the final close succeeds; the file on disk keeps
// what the last successful H5Fflush wrote. Why: when a close fails to flush, HDF5 1.10 frees the file
// but keeps its id, and the process crashes at exit when the library closes that id again
// (HDFFV-11052, fixed in HDF5 1.14.1; h5py issue #914 shows the same after "no space left").
// Returns false (and changes nothing) if the file does not use the POSIX (sec2) driver.
bool detach_from_disk(hid_t file);

// Turns off HDF5's automatic printing of its error stack to stderr for the lifetime of the object
// and restores the previous setting afterwards, so the writer reports failures only by exception and
// does not change the process-wide setting other HDF5 users (h5py, ...) rely on.
class QuietErrors {
 public:
  QuietErrors();
  ~QuietErrors();
  QuietErrors(const QuietErrors&) = delete;
  QuietErrors& operator=(const QuietErrors&) = delete;

 private:
  H5E_auto2_t saved_func_ = nullptr;
  void* saved_data_ = nullptr;
  bool saved_ = false;
};

// The path of an open object ("/messages"), for error messages. Call it before the operation that may
// fail: any HDF5 call clears the error stack that fail() reads.
std::string object_path(hid_t object);
// The path of `name` under the open object `parent` ("/kpi" and "by_district": "/kpi/by_district"), for
// error messages, as object_path.
std::string child_path(hid_t parent, const std::string& name);

// A UTF-8 string type of `size` bytes, null-padded, or of variable length (H5T_VARIABLE).
Handle string_type(size_t size);

}  // namespace citytwin::output::h5
