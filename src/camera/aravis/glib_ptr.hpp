// Ownership of GLib/Aravis objects in C++ types: GObjectPtr<T> unrefs, GErrorPtr frees, and
// take_error() turns an Aravis call's GError into a readable message. Internal to the driver.
#pragma once

#include <arv.h>

#include <memory>
#include <string>

namespace daq::camera::aravis_detail {

struct GObjectUnref {
  void operator()(void* object) const noexcept { g_object_unref(object); }
};
template <class T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;

struct GErrorFree {
  void operator()(GError* error) const noexcept { g_error_free(error); }
};
using GErrorPtr = std::unique_ptr<GError, GErrorFree>;

/// An out-parameter for Aravis calls: `arv_x(..., error.out())`, then `if (error) ...`.
class ErrorSlot {
 public:
  GError** out() noexcept { return &raw_; }
  explicit operator bool() const noexcept { return raw_ != nullptr; }
  /// The message ("unknown error" when none) and clears the slot.
  std::string take() {
    GErrorPtr owned(raw_);
    raw_ = nullptr;
    return owned && owned->message != nullptr ? owned->message : "unknown error";
  }
  ErrorSlot() = default;
  ErrorSlot(const ErrorSlot&) = delete;
  ErrorSlot& operator=(const ErrorSlot&) = delete;
  ~ErrorSlot() {
    if (raw_ != nullptr) g_error_free(raw_);
  }

 private:
  GError* raw_ = nullptr;
};

/// Strings Aravis returns with g_free ownership (dup_* calls return arrays of borrowed strings).
struct GFree {
  void operator()(void* p) const noexcept { g_free(p); }
};
template <class T>
using GFreePtr = std::unique_ptr<T, GFree>;

}  // namespace daq::camera::aravis_detail
