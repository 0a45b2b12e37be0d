// camera.hpp — daq.Camera: a camera's settings, checked once by the acquisition core, and the
// streams and series it runs.
//
// The settings are the core's (daq/acquisition/settings.hpp): set with its set(), checked by its
// camera factory, so Python accepts and rejects exactly what `daq acquire` does, with the same
// messages. Each stream() opens the camera for that stream (a StreamingProducer with its own
// pool), so a stream of N frames is the camera's own finite acquisition, like
// `daq acquire --frames N`. acquire() runs a series into a file through one
// acquisition::Instrument that the Camera keeps (it keeps the camera open between series).
// Taps added with add_tap() join the running stream, or the next one to start; a tap covers one
// stream.
// Thread-safety: call with the GIL held (pybind11 bindings); acquire() releases it while the
// series runs. Allocation: control calls only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "daq/acquisition/instrument.hpp"
#include "daq/acquisition/settings.hpp"
#include "daq/pipeline/frame_producer.hpp"

namespace daq::python {

class Stream;
class Tap;

class Camera : public std::enable_shared_from_this<Camera> {
 public:
  /// Checks `settings` with the camera factory: ConfigError (Python: ValueError) naming the
  /// setting and its limit, SourceError when the camera cannot be reached.
  explicit Camera(acquisition::Settings settings);
  ~Camera();

  const acquisition::Settings& settings() const noexcept { return settings_; }
  /// Frames the primary channel and the pool hold.
  std::size_t pool_frames() const noexcept { return pool_frames_; }

  /// A producer for one stream of `frames` frames (0: until stopped), not started.
  std::unique_ptr<FrameProducer> open(std::uint64_t frames) const;

  /// Runs one series into a file with `series` (out, frames, duration, compression, ...: core
  /// keys and values) and returns the summary's JSON text (the --summary-json form). Releases
  /// the GIL while it runs; Ctrl-C stops the series gracefully, then raises KeyboardInterrupt.
  std::string acquire(const std::vector<std::pair<std::string, std::string>>& series);

  /// A tap of every `decimation`th frame of the running or next stream.
  std::shared_ptr<Tap> add_tap(std::uint32_t decimation, std::size_t queue);

  /// Called by a stream when it starts: it becomes the running stream and takes the waiting
  /// taps. stream_ended() forgets it again.
  std::vector<std::shared_ptr<Tap>> stream_started(std::weak_ptr<Stream> stream);
  void stream_ended(const Stream* stream) noexcept;

 private:
  acquisition::Settings settings_;
  std::size_t pool_frames_ = 0;
  std::unique_ptr<acquisition::Instrument> instrument_;  // made by the first acquire()
  std::weak_ptr<Stream> running_;
  std::vector<std::shared_ptr<Tap>> waiting_taps_;
};

}  // namespace daq::python
