#include "live_view.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "daq/service/service_error.hpp"
#include "live_view_message.hpp"

namespace daq::service {
namespace {

std::uint64_t nanoseconds_since_epoch(auto clock_now) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(clock_now.time_since_epoch()).count());
}

/// The wall-clock instant of a steady-clock timestamp, as seen now.
std::uint64_t unix_time_of(std::uint64_t steady_ns) {
  const std::uint64_t steady_now = nanoseconds_since_epoch(std::chrono::steady_clock::now());
  const std::uint64_t unix_now = nanoseconds_since_epoch(std::chrono::system_clock::now());
  const std::uint64_t age = steady_now > steady_ns ? steady_now - steady_ns : 0;
  return unix_now - std::min(age, unix_now);
}

}  // namespace

bool LiveView::Viewer::take(std::vector<std::byte>& out, std::chrono::nanoseconds timeout) {
  std::unique_lock lock(mutex_);
  if (!ready_.wait_for(lock, timeout, [&] { return fresh_ || closing_; }) || closing_) {
    return false;
  }
  out.swap(pending_);
  fresh_ = false;
  return true;
}

LiveView::LiveView(Source source, LiveViewOptions options)
    : source_(std::move(source)), options_(options) {
  if (!(options_.fps > 0) || !std::isfinite(options_.fps)) {
    throw ServiceError(ErrorCode::invalid_argument, "--preview-fps: must be above 0");
  }
  viewers_.reserve(options_.max_viewers);
  viewers_now_.reserve(options_.max_viewers);
  encoded_.reserve(options_.max_viewers);
  thread_ = std::thread([this] { run(); });
}

LiveView::~LiveView() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
    for (const auto& viewer : viewers_) {
      const std::lock_guard viewer_lock(viewer->mutex_);
      viewer->closing_ = true;
      viewer->ready_.notify_all();
    }
  }
  wake_.notify_all();
  thread_.join();
}

std::shared_ptr<LiveView::Viewer> LiveView::connect(std::uint32_t max_width,
                                                    std::uint32_t max_height) {
  std::shared_ptr<Viewer> viewer(new Viewer(max_width, max_height));
  const std::lock_guard lock(mutex_);
  if (viewers_.size() >= options_.max_viewers) {
    throw ServiceError(ErrorCode::resource_exhausted,
                       "live view: at most " + std::to_string(options_.max_viewers) +
                           " viewers at once (--max-preview-viewers)");
  }
  viewers_.push_back(viewer);
  return viewer;
}

void LiveView::disconnect(const std::shared_ptr<Viewer>& viewer) {
  const std::lock_guard lock(mutex_);
  std::erase(viewers_, viewer);
}

LiveView::Counters LiveView::counters() const {
  Counters counters;
  {
    const std::lock_guard lock(mutex_);
    counters.viewers = viewers_.size();
  }
  counters.frames_shown = frames_shown_.load(std::memory_order_relaxed);
  counters.frames_sent = frames_sent_.load(std::memory_order_relaxed);
  counters.frames_dropped = frames_dropped_.load(std::memory_order_relaxed);
  return counters;
}

void LiveView::run() {
  using Clock = std::chrono::steady_clock;
  const auto period = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(1.0 / options_.fps));
  auto next = Clock::now();
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      if (wake_.wait_until(lock, next, [&] { return stopping_; })) return;
      viewers_now_.assign(viewers_.begin(), viewers_.end());  // capacity reserved: no allocation
    }
    next = std::max(next + period, Clock::now());  // a late tick does not cause a burst
    if (!viewers_now_.empty()) {
      if (const std::optional<LatestFrameReader> reader = source_()) {
        reader->with_latest([&](const FrameView& frame) { show(frame); });
      }
    }
    viewers_now_.clear();  // the live view holds no viewer between ticks
  }
}

void LiveView::show(const FrameView& frame) {
  if (frame.frame_number() == shown_frame_ && frame.timestamp_ns() == shown_timestamp_) return;
  shown_frame_ = frame.frame_number();
  shown_timestamp_ = frame.timestamp_ns();
  frames_shown_.fetch_add(1, std::memory_order_relaxed);
  const std::uint64_t capture_unix_ns = unix_time_of(frame.timestamp_ns());
  for (auto& encoded : encoded_) encoded.binning = 0;  // nothing encoded for this frame yet
  for (const auto& viewer : viewers_now_) {
    viewer->binning_ =
        fitting_binning(frame.width(), frame.height(), viewer->max_width_, viewer->max_height_);
    hand_over(*viewer, encoded_for(frame, viewer->binning_, capture_unix_ns));
  }
}

const std::vector<std::byte>& LiveView::encoded_for(const FrameView& frame, std::uint32_t binning,
                                                    std::uint64_t capture_unix_ns) {
  for (const auto& encoded : encoded_) {
    if (encoded.binning == binning) return encoded.message;
  }
  // Reuse a slot left from an earlier frame (its buffer keeps its capacity).
  auto slot = std::find_if(encoded_.begin(), encoded_.end(),
                           [](const Encoded& e) { return e.binning == 0; });
  if (slot == encoded_.end()) slot = encoded_.insert(encoded_.end(), Encoded{});
  slot->binning = binning;
  encode_live_message(frame, binning, capture_unix_ns, slot->message);
  return slot->message;
}

void LiveView::hand_over(Viewer& viewer, const std::vector<std::byte>& message) {
  const std::lock_guard lock(viewer.mutex_);
  if (viewer.fresh_) {  // the viewer has not taken the last one: it is dropped for
    ++viewer.skipped_;
    frames_dropped_.fetch_add(1, std::memory_order_relaxed);
  }
  viewer.pending_.assign(message.begin(), message.end());
  set_frames_skipped(viewer.pending_, viewer.skipped_);
  viewer.fresh_ = true;
  viewer.ready_.notify_one();
}

}  // namespace daq::service
