#include "daq/pipeline/ledger.hpp"

#include "daq/pool/detail/single_writer.hpp"
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

// The ledger's counters have one writer; release stores because they are seqlock fields.
void bump(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) noexcept {
  detail::single_writer_add(counter, n, std::memory_order_release);
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

FrameLedger::FrameLedger(std::size_t reserved_ranges)
    : dropped_ranges_(reserved_ranges), lost_hw_ranges_(reserved_ranges) {}

void FrameLedger::reset() noexcept {
  layout_lock_.write_begin();
  counts_lock_.write_begin();
  for (auto* counter : {&produced_, &delivered_, &dropped_, &lost_hw_frames_}) {
    counter->store(0, std::memory_order_release);
  }
  for (auto& counter : dropped_by_cause_) counter.store(0, std::memory_order_release);
  dropped_ranges_.clear();
  lost_hw_ranges_.clear();
  counts_lock_.write_end();
  layout_lock_.write_end();
  first_hw_frame_nr_ = -1;
  last_hw_frame_nr_ = -1;
  hw_restarts_ = 0;
}

void FrameLedger::record_produced(std::uint64_t frame_number, std::int64_t hw_frame_nr) noexcept {
  counts_lock_.write_begin();
  bump(produced_);
  counts_lock_.write_end();
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
  if (in_front) layout_lock_.write_begin();  // every range moves up one place
  counts_lock_.write_begin();
  bump(lost_hw_frames_, range.size());
  if (in_front) {  // keeps the ranges in increasing order
    lost_hw_ranges_.push_front(range);
  } else {
    lost_hw_ranges_.push_back(range);
  }
  counts_lock_.write_end();
  if (in_front) layout_lock_.write_end();
  const std::size_t gaps = lost_hw_ranges_.size();
  if (worth_a_warning(gaps)) {
    log(LogLevel::warn, "camera skipped hardware frames %llu..%llu (%llu lost so far, gap #%zu)",
        ull(range.first), ull(range.last), ull(lost_hw_frames_.load(std::memory_order_relaxed)),
        gaps);
  }
}

void FrameLedger::record_delivered() noexcept {
  counts_lock_.write_begin();
  bump(delivered_);
  counts_lock_.write_end();
}

void FrameLedger::record_dropped(std::uint64_t frame_number, DropCause cause) noexcept {
  auto& by_cause = dropped_by_cause_[static_cast<std::size_t>(cause)];
  counts_lock_.write_begin();
  bump(dropped_);
  bump(by_cause);
  if (dropped_ranges_.size() != 0 && dropped_ranges_.back().last + 1 == frame_number) {
    dropped_ranges_.extend_back(frame_number);
  } else {
    dropped_ranges_.push_back({frame_number, frame_number});
  }
  counts_lock_.write_end();
  // relaxed: the writer reads its own stores.
  const std::uint64_t of_cause = by_cause.load(std::memory_order_relaxed);
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
        ull(dropped_.load(std::memory_order_relaxed)));
  }
}

LedgerCounts FrameLedger::read_counts() const noexcept {
  // acquire: pairs with bump's release stores (see detail/seqlock.hpp).
  constexpr auto order = std::memory_order_acquire;
  LedgerCounts c;
  c.produced = produced_.load(order);
  c.delivered = delivered_.load(order);
  c.dropped = dropped_.load(order);
  for (std::size_t i = 0; i < kDropCauseCount; ++i) {
    c.dropped_by_cause[i] = dropped_by_cause_[i].load(order);
  }
  c.lost_hw_frames = lost_hw_frames_.load(order);
  return c;
}

LedgerCounts FrameLedger::counts() const noexcept {
  LedgerCounts c;
  std::uint64_t seq = 0;
  do {
    seq = counts_lock_.read_begin();
    c = read_counts();
  } while (counts_lock_.read_retry(seq));
  return c;
}

LedgerSnapshot FrameLedger::snapshot() const {
  LedgerSnapshot s;
  std::uint64_t layout = 0;
  do {
    layout = layout_lock_.read_begin();
    RangeLog::Tail dropped;
    RangeLog::Tail lost_hw;
    std::uint64_t seq = 0;
    do {  // constant-size reads: the writer cannot starve us however fast it records
      seq = counts_lock_.read_begin();
      static_cast<LedgerCounts&>(s) = read_counts();
      dropped = dropped_ranges_.tail();
      lost_hw = lost_hw_ranges_.tail();
    } while (counts_lock_.read_retry(seq));
    // The ranges before each tail are final unless the layout changed meanwhile: checked below.
    dropped_ranges_.copy(dropped, s.dropped_ranges);
    lost_hw_ranges_.copy(lost_hw, s.lost_hw_ranges);
  } while (layout_lock_.read_retry(layout));
  return s;
}

}  // namespace daq
