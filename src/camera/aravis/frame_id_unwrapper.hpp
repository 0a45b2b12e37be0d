// FrameIdUnwrapper: a camera's wrapping frame ids -> a monotonic hardware frame number.
//
// GigE Vision block ids are 16 bit: 1, 2, ..., 65535, then 1 again (0 is never used). USB3
// Vision and GigE Vision 2 extended ids are 64 bit and do not wrap. next() maps each id to a
// number that grows by exactly the distance between ids, so a gap of k numbers is k lost frames.
// The first id after reset() keeps its own value.
// An id that is not newer than the last one (a repeat, or a frame completed late, out of order:
// Aravis does both when packets go missing) is `stale`: reported, and the state is unchanged.
// With 16-bit ids "newer" means less than half a period ahead (sequence-number arithmetic).
// Thread-safety: a plain value, one thread. Allocation: none.
#pragma once

#include <cstdint>

namespace daq::camera::aravis_detail {

class FrameIdUnwrapper {
 public:
  /// period: ids run 1..period and wrap to 1; 0: ids never wrap. An id above `period` means the
  /// camera sends extended (64-bit) ids after all: from then on they are taken as they are.
  explicit FrameIdUnwrapper(std::uint64_t period) noexcept : period_(period) {}

  void reset() noexcept { started_ = false; }

  struct Result {
    std::int64_t number;  ///< monotonic hardware frame number (of the last frame when stale)
    std::uint64_t lost;   ///< ids skipped since the previous frame
    bool stale;           ///< not newer than the previous frame: out of order or repeated
  };

  Result next(std::uint64_t id) noexcept {
    if (period_ != 0 && id > period_) period_ = 0;
    if (!started_) {
      started_ = true;
      last_id_ = id;
      number_ = static_cast<std::int64_t>(id);
      return {number_, 0, false};
    }
    std::uint64_t distance = 0;
    if (period_ != 0) {
      // ids are 1..period: shift to 0..period-1 (an invalid 0 lands where `period` would) and
      // take the forward distance modulo period; more than half a period ahead means behind.
      const std::uint64_t now = (id + period_ - 1) % period_;
      const std::uint64_t before = (last_id_ + period_ - 1) % period_;
      distance = (now + period_ - before) % period_;
      if (distance > period_ / 2) distance = 0;
    } else {
      distance = id > last_id_ ? id - last_id_ : 0;
    }
    if (distance == 0) return {number_, 0, true};
    last_id_ = id;
    number_ += static_cast<std::int64_t>(distance);
    return {number_, distance - 1, false};
  }

 private:
  std::uint64_t period_;
  bool started_ = false;
  std::uint64_t last_id_ = 0;
  std::int64_t number_ = 0;
};

}  // namespace daq::camera::aravis_detail
