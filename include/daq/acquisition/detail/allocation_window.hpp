// daq/acquisition/detail/allocation_window.hpp — AllocationWindow: one thread's heap allocations
// per frame, over a window that starts after a warm-up and ends at the last frame seen.
//
// The thread that handles the frames calls on_frame() once per frame; `count` (e.g.
// daq::alloc_counter::this_thread() where that library is linked) returns that thread's
// allocations so far, so the difference between two calls is what one frame cost it. The first
// `warmup_frames` frames are not measured (buffers made at a first use, a first pass over each
// pooled frame); the window runs from frame warmup_frames + 1 to the last one. Used by the
// delivery thread's AllocationProbe and by the stream's sender thread: one mechanism for both.
// Thread-safety: on_frame() from one thread; per_frame() from any (the count is published with
// release order, so a reader pairs it with the baseline and a count of allocations at least as
// new: a live estimate while that thread runs, exact once it has stopped). Allocation: none.
// Ownership and misuse: `count` must not be null and must not allocate. Not API: only the
// acquisition core uses it.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>

namespace daq::acquisition::detail {

class AllocationWindow {
 public:
  /// Returns the calling thread's allocations so far; must not allocate.
  using Counter = std::uint64_t (*)() noexcept;

  AllocationWindow(Counter count, std::uint64_t warmup_frames) noexcept
      : count_(count), warmup_frames_(warmup_frames) {}

  /// One more frame on the measuring thread.
  void on_frame() noexcept {
    const std::uint64_t now = count_();
    // One writer (the measuring thread): a plain load and store is the whole increment.
    const std::uint64_t seen = frames_seen_.load(std::memory_order_relaxed) + 1;
    frames_seen_.store(seen, std::memory_order_relaxed);
    if (seen == warmup_frames_ + 1) {
      baseline_.store(now, std::memory_order_relaxed);
    } else if (seen > warmup_frames_ + 1) {
      latest_.store(now, std::memory_order_relaxed);
      // release: a reader that sees this count sees the baseline and a latest at least as new.
      measured_frames_.store(seen - warmup_frames_ - 1, std::memory_order_release);
    }
  }

  /// Allocations per frame over the window; nullopt when it holds no frame (fewer than
  /// warmup_frames + 2 frames seen).
  std::optional<double> per_frame() const noexcept {
    const std::uint64_t frames = measured_frames_.load(std::memory_order_acquire);
    if (frames == 0) return std::nullopt;
    const std::uint64_t allocations =
        latest_.load(std::memory_order_relaxed) - baseline_.load(std::memory_order_relaxed);
    return static_cast<double>(allocations) / static_cast<double>(frames);
  }

 private:
  const Counter count_;
  const std::uint64_t warmup_frames_;
  std::atomic<std::uint64_t> frames_seen_{0};
  std::atomic<std::uint64_t> baseline_{0};
  std::atomic<std::uint64_t> latest_{0};
  std::atomic<std::uint64_t> measured_frames_{0};
};

}  // namespace daq::acquisition::detail
