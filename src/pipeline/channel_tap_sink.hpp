// channel_tap_sink.hpp — the copying end of a channel tap (TapRegistry internals, not API).
//
// Copies an offered frame into a frame of the tap's OWN pool and try_sends the loan on the
// tap's channel. Never blocks: no free pool frame, a full queue or a closed receiver all mean
// "dropped" for this tap only. Allocation: the constructor builds the pool; offer() allocates
// nothing. Thread-safety: offer() from one thread at a time (the delivery thread).
#pragma once

#include <cstddef>
#include <memory>

#include "daq/pipeline/channel.hpp"
#include "daq/pool/frame_data.hpp"
#include "daq/pool/frame_view.hpp"
#include "daq/pool/pool.hpp"

namespace daq::detail {

class ChannelTapSink {
 public:
  enum class Outcome { sent, dropped, too_large };

  /// Builds `pool_frames` frames of `frame_bytes` each (throws what the pool throws).
  ChannelTapSink(Sender<LoanedFrame> frames, std::size_t pool_frames, std::size_t frame_bytes);

  Outcome offer(const FrameView& frame) noexcept;

 private:
  std::shared_ptr<Pool<FrameData>> pool_;
  Sender<LoanedFrame> frames_;
  std::size_t frame_bytes_;
};

}  // namespace daq::detail
