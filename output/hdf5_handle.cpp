#include "output/hdf5_handle.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <utility>

namespace citytwin::output::h5 {
namespace {

// H5Ewalk2 visits the stack from the innermost error (where the failure was detected) outwards; the
// innermost description is the most specific ("unable to open file: ... errno = 28 ...").
herr_t keep_innermost(unsigned n, const H5E_error2_t* error, void* client_data) {
  if (n == 0 && error != nullptr && error->desc != nullptr) {
    *static_cast<std::string*>(client_data) = error->desc;
  }
  return 0;
}

}  // namespace

void fail(const std::string& operation) {
  std::string detail;
  (void)H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_innermost, &detail);
  if (detail.empty()) detail = "unknown HDF5 error";
  // System call failures read "file write failed: time = ..., filename = ..., errno = 28, error
  // message = 'No space left on device', buf = ...": keep the summary and the system's message.
  const std::string marker = "error message = '";
  if (const size_t at = detail.find(marker); at != std::string::npos) {
    const size_t begin = at + marker.size();
    const size_t end = detail.find('\'', begin);
    detail = detail.substr(0, detail.find(':')) + " (" + detail.substr(begin, end - begin) + ")";
  }
  throw Failure(operation + ": " + detail);
}

herr_t check(herr_t status, const std::string& operation) {
  if (status < 0) fail(operation);
  return status;
}

Handle::Handle(hid_t id, Closer closer, const std::string& operation) : id_(id), closer_(closer) {
  if (id_ < 0) fail(operation);
}

Handle::Handle(Handle&& other) noexcept
    : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    reset();
    id_ = std::exchange(other.id_, H5I_INVALID_HID);
    closer_ = other.closer_;
  }
  return *this;
}

herr_t Handle::close() {
  herr_t status = 0;
  if (id_ >= 0 && closer_ != nullptr) status = closer_(id_);
  id_ = H5I_INVALID_HID;
  return status;
}

bool detach_from_disk(hid_t file) {
  const hid_t fapl = H5Fget_access_plist(file);
  if (fapl < 0) return false;
  const bool posix = H5Pget_driver(fapl) == H5FD_SEC2;
  (void)H5Pclose(fapl);
  void* handle = nullptr;
  if (!posix || H5Fget_vfd_handle(file, H5P_DEFAULT, &handle) < 0 || handle == nullptr) return false;
  const int fd = *static_cast<int*>(handle);  // the sec2 driver's handle is its descriptor
  const int scratch = ::memfd_create("citytwin-detached-hdf5", MFD_CLOEXEC);
  if (scratch < 0) return false;
  const bool detached = ::dup2(scratch, fd) >= 0;
  ::close(scratch);
  return detached;
}

QuietErrors::QuietErrors() {
  saved_ = H5Eget_auto2(H5E_DEFAULT, &saved_func_, &saved_data_) >= 0;
  (void)H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

QuietErrors::~QuietErrors() {
  if (saved_) (void)H5Eset_auto2(H5E_DEFAULT, saved_func_, saved_data_);
}

std::string object_path(hid_t object) {
  const ssize_t length = H5Iget_name(object, nullptr, 0);
  if (length <= 0) return "?";
  std::string path(static_cast<size_t>(length) + 1, '\0');
  (void)H5Iget_name(object, path.data(), path.size());
  path.resize(static_cast<size_t>(length));
  return path;
}

std::string child_path(hid_t parent, const std::string& name) {
  std::string path = object_path(parent);
  if (path.empty() || path.back() != '/') path += '/';
  return path + name;
}

Handle string_type(size_t size) {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose, "copy string type");
  check(H5Tset_size(type.get(), size), "set string size");
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "set string character set");
  if (size != H5T_VARIABLE) check(H5Tset_strpad(type.get(), H5T_STR_NULLPAD), "set string padding");
  return type;
}

}  // namespace citytwin::output::h5
