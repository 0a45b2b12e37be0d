#include "tap.hpp"

#include <string>
#include <utility>

#include "daq/pipeline/frame_source.hpp"
#include "gil_wait.hpp"

namespace daq::python {

Tap::Tap(std::uint32_t decimation, std::size_t queue) {
  if (decimation == 0) throw ConfigError("decimation: at least 1, got 0");
  if (queue == 0) throw ConfigError("queue: at least 1, got 0");
  options_.decimation = decimation;
  options_.queue_capacity = queue;
  options_.pool_frames = queue + 1;  // a full queue plus the frame the consumer holds
}

void Tap::attach(Receiver<LoanedFrame> frames) {
  {
    const std::lock_guard lock(mutex_);
    frames_ = std::move(frames);
    has_frames_ = true;
  }
  attached_.notify_all();
}

void Tap::close() noexcept {
  {
    const std::lock_guard lock(mutex_);
    closed_ = true;
    frames_.close();
  }
  attached_.notify_all();
}

std::optional<LoanedFrame> Tap::next() {
  // Outer optional empty: keep waiting; inner: the frame, or the end of the tap.
  using Step = std::optional<std::optional<LoanedFrame>>;
  return wait_without_gil([this]() -> Step {
    std::unique_lock lock(mutex_);
    if (!has_frames_ && !closed_) attached_.wait_for(lock, kWaitSlice);
    if (closed_) return std::optional<LoanedFrame>{};
    if (!has_frames_) return std::nullopt;
    lock.unlock();  // frames_ is not replaced once set; close() only closes it
    if (auto frame = frames_.recv_for(kWaitSlice)) return frame;
    if (frames_.is_closed()) return frames_.try_recv();  // drained: the end
    return std::nullopt;
  });
}

}  // namespace daq::python
