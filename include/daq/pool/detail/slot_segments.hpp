// daq/pool/detail/slot_segments.hpp — storage whose elements never move as it grows. Not API.
//
// Element i lives in segment s = bit_width(i + 1) - 1 at offset i + 1 - 2^s: segment s holds
// 2^s elements, so at() is O(1) and growing never touches (or moves) existing elements — the
// property Pool<T> needs, because loans cache element pointers. Segments are allocated whole
// when first needed and freed only by the destructor; elements are built in place by append().
//
// Thread-safety: one appender at a time (the caller serialises append()); at() may run
// concurrently with append() for indices below size() that the caller learnt of through a
// synchronising operation. Allocation: append() allocates a segment when it enters a new one.
#pragma once

#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <new>

namespace daq::detail {

template <class Slot, std::size_t kSegments>
class SlotSegments {
 public:
  static constexpr std::size_t kMaxSize = (std::size_t{1} << kSegments) - 1;

  SlotSegments() = default;
  SlotSegments(const SlotSegments&) = delete;
  SlotSegments& operator=(const SlotSegments&) = delete;
  ~SlotSegments() {
    const std::size_t n = size_.load(std::memory_order_relaxed);
    for (std::size_t i = n; i-- > 0;) at(i)->~Slot();
    for (auto& segment : segments_) {
      if (Slot* first = segment.load(std::memory_order_relaxed)) {
        ::operator delete (first, std::align_val_t{alignof(Slot)});
      }
    }
  }

  std::size_t size() const noexcept { return size_.load(std::memory_order_acquire); }

  Slot* at(std::size_t index) const noexcept {
    const auto segment = static_cast<std::size_t>(std::bit_width(index + 1) - 1);
    // relaxed: callers learn of an index through an acquire that follows append()'s release.
    return segments_[segment].load(std::memory_order_relaxed) +
           (index + 1 - (std::size_t{1} << segment));
  }

  /// Builds elements [size(), size() + n) with `build(void* where, std::size_t index)`, which
  /// placement-constructs one Slot. If a build throws, the elements this call built are
  /// destroyed and size() is unchanged. The caller checks size() + n <= kMaxSize.
  template <class Build>
  void append(std::size_t n, Build&& build) {
    const std::size_t first = size_.load(std::memory_order_relaxed);
    std::size_t built = 0;
    try {
      for (; built < n; ++built) build(static_cast<void*>(place(first + built)), first + built);
    } catch (...) {
      for (std::size_t i = built; i-- > 0;) at(first + i)->~Slot();
      throw;
    }
    // release: whoever reads the new size (stats) sees the built elements.
    size_.store(first + n, std::memory_order_release);
  }

 private:
  // Where element `index` goes, allocating its segment if this is the segment's first use.
  Slot* place(std::size_t index) {
    const auto segment = static_cast<std::size_t>(std::bit_width(index + 1) - 1);
    if (segments_[segment].load(std::memory_order_relaxed) == nullptr) {
      const std::size_t length = std::size_t{1} << segment;
      auto* memory = static_cast<Slot*>(
          ::operator new (length * sizeof(Slot), std::align_val_t{alignof(Slot)}));
      // release: a reader that finds an element's id (published after this) sees the segment.
      segments_[segment].store(memory, std::memory_order_release);
    }
    return at(index);
  }

  std::array<std::atomic<Slot*>, kSegments> segments_{};
  std::atomic<std::size_t> size_{0};
};

}  // namespace daq::detail
