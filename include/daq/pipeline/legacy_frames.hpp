// daq/pipeline/legacy_frames.hpp — the deprecated per-frame-allocating delivery path.
//
// Before the pool migration every frame was copied into a fresh heap vector, wrapped in a
// shared pointer and broadcast to every subscriber. This header keeps that path alive behind
// FrameProducer::subscribe_frames() / take_frame_receiver() (both [[deprecated]]) for code not
// yet migrated and as the "before" of the before/after benchmark. New code uses
// register_primary_output() and observers (docs/migration.md).
//
// Contract
// - publish() builds ONE Frame per frame (a std::vector of the pixels plus metadata, in a
//   std::shared_ptr: two heap allocations and a full copy) and try_sends a copy of the pointer to
//   every subscriber. A subscriber whose channel is full misses that frame (counted as `lagged`);
//   one whose receiver is gone is forgotten.
// - Subscriptions last one stream: close_all() (called when the stream ends) drops every sender,
//   so receivers see the channel close after the last frame. take_receiver() hands out the single
//   legacy receiver once per stream; a second call before the stream ends returns nullopt.
// - Legacy frames are not part of the frame ledger: the ledger accounts for the primary output.
//
// Thread-safety: subscribe/take_receiver/close_all/stats from any thread; publish from the one
//   delivery thread. has_subscribers() is a lock-free check for the hot path.
// Allocation: publish() allocates per frame (that is the point); subscribe() allocates a channel.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "daq/pipeline/channel.hpp"
#include "daq/pool/frame_view.hpp"

namespace daq {

/// The legacy frame: metadata plus its own heap copy of the pixels.
struct Frame : FrameMetadata {
  std::vector<std::byte> pixels;

  FrameView view() const& noexcept { return FrameView(pixels, *this); }
  FrameView view() const&& = delete;
};

using SharedFrame = std::shared_ptr<const Frame>;

struct LegacyStats {
  std::uint64_t frames_published = 0;  ///< frames copied into a Frame (one per frame)
  std::uint64_t frames_lagged = 0;     ///< deliveries skipped because a subscriber was full
  std::size_t subscribers = 0;         ///< subscribers now
};

class LegacyBroadcast {
 public:
  /// A new subscriber with a queue of `capacity` frames (0 throws std::invalid_argument).
  Receiver<SharedFrame> subscribe(std::size_t capacity);

  /// The single legacy receiver of this stream, or nullopt when it was already taken.
  std::optional<Receiver<SharedFrame>> take_receiver(std::size_t capacity);

  bool has_subscribers() const noexcept {
    // relaxed: a subscriber added concurrently is picked up at the next frame or the one after.
    return subscriber_count_.load(std::memory_order_relaxed) != 0;
  }

  /// Copies `frame` into a new Frame and offers it to every subscriber (delivery thread only).
  void publish(const FrameView& frame) noexcept;

  /// Drops every subscriber's sender (stream end) and makes take_receiver() available again.
  void close_all() noexcept;

  LegacyStats stats() const noexcept;

 private:
  Receiver<SharedFrame> add(std::size_t capacity);

  mutable std::mutex mutex_;
  std::vector<Sender<SharedFrame>> subscribers_;
  bool receiver_taken_ = false;
  std::atomic<std::size_t> subscriber_count_{0};
  std::atomic<std::uint64_t> published_{0};
  std::atomic<std::uint64_t> lagged_{0};
};

}  // namespace daq
