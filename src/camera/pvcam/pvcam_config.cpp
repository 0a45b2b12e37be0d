#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "daq/camera/pvcam_camera.hpp"

namespace daq {
namespace {

std::string number(double v) {
  std::string s = std::to_string(v);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

void check_range(const char* field, double value, double low, double high, const char* unit) {
  if (!std::isfinite(value) || value < low || value > high) {
    throw ConfigError(std::string(field) + " " + number(value) + " is outside " + number(low) +
                      ".." + number(high) + unit);
  }
}

constexpr std::size_t kMinSideFrames = 2;
constexpr std::size_t kWantedSideFrames = 4;

}  // namespace

void PvcamConfig::validate() const {
  check_range("exposure_ms", exposure_ms, 0.001, 3'600'000.0, " ms");
  check_range("buffer_seconds", buffer_seconds, 0.01, 60.0, " s");
  if (bit_depth > 32) {
    throw ConfigError("bit_depth " + std::to_string(bit_depth) +
                      " is outside 0..32 (0 = the "
                      "camera's)");
  }
  if (roi.width > kMaxSensorSide || roi.height > kMaxSensorSide) {
    throw ConfigError("roi " + std::to_string(roi.width) + "x" + std::to_string(roi.height) +
                      " exceeds the maximum " + std::to_string(kMaxSensorSide) + " pixels");
  }
  if (memory_budget_bytes == 0) throw ConfigError("memory_budget_bytes must be above 0");
}

BufferPlan plan_buffers(double fps, std::size_t frame_bytes, double buffer_seconds,
                        std::size_t memory_budget_bytes) {
  if (frame_bytes == 0) throw ConfigError("frame size must be above 0 bytes");
  if (frame_bytes > memory_budget_bytes) {
    throw ConfigError("frame of " + std::to_string(frame_bytes) +
                      " bytes exceeds memory_budget_bytes " + std::to_string(memory_budget_bytes));
  }
  const double wanted_frames = fps > 0.0 ? std::ceil(buffer_seconds * fps) : 0.0;
  const std::size_t wanted =
      std::max(kWantedSideFrames,
               static_cast<std::size_t>(std::min(wanted_frames, 1e9)));  // 1e9: any real budget
  const std::size_t per_side = memory_budget_bytes / frame_bytes / 2;
  const std::size_t sdk_limit = std::numeric_limits<std::uint32_t>::max() / frame_bytes;
  BufferPlan plan;
  plan.sdk_frames = static_cast<std::uint32_t>(std::min({wanted, per_side, sdk_limit}));
  plan.pool_frames = std::min(wanted, per_side);
  if (plan.sdk_frames < kMinSideFrames || plan.pool_frames < kMinSideFrames) {
    throw ConfigError("memory_budget_bytes " + std::to_string(memory_budget_bytes) + " holds " +
                      std::to_string(memory_budget_bytes / frame_bytes) + " frames of " +
                      std::to_string(frame_bytes) +
                      " bytes; at least 4 are needed (2 in the SDK buffer, 2 in the pool)");
  }
  plan.capped = plan.sdk_frames < wanted || plan.pool_frames < wanted;
  plan.seconds =
      fps > 0.0
          ? static_cast<double>(std::min<std::size_t>(plan.sdk_frames, plan.pool_frames)) / fps
          : 0.0;
  return plan;
}

}  // namespace daq
