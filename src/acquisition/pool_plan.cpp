// pool_plan.cpp — the camera's frame pool for a series (daq/acquisition/pool_plan.hpp).
#include "daq/acquisition/pool_plan.hpp"

#include <limits>
#include <string_view>

#include "daq/pool/frame_data.hpp"
#include "daq/pool/page_memory.hpp"

namespace daq::acquisition {

StreamPoolNeeds stream_pool_needs(const Settings& settings) noexcept {
  if (!settings.stream.enabled()) return {};
  StreamPoolNeeds needs;
  const bool zero_copy = settings.stream.compression == "none";
  if (settings.writes_file()) {
    needs.frames = settings.stream.hwm;
  } else {
    needs.frames = (zero_copy ? settings.stream.hwm : 0) + 2;
  }
  if (zero_copy) needs.headroom_bytes = PageMemory::page_size();
  return needs;
}

std::size_t PoolPlan::bytes(std::size_t frame_bytes) const noexcept {
  const std::size_t per_frame = FrameData::mapped_bytes(frame_bytes, headroom_bytes());
  const std::size_t count = frames();
  if (per_frame != 0 && count > std::numeric_limits<std::size_t>::max() / per_frame) {
    return std::numeric_limits<std::size_t>::max();
  }
  return count * per_frame;
}

PoolPlan pool_plan(const Settings& settings, std::size_t driver_pool_frames,
                   std::size_t tap_frames_held) noexcept {
  const bool given = settings.camera.was_given("--pool-frames");
  const bool driver_plan = driver_pool_frames != 0 && !given;
  return {.camera_frames = driver_plan ? driver_pool_frames : settings.pool_frames,
          .camera_frames_from = given         ? CameraFramesFrom::pool_frames_flag
                                : driver_plan ? CameraFramesFrom::driver_plan
                                              : CameraFramesFrom::pool_frames_default,
          .stream = stream_pool_needs(settings),
          .tap_frames = tap_frames_held};
}

namespace {

/// The pool's frames beyond the camera's: "8 for the stream, 2 for the instrument's taps".
std::string other_frames(const PoolPlan& pool) {
  std::string text;
  if (pool.stream.frames != 0) text = std::to_string(pool.stream.frames) + " for the stream";
  if (pool.tap_frames != 0) {
    text +=
        (text.empty() ? "" : ", ") + std::to_string(pool.tap_frames) + " for the instrument's taps";
  }
  return text;
}

}  // namespace

std::string pool_refusal(const PoolPlan& pool, const PoolLimit& limit) {
  if (limit.most_frames == 0) {
    return "--width, --height, --bit-depth: a frame of " + limit.frame_text() + " exceeds " +
           limit.usable_text();
  }
  const std::size_t others = pool.frames() - pool.camera_frames;
  if (limit.most_frames <= others) {
    const std::string_view flags =
        pool.stream.frames != 0 ? "--stream-hwm" : "--width, --height, --bit-depth";
    return std::string(flags) + ": the pool's " + std::to_string(others) +
           " frames beyond the camera's (" + other_frames(pool) +
           ") leave no room for one camera frame: at most " + std::to_string(limit.most_frames) +
           " frames of " + limit.frame_text() + " fit in " + limit.usable_text();
  }
  const std::string most = std::to_string(limit.most_frames - others);
  const std::string whole_pool = "the pool of " + std::to_string(pool.frames()) + " frames" +
                                 (others == 0 ? std::string() : " (" + other_frames(pool) + ")") +
                                 " would exceed " + limit.usable_text();
  if (pool.camera_frames_from == CameraFramesFrom::pool_frames_flag) {
    return "--pool-frames: must be 1.." + most + " for frames of " + limit.frame_text() + ", got " +
           std::to_string(pool.camera_frames) + ": " + whole_pool;
  }
  const std::string_view origin = pool.camera_frames_from == CameraFramesFrom::driver_plan
                                      ? "the driver's plan"
                                      : "--pool-frames' default";
  return "--pool-frames: not given, the camera's " + std::to_string(pool.camera_frames) +
         " frames (" + std::string(origin) + ") in " + whole_pool + " for frames of " +
         limit.frame_text() + ": give --pool-frames 1.." + most;
}

}  // namespace daq::acquisition
