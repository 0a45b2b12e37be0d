// Turns `daq acquire`'s camera options into a FrameSource: "sim", "pvcam[:NAME]",
// "aravis[:ID]". Only the drivers this build has are accepted; the error lists them.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daq/frame_source.hpp"

namespace daq::cli {

/// Camera settings as the command line and the config file give them (0 / empty = default).
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
};

/// The driver names this build accepts, e.g. {"sim", "pvcam", "aravis"}.
std::vector<std::string> available_drivers();

/// Builds (does not open) the source. Throws UsageError for an unknown camera or a malformed
/// option, ConfigError for values the driver rejects.
std::unique_ptr<FrameSource> make_source(const CameraOptions& options);

}  // namespace daq::cli
