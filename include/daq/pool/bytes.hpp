// daq/pool/bytes.hpp — Bytes: an immutable, cheaply copyable view that owns a frozen pooled buffer.
//
// Made by `std::move(buffer).freeze()` (daq/pool/buffer_pool.hpp). All copies and slices are
// holders of one SharedLoan (daq/pool/shared_loan.hpp), whose count lives in the buffer's pool
// slot, so copying never allocates (no shared_ptr control block per frame); the buffer goes back
// to its pool when the last copy or slice is destroyed. A default-constructed Bytes is empty
// and owns nothing.
//
// Thread-safety: like std::shared_ptr — distinct Bytes objects (even copies of one another) may
// be used and destroyed on different threads concurrently; one Bytes object is not synchronised.
// The bytes themselves are immutable, so reading them from many threads is safe.
// Allocation: none (copy, move, slice, destruction).
// Misuse: slice() out of range throws std::out_of_range naming the numbers.
#pragma once

#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>

#include "daq/pool/detail/buffer_slot.hpp"
#include "daq/pool/shared_loan.hpp"

namespace daq {

class PooledBuffer;

class Bytes {
 public:
  Bytes() noexcept = default;
  Bytes(const Bytes& other) noexcept = default;
  Bytes(Bytes&& other) noexcept
      : loan_(std::move(other.loan_)),
        data_(std::exchange(other.data_, nullptr)),
        size_(std::exchange(other.size_, 0)) {}
  Bytes& operator=(const Bytes& other) noexcept {
    Bytes copy(other);  // shares first, so self-assignment never drops the last holder
    swap(copy);
    return *this;
  }
  Bytes& operator=(Bytes&& other) noexcept {
    Bytes taken(std::move(other));
    swap(taken);
    return *this;
  }
  ~Bytes() = default;

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
    std::swap(loan_, other.loan_);
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
  }

 private:
  friend class PooledBuffer;
  Bytes(SharedLoan<detail::BufferSlot> loan, const std::byte* data, std::size_t size) noexcept
      : loan_(std::move(loan)), data_(data), size_(size) {}

  SharedLoan<detail::BufferSlot> loan_;
  const std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace daq
