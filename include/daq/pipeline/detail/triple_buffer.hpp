// daq/pipeline/detail/triple_buffer.hpp — a wait-free single-writer / single-reader triple buffer.
// Not API.
//
// Three pre-built objects: the writer fills back(), publish() swaps it with the "middle" one;
// the reader's refresh() swaps its front() with the middle one when that holds something newer.
// Neither side ever waits for the other, and the reader's front() is never written while the
// reader holds it, so it is a consistent value until the next refresh().
//
// Thread-safety: back()/publish() by one writer thread at a time; refresh()/front() by one
// reader thread at a time (callers with several readers serialise them, e.g. with a mutex).
// Allocation: none after construction.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <utility>

namespace daq::detail {

template <class T>
class TripleBuffer {
 public:
  template <class Factory>
  explicit TripleBuffer(Factory&& make) : slots_{make(), make(), make()} {}

  /// Writer: the object to fill next.
  T& back() noexcept { return slots_[back_]; }

  /// Writer: makes back() the newest value and takes a free object as the new back().
  void publish() noexcept {
    // acq_rel: release publishes what we wrote into back(); acquire orders our next writes
    // into the slot we get after the reader's last reads of it (it gave it back via exchange).
    const std::uint8_t old =
        middle_.exchange(static_cast<std::uint8_t>(back_ | kFresh), std::memory_order_acq_rel);
    back_ = old & kIndex;
  }

  /// Reader: moves to the newest published value if there is one. Returns false until the
  /// first publish().
  bool refresh() noexcept {
    // relaxed peek: the exchange below carries the ordering.
    if ((middle_.load(std::memory_order_relaxed) & kFresh) != 0) {
      // acq_rel: acquire sees the writer's data; release hands our old front back to it.
      const std::uint8_t old = middle_.exchange(front_, std::memory_order_acq_rel);
      front_ = old & kIndex;
      has_value_ = true;
    }
    return has_value_;
  }

  /// Reader: the value refresh() last moved to (meaningful only once refresh() returned true).
  const T& front() const noexcept { return slots_[front_]; }

 private:
  static constexpr std::uint8_t kIndex = 0x3;
  static constexpr std::uint8_t kFresh = 0x4;

  std::array<T, 3> slots_;
  alignas(64) std::uint8_t back_ = 0;                // writer only
  alignas(64) std::atomic<std::uint8_t> middle_{1};  // index | kFresh
  alignas(64) std::uint8_t front_ = 2;               // reader only
  bool has_value_ = false;                           // reader only
};

}  // namespace daq::detail
