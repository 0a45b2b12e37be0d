// pool_plan.cpp — the camera's frame pool for a series (daq/acquisition/pool_plan.hpp).
#include "daq/acquisition/pool_plan.hpp"

#include <limits>

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
  const bool driver_plan = driver_pool_frames != 0 && !settings.camera.was_given("--pool-frames");
  return {.camera_frames = driver_plan ? driver_pool_frames : settings.pool_frames,
          .stream = stream_pool_needs(settings),
          .tap_frames = tap_frames_held};
}

}  // namespace daq::acquisition
