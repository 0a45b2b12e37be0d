// tap.hpp — daq.Tap: an iterator of copies of every Nth frame of one stream.
//
// A channel tap (daq/pipeline/tap_registry.hpp): the delivery loop copies the frame into the
// tap's own pool and queue, and drops for this tap alone when the consumer falls behind, so a
// slow Python consumer never holds the camera up. Iteration waits for the stream the tap joins,
// yields its copies, and ends after that stream ended and its queued copies were taken (or at
// close()).
// Thread-safety: attach()/detach()/close() with the GIL held from any thread; next() from one
// consumer thread at a time (it releases the GIL while waiting). Allocation: next() none.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>

#include "daq/pipeline/tap_registry.hpp"
#include "frame_feed.hpp"

namespace daq::python {

class Tap final : public FrameFeed {
 public:
  /// Throws ConfigError (ValueError) for decimation or queue 0.
  Tap(std::uint32_t decimation, std::size_t queue);

  const ChannelTapOptions& options() const noexcept { return options_; }

  /// The stream's tap channel: iteration yields its frames from now on. Once.
  void attach(Receiver<LoanedFrame> frames);
  /// Ends the iteration at once; queued copies go back to the tap's pool with the Tap.
  void close() noexcept;

  std::optional<LoanedFrame> next() override;

 private:
  ChannelTapOptions options_;
  std::mutex mutex_;
  std::condition_variable attached_;
  Receiver<LoanedFrame> frames_;  // set once by attach(), under mutex_
  bool has_frames_ = false;
  bool closed_ = false;
};

}  // namespace daq::python
