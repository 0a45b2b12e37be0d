#include "sensor_schedule.hpp"

#include <algorithm>
#include <utility>

namespace daq::sim {

SensorSchedule::SensorSchedule(SensorTiming timing, std::vector<Fault> faults)
    : timing_(timing), faults_(std::move(faults)) {
  std::stable_sort(faults_.begin(), faults_.end(),
                   [](const Fault& a, const Fault& b) { return a.frame < b.frame; });
  const double period_ms = timing_.fps > 0.0 ? 1000.0 / timing_.fps : timing_.exposure_ms;
  period_ = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double, std::milli>(period_ms));
}

void SensorSchedule::restart(Clock::time_point now, std::uint64_t frame_count) noexcept {
  frame_count_ = frame_count;
  cursor_ = 0;
  index_ = 0;
  ended_ = Event::frame;
  origin_ = now + period_;
  origin_index_ = 0;
  last_exposed_ = now;
  burst_until_ = 0;
}

Clock::time_point SensorSchedule::paced_due(std::uint64_t index) const noexcept {
  return origin_ + period_ * static_cast<Clock::rep>(index - origin_index_);
}

SensorSchedule::Step SensorSchedule::next() noexcept {
  if (ended_ != Event::frame) return {ended_, index_, {}};
  std::uint64_t index = index_;
  std::chrono::milliseconds stall{0};
  std::uint64_t burst = 0;
  Event event = Event::frame;
  // Faults apply in frame order; a gap moves `index` past faults scheduled inside it, which
  // are then dropped (those frames never exist).
  while (cursor_ < faults_.size() && faults_[cursor_].frame <= index) {
    const Fault& f = faults_[cursor_++];
    if (f.frame < index) continue;
    switch (f.kind) {
      case FaultKind::gap:
        index += f.amount;
        break;
      case FaultKind::stall:
        stall += std::chrono::milliseconds(f.amount);
        break;
      case FaultKind::burst:
        burst = f.amount;
        break;
      case FaultKind::sdk_error:
        if (event == Event::frame) event = Event::sdk_error;
        break;
      case FaultKind::disconnect:
        if (event == Event::frame) event = Event::disconnect;
        break;
    }
  }
  if (frame_count_ != 0 && index >= frame_count_) return {Event::finished, index, {}};
  if (event != Event::frame) {
    ended_ = event;  // sticky: the faults at `index` are consumed
    index_ = index;
    return {event, index, {}};
  }
  index_ = index + 1;

  Clock::time_point due;
  if (index < burst_until_) {
    due = burst_due_;
  } else if (paced()) {
    if (stall.count() != 0) {
      origin_ = paced_due(index) + stall;
      origin_index_ = index;
    }
    due = paced_due(index);
  } else {
    due = last_exposed_ + period_ + stall;
  }
  if (burst != 0) {
    burst_until_ = index + burst;
    burst_due_ = due;
    if (paced()) {  // pacing resumes one period after the burst
      origin_ = due;
      origin_index_ = index + burst - 1;
    }
  }
  return {Event::frame, index, due};
}

}  // namespace daq::sim
