// AravisConfig::validate() (checks that need no camera) and pixel-format names.
#include <cctype>
#include <cmath>
#include <string>

#include "daq/camera/aravis_camera.hpp"

namespace daq::camera {

namespace {

[[noreturn]] void reject(const std::string& message) {
  throw ConfigError("aravis: " + message);
}

void check_positive(const std::optional<double>& value, const char* field) {
  if (value && !(std::isfinite(*value) && *value > 0.0)) {
    reject(std::string(field) + " = " + std::to_string(*value) + " must be a positive number");
  }
}

}  // namespace

void AravisConfig::validate() const {
  check_positive(exposure_us, "exposure_us");
  check_positive(frame_rate_hz, "frame_rate_hz");
  if (gain_db && !std::isfinite(*gain_db)) reject("gain_db must be a finite number");
  if (stream_buffers < 2 || stream_buffers > 256) {
    reject("stream_buffers = " + std::to_string(stream_buffers) + " must be within 2..256");
  }
  if (camera_reserve < 1 || camera_reserve >= stream_buffers) {
    reject("camera_reserve = " + std::to_string(camera_reserve) + " must be within 1.." +
           std::to_string(stream_buffers - 1) + " (stream_buffers - 1)");
  }
  if (binning && (binning->x == 0 || binning->y == 0)) reject("binning factors must be at least 1");
  if (memory_budget_bytes == 0) reject("memory_budget_bytes must be positive");
  if (trigger == AravisTrigger::software && frame_rate_hz) {
    reject("frame_rate_hz cannot be set with trigger = software (the triggers set the rate)");
  }
}

std::optional<AravisPixelFormat> parse_aravis_pixel_format(std::string_view name) noexcept {
  const auto equals_ignoring_case = [name](std::string_view lower) {
    if (name.size() != lower.size()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(name[i])) != lower[i]) return false;
    }
    return true;
  };
  if (equals_ignoring_case("mono8")) return AravisPixelFormat::mono8;
  if (equals_ignoring_case("mono12")) return AravisPixelFormat::mono12;
  if (equals_ignoring_case("mono16")) return AravisPixelFormat::mono16;
  return std::nullopt;
}

}  // namespace daq::camera
