// daq/pool/buffer_pool.hpp — BufferPool: pooled, page-aligned byte buffers, and PooledBuffer.
//
// Contract
// - BufferPool::create(count, bytes_each, options) maps all buffers at once (one mapping,
//   each buffer page-aligned and rounded up to whole pages) and writes every page, so the first
//   frame never page-faults. Optional mlock and MADV_HUGEPAGE degrade gracefully: a refusal is
//   logged through daq::log and creation goes on.
// - Creation checks the memory up front instead of failing later: count x bytes beyond size_t
//   is PoolError(allocation_overflow), beyond options.memory_budget_bytes is
//   PoolError(budget_exceeded), beyond the memory the process may use (physical memory, or
//   its cgroup's limit when lower) is PoolError(insufficient_memory); every message names the
//   numbers. count or bytes_each of 0 is std::invalid_argument.
// - try_acquire()/acquire()/acquire_for() behave as Pool<T>'s and lend a PooledBuffer: mutable,
//   move-only, size() 0 when lent. `std::move(buffer).freeze()` turns it into Bytes (see
//   daq/pool/bytes.hpp); the buffer returns to the pool when the PooledBuffer, or the last Bytes
//   copy, is destroyed. Loans keep the memory alive after the BufferPool itself is gone.
//
// Thread-safety: BufferPool members may be called concurrently; one PooledBuffer, one owner.
// Allocation: create() allocates; acquire, fill, freeze and release allocate nothing.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <utility>

#include "daq/pool/bytes.hpp"
#include "daq/pool/detail/buffer_slot.hpp"
#include "daq/pool/pool.hpp"

namespace daq {

struct BufferPoolOptions {
  bool lock_memory = false;             ///< mlock every buffer (refused: logged, not fatal)
  bool huge_pages = false;              ///< madvise(MADV_HUGEPAGE) (refused: logged, not fatal)
  std::size_t memory_budget_bytes = 0;  ///< most bytes the pool may map; 0 = usable memory
};

/// One lent buffer: write into it, set its size, then freeze it or drop it.
class [[nodiscard]] PooledBuffer {
 public:
  PooledBuffer(PooledBuffer&& other) noexcept
      : loan_(std::move(other.loan_)), size_(std::exchange(other.size_, 0)) {}
  PooledBuffer& operator=(PooledBuffer&& other) noexcept {
    loan_ = std::move(other.loan_);
    size_ = std::exchange(other.size_, 0);
    return *this;
  }

  std::byte* data() noexcept { return loan_->data; }
  const std::byte* data() const noexcept { return loan_->data; }
  /// Bytes the buffer can hold: bytes_each rounded up to whole pages.
  std::size_t capacity() const noexcept { return loan_->capacity; }
  /// Bytes filled so far (what freeze() keeps); 0 when lent.
  std::size_t size() const noexcept { return size_; }
  std::span<std::byte> bytes() noexcept { return {data(), size_}; }
  std::span<const std::byte> bytes() const noexcept { return {data(), size_}; }

  /// Sets size() after the caller wrote into data(). Throws std::length_error (naming both
  /// sizes) when len > capacity(); the size is unchanged then.
  void resize(std::size_t len);

  /// Copies `len` bytes from `src` and sets size(). Throws std::length_error (naming both
  /// sizes) when len > capacity(); the buffer is unchanged then.
  void assign(const void* src, std::size_t len);

  /// The first size() bytes as immutable, shareable Bytes. Never allocates.
  Bytes freeze() && noexcept;

 private:
  friend class BufferPool;
  explicit PooledBuffer(detail::BufferLoan loan) noexcept : loan_(std::move(loan)) {}

  detail::BufferLoan loan_;
  std::size_t size_ = 0;
};

class BufferPool {
 public:
  /// See the header contract for what throws.
  static std::shared_ptr<BufferPool> create(std::size_t count, std::size_t bytes_each,
                                            BufferPoolOptions options = {});

  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;

  /// A free buffer, or nullopt at once when there is none.
  [[nodiscard]] std::optional<PooledBuffer> try_acquire() noexcept {
    if (auto loan = pool_->try_acquire()) return PooledBuffer(std::move(*loan));
    return std::nullopt;
  }

  /// Waits as long as it takes for a free buffer.
  [[nodiscard]] PooledBuffer acquire() { return PooledBuffer(pool_->acquire()); }

  /// Waits at most `timeout`; nullopt (counted as a timeout) when no buffer came.
  template <class Rep, class Period>
  [[nodiscard]] std::optional<PooledBuffer> acquire_for(
      std::chrono::duration<Rep, Period> timeout) {
    if (auto loan = pool_->acquire_for(timeout)) return PooledBuffer(std::move(*loan));
    return std::nullopt;
  }

  std::size_t capacity() const noexcept { return pool_->capacity(); }
  std::size_t available() const noexcept { return pool_->available(); }
  PoolStats stats() const noexcept { return pool_->stats(); }

  /// Bytes per buffer: bytes_each rounded up to whole pages.
  std::size_t buffer_size() const noexcept { return buffer_size_; }
  /// Whether mlock succeeded (false when not asked for or refused).
  bool memory_locked() const noexcept { return memory_locked_; }

 private:
  BufferPool(std::shared_ptr<Pool<detail::BufferSlot>> pool, std::size_t buffer_size,
             bool memory_locked) noexcept
      : pool_(std::move(pool)), buffer_size_(buffer_size), memory_locked_(memory_locked) {}

  std::shared_ptr<Pool<detail::BufferSlot>> pool_;
  std::size_t buffer_size_;
  bool memory_locked_;
};

}  // namespace daq
