// daq/acquisition/pool_plan.hpp — the camera's frame pool for a series, from its settings: how
// many frames the pool maps and what each one costs. Instrument::prepare() maps exactly this pool
// and the capacity check (capacity_check.hpp) counts exactly it, so the two cannot disagree.
//
// The frames: the driver's buffer plan (CameraSetup::pool_frames) unless --pool-frames was
// given, else --pool-frames; plus the stream's (stream_pool_needs(),
// docs/adr/0015-shared-frame-loan.md); plus what the instrument's own sharing taps may hold
// (InstrumentOptions::tap_frames_held). Each frame maps FrameData::mapped_bytes(frame bytes,
// the stream's headroom): pixels and headroom in whole pages. A pool beyond the memory this
// process may use is refused in the user's flags by pool_refusal().
//
// Thread-safety: pure functions of plain values. Allocation: none, but pool_refusal()'s text.
#pragma once

#include <cstddef>
#include <string>

#include "daq/acquisition/settings.hpp"
#include "daq/pipeline/pool_limit.hpp"

namespace daq::acquisition {

/// What a stream needs of the camera's pool (docs/adr/0015-shared-frame-loan.md): frames it
/// may hold beyond the writer's, and headroom for its message header in front of the pixels.
struct StreamPoolNeeds {
  std::size_t frames = 0;
  std::size_t headroom_bytes = 0;
  friend bool operator==(const StreamPoolNeeds&, const StreamPoolNeeds&) = default;
};

/// Beside a writer the stream's sharing tap holds up to hwm frames. As the only output it holds
/// one in its sender's hand and the delivery loop one being filled, plus, uncompressed, hwm
/// frames in flight in ZeroMQ (a compressed frame is encoded into the sender's own buffers and
/// returned at once), so a pool that large behind a primary channel of the requested frames
/// fills the channel first: a slow consumer shows as channel_full drops, never as heap
/// fallbacks. Uncompressed images go zero copy from the frame: one page in front of the pixels
/// for the header (they stay page-aligned for O_DIRECT). Nothing without a stream.
StreamPoolNeeds stream_pool_needs(const Settings& settings) noexcept;

/// Where the camera's frames of a pool come from.
enum class CameraFramesFrom {
  pool_frames_flag,     ///< --pool-frames, as given
  driver_plan,          ///< the driver's buffer plan (--pool-frames not given)
  pool_frames_default,  ///< --pool-frames' default (not given, no driver plan)
};

/// The pool of one series' camera.
struct PoolPlan {
  std::size_t camera_frames = 0;  ///< the driver's buffer plan, or --pool-frames
  CameraFramesFrom camera_frames_from = CameraFramesFrom::pool_frames_flag;
  StreamPoolNeeds stream;      ///< the stream's frames, and every frame's headroom
  std::size_t tap_frames = 0;  ///< the instrument's sharing taps' (tap_frames_held)

  /// The frames the pool maps.
  std::size_t frames() const noexcept { return camera_frames + stream.frames + tap_frames; }
  /// Bytes mapped in front of every frame's pixels (rounded up to whole pages when mapped).
  std::size_t headroom_bytes() const noexcept { return stream.headroom_bytes; }
  /// The bytes the pool maps for frames of `frame_bytes`: frames() × FrameData::mapped_bytes();
  /// SIZE_MAX when that exceeds size_t.
  std::size_t bytes(std::size_t frame_bytes) const noexcept;
};

/// The pool an Instrument whose sharing taps may hold `tap_frames_held` frames maps for a
/// series with `settings` on a camera whose driver plans `driver_pool_frames` buffers (0: none).
PoolPlan pool_plan(const Settings& settings, std::size_t driver_pool_frames,
                   std::size_t tap_frames_held) noexcept;

/// The one-line refusal of `pool`, whose frames fit only `limit.most_frames` times in the
/// memory this process may use (StreamingProducer's PoolTooLarge), in the user's flags:
/// --pool-frames and its limit beside the pool's other frames (the stream's, the taps'), the
/// value got only when the user gave it; --stream-hwm when the stream's frames alone leave no
/// room for one camera frame; the frame size flags when not even one frame fits.
std::string pool_refusal(const PoolPlan& pool, const PoolLimit& limit);

}  // namespace daq::acquisition
