#include "channel_tap_sink.hpp"

#include <cstring>
#include <span>
#include <utility>

namespace daq::detail {

ChannelTapSink::ChannelTapSink(Sender<LoanedFrame> frames, std::size_t pool_frames,
                               std::size_t frame_bytes)
    : pool_(Pool<FrameData>::create(
          pool_frames, [frame_bytes] { return FrameData::with_capacity(frame_bytes); },
          [](FrameData& frame) { frame.reset(); })),
      frames_(std::move(frames)),
      frame_bytes_(frame_bytes) {}

ChannelTapSink::Outcome ChannelTapSink::offer(const FrameView& frame) noexcept {
  const std::span<const std::byte> pixels = frame.pixels();
  if (pixels.size() > frame_bytes_) return Outcome::too_large;
  if (frames_.is_closed()) return Outcome::dropped;  // nobody is listening: skip the copy
  std::optional<LoanedFrame> loan = pool_->try_acquire();
  if (!loan) return Outcome::dropped;
  FrameData& copy = **loan;
  static_cast<FrameMetadata&>(copy) = frame.metadata();
  // Cannot throw: the pool frames hold at least frame_bytes_ (checked above).
  const std::span<std::byte> target = copy.writable_pixels(pixels.size());
  if (!pixels.empty()) std::memcpy(target.data(), pixels.data(), pixels.size());
  // A refused loan is destroyed here and goes straight back to the pool.
  return frames_.try_send(std::move(*loan)) ? Outcome::sent : Outcome::dropped;
}

}  // namespace daq::detail
