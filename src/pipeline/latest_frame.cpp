#include "daq/pipeline/latest_frame.hpp"

#include <utility>

#include "frame_copy.hpp"

namespace daq {

bool LatestFrameReader::copy_latest(FrameData& out) const {
  const std::lock_guard lock(state_->mutex);
  if (!state_->latest) return false;
  const FrameView frame = (**state_->latest)->view();
  if (out.capacity() < frame.pixels().size()) {
    out = FrameData::with_capacity(frame.pixels().size());
  }
  detail::copy_frame(frame, out);
  return true;
}

LatestFrame::LatestFrame(Receiver<HeldFrame> frames)
    : state_(std::make_shared<detail::LatestFrameState>()), frames_(std::move(frames)) {
  thread_ = std::thread([this] { receive(); });
}

LatestFrame::~LatestFrame() {
  frames_.close();
  thread_.join();
}

void LatestFrame::receive() noexcept {
  while (std::optional<HeldFrame> next = frames_.recv()) {
    {
      const std::lock_guard lock(state_->mutex);
      std::swap(state_->latest, next);
    }
    next.reset();  // the replaced frame goes back, outside the lock
    state_->received.fetch_add(1, std::memory_order_release);
  }
  std::optional<HeldFrame> last;
  const std::lock_guard lock(state_->mutex);
  std::swap(state_->latest, last);
}

}  // namespace daq
