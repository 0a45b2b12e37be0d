// camera.hpp — daq.Camera: a camera's settings, checked once, and the streams it runs.
//
// Camera holds validated settings; each stream() opens the camera for that stream (a
// StreamingProducer with its own pool of pool_frames frames), so a stream of N frames is the
// camera's own finite acquisition, exactly like `daq acquire --frames N`. Taps added with
// add_tap() join the running stream, or the next one to start; a tap covers one stream.
// Thread-safety: call with the GIL held (pybind11 bindings). Allocation: control calls only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "daq/camera/camera_config.hpp"
#include "daq/pipeline/frame_producer.hpp"
#include "daq/pipeline/frame_source.hpp"

namespace daq::python {

class Stream;
class Tap;

/// The keyword arguments of daq.Camera(...).
struct CameraSettings {
  std::string camera = "sim";  ///< sim (pvcam[:NAME] and aravis[:ID] in builds with them)
  std::uint32_t width = 2048;
  std::uint32_t height = 2048;
  std::uint32_t bit_depth = 16;
  double fps = 100.0;  ///< 0 = free-running
  double exposure_ms = 0.0;
  Roi roi;  ///< width/height 0 = to the sensor edge
  Binning binning;
  std::string pattern = "ramp";
  std::size_t pool_frames = 8;
};

/// The camera names this build can open, e.g. {"sim"}.
std::vector<std::string> available_cameras();

class Camera : public std::enable_shared_from_this<Camera> {
 public:
  /// Throws ConfigError (Python: ValueError) naming the first bad field and its limit.
  explicit Camera(CameraSettings settings);

  const CameraSettings& settings() const noexcept { return settings_; }
  /// What each frame looks like (geometry, bit depth, bytes).
  const SourceFormat& format() const noexcept { return format_; }

  /// A producer for one stream of `frames` frames (0: until stopped), not started.
  std::unique_ptr<FrameProducer> open(std::uint64_t frames) const;

  /// A tap of every `options.decimation`th frame of the running or next stream.
  std::shared_ptr<Tap> add_tap(std::uint32_t decimation, std::size_t queue);

  /// Called by a stream when it starts: it becomes the running stream and takes the waiting
  /// taps. stream_ended() forgets it again.
  std::vector<std::shared_ptr<Tap>> stream_started(std::weak_ptr<Stream> stream);
  void stream_ended(const Stream* stream) noexcept;

 private:
  CameraSettings settings_;
  SourceFormat format_;
  std::weak_ptr<Stream> running_;
  std::vector<std::shared_ptr<Tap>> waiting_taps_;
};

}  // namespace daq::python
