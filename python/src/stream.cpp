#include "stream.hpp"

#include <string>

#include "daq/pipeline/channel.hpp"
#include "gil_wait.hpp"
#include "tap.hpp"

namespace daq::python {

Stream::Stream(std::shared_ptr<Camera> camera, StreamLimits limits)
    : camera_(std::move(camera)), limits_(limits) {}

Stream::~Stream() {
  if (producer_) producer_->stop_stream();
  end_taps();
  camera_->stream_ended(this);
}

void Stream::start() {
  if (started_) return;
  producer_ = camera_->open(limits_.frames);
  // As deep as the pool: the channel holds every frame the pool can lend, so frames are
  // dropped for want of a pooled buffer (pool_exhausted), never for a full channel.
  auto [sender, receiver] = make_channel<LoanedFrame>(camera_->pool_frames());
  producer_->register_primary_output(std::move(sender));
  frames_ = std::move(receiver);
  for (const std::shared_ptr<Tap>& tap : camera_->stream_started(weak_from_this())) attach(tap);
  {
    pybind11::gil_scoped_release released;  // preparing the camera can take a while
    producer_->start_stream();
  }
  started_ = true;
  if (limits_.duration) deadline_ = std::chrono::steady_clock::now() + *limits_.duration;
}

void Stream::stop() {
  if (!started_ || stopped_) return;
  stopped_ = true;
  {
    pybind11::gil_scoped_release released;
    producer_->stop_stream();
  }
  frames_.close();
  // Frames queued but not taken go back to the pool now, not when the Stream is collected.
  while (frames_.try_recv()) {
  }
  // The registrations go away with end_taps(): keep their final counters for stats().
  for (TapStats& tap : producer_->stats().taps) ended_taps_.push_back(std::move(tap));
  end_taps();
  camera_->stream_ended(this);
}

bool Stream::running() const noexcept {
  return started_ && !stopped_;
}

void Stream::attach(const std::shared_ptr<Tap>& tap) {
  ChannelTap channel =
      producer_->add_channel_tap("python-tap-" + std::to_string(taps_.size() + 1), tap->options());
  tap->attach(std::move(channel.frames));
  taps_.emplace_back(tap, channel.handle);
}

void Stream::end_taps() noexcept {
  // Unregistering destroys the tap's sender: its iterator drains the queue, then ends.
  for (const auto& [tap, handle] : taps_) producer_->unregister_observer(handle);
  taps_.clear();
}

Stream::Step Stream::poll() {
  auto slice = std::chrono::duration_cast<std::chrono::nanoseconds>(kWaitSlice);
  if (deadline_) {
    const auto left = *deadline_ - std::chrono::steady_clock::now();
    if (left <= left.zero()) {
      deadline_.reset();
      producer_->stop_stream();  // the channel closes after the frames already sent
    } else if (left < slice) {
      slice = left;
    }
  }
  if (auto received = frames_.recv_for(slice)) return received;
  if (frames_.is_closed()) return frames_.try_recv();  // drained: the end
  return std::nullopt;
}

std::optional<LoanedFrame> Stream::next() {
  if (!started_) start();
  std::optional<LoanedFrame> frame = wait_without_gil([this] { return poll(); });
  if (!frame) stop();
  return frame;
}

std::uint64_t Stream::drain() {
  start();
  std::uint64_t frames = 0;
  for (bool ended = false; !ended;) {
    {
      pybind11::gil_scoped_release released;
      const auto until = std::chrono::steady_clock::now() + kWaitSlice;
      do {
        if (Step step = poll()) {
          ended = !step->has_value();
          frames += ended ? 0 : 1;  // the frame goes back to the pool here
        }
      } while (!ended && std::chrono::steady_clock::now() < until);
    }
    if (!ended) check_signals();
  }
  stop();
  return frames;
}

LedgerSnapshot Stream::ledger() const {
  return producer_ ? producer_->ledger() : LedgerSnapshot{};
}

ProducerStats Stream::stats() const {
  if (!producer_) return {};
  ProducerStats stats = producer_->stats();
  if (stopped_) stats.taps = ended_taps_;
  return stats;
}

}  // namespace daq::python
