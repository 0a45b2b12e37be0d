// daq/pipeline/observers/latest_frame.hpp — LatestFrame: the newest frame, for a preview to read.
//
// Contract
// - on_frame copies the frame (pixels + metadata) into one of three pre-allocated frames of
//   `max_bytes` each (a triple buffer) and publishes it; a frame larger than max_bytes makes
//   on_frame throw std::length_error (counted as an error by the registry). A preview rarely
//   needs every frame: register it with a decimation to save the copies.
// - reader() returns a LatestFrameReader for the preview thread(s). It stays valid after the
//   observer has been unregistered and destroyed (it then keeps returning the last frame).
//   copy_latest(out) copies the newest frame into `out`; with_latest(f) calls f(FrameView) on
//   it without a copy. Either sees one whole frame, never a mix of two.
//
// Thread-safety: on_frame from one thread at a time (the delivery thread); it never waits for
// readers. Reader calls may come from any threads; they serialise among themselves on a mutex
// the observer never takes, so a slow with_latest() delays other readers, never the camera.
// Allocation: the constructor maps the three frames; on_frame allocates nothing; copy_latest()
// allocates only when `out` is smaller than the frame (FrameData copy assignment).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "daq/pipeline/detail/triple_buffer.hpp"
#include "daq/pipeline/observer.hpp"
#include "daq/pool/frame_data.hpp"

namespace daq {

namespace detail {

struct LatestFrameState {
  explicit LatestFrameState(std::size_t max_bytes)
      : frames([max_bytes] { return FrameData::with_capacity(max_bytes); }) {}

  TripleBuffer<FrameData> frames;
  std::atomic<std::uint64_t> published{0};
  std::mutex readers;  // serialises the reader side of `frames`
};

}  // namespace detail

/// Reads the newest frame from any thread; copyable; outlives the observer.
class LatestFrameReader {
 public:
  /// Copies the newest frame into `out`; false (and `out` untouched) before the first frame.
  bool copy_latest(FrameData& out) const {
    std::lock_guard lock(state_->readers);
    if (!state_->frames.refresh()) return false;
    out = state_->frames.front();
    return true;
  }

  /// Calls f(const FrameView&) with the newest frame, valid for the call; false before the
  /// first frame.
  template <class F>
  bool with_latest(F&& f) const {
    std::lock_guard lock(state_->readers);
    if (!state_->frames.refresh()) return false;
    f(state_->frames.front().view());
    return true;
  }

  /// Frames published so far.
  std::uint64_t frames() const noexcept {
    return state_->published.load(std::memory_order_relaxed);
  }

 private:
  friend class LatestFrame;
  explicit LatestFrameReader(std::shared_ptr<detail::LatestFrameState> state) noexcept
      : state_(std::move(state)) {}
  std::shared_ptr<detail::LatestFrameState> state_;
};

class LatestFrame final : public FrameObserver {
 public:
  /// Pre-allocates three frames of `max_bytes`; throws std::invalid_argument for 0.
  explicit LatestFrame(std::size_t max_bytes, std::string name = "latest_frame");

  void on_frame(const FrameView& frame) override;
  std::string_view name() const noexcept override { return name_; }

  LatestFrameReader reader() const noexcept { return LatestFrameReader(state_); }

 private:
  std::string name_;
  std::size_t max_bytes_;
  std::shared_ptr<detail::LatestFrameState> state_;
};

}  // namespace daq
