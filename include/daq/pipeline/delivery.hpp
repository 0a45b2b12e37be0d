// daq/pipeline/delivery.hpp — StreamingProducer: the one delivery loop every camera runs.
//
// A camera is `StreamingProducer(std::make_unique<XSource>(config), options)`: the driver only
// produces bytes and metadata (FrameSource); this class owns everything else. Per frame, on its
// own thread:
//   wait_frame → frame buffer: pooled frame (try, then wait up to acquire_timeout), else a heap
//   fallback frame while fallback bytes on loan stay within fallback_budget_bytes, else drop
//   (skip_frame, pool_exhausted) → read_frame → frame_number → observers and channel taps →
//   legacy subscribers (if any) → try_send to the primary (full: drop channel_full; closed: drop
//   channel_closed and end the stream) → ledger.
// A frame the source leaves empty (actual_len 0) is dropped as source_error. Hardware
// frame-number gaps are recorded as lost (ledger.hpp); at stream end, after
// source->stop(), the numbers the source's hw_numbering() spans that never arrived (before the
// first or after the last frame) are recorded as lost too. Failure policy: docs/architecture.md.
//
// Memory: pool_frames frames of the source's frame_bytes behind headroom_bytes are mapped once
//   (FrameData::mapped_bytes() each), on first start, and kept for the producer's life
//   (restarts reuse them); a pool beyond PageMemory::usable_memory() is refused (PoolTooLarge,
//   a ConfigError carrying the limit: pool_limit.hpp).
//   Heap fallback frames are mapped when needed and unmapped when their loan ends. With
//   use_pool = false (the rollback switch, DAQ_USE_POOL=0) every frame is a fresh heap frame, as
//   before the migration: same API, counted in stats().fallback_allocations.
// Allocation: after start, the frame path allocates nothing when the pool suffices (observers
//   and taps permitting); heap fallbacks and use_pool = false allocate by design.
// Thread-safety and the stream/primary lifecycle: see frame_producer.hpp.
// Stop latency: at most one source poll (20 ms) or one acquire_timeout, plus one frame.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "daq/pipeline/frame_producer.hpp"
#include "daq/pipeline/pool_limit.hpp"

namespace daq {

/// The rollback switch: false when the environment variable DAQ_USE_POOL is "0".
bool use_pool_from_env() noexcept;

struct DeliveryOptions {
  std::size_t pool_frames = 8;  ///< pooled frames (at least 1)
  /// How long the loop waits for a pooled frame before falling back to the heap.
  std::chrono::nanoseconds acquire_timeout = std::chrono::milliseconds(10);
  /// Most heap-fallback bytes on loan at once (whole frames); 0 disables the fallback.
  std::size_t fallback_budget_bytes = std::size_t{64} << 20;
  /// false: every frame is a fresh heap allocation (pre-migration behaviour, for rollback).
  bool use_pool = use_pool_from_env();
  /// Bytes of headroom in front of every frame's pixels (rounded up to whole pages; 0: none),
  /// for a consumer that prefixes frames in place (FrameData::headroom()).
  std::size_t headroom_bytes = 0;
};

class StreamingProducer final : public FrameProducer {
 public:
  /// Throws ConfigError for pool_frames 0 or a null source. Nothing is prepared yet.
  StreamingProducer(std::unique_ptr<FrameSource> source, DeliveryOptions options = {});
  /// Stops the stream (reason `requested`) and joins the delivery thread.
  ~StreamingProducer() override;
  StreamingProducer(const StreamingProducer&) = delete;
  StreamingProducer& operator=(const StreamingProducer&) = delete;

  void register_primary_output(Sender<LoanedFrame> primary) override;
  ObserverHandle register_observer(std::unique_ptr<FrameObserver> observer,
                                   ObserverOptions options = {}) override;
  bool unregister_observer(ObserverHandle handle) override;
  ChannelTap add_channel_tap(std::string name, ChannelTapOptions options) override;
  SharingTap add_sharing_tap(std::string name, SharingTapOptions options) override;

  using FrameProducer::start_stream;
  void start_stream(const StartOptions& options) override;
  void stop_stream() override;
  bool is_streaming() const noexcept override;
  bool wait_until_stopped(std::chrono::nanoseconds timeout) override;

  ProducerStats stats() const override;
  LedgerSnapshot ledger() const override;
  SourceFormat format() override;

  [[deprecated(
      "allocates per frame; use register_primary_output() and observers")]] Receiver<SharedFrame>
  subscribe_frames(std::size_t capacity = 16) override;
  [[deprecated(
      "allocates per frame; use register_primary_output()")]] std::optional<Receiver<SharedFrame>>
  take_frame_receiver(std::size_t capacity = 16) override;

  const DeliveryOptions& options() const noexcept { return options_; }

 private:
  using FramePool = Pool<FrameData>;

  // Control side (delivery.cpp); callers hold control_mutex_.
  void prepare_locked();
  void check_pool_fits(std::size_t frame_bytes) const;
  void join_locked();
  bool on_delivery_thread() const noexcept;

  // The delivery thread (delivery_loop.cpp).
  void run() noexcept;
  bool deliver_one(const PendingFrame& pending) noexcept;  // false: end the stream
  std::optional<LoanedFrame> frame_buffer() noexcept;
  std::optional<LoanedFrame> fallback_frame() noexcept;
  void take_new_primary() noexcept;
  void finish(StopReason reason, std::string message) noexcept;

  const std::unique_ptr<FrameSource> source_;
  const DeliveryOptions options_;

  std::mutex control_mutex_;  // start/stop/prepare
  std::thread thread_;
  bool prepared_ = false;
  SourceFormat format_;  // written once by prepare_locked before publishing format_ready_
  std::atomic<bool> format_ready_{false};
  std::shared_ptr<FramePool> pool_;       // the frames (unused with use_pool = false)
  std::shared_ptr<FramePool> heap_pool_;  // empty slots lending heap frames (see delivery.cpp)
  std::size_t heap_frame_limit_ = 0;      // budgeted fallback frames on loan at most

  // Primary hand-over: register_primary_output stores here, the loop takes it.
  std::mutex primary_mutex_;
  std::optional<Sender<LoanedFrame>> pending_primary_;
  std::atomic<bool> primary_changed_{false};

  // Stream state, guarded by state_mutex_; streaming_ mirrors it for lock-free reads.
  mutable std::mutex state_mutex_;
  std::condition_variable stopped_cv_;
  StopReason stop_reason_ = StopReason::none;
  std::string stop_message_;
  std::atomic<bool> streaming_{false};
  std::atomic<bool> stop_requested_{false};

  // Owned by the delivery thread while it runs.
  std::optional<Sender<LoanedFrame>> primary_;
  std::uint64_t next_frame_number_ = 0;

  TapRegistry taps_;
  LegacyBroadcast legacy_;
  FrameLedger ledger_;
  DeliveryMetrics metrics_;
};

}  // namespace daq
