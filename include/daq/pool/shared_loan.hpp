// daq/pool/shared_loan.hpp — SharedLoan<T>: one pooled object held by several owners, read-only.
//
// The ADR's frozen, reference-counted buffer made general (docs/adr/0015-shared-frame-loan.md):
// `loan.share()` adds a holder to a lent slot and leaves the loan with its owner (the primary
// consumer keeps its move-only LoanedFrame while a network sender holds a share of the same
// frame); `std::move(loan).freeze()` turns the loan itself into a share. Copies share one count
// that lives in the pool slot, so sharing, copying and dropping never allocate (no
// std::shared_ptr control block per frame). The slot goes back to its pool (after the pool's
// reset) when the LAST holder is destroyed, whichever thread that is; a detached (heap
// fallback) loan frees itself then. A default-constructed SharedLoan holds nothing.
//
// Thread-safety: like std::shared_ptr — distinct SharedLoan objects (even copies of one
// another) and the Loaned they came from may be used and destroyed on different threads
// concurrently; one object is not synchronised. The object is read-only through every holder:
// nobody may write it while it is shared, so reading it from many threads is safe.
// Allocation: none. Cost: a share or copy is one atomic add, a drop one atomic subtract.
// Misuse: dereferencing an empty SharedLoan is undefined (asserted in debug builds).
#pragma once

#include <atomic>
#include <cassert>
#include <utility>

#include "daq/pool/pool.hpp"

namespace daq {

template <class T>
class SharedLoan {
 public:
  SharedLoan() noexcept = default;
  SharedLoan(const SharedLoan& other) noexcept : slot_(other.slot_) {
    // relaxed: a new holder is made from an existing one, which keeps the count above zero.
    if (slot_ != nullptr) slot_->holders.fetch_add(1, std::memory_order_relaxed);
  }
  SharedLoan(SharedLoan&& other) noexcept : slot_(std::exchange(other.slot_, nullptr)) {}
  SharedLoan& operator=(SharedLoan other) noexcept {
    std::swap(slot_, other.slot_);  // the old holder (if any) is dropped with `other`
    return *this;
  }
  ~SharedLoan() { reset(); }

  const T& operator*() const noexcept {
    assert(slot_ != nullptr && "use of an empty SharedLoan");
    return slot_->value;
  }
  const T* operator->() const noexcept { return &**this; }
  const T* get() const noexcept { return slot_ != nullptr ? &slot_->value : nullptr; }
  explicit operator bool() const noexcept { return slot_ != nullptr; }

  /// True for a share of a heap-fallback loan (it frees itself when the last holder goes).
  bool is_detached() const noexcept { return slot_ != nullptr && slot_->slot_id == 0; }

  /// Drops this holder now; the slot returns if it was the last.
  void reset() noexcept {
    if (slot_ != nullptr) Pool<T>::drop_holder(std::exchange(slot_, nullptr));
  }

 private:
  friend class Loaned<T>;
  // Adopts one holder already counted in the slot.
  explicit SharedLoan(detail::PoolSlot<T>* slot) noexcept : slot_(slot) {}

  detail::PoolSlot<T>* slot_ = nullptr;
};

template <class T>
SharedLoan<T> Loaned<T>::share() const noexcept {
  assert(slot_ != nullptr && "share of a moved-from Loaned");
  // relaxed: a count of 0 means this loan is the only holder, and only its owner (this thread)
  // can add one; the share reaches another thread through a synchronising hand-off.
  if (slot_->holders.load(std::memory_order_relaxed) == 0) {
    slot_->holders.store(2, std::memory_order_relaxed);  // this loan and the new share
  } else {
    slot_->holders.fetch_add(1, std::memory_order_relaxed);
  }
  return SharedLoan<T>(slot_);
}

template <class T>
SharedLoan<T> Loaned<T>::freeze() && noexcept {
  assert(slot_ != nullptr && "freeze of a moved-from Loaned");
  // The loan's own holder passes to the share: counted as 1 if it was alone, else unchanged.
  if (slot_->holders.load(std::memory_order_relaxed) == 0) {
    slot_->holders.store(1, std::memory_order_relaxed);
  }
  return SharedLoan<T>(std::exchange(slot_, nullptr));
}

}  // namespace daq
