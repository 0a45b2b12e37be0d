// channel_tap_sink.hpp — the sending end of a channel tap (TapRegistry internals, not API).
//
// A channel tap owns a small pool and a bounded channel. offer() takes a slot of that pool,
// fills it from the producer's frame and try_sends the slot's loan on the tap's channel. Two
// kinds, one mechanism:
// - copying (Element = FrameData): the slot is a frame of the tap's own; the pixels are copied.
// - sharing (Element = SharedLoanedFrame): the slot holds a share of the producer's frame, no
//   copy (docs/adr/0015-shared-frame-loan.md); the pool's size is the tap's quota of frames held.
// Never blocks: no free slot, a full queue or a closed receiver all mean "dropped" for this tap
// only. Allocation: the constructor builds the pool; offer() allocates nothing.
// Thread-safety: offer() from one thread at a time (the delivery thread).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "daq/pipeline/channel.hpp"
#include "daq/pool/frame_data.hpp"
#include "daq/pool/frame_view.hpp"
#include "daq/pool/pool.hpp"
#include "daq/pool/shared_loan.hpp"
#include "frame_copy.hpp"

namespace daq::detail {

template <class Element>
class ChannelTapSink {
  static_assert(std::is_same_v<Element, FrameData> || std::is_same_v<Element, SharedLoanedFrame>,
                "a channel tap copies frames or shares them");
  static constexpr bool kShares = std::is_same_v<Element, SharedLoanedFrame>;

 public:
  enum class Outcome { sent, dropped, too_large };

  /// Builds `slots` slots: frames of `frame_bytes` each (copying), or empty shares (sharing;
  /// `frame_bytes` then is unused). Throws what the pool throws.
  ChannelTapSink(Sender<Loaned<Element>> frames, std::size_t slots, std::size_t frame_bytes)
      : pool_(make_pool(slots, frame_bytes)),
        frames_(std::move(frames)),
        frame_bytes_(frame_bytes) {}

  /// `loan` is the producer's frame when it is pooled; nullptr for a view alone, which a sharing
  /// tap cannot hold (dropped).
  Outcome offer(const FrameView& frame, const LoanedFrame* loan) noexcept {
    if constexpr (!kShares) {
      if (frame.pixels().size() > frame_bytes_) return Outcome::too_large;
    } else {
      if (loan == nullptr) return Outcome::dropped;
    }
    if (frames_.is_closed()) return Outcome::dropped;  // nobody is listening: skip the work
    std::optional<Loaned<Element>> slot = pool_->try_acquire();
    if (!slot) return Outcome::dropped;  // the quota is out
    if constexpr (kShares) {
      **slot = loan->share();
    } else {
      copy_frame(frame, **slot);  // fits: pool frames hold at least frame_bytes_
    }
    // A refused slot is destroyed here and goes straight back to the pool (with its share).
    return frames_.try_send(std::move(*slot)) ? Outcome::sent : Outcome::dropped;
  }

 private:
  static std::shared_ptr<Pool<Element>> make_pool(std::size_t slots, std::size_t frame_bytes) {
    if constexpr (kShares) {
      return Pool<Element>::create(
          slots, [] { return SharedLoanedFrame(); },
          [](SharedLoanedFrame& share) { share.reset(); });
    } else {
      return Pool<Element>::create(
          slots, [frame_bytes] { return FrameData::with_capacity(frame_bytes); },
          [](FrameData& frame) { frame.reset(); });
    }
  }

  std::shared_ptr<Pool<Element>> pool_;
  Sender<Loaned<Element>> frames_;
  std::size_t frame_bytes_;
};

}  // namespace daq::detail
