// stream_output.hpp (daq::acquisition, private) — StreamOutput: a series' Stream V2 stream
// (daq/stream/stream_sender.hpp) fed from a channel of pooled frames by its own sender thread.
//
// Two roles (docs/adr/0011-stream-v2.md, docs/adr/0015-shared-frame-loan.md):
// - primary (no --out): the frames come on the primary channel. The sender thread holds at most
//   --stream-hwm of them in flight (its own quota of HeldFrame slots) and waits up to
//   --stream-start-timeout for a quota slot, and as long again for the socket, so a slow
//   consumer backs the pipeline up as a slow disk does (the primary channel fills: channel_full
//   drops); a stalled one costs at most twice that bound per frame before the frame is dropped
//   (counted by the stream).
// - secondary (beside a writer): the frames come from a sharing tap whose quota is
//   --stream-hwm of the producer's frames. The delivery thread only hands a share to the tap;
//   the sender thread never waits: past hwm frames held, or with no consumer connected, the
//   frame is dropped for the stream alone, and the writer still gets every frame.
// Uncompressed, each frame goes zero copy (its header in the frame's headroom, the frame held
// until ZeroMQ is done); compressed, the sender thread encodes it into a message buffer and the
// frame returns to its pool at once.
// Either way the delivery thread never copies for the stream, never compresses and never waits
// on the network.
//
// Counting: frames offered to the stream = sent + dropped (the tap's own drops included).
// Allocations: given a thread-allocation counter, the sender thread measures its own allocations
// per frame (detail::AllocationWindow, the delivery thread's mechanism) after a warm-up of
// hwm + 2 frames, by when its quota and message ring have each been used through once. That is
// everything the thread does for a frame (channel receive, quota, freeze, image header,
// compression, hand-off to ZeroMQ) as our allocator sees it: operator new. libzmq's own malloc of
// a small reference count per zero-copy message is not in it (src/pool/alloc_counter.cpp counts
// operator new only), nor is the free function ZeroMQ calls on its I/O thread (it returns the
// frame to its pool).
// Thread-safety: construction, start(), finish() from the control thread; counts() and
// allocations_per_frame() from any thread. Allocation: the constructor (socket; a primary's
// quota of hwm held slots), start() (buffers, the thread); nothing per frame.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "daq/acquisition/detail/allocation_window.hpp"
#include "daq/acquisition/settings.hpp"
#include "daq/pipeline/channel.hpp"
#include "daq/pipeline/tap_registry.hpp"
#include "daq/pool/frame_data.hpp"
#include "daq/pool/pool.hpp"
#include "daq/pool/shared_loan.hpp"
#include "daq/stream/stream_sender.hpp"

namespace daq::acquisition {

struct StreamCounts {
  std::uint64_t sent = 0;
  std::uint64_t dropped = 0;  ///< the stream's own drops (the tap's are added by the caller)
  std::uint64_t bytes = 0;
  std::uint64_t first_timestamp_ns = 0;  ///< of the first image sent (0: none)
  std::uint64_t last_timestamp_ns = 0;   ///< of the last image sent (0: none)
};

class StreamOutput {
 public:
  /// Binds the socket: ConfigError "--stream: ..." for a bad endpoint or option. With
  /// `thread_allocations` (must not allocate) the sender thread measures its allocations.
  StreamOutput(const StreamSettings& settings, bool primary,
               detail::AllocationWindow::Counter thread_allocations = nullptr);
  ~StreamOutput();
  StreamOutput(const StreamOutput&) = delete;
  StreamOutput& operator=(const StreamOutput&) = delete;

  /// Sends the start message (waits up to the start timeout for a consumer) and starts the
  /// sender thread on `frames`: the primary channel (a primary stream) or the stream's sharing
  /// tap (beside a writer). Returns whether a consumer took the start message.
  bool start(const stream::SeriesStart& series, Receiver<LoanedFrame> frames);
  bool start(const stream::SeriesStart& series, Receiver<HeldFrame> frames);
  /// Waits for the sender thread to drain `frames` (closed by the producer), then sends the end
  /// message with the start timeout's bound. Returns whether a consumer took it; false at once
  /// when start() did not succeed.
  bool finish();

  /// Closes the input channel (a failed start): the sender thread ends once it is drained.
  void close_input() noexcept {
    primary_frames_.close();
    shared_frames_.close();
  }

  StreamCounts counts() const noexcept;
  /// The sender thread's allocations per frame after its warm-up; nullopt without a counter or
  /// while fewer than hwm + 2 frames have reached it. Final once finish() has returned.
  std::optional<double> allocations_per_frame() const noexcept;
  /// The bound endpoint (the port the system chose for a "*" port).
  const std::string& endpoint() const noexcept;
  bool primary() const noexcept { return primary_; }
  /// Whether a consumer took the start message in time.
  bool start_taken() const noexcept { return start_taken_; }

 private:
  StreamOutput(const stream::StreamOptions& options, bool primary,
               detail::AllocationWindow::Counter thread_allocations);
  bool open_series(const stream::SeriesStart& series);
  void send_primary() noexcept;
  void send_shared() noexcept;

  const bool primary_;
  bool start_taken_ = false;
  std::unique_ptr<stream::StreamSender> sender_;
  const std::chrono::milliseconds send_timeout_;  // a primary's wait for its quota
  // Read by thread_ only; close_input() from the control thread. One of the two is used.
  Receiver<LoanedFrame> primary_frames_;
  Receiver<HeldFrame> shared_frames_;
  // A primary stream's quota: the frames it holds in flight (--stream-hwm).
  std::shared_ptr<Pool<SharedLoanedFrame>> quota_;
  std::atomic<std::uint64_t> quota_dropped_{0};          // written by thread_ only
  std::optional<detail::AllocationWindow> allocations_;  // fed by thread_ only
  std::thread thread_;
};

/// The sender's options for `settings`; ConfigError naming --stream-compression.
stream::StreamOptions stream_options(const StreamSettings& settings, bool primary);

}  // namespace daq::acquisition
