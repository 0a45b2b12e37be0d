// hdf5_support.hpp — small HDF5 helpers shared by the writer and the reader (private).
//
// H5Handle closes an hid_t with the right H5?close; quiet_hdf5() stops HDF5 from printing its
// error stack on the calling thread (we report errors ourselves); hdf5_error_text() turns the
// thread's error stack into one readable line. Attribute helpers write scalar attributes,
// replacing an existing value of the same name.
// Thread-safety: libhdf5 here is built thread-safe (one global lock inside the library);
// error stacks are per thread. Allocation: these helpers allocate (not used per frame except
// H5Handle).
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daq/storage/frame_writer.hpp"
#include "daq/storage/storage_error.hpp"

namespace daq::storage::detail {

class H5Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  H5Handle() noexcept = default;
  H5Handle(hid_t id, Closer closer) noexcept : id_(id), closer_(closer) {}
  H5Handle(H5Handle&& other) noexcept
      : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}
  H5Handle& operator=(H5Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
      closer_ = other.closer_;
    }
    return *this;
  }
  H5Handle(const H5Handle&) = delete;
  H5Handle& operator=(const H5Handle&) = delete;
  ~H5Handle() { reset(); }

  hid_t get() const noexcept { return id_; }
  explicit operator bool() const noexcept { return id_ >= 0; }
  /// Closes now; returns false when the close failed (e.g. a flush at file close).
  bool close() noexcept {
    if (id_ < 0) return true;
    const bool ok = closer_(std::exchange(id_, H5I_INVALID_HID)) >= 0;
    return ok;
  }
  void reset() noexcept { close(); }

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

/// Turns off HDF5's automatic error printing for the calling thread (cheap after the first call).
void quiet_hdf5() noexcept;

/// The calling thread's HDF5 error stack as one line (most specific cause first); clears it.
std::string hdf5_error_text();

/// Wraps `id` or throws StorageError(kind) "<what>: <HDF5 error>" when it is negative.
H5Handle checked(hid_t id, H5Handle::Closer closer, StorageError::Kind kind,
                 std::string_view what);

/// Scalar attributes; an existing attribute of that name gets the new value (no new object is
/// created then, so this also works in SWMR write mode).
void write_attribute(hid_t object, const char* name, std::string_view value);
void write_attribute(hid_t object, const char* name, std::uint64_t value);
void write_attribute(hid_t object, const char* name, std::int64_t value);
void write_attribute(hid_t object, const char* name, double value);

/// Sets the (K, 2) u64 dataset `dataset` (named `name` in errors) to inclusive `ranges`.
/// Throws StorageError(write_failed).
void write_ranges(hid_t dataset, const std::vector<FrameRange>& ranges, const char* name);

}  // namespace daq::storage::detail
