#include "daq/pipeline/ledger.hpp"

#include <algorithm>
#include <thread>

#include "daq/pool/log.hpp"

namespace daq {
namespace {

// The 1st..10th occurrence, then every 100th.
bool worth_a_warning(std::uint64_t occurrence) noexcept {
  return occurrence <= 10 || occurrence % 100 == 0;
}

unsigned long long ull(std::uint64_t v) noexcept {
  return static_cast<unsigned long long>(v);
}

}  // namespace

std::string_view to_string(DropCause cause) noexcept {
  switch (cause) {
    case DropCause::pool_exhausted:
      return "pool_exhausted";
    case DropCause::channel_full:
      return "channel_full";
    case DropCause::channel_closed:
      return "channel_closed";
    case DropCause::source_error:
      return "source_error";
    case DropCause::no_primary:
      return "no_primary";
  }
  return "unknown";
}

FrameLedger::FrameLedger(std::size_t reserved_ranges) {
  dropped_ranges_.reserve(reserved_ranges);
  lost_hw_ranges_.reserve(reserved_ranges);
}

void FrameLedger::reset() noexcept {
  std::lock_guard lock(ranges_mutex_);
  begin_write();
  for (auto* counter : {&produced_, &delivered_, &dropped_, &lost_hw_frames_}) {
    counter->store(0, std::memory_order_release);
  }
  for (auto& counter : dropped_by_cause_) counter.store(0, std::memory_order_release);
  end_write();
  dropped_ranges_.clear();
  lost_hw_ranges_.clear();
  first_hw_frame_nr_ = -1;
  last_hw_frame_nr_ = -1;
  hw_restarts_ = 0;
}

// The sequence lock, without standalone fences (which ThreadSanitizer cannot check):
// writer: sequence odd (relaxed) -> counters (release stores) -> sequence even (release).
// reader: sequence (acquire) -> counters (acquire loads) -> sequence again (relaxed).
// A reader that loads a counter value stored during an update synchronises with that release
// store, so the odd sequence stored before it is visible to its second sequence read: the two
// reads differ and it retries. A reader whose first read saw an even value synchronised with
// end_write, so it sees every counter of that update.
void FrameLedger::begin_write() noexcept {
  // Only the writer changes sequence_, so a relaxed read of its own last value is exact.
  sequence_.store(sequence_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

void FrameLedger::end_write() noexcept {
  sequence_.store(sequence_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
}

void FrameLedger::bump(std::atomic<std::uint64_t>& counter, std::uint64_t n) noexcept {
  // Single writer: a plain load + store avoids a locked read-modify-write; release for the
  // sequence lock (free on x86).
  counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_release);
}

void FrameLedger::record_produced(std::uint64_t frame_number, std::int64_t hw_frame_nr) noexcept {
  begin_write();
  bump(produced_);
  end_write();
  if (hw_frame_nr < 0) return;
  if (first_hw_frame_nr_ < 0) first_hw_frame_nr_ = hw_frame_nr;
  if (last_hw_frame_nr_ >= 0 && hw_frame_nr > last_hw_frame_nr_ + 1) {
    record_hw_gap(last_hw_frame_nr_ + 1, hw_frame_nr - 1);
  }
  if (last_hw_frame_nr_ >= 0 && hw_frame_nr <= last_hw_frame_nr_ &&
      worth_a_warning(++hw_restarts_)) {
    log(LogLevel::warn,
        "frame %llu: hardware frame number went back from %lld to %lld; "
        "gap tracking restarts (restart #%llu)",
        ull(frame_number), static_cast<long long>(last_hw_frame_nr_),
        static_cast<long long>(hw_frame_nr), ull(hw_restarts_));
  }
  last_hw_frame_nr_ = hw_frame_nr;
}

void FrameLedger::record_hw_span(std::int64_t first, std::int64_t end) noexcept {
  if (last_hw_frame_nr_ < 0) {  // nothing seen: the whole span never arrived
    if (first >= 0 && end > first) record_hw_gap(first, end - 1);
    return;
  }
  // Before the first number seen (unless the counter went back: the first is not the lowest).
  if (first >= 0 && hw_restarts_ == 0 && first < first_hw_frame_nr_) {
    record_hw_gap(first, first_hw_frame_nr_ - 1, /*in_front=*/true);
  }
  if (end > last_hw_frame_nr_ + 1) record_hw_gap(last_hw_frame_nr_ + 1, end - 1);
}

void FrameLedger::record_hw_gap(std::int64_t first, std::int64_t last, bool in_front) noexcept {
  const auto range =
      FrameRange{static_cast<std::uint64_t>(first), static_cast<std::uint64_t>(last)};
  std::size_t gaps = 0;
  std::uint64_t lost_total = 0;
  {
    std::lock_guard lock(ranges_mutex_);
    begin_write();
    bump(lost_hw_frames_, range.size());
    end_write();
    lost_hw_ranges_.push_back(range);
    if (in_front) {  // keeps the ranges in increasing order
      std::rotate(lost_hw_ranges_.begin(), lost_hw_ranges_.end() - 1, lost_hw_ranges_.end());
    }
    gaps = lost_hw_ranges_.size();
    lost_total = lost_hw_frames_.load(std::memory_order_relaxed);
  }
  if (worth_a_warning(gaps)) {
    log(LogLevel::warn, "camera skipped hardware frames %llu..%llu (%llu lost so far, gap #%zu)",
        ull(range.first), ull(range.last), ull(lost_total), gaps);
  }
}

void FrameLedger::record_delivered() noexcept {
  begin_write();
  bump(delivered_);
  end_write();
}

void FrameLedger::record_dropped(std::uint64_t frame_number, DropCause cause) noexcept {
  std::uint64_t of_cause = 0;
  std::uint64_t total = 0;
  {
    std::lock_guard lock(ranges_mutex_);
    auto& by_cause = dropped_by_cause_[static_cast<std::size_t>(cause)];
    begin_write();
    bump(dropped_);
    bump(by_cause);
    end_write();
    if (!dropped_ranges_.empty() && dropped_ranges_.back().last + 1 == frame_number) {
      dropped_ranges_.back().last = frame_number;
    } else {
      dropped_ranges_.push_back({frame_number, frame_number});
    }
    of_cause = by_cause.load(std::memory_order_relaxed);
    total = dropped_.load(std::memory_order_relaxed);
  }
  if (cause == DropCause::no_primary) {
    if (of_cause == 1) {
      log(LogLevel::warn,
          "frame %llu dropped: no primary output registered; frames reach "
          "observers only and count as dropped (no_primary), logged once per stream",
          ull(frame_number));
    }
    return;
  }
  if (worth_a_warning(of_cause)) {
    log(LogLevel::warn, "frame %llu dropped (%s): %llu %s drops, %llu drops in all",
        ull(frame_number), to_string(cause).data(), ull(of_cause), to_string(cause).data(),
        ull(total));
  }
}

LedgerCounts FrameLedger::counts() const noexcept {
  LedgerCounts c;
  for (unsigned spins = 0;; ++spins) {
    // acquire: pairs with end_write's release, so the counters read below are at least as new.
    const std::uint64_t before = sequence_.load(std::memory_order_acquire);
    if ((before & 1) == 0) {
      // acquire: pairs with bump's release (see begin_write).
      constexpr auto order = std::memory_order_acquire;
      c.produced = produced_.load(order);
      c.delivered = delivered_.load(order);
      c.dropped = dropped_.load(order);
      for (std::size_t i = 0; i < kDropCauseCount; ++i) {
        c.dropped_by_cause[i] = dropped_by_cause_[i].load(order);
      }
      c.lost_hw_frames = lost_hw_frames_.load(order);
      if (sequence_.load(std::memory_order_relaxed) == before) return c;
    }
    if (spins % 64 == 63) std::this_thread::yield();  // the writer was preempted mid-update
  }
}

LedgerSnapshot FrameLedger::snapshot() const {
  LedgerSnapshot s;
  std::lock_guard lock(ranges_mutex_);
  static_cast<LedgerCounts&>(s) = counts();
  s.dropped_ranges = dropped_ranges_;
  s.lost_hw_ranges = lost_hw_ranges_;
  return s;
}

}  // namespace daq
