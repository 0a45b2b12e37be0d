// daq/pipeline/detail/range_log.hpp — a list of inclusive ranges that one thread writes while other
// threads copy it, neither side ever waiting for the other. Not API.
//
// Entries live in SlotSegments: they never move as the list grows, and their memory is freed
// only by the destructor, so a reader may load any entry below a size it has seen, at any
// time, whatever the writer does meanwhile (no use-after-free, unlike a std::vector that
// reallocates). Every field is atomic (release stores, acquire loads), so a reader racing the
// writer reads stale values, never a data race. Consistency is the caller's job, with two
// SeqLocks (see seqlock.hpp; FrameLedger shows the protocol):
// - extend_back() and push_back() change only the last entry and the size. Readers read
//   tail() under the seqlock that covers those writes: a constant-size read, so a writer that
//   appends at full speed cannot starve a reader of a long list.
// - Every entry before the last is final once a later one exists (push_back stores the size
//   with release after the previous entry's last store), so readers copy that prefix outside
//   the seqlock, with copy().
// - clear() and push_front() rewrite entries: the writer brackets them with a second
//   ("layout") SeqLock, which readers check around tail() + copy().
//
// Thread-safety: one writer at a time; any number of readers following the protocol above.
// Allocation: the constructor builds `reserved` entries; push_back() and push_front()
//   allocate only past them (a whole segment, each twice the previous); clear() keeps memory.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "daq/pool/detail/slot_segments.hpp"

namespace daq::detail {

/// `Range` is an aggregate {std::uint64_t first, last} (daq::FrameRange).
template <class Range>
class RangeLog {
 public:
  /// What a reader captures under the seqlock: the size and the (still growing) last entry.
  struct Tail {
    std::size_t size = 0;
    Range back{};
  };

  explicit RangeLog(std::size_t reserved) { ensure_built(reserved); }
  RangeLog(const RangeLog&) = delete;
  RangeLog& operator=(const RangeLog&) = delete;

  // --- writer ---

  /// Writer: the number of ranges.
  std::size_t size() const noexcept { return size_.load(std::memory_order_relaxed); }

  /// Writer: the last range; size() must be > 0.
  Range back() const noexcept { return load(size() - 1); }

  /// Writer: moves the last range's end to `last`; size() must be > 0.
  void extend_back(std::uint64_t last) noexcept {
    entries_.at(size() - 1)->last.store(last, std::memory_order_release);
  }

  /// Writer: appends `range` (allocates past the reserve; failing to is fatal: noexcept).
  void push_back(const Range& range) noexcept {
    const std::size_t n = size();
    ensure_built(n + 1);
    store(n, range);
    // release: a reader that sees the new size sees the entry and the final previous one.
    size_.store(n + 1, std::memory_order_release);
  }

  /// Writer, inside the layout write section: inserts `range` before the first range.
  void push_front(const Range& range) noexcept {
    const std::size_t n = size();
    ensure_built(n + 1);
    for (std::size_t i = n; i > 0; --i) store(i, load(i - 1));
    store(0, range);
    size_.store(n + 1, std::memory_order_release);
  }

  /// Writer, inside the layout write section: removes every range (the memory stays).
  void clear() noexcept { size_.store(0, std::memory_order_release); }

  // --- readers ---

  /// Reader, under the seqlock that covers push_back()/extend_back().
  Tail tail() const noexcept {
    Tail t;
    // acquire: pairs with push_back's release; the entries below the size are visible.
    t.size = size_.load(std::memory_order_acquire);
    if (t.size != 0) t.back = load(t.size - 1);
    return t;
  }

  /// Reader, inside the layout read section that also covered tail(): `out` becomes the
  /// ranges as of that tail. Allocates `out`.
  void copy(const Tail& tail, std::vector<Range>& out) const {
    out.resize(tail.size);
    if (tail.size == 0) return;
    for (std::size_t i = 0; i + 1 < tail.size; ++i) out[i] = load(i);
    out.back() = tail.back;
  }

 private:
  struct Entry {
    std::atomic<std::uint64_t> first{0};
    std::atomic<std::uint64_t> last{0};
  };
  // 2^40 - 1 ranges at most: more than any stream's frame numbers can fragment into in memory.
  using Entries = SlotSegments<Entry, 40>;

  Range load(std::size_t i) const noexcept {
    const Entry& e = *entries_.at(i);
    // acquire: see the header comment (seqlock fields).
    return Range{e.first.load(std::memory_order_acquire), e.last.load(std::memory_order_acquire)};
  }

  void store(std::size_t i, const Range& range) noexcept {
    Entry& e = *entries_.at(i);
    e.first.store(range.first, std::memory_order_release);
    e.last.store(range.last, std::memory_order_release);
  }

  void ensure_built(std::size_t n) {
    const std::size_t built = entries_.size();
    if (n > built) entries_.append(n - built, [](void* where, std::size_t) { new (where) Entry; });
  }

  Entries entries_;
  std::atomic<std::size_t> size_{0};
};

}  // namespace daq::detail
