// daq/acquisition/detail/allocation_probe.hpp — AllocationProbe: an observer that measures heap
// allocations on the delivery thread.
//
// Observers run on the producer's delivery thread, so an AllocationWindow (allocation_window.hpp)
// fed from on_frame() sees exactly the allocations of the frame hot path (source read, pool,
// taps, primary send) between two frames. The first `warmup_frames` frames are not measured.
// Thread-safety: on_frame on the delivery thread; per_frame() from any thread (relaxed atomics,
// display only). Allocation: none per frame.
// Ownership and misuse: the producer owns the probe once registered; `count` must not be null
// and must not allocate. Not API: only the acquisition core uses it.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "daq/acquisition/detail/allocation_window.hpp"
#include "daq/pipeline/observer.hpp"

namespace daq::acquisition::detail {

class AllocationProbe final : public FrameObserver {
 public:
  using Counter = AllocationWindow::Counter;

  AllocationProbe(Counter count, std::uint64_t warmup_frames) : window_(count, warmup_frames) {}

  void on_frame(const FrameView&) override { window_.on_frame(); }
  std::string_view name() const noexcept override { return "allocation_probe"; }

  /// Allocations per frame after warm-up; nullopt while the window holds no frame.
  std::optional<double> per_frame() const noexcept { return window_.per_frame(); }

 private:
  AllocationWindow window_;
};

}  // namespace daq::acquisition::detail
