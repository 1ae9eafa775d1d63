#include "output/hdf5_handle.hpp"

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

QuietErrors::QuietErrors() {
  saved_ = H5Eget_auto2(H5E_DEFAULT, &saved_func_, &saved_data_) >= 0;
  (void)H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

QuietErrors::~QuietErrors() {
  if (saved_) (void)H5Eset_auto2(H5E_DEFAULT, saved_func_, saved_data_);
}

}  // namespace citytwin::output::h5
