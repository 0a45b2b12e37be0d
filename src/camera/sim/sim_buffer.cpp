#include "sim_buffer.hpp"

#include <algorithm>
#include <cstring>

namespace daq::sim {
namespace {

std::uint64_t ramp_rows(std::uint32_t frame_rows, std::uint32_t capacity_frames) {
  return 2 * std::uint64_t{frame_rows} + 2 * std::uint64_t{capacity_frames};
}

}  // namespace

std::size_t SimBuffer::storage_bytes(const PatternSpec& pattern, std::uint32_t capacity_frames) {
  const std::size_t row_bytes = std::size_t{pattern.width} * bytes_per_pixel(pattern.bit_depth);
  const std::uint64_t rows = pattern.pattern == SimPattern::ramp
                                 ? ramp_rows(pattern.height, capacity_frames)
                                 : std::uint64_t{pattern.height} * pattern.cycle_frames;
  return row_bytes * rows;
}

SimBuffer::SimBuffer(const Pattern& pattern, std::uint32_t capacity_frames)
    : pattern_(pattern),
      rows_(pattern.is_ramp() ? ramp_rows(pattern.spec().height, capacity_frames) : 0),
      row_bytes_(pattern.row_bytes()),
      frame_rows_(pattern.spec().height),
      slots_(capacity_frames) {
  if (pattern.is_ramp()) storage_ = PageMemory::allocate(rows_ * row_bytes_);
}

void SimBuffer::reset() noexcept {
  std::lock_guard lock(mutex_);
  head_ = 0;
  count_ = 0;
  taken_ = false;
  stopping_ = false;
  end_ = SourceStatus::frame_ready;
  message_[0] = '\0';
  has_last_ = false;
}

bool SimBuffer::sleep_until(Clock::time_point due) noexcept {
  std::unique_lock lock(mutex_);
  wakeup_.wait_until(lock, due, [&] { return stopping_; });
  return !stopping_;
}

SimBuffer::Placement SimBuffer::placement_for(std::uint64_t index) const noexcept {
  Placement p{.index = index};
  if (!pattern_.is_ramp()) return p;
  if (!has_last_) {
    p.position = 0;
    p.first_new = 0;
    return p;
  }
  const std::uint64_t jump = index - last_index_;
  // A jump below H keeps the rows shared with the last frame valid (same row key per
  // position); a larger one starts a fresh window right after the last frame's rows.
  p.position = last_position_ + std::min(jump, frame_rows_);
  p.first_new = std::max(last_position_ + frame_rows_, p.position);
  return p;
}

bool SimBuffer::fits(const Placement& p) const noexcept {
  if (count_ == slots_.size()) return false;
  if (!pattern_.is_ramp() || count_ == 0) return true;
  // Positions [oldest, p.position + H) must map to distinct ring rows.
  return p.position + frame_rows_ - slots_[head_].position <= rows_;
}

SimBuffer::Place SimBuffer::try_place(std::uint64_t index, Placement& out) noexcept {
  std::lock_guard lock(mutex_);
  if (stopping_) return Place::stopping;
  out = placement_for(index);
  return fits(out) ? Place::placed : Place::full;
}

SimBuffer::Place SimBuffer::place_wait(std::uint64_t index, Placement& out) noexcept {
  std::unique_lock lock(mutex_);
  out = placement_for(index);
  wakeup_.wait(lock, [&] { return stopping_ || fits(out); });
  return stopping_ ? Place::stopping : Place::placed;
}

std::byte* SimBuffer::row(std::uint64_t position) const noexcept {
  return storage_.data() + (position % rows_) * row_bytes_;
}

void SimBuffer::write(const Placement& p) noexcept {
  if (!pattern_.is_ramp()) return;
  // Row key of position q in this window: index + (q - position).
  for (std::uint64_t q = p.first_new; q < p.position + frame_rows_; ++q) {
    pattern_.ramp_row(p.index + (q - p.position), row(q));
  }
}

void SimBuffer::publish(const Placement& p, Clock::time_point read_out) noexcept {
  {
    std::lock_guard lock(mutex_);
    Slot& slot = slots_[(head_ + count_) % slots_.size()];
    slot.index = p.index;
    slot.position = p.position;
    slot.timestamp_ns = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(read_out.time_since_epoch()).count());
    ++count_;
    has_last_ = true;
    last_index_ = p.index;
    last_position_ = p.position;
  }
  frame_ready_.notify_one();
}

void SimBuffer::close(SourceStatus end, std::string_view message) noexcept {
  {
    std::lock_guard lock(mutex_);
    end_ = end;
    const std::size_t n = std::min(message.size(), message_.size() - 1);
    std::memcpy(message_.data(), message.data(), n);
    message_[n] = '\0';
  }
  frame_ready_.notify_one();
}

SourceStatus SimBuffer::wait_oldest(std::chrono::nanoseconds timeout,
                                    PendingFrame& pending) noexcept {
  std::unique_lock lock(mutex_);
  if (!frame_ready_.wait_for(lock, timeout,
                             [&] { return count_ != 0 || end_ != SourceStatus::frame_ready; })) {
    return SourceStatus::timeout;
  }
  if (count_ == 0) return end_;
  taken_slot_ = slots_[head_];
  pending.hw_frame_nr = static_cast<std::int64_t>(taken_slot_.index);
  pending.timestamp_ns = taken_slot_.timestamp_ns;
  taken_ = true;
  return SourceStatus::frame_ready;
}

void SimBuffer::copy_oldest(std::byte* dst) const noexcept {
  // The taken frame's rows are never written while it is taken (see fits()), and they were
  // published under the lock that wait_oldest() took: reading them needs no lock.
  const Slot& slot = taken_slot_;
  if (!pattern_.is_ramp()) {
    const auto frame = pattern_.cycle_frame(slot.index);
    std::memcpy(dst, frame.data(), frame.size());
    return;
  }
  const std::uint64_t first_row = slot.position % rows_;
  const std::uint64_t rows_before_wrap = std::min(frame_rows_, rows_ - first_row);
  std::memcpy(dst, row(slot.position), rows_before_wrap * row_bytes_);
  if (rows_before_wrap < frame_rows_) {
    std::memcpy(dst + rows_before_wrap * row_bytes_, storage_.data(),
                (frame_rows_ - rows_before_wrap) * row_bytes_);
  }
}

void SimBuffer::release_oldest() noexcept {
  {
    std::lock_guard lock(mutex_);
    if (!taken_) return;
    taken_ = false;
    head_ = (head_ + 1) % slots_.size();
    --count_;
  }
  wakeup_.notify_one();
}

std::string SimBuffer::end_message() const {
  std::lock_guard lock(mutex_);
  return std::string(message_.data());
}

void SimBuffer::shutdown() noexcept {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeup_.notify_all();
  frame_ready_.notify_all();
}

}  // namespace daq::sim
