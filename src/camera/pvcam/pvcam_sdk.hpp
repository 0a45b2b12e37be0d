// pvcam_sdk.hpp — the driver's thin layer over the PVCAM C API. Internal to daq_camera_pvcam.
//
// PvcamLibrary: pl_pvcam_init is process-wide; every source holds a reference and the last
// one out calls pl_pvcam_uninit. sdk_failure(): the one way SDK errors become text.
//
// Thread-safety: PvcamLibrary::acquire/release are serialised by a mutex. sdk_failure reads
// pl_error_code, which PVCAM keeps per calling thread: call it right after the failing call.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

// clang-format off
#include "master.h"  // must precede pvcam.h
#include "pvcam.h"
// clang-format on

namespace daq::pvcam {

/// A reference to the initialised PVCAM library.
class PvcamLibrary {
 public:
  /// Initialises PVCAM when no reference exists. Throws SourceError when pl_pvcam_init fails.
  static std::shared_ptr<PvcamLibrary> acquire();
  ~PvcamLibrary();
  PvcamLibrary(const PvcamLibrary&) = delete;
  PvcamLibrary& operator=(const PvcamLibrary&) = delete;

 private:
  PvcamLibrary() = default;
};

/// "<who>: <call> failed: <pl_error_message> (error <code>)".
std::string sdk_failure(std::string_view who, std::string_view call);

/// The same text into a fixed buffer (frame path: no allocation).
void sdk_failure(char* out, std::size_t size, const char* who, const char* call) noexcept;

}  // namespace daq::pvcam
