// camera_factory.hpp — turns `daq acquire`'s camera options into a FrameSource: "sim",
// "pvcam[:NAME]", "aravis[:ID]". Only the drivers this build has are accepted; the error lists
// them. Options a driver cannot honour (e.g. --width for a real sensor) are rejected, not
// silently ignored.
// Thread-safety: plain functions. Allocation: builds the source (and opens PVCAM cameras).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "daq/camera/camera_config.hpp"
#include "daq/pipeline/frame_source.hpp"

namespace daq::cli {

/// Camera settings as the command line and the config file give them.
struct CameraOptions {
  std::string camera = "sim";  ///< sim | pvcam[:NAME] | aravis[:ID]
  std::uint64_t frames = 100;  ///< 0 = continuous
  std::uint32_t width = 2048;
  std::uint32_t height = 2048;
  std::uint32_t bit_depth = 16;
  std::string pattern = "ramp";
  double fps = 100.0;  ///< 0 = free-running
  double exposure_ms = 0.0;
  std::vector<std::uint32_t> roi;  ///< empty or {x, y, w, h}
  std::string binning;             ///< empty or "NxM"
  std::uint64_t seed = 1;
  /// Aravis buffer mode (docs/adr/0007-aravis-buffer-modes.md): "copy" or "zero-copy".
  std::string aravis_buffers = "copy";
  /// The flags the user set (command line or config file), e.g. "--width": real cameras use
  /// their own value for anything not given, and reject sim-only flags that were.
  std::set<std::string, std::less<>> given;

  bool was_given(std::string_view flag) const { return given.find(flag) != given.end(); }
};

/// A source and what the command line knows of its geometry (for the file's detector record).
struct CameraSetup {
  std::unique_ptr<FrameSource> source;
  std::string model;  ///< "SimCamera", "PVCAM", "GenICam"
  Roi roi;            ///< as requested; width/height 0 = to the sensor edge
  Binning binning;
  std::size_t pool_frames = 0;  ///< the driver's buffer plan; 0: no recommendation
  /// Frames the camera lent without a copy so far (zero-copy); empty when the driver does not
  /// lend. Reads the source's counters: call it only while the source lives.
  std::function<std::uint64_t()> frames_lent;
};

/// The driver names this build accepts, e.g. {"sim", "pvcam", "aravis"}.
std::vector<std::string> available_drivers();

/// "NxM" → {N, M}; empty → 1x1. Throws UsageError naming --binning and the range.
Binning parse_binning(const std::string& text);

/// {x, y, w, h} → Roi; empty → full sensor. Throws UsageError naming --roi.
Roi parse_roi(const std::vector<std::uint32_t>& values);

/// Builds the source (not started). Throws UsageError for an unknown camera, a malformed or
/// unsupported option, ConfigError for values the driver rejects, SourceError when a camera
/// cannot be reached.
CameraSetup make_camera(const CameraOptions& options);

}  // namespace daq::cli
