#include "channel_tap_sink.hpp"

#include <utility>

#include "frame_copy.hpp"

namespace daq::detail {

ChannelTapSink::ChannelTapSink(Sender<LoanedFrame> frames, std::size_t pool_frames,
                               std::size_t frame_bytes)
    : pool_(Pool<FrameData>::create(
          pool_frames, [frame_bytes] { return FrameData::with_capacity(frame_bytes); },
          [](FrameData& frame) { frame.reset(); })),
      frames_(std::move(frames)),
      frame_bytes_(frame_bytes) {}

ChannelTapSink::Outcome ChannelTapSink::offer(const FrameView& frame) noexcept {
  if (frame.pixels().size() > frame_bytes_) return Outcome::too_large;
  if (frames_.is_closed()) return Outcome::dropped;  // nobody is listening: skip the copy
  std::optional<LoanedFrame> loan = pool_->try_acquire();
  if (!loan) return Outcome::dropped;
  copy_frame(frame, **loan);  // fits: pool frames hold at least frame_bytes_
  // A refused loan is destroyed here and goes straight back to the pool.
  return frames_.try_send(std::move(*loan)) ? Outcome::sent : Outcome::dropped;
}

}  // namespace daq::detail
