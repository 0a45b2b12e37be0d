// stream_output.hpp (daq::acquisition, private) — StreamOutput: a series' Stream V2 stream
// (daq/stream/stream_sender.hpp) fed from a channel of pooled frames by its own sender thread.
//
// Two roles (docs/adr/0011-stream-v2.md):
// - primary (no --out): the frames come on the primary channel. The sender thread waits up to
//   --stream-start-timeout for a message buffer and the socket, so a slow consumer backs the
//   pipeline up as a slow disk does (the delivery loop's failure policy: pool, heap fallback,
//   drops); a stalled one costs at most that bound per frame before the frame is dropped
//   (counted by the stream).
// - secondary (beside a writer): the frames come from a channel tap with its own pool of
//   --stream-hwm copies. The delivery thread only copies the pixels into that pool (the tap); the
//   sender thread copies or compresses them into a message buffer and never waits: past hwm
//   images in flight, or with no consumer connected, the frame is dropped for the stream alone.
// Either way the delivery thread never compresses and never waits on the network.
//
// Counting: frames offered to the stream = sent + dropped (the tap's own drops included).
// Thread-safety: construction, start(), finish() from the control thread; counts() from any
// thread. Allocation: the constructor (socket), start() (buffers, the thread); nothing per frame.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "daq/acquisition/settings.hpp"
#include "daq/pipeline/channel.hpp"
#include "daq/pool/frame_data.hpp"
#include "daq/stream/stream_sender.hpp"

namespace daq::acquisition {

struct StreamCounts {
  std::uint64_t sent = 0;
  std::uint64_t dropped = 0;  ///< the sender's drops (the tap's are added by the caller)
  std::uint64_t bytes = 0;
};

class StreamOutput {
 public:
  /// Binds the socket: ConfigError "--stream: ..." for a bad endpoint or option.
  StreamOutput(const StreamSettings& settings, bool primary);
  ~StreamOutput();
  StreamOutput(const StreamOutput&) = delete;
  StreamOutput& operator=(const StreamOutput&) = delete;

  /// Sends the start message (waits up to the start timeout for a consumer) and starts the
  /// sender thread on `frames`. Returns whether a consumer took the start message.
  bool start(const stream::SeriesStart& series, Receiver<LoanedFrame> frames);
  /// Waits for the sender thread to drain `frames` (closed by the producer), then sends the end
  /// message with the start timeout's bound. Returns whether a consumer took it; false at once
  /// when start() did not succeed.
  bool finish();

  /// Closes the input channel (a failed start): the sender thread ends once it is drained.
  void close_input() noexcept { frames_.close(); }

  StreamCounts counts() const noexcept;
  /// The bound endpoint (the port the system chose for a "*" port).
  const std::string& endpoint() const noexcept;
  bool primary() const noexcept { return primary_; }
  /// Whether a consumer took the start message in time.
  bool start_taken() const noexcept { return start_taken_; }

 private:
  void run() noexcept;

  const bool primary_;
  bool start_taken_ = false;
  std::unique_ptr<stream::StreamSender> sender_;
  Receiver<LoanedFrame> frames_;  // read by thread_ only; close_input() from the control thread
  std::thread thread_;
};

/// The sender's options for `settings`; ConfigError naming --stream-compression.
stream::StreamOptions stream_options(const StreamSettings& settings, bool primary);

}  // namespace daq::acquisition
