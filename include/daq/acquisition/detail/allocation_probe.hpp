// daq/acquisition/detail/allocation_probe.hpp — AllocationProbe: an observer that measures heap
// allocations on the delivery thread.
//
// Observers run on the producer's delivery thread, so reading the thread's allocation count
// (`count`: daq::alloc_counter::this_thread() where that library is linked) in on_frame() sees
// exactly the allocations of the frame hot path (source read, pool, taps,
// primary send) between two frames. The first `warmup_frames` frames are not measured.
// Thread-safety: on_frame on the delivery thread; per_frame() from any thread (relaxed atomics,
// display only). Allocation: none per frame.
// Ownership and misuse: the producer owns the probe once registered; `count` must not be null
// and must not allocate. Not API: only the acquisition core uses it.
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

#include "daq/pipeline/observer.hpp"

namespace daq::acquisition::detail {

class AllocationProbe final : public FrameObserver {
 public:
  /// `count` returns the calling thread's allocations so far; it must not allocate.
  using Counter = std::uint64_t (*)() noexcept;

  AllocationProbe(Counter count, std::uint64_t warmup_frames)
      : count_(count), warmup_frames_(warmup_frames) {}

  void on_frame(const FrameView&) override {
    const std::uint64_t now = count_();
    const std::uint64_t seen = frames_seen_.load(std::memory_order_relaxed) + 1;
    frames_seen_.store(seen, std::memory_order_relaxed);
    if (seen == warmup_frames_ + 1) {
      baseline_.store(now, std::memory_order_relaxed);
    } else if (seen > warmup_frames_ + 1) {
      latest_.store(now, std::memory_order_relaxed);
      measured_frames_.store(seen - warmup_frames_ - 1, std::memory_order_relaxed);
    }
  }
  std::string_view name() const noexcept override { return "allocation_probe"; }

  /// Allocations per frame after warm-up; 0 when fewer than two frames were measured.
  double per_frame() const noexcept {
    const std::uint64_t frames = measured_frames_.load(std::memory_order_relaxed);
    if (frames == 0) return 0.0;
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
