// daq/pipeline/frame_producer.hpp — FrameProducer: what applications see of a camera.
//
// Contract
// - One primary output: register_primary_output(sender) hands over the Sender of a bounded
//   channel of LoanedFrame; a second call replaces it (also while streaming: the next frame goes
//   to the new one). The primary output lasts ONE stream: when the stream ends the producer drops
//   its Sender, so a receiver whose only sender was the producer's sees the channel close after
//   the last frame. Register again before the next start_stream() (keep a Sender copy to use
//   one channel for several streams). Frames with no primary registered are still shown to
//   observers and counted as dropped (no_primary).
// - Any number of observers (FrameObserver, see observer.hpp), channel taps (copies in the
//   tap's own pool) and sharing taps (shares of the producer's frames, see tap_registry.hpp);
//   all persist across streams.
// - start_stream() prepares the source on first use (ConfigError / SourceError propagate, nothing
//   is started), then starts it for StartOptions' frame count (the source's configured count
//   unless given: a count per stream reuses the prepared source and its pool); stop_stream() stops
//   and joins; a stream also ends by itself when the source finishes or fails or the primary
//   channel is closed (never restarted automatically: stats().stop_reason says why). Restart with
//   start_stream() after it ended. Each stream starts a new ledger and frame numbers from 0.
// - ledger(): every produced frame delivered or dropped with a cause (ledger.hpp).
// - Legacy, [[deprecated]]: subscribe_frames() / take_frame_receiver() (legacy_frames.hpp)
//   allocate per frame; they exist for unmigrated code and the before/after benchmark.
//
// Thread-safety: every member may be called from any thread, concurrently. stop_stream() called
//   from inside an observer (on the delivery thread) requests the stop without waiting for it.
// Allocation: control calls allocate (threads, pools, channels, registrations); stats() and
//   ledger() allocate the vectors they return; the frame path allocates nothing (delivery.hpp).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "daq/pipeline/channel.hpp"
#include "daq/pipeline/frame_source.hpp"
#include "daq/pipeline/ledger.hpp"
#include "daq/pipeline/legacy_frames.hpp"
#include "daq/pipeline/metrics.hpp"
#include "daq/pipeline/observer.hpp"
#include "daq/pipeline/tap_registry.hpp"
#include "daq/pool/frame_data.hpp"

namespace daq {

/// Why the last stream ended.
enum class StopReason {
  none,            ///< never started, or still streaming
  requested,       ///< stop_stream() (or the producer's destructor)
  finished,        ///< the source produced its configured frame count
  source_failed,   ///< the source reported a failure; stop_message holds its message
  primary_closed,  ///< the primary channel was closed by its receiver
};

/// "none", "requested", ...
std::string_view to_string(StopReason reason) noexcept;

struct ProducerStats : MetricsSnapshot {
  bool streaming = false;
  StopReason stop_reason = StopReason::none;
  std::string stop_message;  ///< the source's error for source_failed, else a short description
  LegacyStats legacy;        ///< the deprecated broadcast path
};

class FrameProducer {
 public:
  virtual ~FrameProducer() = default;

  /// Sets (or replaces) the primary output for the current or next stream.
  virtual void register_primary_output(Sender<LoanedFrame> primary) = 0;

  /// Adds an observer; see TapRegistry::register_observer for options and errors.
  virtual ObserverHandle register_observer(std::unique_ptr<FrameObserver> observer,
                                           ObserverOptions options = {}) = 0;
  /// After it returns the observer is never called again. False for an unknown handle.
  virtual bool unregister_observer(ObserverHandle handle) = 0;

  /// A channel tap of copies in its own pool; options.frame_bytes 0 means the source's frame
  /// size (the source is prepared to learn it, which may throw ConfigError / SourceError).
  virtual ChannelTap add_channel_tap(std::string name, ChannelTapOptions options) = 0;

  /// A sharing tap: shares of the producer's own frames, no copy (tap_registry.hpp). The tap
  /// holds up to options.frames_held pooled frames: size the pool for them.
  virtual SharingTap add_sharing_tap(std::string name, SharingTapOptions options) = 0;

  /// Throws ConfigError / SourceError / PoolError when the stream cannot start; nothing runs
  /// then. Starting while streaming does nothing.
  virtual void start_stream(const StartOptions& options) = 0;
  /// start_stream() for the source's configured frame count.
  void start_stream() { start_stream(StartOptions{}); }
  /// Stops the stream and waits for the delivery thread; nothing when not streaming.
  virtual void stop_stream() = 0;
  virtual bool is_streaming() const noexcept = 0;
  /// Waits at most `timeout` for the stream to end; true when it is not streaming.
  virtual bool wait_until_stopped(std::chrono::nanoseconds timeout) = 0;

  virtual ProducerStats stats() const = 0;
  virtual LedgerSnapshot ledger() const = 0;

  /// The frames this producer delivers (prepares the source on first use; may throw like
  /// start_stream()).
  virtual SourceFormat format() = 0;

  /// The pre-pool broadcast: every subscriber gets every frame as a shared heap copy.
  [[deprecated(
      "allocates per frame; use register_primary_output() and observers")]] virtual Receiver<SharedFrame>
  subscribe_frames(std::size_t capacity = 16) = 0;

  /// The pre-pool single receiver, once per stream (nullopt when already taken).
  [[deprecated("allocates per frame; use register_primary_output()")]] virtual std::optional<
      Receiver<SharedFrame>>
  take_frame_receiver(std::size_t capacity = 16) = 0;
};

}  // namespace daq
