// daq/pipeline/tap_registry.hpp — TapRegistry: the secondary consumers of a frame stream.
//
// Contract
// - register_observer(observer, options) adds an observer (decimation 0 or a null observer
//   throws std::invalid_argument); the name is options.name, or observer->name() when empty.
// - add_channel_tap(name, options) adds a tap that copies every Nth frame into its OWN small
//   Pool<FrameData> (pool_frames frames of frame_bytes) and sends the loan on its own bounded
//   channel (queue_capacity). When that pool or queue is full, or the receiver is gone, the tap
//   drops the frame for itself (per-tap `dropped`); it can neither block nor starve the
//   primary path. A frame larger than frame_bytes counts as an `error`. Destroying the
//   returned Receiver is not unregistering: the tap then drops every frame until unregistered.
//   This is the ADR's "experiment capture": a decimated copy stream the caller drains at its
//   own pace.
// - add_sharing_tap(name, options) adds a tap that copies NOTHING: it sends a HeldFrame, a share
//   of the producer's own pooled frame (daq/pool/shared_loan.hpp) in one of the tap's
//   `frames_held` quota slots, on its own bounded channel. The frame returns to the producer's
//   pool when the primary consumer AND every HeldFrame of it are done, so the tap holds at most
//   frames_held of the producer's frames (size the producer's pool for it); past that quota, with
//   a full queue or no receiver it drops for itself, like a copying tap. A HeldFrame may outlive
//   the tap and the producer (it keeps both pools alive). For zero-copy secondary consumers that
//   keep frames after on_frame returns: a network sender, a live preview
//   (docs/adr/0015-shared-frame-loan.md).
// - unregister(handle) removes a registration; false for an unknown (or already removed)
//   handle. After it returns the observer is never called again. Called from another thread it
//   waits for a delivery pass in progress to finish and destroys the observer before returning.
//   Called from inside on_frame (on the delivery thread) it returns at once, and the observer
//   is destroyed once the current pass is over.
// - deliver(frame) offers the frame to every registration, in registration order. A frame given
//   as a FrameView alone (not a pooled loan) cannot be shared: sharing taps count it as dropped.
//   Decimation counts the frames offered to that registration: with N, the 1st, (N+1)th, ...
//   are taken.
//   An observer that throws is caught and counted (`errors`); a call over 1 ms (on the
//   registry's clock, steady_clock unless a test injects another) is counted (`slow_calls`).
//   deliver() itself never throws and takes no lock that a registration can hold for long.
// - stats() reports every current registration, in registration order.
//
// Thread-safety: register_observer, add_channel_tap, unregister and stats may be called from any
// thread, also from inside on_frame. deliver() must be called by one thread at a time, and not
// from inside on_frame. The registry must outlive every deliver() call.
// Allocation: registration, unregistration and stats() allocate; deliver() allocates nothing
// (channel taps copy into pre-allocated pool frames, sharing taps fill pre-built quota slots).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "daq/pipeline/channel.hpp"
#include "daq/pipeline/observer.hpp"
#include "daq/pool/frame_data.hpp"
#include "daq/pool/frame_view.hpp"
#include "daq/pool/shared_loan.hpp"

namespace daq {

struct ChannelTapOptions {
  std::uint32_t decimation = 1;    ///< copy every Nth frame offered (0 is rejected)
  std::size_t queue_capacity = 4;  ///< frames the channel holds (0 is rejected)
  std::size_t pool_frames = 4;     ///< frames in the tap's own pool (0 is rejected)
  std::size_t frame_bytes = 0;     ///< capacity of each pool frame (0 is rejected)
};

/// What add_channel_tap returns: the registration and the receiving end of the tap's copies.
struct ChannelTap {
  ObserverHandle handle;
  Receiver<LoanedFrame> frames;
};

struct SharingTapOptions {
  std::uint32_t decimation = 1;  ///< share every Nth frame offered (0 is rejected)
  std::size_t frames_held = 4;   ///< the quota: producer frames held at once (0 is rejected)
};

/// A producer frame held by a sharing tap's receiver: `**held` is the frame (read-only).
/// Dropping it gives the quota slot back and, if it was the last holder, the frame to its pool.
using HeldFrame = Loaned<SharedLoanedFrame>;

/// What add_sharing_tap returns: the registration and the receiving end of the tap's shares.
struct SharingTap {
  ObserverHandle handle;
  Receiver<HeldFrame> frames;
};

/// Counters of one registration; each read with relaxed ordering.
struct TapStats {
  std::string name;
  std::uint64_t delivered = 0;  ///< on_frame calls that returned / copies sent on the channel
  std::uint64_t dropped = 0;    ///< channel taps: frames skipped (pool/quota or queue full, closed)
  std::uint64_t errors = 0;     ///< on_frame calls that threw / frames too large for the tap
  std::uint64_t slow_calls = 0;  ///< calls that took longer than 1 ms
  std::uint32_t decimation = 1;
};

class TapRegistry {
 public:
  /// The clock that times observer calls (slow_calls): steady_clock unless a test injects one.
  using Clock = std::chrono::steady_clock;
  using ClockNow = Clock::time_point (*)() noexcept;

  TapRegistry();
  /// Times observer calls with `now` (must be non-null; called on the delivery thread).
  explicit TapRegistry(ClockNow now);
  ~TapRegistry();
  TapRegistry(const TapRegistry&) = delete;
  TapRegistry& operator=(const TapRegistry&) = delete;

  ObserverHandle register_observer(std::unique_ptr<FrameObserver> observer,
                                   ObserverOptions options = {});
  ChannelTap add_channel_tap(std::string name, ChannelTapOptions options);
  SharingTap add_sharing_tap(std::string name, SharingTapOptions options);
  bool unregister(ObserverHandle handle);

  /// Offers `frame` to every registration. Delivery thread only; see the header contract.
  void deliver(const LoanedFrame& frame) noexcept;
  /// Offers a frame that is no pooled loan (sharing taps drop it).
  void deliver(const FrameView& frame) noexcept;

  std::vector<TapStats> stats() const;

  /// Number of current registrations.
  std::size_t size() const;

 private:
  struct Entry;
  struct Snapshot;
  struct Retired;

  ObserverHandle add(std::unique_ptr<Entry> entry);
  std::unique_ptr<Snapshot> prepare_locked(const Entry* skip);
  std::uint64_t commit_locked(std::unique_ptr<Snapshot> next,
                              std::unique_ptr<Entry> removed) noexcept;
  void reclaim_locked() noexcept;
  bool grace_passed(std::uint64_t tag) const noexcept;
  void wait_for_grace(std::uint64_t tag) noexcept;
  void deliver_pass(const FrameView& frame, const LoanedFrame* loan) noexcept;
  void deliver_to(Entry& entry, const FrameView& frame, const LoanedFrame* loan) noexcept;

  const ClockNow now_;

  // Writers (register/unregister/stats) serialise on mutex_; deliver() never waits for it.
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Entry>> entries_;  // current registrations, in order
  std::vector<Retired> retired_;                 // old snapshots / removed entries
  std::uint64_t next_id_ = 1;
  std::unique_ptr<Snapshot> snapshot_;  // owner of what current_ points to

  // The delivery thread reads current_ and counts passes (odd while a pass runs); a writer
  // frees an old snapshot only after the pass that might be reading it has ended.
  alignas(64) std::atomic<const Snapshot*> current_{nullptr};
  std::atomic<std::uint64_t> passes_{0};
  std::atomic<std::size_t> retired_count_{0};
  alignas(64) std::atomic<std::uint32_t> grace_waiters_{0};
  std::mutex grace_mutex_;
  std::condition_variable grace_cv_;
};

}  // namespace daq
