// daq/pipeline/latest_frame.hpp — LatestFrame: the newest frame of a sharing tap, for a preview.
//
// Contract
// - LatestFrame(frames) takes the receiver of a sharing tap (TapRegistry::add_sharing_tap) and
//   starts one thread that receives its HeldFrames: each one becomes the latest and the one it
//   replaces is dropped (its share goes back). Nothing is copied: the latest IS the producer's
//   pooled frame, so the tap's frames_held (2 lets the next share arrive while the latest is
//   held) is all the preview takes from the producer's pool; size the pool for it.
// - When the tap's channel closes (unregistered, or its producer destroyed) the latest is dropped
//   too, so the producer's pool can be unmapped; readers then see no frame.
// - reader() returns a LatestFrameReader for the preview's readers; it may outlive this object.
//   copy_latest(out) copies the latest frame into `out`; with_latest(f) calls f(FrameView) on
//   it without a copy. Either sees one whole frame, never a mix of two.
// - The destructor closes the receiver (the tap then drops its frames) and joins the thread.
//
// Thread-safety: reader calls from any threads; they and the receiving thread serialise on a
// mutex the delivery thread never takes: a slow with_latest() delays the next swap (the tap
// drops beyond its quota meanwhile), never the camera.
// Allocation: the constructor allocates the shared state and the thread; receiving, swapping and
// with_latest() allocate nothing; copy_latest() maps a buffer only when `out` is smaller than
// the frame.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "daq/pipeline/channel.hpp"
#include "daq/pipeline/tap_registry.hpp"
#include "daq/pool/frame_data.hpp"

namespace daq {

namespace detail {

struct LatestFrameState {
  mutable std::mutex mutex;  // guards `latest`
  std::optional<HeldFrame> latest;
  std::atomic<std::uint64_t> received{0};
};

}  // namespace detail

/// Reads the newest frame from any thread; copyable; outlives the LatestFrame.
class LatestFrameReader {
 public:
  /// Copies the newest frame into `out`; false (and `out` untouched) when there is none.
  bool copy_latest(FrameData& out) const;

  /// Calls f(const FrameView&) with the newest frame, valid for the call; false when there is
  /// none.
  template <class F>
  bool with_latest(F&& f) const {
    const std::lock_guard lock(state_->mutex);
    if (!state_->latest) return false;
    f((**state_->latest)->view());
    return true;
  }

  /// Frames received so far (each one the latest, and the one it replaced dropped, by then).
  std::uint64_t frames() const noexcept { return state_->received.load(std::memory_order_acquire); }

 private:
  friend class LatestFrame;
  explicit LatestFrameReader(std::shared_ptr<detail::LatestFrameState> state) noexcept
      : state_(std::move(state)) {}
  std::shared_ptr<detail::LatestFrameState> state_;
};

class LatestFrame {
 public:
  /// Starts receiving `frames` (a sharing tap's receiver) on a thread of its own.
  explicit LatestFrame(Receiver<HeldFrame> frames);
  ~LatestFrame();
  LatestFrame(const LatestFrame&) = delete;
  LatestFrame& operator=(const LatestFrame&) = delete;

  LatestFrameReader reader() const noexcept { return LatestFrameReader(state_); }

 private:
  void receive() noexcept;

  std::shared_ptr<detail::LatestFrameState> state_;
  Receiver<HeldFrame> frames_;
  std::thread thread_;
};

}  // namespace daq
