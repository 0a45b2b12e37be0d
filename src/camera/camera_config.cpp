#include "daq/camera/camera_config.hpp"

#include <limits>
#include <string>

#include "daq/pipeline/frame_source.hpp"

namespace daq {
namespace {

[[noreturn]] void reject(const std::string& message) {
  throw ConfigError(message);
}

void check_side(const char* field, std::uint32_t value) {
  if (value == 0) reject(std::string(field) + " must be at least 1 pixel");
  if (value > kMaxSensorSide) {
    reject(std::string(field) + " " + std::to_string(value) + " exceeds the maximum " +
           std::to_string(kMaxSensorSide) + " pixels");
  }
}

void check_binning(const char* field, std::uint16_t factor, const char* roi_field,
                   std::uint32_t roi_side) {
  if (factor == 0 || factor > kMaxBinning) {
    reject(std::string(field) + " " + std::to_string(factor) + " is outside 1.." +
           std::to_string(kMaxBinning));
  }
  if (roi_side % factor != 0) {
    reject(std::string(roi_field) + " " + std::to_string(roi_side) + " is not a multiple of " +
           field + " " + std::to_string(factor));
  }
}

}  // namespace

Geometry resolve_geometry(std::uint32_t sensor_width, std::uint32_t sensor_height, const Roi& roi,
                          const Binning& binning) {
  check_side("width", sensor_width);
  check_side("height", sensor_height);
  if (roi.x >= sensor_width) {
    reject("roi.x " + std::to_string(roi.x) + " is outside the sensor width " +
           std::to_string(sensor_width));
  }
  if (roi.y >= sensor_height) {
    reject("roi.y " + std::to_string(roi.y) + " is outside the sensor height " +
           std::to_string(sensor_height));
  }
  Geometry g;
  g.roi = roi;
  if (g.roi.width == 0) g.roi.width = sensor_width - roi.x;
  if (g.roi.height == 0) g.roi.height = sensor_height - roi.y;
  // 64-bit sums: x + width cannot overflow.
  if (std::uint64_t{g.roi.x} + g.roi.width > sensor_width) {
    reject("roi.x + roi.width = " + std::to_string(std::uint64_t{g.roi.x} + g.roi.width) +
           " exceeds the sensor width " + std::to_string(sensor_width));
  }
  if (std::uint64_t{g.roi.y} + g.roi.height > sensor_height) {
    reject("roi.y + roi.height = " + std::to_string(std::uint64_t{g.roi.y} + g.roi.height) +
           " exceeds the sensor height " + std::to_string(sensor_height));
  }
  check_binning("binning.x", binning.x, "roi.width", g.roi.width);
  check_binning("binning.y", binning.y, "roi.height", g.roi.height);
  g.binning = binning;
  g.width = g.roi.width / binning.x;
  g.height = g.roi.height / binning.y;
  return g;
}

std::size_t frame_bytes(const Geometry& geometry, std::uint32_t bit_depth) {
  const std::size_t bpp = bytes_per_pixel(bit_depth);
  if (bpp == 0) {
    reject("bit_depth " + std::to_string(bit_depth) + " is outside 1..32");
  }
  const std::size_t pixels = std::size_t{geometry.width} * geometry.height;
  if (pixels > std::numeric_limits<std::size_t>::max() / bpp) {
    reject("frame of " + std::to_string(geometry.width) + "x" + std::to_string(geometry.height) +
           " pixels does not fit in memory");
  }
  return pixels * bpp;
}

}  // namespace daq
