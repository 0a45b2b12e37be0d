// daq/pipeline/ledger.hpp — FrameLedger: where every frame a source produced ended up.
//
// Contract
// - Every produced frame ends in exactly one state: delivered to the primary output, or dropped
//   with one DropCause. record_produced() opens a frame, record_delivered()/record_dropped()
//   close it; between the two the frame is "in flight" (at most one with the delivery loop).
//   At stop the ledger balances: produced == delivered + dropped.
// - Hardware frame-number gaps (hw_frame_nr jumping by more than one) are recorded as lost
//   hardware frames. They were never produced, so they are not part of the balance. At stream
//   end, record_hw_span() adds the numbers no later frame could reveal (before the first and
//   after the last frame), so for a source that reports its span
//   produced + lost_hw_frames = the frames the camera exposed.
// - Dropped frame_numbers and lost hardware numbers are kept as compact inclusive ranges,
//   coalesced as they come (a run of 1,000 consecutive drops is one range), so a writer can
//   record the holes in its file.
// - Drop warnings go through daq::log, rate-limited per cause: the first 10, then every 100th.
//   `no_primary` drops (observers-only streaming) are logged once per stream. Hardware gaps and
//   hardware numbers going back (counter reset) follow the same 10-then-every-100th rule.
//
// Thread-safety: ONE writer (the delivery thread) calls record_*; reset() only while no writer
//   runs. counts() and snapshot() may be called from any thread at any time, also during
//   reset(). The writer never waits for a reader: there is no lock. Counters and the growing
//   end of each range list are published under a sequence lock (detail/seqlock.hpp): readers
//   retry while a record_* call overlaps their reads, which are of constant size, so a drop
//   storm cannot starve them either. Ranges before the last one never change once a later one
//   exists and live in storage that never moves (detail/range_log.hpp), so snapshot() copies
//   them without holding anything; only reset() and the leading span of record_hw_span()
//   rewrite ranges, and a second sequence lock makes a snapshot that overlapped those start
//   over. counts() is always mutually consistent (in_flight() is 0 or 1); snapshot()'s ranges
//   are consistent with its counters.
// Allocation: the constructor reserves `reserved_ranges` ranges per list; recording allocates
//   only when a list outgrows that reserve (more distinct holes than reserved; readers then
//   wait out that allocation). snapshot() allocates the two vectors it returns; counts()
//   allocates nothing.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "daq/pipeline/detail/range_log.hpp"
#include "daq/pipeline/detail/seqlock.hpp"

namespace daq {

/// Why a frame did not reach the primary output.
enum class DropCause : std::uint8_t {
  pool_exhausted,  ///< no pooled frame within the acquire timeout and the fallback budget spent
  channel_full,    ///< the primary channel was full
  channel_closed,  ///< the primary channel was closed (the stream stops after this frame)
  source_error,    ///< the source could not read the pending frame (it left actual_len at 0)
  no_primary,      ///< no primary output registered: observers saw the frame, nobody owns it
};

inline constexpr std::size_t kDropCauseCount = 5;

/// "pool_exhausted", "channel_full", ...
std::string_view to_string(DropCause cause) noexcept;

/// An inclusive range of frame numbers [first, last].
struct FrameRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  std::uint64_t size() const noexcept { return last - first + 1; }
  friend bool operator==(const FrameRange&, const FrameRange&) = default;
};

/// The ledger's counters, mutually consistent.
struct LedgerCounts {
  std::uint64_t produced = 0;   ///< frames the source handed over (wait_frame said frame_ready)
  std::uint64_t delivered = 0;  ///< frames the primary output accepted
  std::uint64_t dropped = 0;    ///< sum of dropped_by_cause
  std::array<std::uint64_t, kDropCauseCount> dropped_by_cause{};  ///< indexed by DropCause
  std::uint64_t lost_hw_frames = 0;  ///< hardware frame numbers skipped by the camera

  std::uint64_t dropped_for(DropCause cause) const noexcept {
    return dropped_by_cause[static_cast<std::size_t>(cause)];
  }
  /// Frames produced whose outcome is not recorded yet (0 or 1 while streaming, 0 at stop).
  std::uint64_t in_flight() const noexcept { return produced - delivered - dropped; }
  bool balanced() const noexcept { return produced == delivered + dropped; }
};

/// Counters plus the holes, as ranges in increasing order.
struct LedgerSnapshot : LedgerCounts {
  std::vector<FrameRange> dropped_ranges;  ///< frame_numbers that were dropped (any cause)
  std::vector<FrameRange> lost_hw_ranges;  ///< hardware frame numbers that never arrived
};

class FrameLedger {
 public:
  explicit FrameLedger(std::size_t reserved_ranges = 1024);
  FrameLedger(const FrameLedger&) = delete;
  FrameLedger& operator=(const FrameLedger&) = delete;

  /// Starts a new stream: zero counters, empty range lists (capacity kept). No writer may run.
  void reset() noexcept;

  /// Opens frame `frame_number` (strictly increasing within a stream). `hw_frame_nr` < 0 means
  /// the camera numbers nothing; otherwise a jump past the previous number records lost frames.
  /// A number that does not increase (camera counter reset) restarts gap tracking.
  void record_produced(std::uint64_t frame_number, std::int64_t hw_frame_nr) noexcept;

  /// At stream end: the camera's numbers spanned [first, end) (hw_frame_nr semantics; -1 =
  /// unknown). Numbers of that span before the first and after the last number seen this
  /// stream are recorded as lost hardware frames (all of it when none was seen). The leading
  /// part is skipped after a counter reset. Allocates only beyond the reserve, like a gap.
  void record_hw_span(std::int64_t first, std::int64_t end) noexcept;

  /// Closes the in-flight frame as delivered.
  void record_delivered() noexcept;

  /// Closes the in-flight frame `frame_number` as dropped with `cause`.
  void record_dropped(std::uint64_t frame_number, DropCause cause) noexcept;

  /// Lock-free, allocation-free, consistent counters.
  LedgerCounts counts() const noexcept;

  /// Counters and ranges, consistent with each other. Never delays the writer.
  LedgerSnapshot snapshot() const;

 private:
  using RangeLog = detail::RangeLog<FrameRange>;

  LedgerCounts read_counts() const noexcept;  // inside a read section of counts_lock_
  void record_hw_gap(std::int64_t first, std::int64_t last, bool in_front = false) noexcept;

  // counts_lock_ covers the counters and the tails of both range lists; layout_lock_ covers
  // the rewrites of whole lists (reset, a leading hardware gap). See the contract above.
  alignas(64) detail::SeqLock counts_lock_;
  std::atomic<std::uint64_t> produced_{0};
  std::atomic<std::uint64_t> delivered_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::array<std::atomic<std::uint64_t>, kDropCauseCount> dropped_by_cause_{};
  std::atomic<std::uint64_t> lost_hw_frames_{0};
  detail::SeqLock layout_lock_;
  RangeLog dropped_ranges_;
  RangeLog lost_hw_ranges_;

  // Writer-only state.
  std::int64_t first_hw_frame_nr_ = -1;  // the first number seen this stream
  std::int64_t last_hw_frame_nr_ = -1;
  std::uint64_t hw_restarts_ = 0;  // hardware numbers that went back (rate-limits the warning)
};

}  // namespace daq
