// daq/camera/camera_config.hpp — configuration pieces every camera driver shares.
//
// Roi and Binning describe which part of the sensor is read and how pixels are combined; the
// delivered image is (roi.width / binning.x) x (roi.height / binning.y) pixels. resolve_geometry()
// checks them against the sensor and throws daq::ConfigError naming the field and the limit, so
// every driver reports bad settings with the same words.
//
// Thread-safety: plain values and pure functions. Allocation: resolve_geometry() allocates only
// the message of the exception it throws.
#pragma once

#include <cstddef>
#include <cstdint>

#include "daq/pool/frame_view.hpp"

namespace daq {

/// Largest sensor side, ROI coordinate and binning factor any driver accepts: PVCAM (and most
/// SDKs) address pixels with 16-bit coordinates.
inline constexpr std::uint32_t kMaxSensorSide = 65535;
inline constexpr std::uint16_t kMaxBinning = 64;

/// A rectangle of the sensor, in sensor pixels. width/height 0 mean "up to the sensor edge".
struct Roi {
  std::uint32_t x = 0;
  std::uint32_t y = 0;
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  friend bool operator==(const Roi&, const Roi&) = default;
};

/// The checked geometry of an acquisition.
struct Geometry {
  Roi roi;                   ///< with width/height filled in (never 0)
  Binning binning;           ///< factors >= 1
  std::uint32_t width = 0;   ///< delivered image width  = roi.width / binning.x
  std::uint32_t height = 0;  ///< delivered image height = roi.height / binning.y
};

/// Checks `roi` and `binning` against a sensor of sensor_width x sensor_height pixels and returns
/// the delivered geometry. Throws daq::ConfigError when: a sensor side is 0 or above
/// kMaxSensorSide; the ROI leaves the sensor; a binning factor is 0, above kMaxBinning, or does
/// not divide the ROI side. The message names the field ("roi.x + roi.width", "binning.y", ...).
Geometry resolve_geometry(std::uint32_t sensor_width, std::uint32_t sensor_height, const Roi& roi,
                          const Binning& binning);

/// Bytes of one delivered frame; throws daq::ConfigError for an unsupported bit depth
/// (accepted: 1..32, stored in 1, 2 or 4 bytes) or when the size overflows size_t.
std::size_t frame_bytes(const Geometry& geometry, std::uint32_t bit_depth);

}  // namespace daq
