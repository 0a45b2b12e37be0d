// stream.hpp — daq.Stream: one acquisition whose frames Python iterates, zero copy.
//
// start() opens the camera for this stream (Camera::open), registers a primary channel of
// pool_frames frames and the camera's waiting taps, and starts it; the iterator (FrameFeed)
// hands out the pooled frames themselves. The stream ends when the camera produced `frames`
// frames, when `duration` has passed (then it is stopped and the frames already delivered are
// still yielded), at stop(), or when the iteration is interrupted (Ctrl-C). Ending closes the
// taps of this stream. ledger() / stats() stay readable after the end.
// Thread-safety: control calls with the GIL held; next() from one thread at a time (it releases
// the GIL while waiting); stop() may come from another thread while next() waits.
// Allocation: start/stop/drain/ledger/stats allocate; next() allocates nothing per frame (only
// the stop at the end of the stream does).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "camera.hpp"
#include "daq/pipeline/frame_producer.hpp"
#include "frame_feed.hpp"

namespace daq::python {

struct StreamLimits {
  std::uint64_t frames = 0;  ///< 0: no frame limit
  std::optional<std::chrono::nanoseconds> duration;
};

class Stream final : public FrameFeed, public std::enable_shared_from_this<Stream> {
 public:
  Stream(std::shared_ptr<Camera> camera, StreamLimits limits);
  ~Stream() override;
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  /// Starts the acquisition (ConfigError / SourceError propagate). Once; later calls do nothing.
  void start();
  /// Stops the acquisition, ends this stream's taps; frames Python holds stay valid. Idempotent.
  void stop();
  bool running() const noexcept;

  /// Adds `tap` to this running stream.
  void attach(const std::shared_ptr<Tap>& tap);

  std::optional<LoanedFrame> next() override;

  /// Receives every remaining frame in C++ and returns each to the pool at once, with the GIL
  /// released (Ctrl-C still stops it); the frame count. The C++ consumer of the benchmark.
  std::uint64_t drain();

  LedgerSnapshot ledger() const;
  ProducerStats stats() const;

 private:
  // Outer optional empty: nothing within one wait slice; inner empty: the stream ended.
  using Step = std::optional<std::optional<LoanedFrame>>;
  /// Waits at most one slice for the next frame; needs no GIL.
  Step poll();
  void end_taps() noexcept;

  std::shared_ptr<Camera> camera_;
  StreamLimits limits_;
  std::unique_ptr<FrameProducer> producer_;
  Receiver<LoanedFrame> frames_;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  std::vector<std::pair<std::shared_ptr<Tap>, ObserverHandle>> taps_;
  std::vector<TapStats> ended_taps_;  // the taps' counters when the stream ended
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace daq::python
