// daq/acquisition/camera_factory.hpp — turns the camera settings (settings.hpp) into a FrameSource:
// "sim", "pvcam[:NAME]", "aravis[:ID]". Only the drivers this build has are accepted; the error
// lists them. Options a driver cannot honour (e.g. --width for a real sensor) are rejected, not
// silently ignored.
// Thread-safety: plain functions. Allocation: builds the source (and opens PVCAM cameras).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "daq/acquisition/settings.hpp"
#include "daq/camera/camera_config.hpp"
#include "daq/pipeline/frame_source.hpp"

namespace daq::acquisition {

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

/// "NxM" → {N, M}; empty → 1x1. Throws ConfigError naming --binning and the range.
Binning parse_binning(const std::string& text);

/// {x, y, w, h} → Roi; empty → full sensor. Throws ConfigError naming --roi.
Roi parse_roi(const std::vector<std::uint32_t>& values);

/// Builds the source (not started). Throws ConfigError naming the flag for an unknown camera, a
/// malformed or unsupported setting, or a value the driver rejects, SourceError when a camera
/// cannot be reached.
CameraSetup make_camera(const CameraSettings& options);

}  // namespace daq::acquisition
