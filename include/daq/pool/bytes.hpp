// daq/pool/bytes.hpp — Bytes: an immutable, cheaply copyable view that owns a frozen pooled buffer.
//
// Made by `std::move(buffer).freeze()` (daq/pool/buffer_pool.hpp). All copies and slices share one
// reference count that lives in the buffer's pool slot, so copying never allocates (no
// shared_ptr control block per frame); the buffer goes back to its pool when the last copy or
// slice is destroyed. A default-constructed Bytes is empty and owns nothing.
//
// Thread-safety: like std::shared_ptr — distinct Bytes objects (even copies of one another) may
// be used and destroyed on different threads concurrently; one Bytes object is not synchronised.
// The bytes themselves are immutable, so reading them from many threads is safe.
// Allocation: none (copy, move, slice, destruction).
// Misuse: slice() out of range throws std::out_of_range naming the numbers.
#pragma once

#include <atomic>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>

#include "daq/pool/detail/buffer_slot.hpp"

namespace daq {

class PooledBuffer;

class Bytes {
 public:
  Bytes() noexcept = default;
  Bytes(const Bytes& other) noexcept : slot_(other.slot_), data_(other.data_), size_(other.size_) {
    share();
  }
  Bytes(Bytes&& other) noexcept
      : slot_(std::exchange(other.slot_, nullptr)),
        data_(std::exchange(other.data_, nullptr)),
        size_(std::exchange(other.size_, 0)) {}
  Bytes& operator=(const Bytes& other) noexcept {
    Bytes copy(other);  // shares first, so self-assignment never drops the last reference
    swap(copy);
    return *this;
  }
  Bytes& operator=(Bytes&& other) noexcept {
    Bytes taken(std::move(other));
    swap(taken);
    return *this;
  }
  ~Bytes() { unshare(); }

  const std::byte* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  std::span<const std::byte> span() const noexcept { return {data_, size_}; }
  const std::byte* begin() const noexcept { return data_; }
  const std::byte* end() const noexcept { return data_ + size_; }

  /// `len` bytes from `offset`, sharing the same buffer. Throws std::out_of_range when
  /// offset + len > size().
  Bytes slice(std::size_t offset, std::size_t len) const {
    if (offset > size_ || len > size_ - offset) {
      throw std::out_of_range("Bytes::slice: offset " + std::to_string(offset) + " + length " +
                              std::to_string(len) + " exceeds the size " + std::to_string(size_));
    }
    Bytes part(*this);
    part.data_ += offset;
    part.size_ = len;
    return part;
  }

  void swap(Bytes& other) noexcept {
    std::swap(slot_, other.slot_);
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
  }

 private:
  friend class PooledBuffer;
  // Takes over a loan whose `shares` is already 1.
  Bytes(detail::BufferPoolSlot* slot, const std::byte* data, std::size_t size) noexcept
      : slot_(slot), data_(data), size_(size) {}

  void share() noexcept {
    // relaxed: a new copy is made from an existing one, which keeps the count above zero.
    if (slot_ != nullptr) slot_->value.shares.fetch_add(1, std::memory_order_relaxed);
  }

  void unshare() noexcept {
    if (slot_ == nullptr) return;
    // acq_rel: every copy's reads of the bytes happen before the buffer is reused.
    if (slot_->value.shares.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      const detail::BufferLoan last = detail::BufferLoan::from_raw(slot_);  // returns the buffer
    }
    slot_ = nullptr;
  }

  detail::BufferPoolSlot* slot_ = nullptr;
  const std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace daq
