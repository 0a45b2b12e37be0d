#include "daq/pipeline/observers/latest_frame.hpp"

#include <stdexcept>
#include <utility>

#include "../frame_copy.hpp"

namespace daq {

LatestFrame::LatestFrame(std::size_t max_bytes, std::string name)
    : name_(std::move(name)), max_bytes_(max_bytes) {
  if (max_bytes == 0) throw std::invalid_argument("LatestFrame: max_bytes must be at least 1");
  state_ = std::make_shared<detail::LatestFrameState>(max_bytes);
}

void LatestFrame::on_frame(const FrameView& frame) {
  if (frame.pixels().size() > max_bytes_) {
    throw std::length_error("LatestFrame: frame is larger than max_bytes");
  }
  detail::copy_frame(frame, state_->frames.back());
  state_->frames.publish();
  state_->published.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace daq
