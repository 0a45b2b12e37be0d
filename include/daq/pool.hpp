// daq/pool.hpp — Pool<T>: a fixed set of pre-built objects lent out as Loaned<T>.
//
// Contract
// - Pool<T>::create(capacity, factory, reset) builds all `capacity` objects up front and returns
//   the pool as std::shared_ptr. Capacity 0 throws std::invalid_argument.
// - acquire() blocks, try_acquire() never blocks, acquire_for(d) waits at most `d`.
//   A loan returns its slot when destroyed, after `reset` ran on the object.
// - Slots never move: grow(n) adds a new chunk and leaves existing slots (and the pointers that
//   loans cached) untouched.
// - A loan keeps the pool alive: the last shared_ptr may be dropped while loans are out; the
//   pool is destroyed when the last loan comes back.
// - make_detached() builds a heap object wearing the same Loaned<T> type (the failure policy's
//   heap fallback); it frees itself instead of returning and is counted in stats().fallbacks.
//
// Thread-safety: every member function may be called concurrently from any thread.
// Loaned<T> itself is not synchronised: one loan, one owner at a time (it is move-only).
// Allocation: create() and grow() allocate; make_detached() and clone() on an empty pool
// allocate (that is their job); acquire/try_acquire/acquire_for/release allocate nothing.
// Cost: try_acquire + release is two CAS on the free stack, one on the permit counter and one
// on the lifetime count; no lock unless a thread is blocked waiting.
// Misuse: using a moved-from loan dereferences nullptr (asserted in debug builds).
#pragma once

#include <array>
#include <atomic>
#include <cassert>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <stdexcept>
#include <utility>

#include "daq/detail/permit_counter.hpp"

namespace daq {

/// A snapshot of a pool's counters; each field is read with relaxed ordering.
struct PoolStats {
  std::uint64_t hits = 0;       ///< loans served from a free slot without waiting
  std::uint64_t misses = 0;     ///< acquisitions that found no free slot
  std::uint64_t timeouts = 0;   ///< acquire_for() calls that gave up
  std::uint64_t fallbacks = 0;  ///< detached heap loans made (make_detached, clone on empty)
  std::size_t in_use = 0;       ///< pooled loans out now
  std::size_t high_water = 0;   ///< most pooled loans out at once
  std::size_t capacity = 0;     ///< slots in the pool
};

template <class T>
class Pool;

namespace detail {

template <class T>
struct alignas(64) PoolSlot {
  template <class... Args>
  explicit PoolSlot(Pool<T>* owner, std::uint32_t id, Args&&... args)
      : value(std::forward<Args>(args)...), pool(owner), slot_id(id) {}

  T value;
  Pool<T>* const pool;               // nullptr: a detached heap loan
  const std::uint32_t slot_id;       // 1-based id in the free stack; 0 for detached
  std::atomic<std::uint32_t> next{0};  // free-stack link (slot id, 0 = end)
  std::atomic<std::uint64_t> loans{0};  // written only by the current borrower
};

}  // namespace detail

/// A move-only loan of one pooled (or detached) object. See the header contract.
template <class T>
class [[nodiscard]] Loaned {
 public:
  Loaned(Loaned&& other) noexcept : slot_(std::exchange(other.slot_, nullptr)) {}
  Loaned& operator=(Loaned&& other) noexcept {
    if (this != &other) {
      release();
      slot_ = std::exchange(other.slot_, nullptr);
    }
    return *this;
  }
  Loaned(const Loaned&) = delete;
  Loaned& operator=(const Loaned&) = delete;
  ~Loaned() { release(); }

  T& operator*() const noexcept {
    assert(slot_ != nullptr && "use of a moved-from Loaned");
    return slot_->value;
  }
  T* operator->() const noexcept { return &**this; }
  T* get() const noexcept { return slot_ != nullptr ? &slot_->value : nullptr; }
  explicit operator bool() const noexcept { return slot_ != nullptr; }

  /// True for a heap-fallback loan that frees itself instead of returning to a pool.
  bool is_detached() const noexcept { return slot_ != nullptr && slot_->pool == nullptr; }

  /// A copy of the object in a NEW slot of the same pool; a detached (counted) copy when the
  /// pool has no free slot or this loan is itself detached. Needs a copy-assignable T.
  Loaned clone() const {
    assert(slot_ != nullptr);
    if (slot_->pool != nullptr) {
      if (auto copy = slot_->pool->try_acquire()) {
        **copy = slot_->value;
        return std::move(*copy);
      }
      return slot_->pool->make_detached(slot_->value);
    }
    return Loaned(new detail::PoolSlot<T>(nullptr, 0, slot_->value));
  }

  /// Gives up ownership without returning the slot; pair with from_raw(). For types that build
  /// their own sharing on top of a loan (Bytes); not for general use.
  detail::PoolSlot<T>* into_raw() && noexcept { return std::exchange(slot_, nullptr); }
  static Loaned from_raw(detail::PoolSlot<T>* slot) noexcept { return Loaned(slot); }

 private:
  friend class Pool<T>;
  explicit Loaned(detail::PoolSlot<T>* slot) noexcept : slot_(slot) {}

  void release() noexcept {
    if (slot_ == nullptr) return;
    if (slot_->pool != nullptr) {
      slot_->pool->give_back(slot_);
    } else {
      delete slot_;
    }
    slot_ = nullptr;
  }

  detail::PoolSlot<T>* slot_;
};

template <class T>
class Pool {
 public:
  using Factory = std::function<T()>;
  using Reset = std::function<void(T&)>;

  /// Builds `capacity` objects with `factory`; `reset` (optional, must not throw) runs on each
  /// object as its loan returns. Throws std::invalid_argument for capacity 0 and whatever the
  /// factory throws.
  static std::shared_ptr<Pool> create(std::size_t capacity, Factory factory, Reset reset = {}) {
    if (capacity == 0) throw std::invalid_argument("Pool::create: capacity must be at least 1");
    if (!factory) throw std::invalid_argument("Pool::create: factory must not be empty");
    auto* pool = new Pool(std::move(factory), std::move(reset));
    try {
      pool->grow(capacity);
    } catch (...) {
      delete pool;
      throw;
    }
    // The deleter drops the owner's reference; loans still out keep the pool alive.
    return std::shared_ptr<Pool>(pool, [](Pool* p) { p->drop_reference(); });
  }

  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  /// A free slot, or nullopt at once when there is none.
  [[nodiscard]] std::optional<Loaned<T>> try_acquire() noexcept {
    std::uint64_t left = 0;
    if (!permits_.try_take(&left)) {
      misses_.fetch_add(1, std::memory_order_relaxed);
      return std::nullopt;
    }
    return take_slot(left);
  }

  /// Waits as long as it takes for a free slot.
  [[nodiscard]] Loaned<T> acquire() {
    std::uint64_t left = 0;
    if (!permits_.try_take(&left)) {
      misses_.fetch_add(1, std::memory_order_relaxed);
      permits_.take(&left);
      waited_.fetch_add(1, std::memory_order_relaxed);
    }
    return take_slot(left);
  }

  /// Waits at most `timeout` for a free slot; nullopt (counted as a timeout) when none came.
  template <class Rep, class Period>
  [[nodiscard]] std::optional<Loaned<T>> acquire_for(std::chrono::duration<Rep, Period> timeout) {
    std::uint64_t left = 0;
    if (!permits_.try_take(&left)) {
      misses_.fetch_add(1, std::memory_order_relaxed);
      if (!permits_.take_until(std::chrono::steady_clock::now() + timeout, &left)) {
        timeouts_.fetch_add(1, std::memory_order_relaxed);
        return std::nullopt;
      }
      waited_.fetch_add(1, std::memory_order_relaxed);
    }
    return take_slot(left);
  }

  /// A heap object built by the factory (or from `args`), outside the pool; counted.
  template <class... Args>
  [[nodiscard]] Loaned<T> make_detached(Args&&... args) {
    fallbacks_.fetch_add(1, std::memory_order_relaxed);
    if constexpr (sizeof...(Args) == 0) {
      return Loaned<T>(new detail::PoolSlot<T>(nullptr, 0, factory_()));
    } else {
      return Loaned<T>(new detail::PoolSlot<T>(nullptr, 0, std::forward<Args>(args)...));
    }
  }

  /// Adds `n` slots built by the factory. Existing slots and loans are untouched.
  /// Throws std::length_error past 64 growth steps or 2^26 slots per step.
  void grow(std::size_t n) {
    if (n == 0) return;
    std::lock_guard lock(grow_mutex_);
    const std::size_t chunk = chunk_count_.load(std::memory_order_relaxed);
    if (chunk >= kMaxChunks || n > kChunkSlots) {
      throw std::length_error("Pool::grow: at most 64 growth steps of 2^26 slots each");
    }
    Chunk storage = build_chunk(chunk, n);
    detail::PoolSlot<T>* first = storage.slots;
    // release: a thread that finds one of these ids on the free stack sees the chunk.
    chunks_[chunk].store(first, std::memory_order_release);
    chunk_sizes_[chunk] = n;
    chunk_count_.store(chunk + 1, std::memory_order_release);
    storage.slots = nullptr;  // now owned by chunks_
    for (std::size_t i = 0; i < n; ++i) push_free(&first[i]);
    capacity_.fetch_add(n, std::memory_order_relaxed);
    permits_.give(n);
  }

  std::size_t capacity() const noexcept { return capacity_.load(std::memory_order_relaxed); }
  std::size_t available() const noexcept { return permits_.available(); }

  PoolStats stats() const noexcept {
    PoolStats s;
    s.misses = misses_.load(std::memory_order_relaxed);
    s.timeouts = timeouts_.load(std::memory_order_relaxed);
    s.fallbacks = fallbacks_.load(std::memory_order_relaxed);
    s.capacity = capacity();
    const std::size_t available_now = available();
    s.in_use = s.capacity > available_now ? s.capacity - available_now : 0;
    s.high_water = high_water_.load(std::memory_order_relaxed);
    std::uint64_t loans = 0;
    for_each_slot([&](const detail::PoolSlot<T>& slot) {
      loans += slot.loans.load(std::memory_order_relaxed);
    });
    // Every pooled loan either found a free slot at once (a hit) or got one after waiting.
    const std::uint64_t waited = waited_.load(std::memory_order_relaxed);
    s.hits = loans > waited ? loans - waited : 0;
    return s;
  }

 private:
  friend class Loaned<T>;
  static constexpr std::size_t kMaxChunks = 64;
  static constexpr std::uint32_t kChunkBits = 26;
  static constexpr std::size_t kChunkSlots = std::size_t{1} << kChunkBits;

  // Raw storage for one chunk of slots, destroyed slot by slot.
  struct Chunk {
    detail::PoolSlot<T>* slots = nullptr;
    std::size_t built = 0;
    ~Chunk() { destroy(slots, built); }
    static void destroy(detail::PoolSlot<T>* slots, std::size_t n) noexcept {
      if (slots == nullptr) return;
      for (std::size_t i = n; i-- > 0;) slots[i].~PoolSlot();
      ::operator delete(slots, std::align_val_t{alignof(detail::PoolSlot<T>)});
    }
  };

  Pool(Factory factory, Reset reset) : factory_(std::move(factory)), reset_(std::move(reset)) {}

  ~Pool() {
    const std::size_t chunks = chunk_count_.load(std::memory_order_acquire);
    for (std::size_t c = 0; c < chunks; ++c) {
      Chunk::destroy(chunks_[c].load(std::memory_order_relaxed), chunk_sizes_[c]);
    }
  }

  Chunk build_chunk(std::size_t chunk, std::size_t n) {
    Chunk storage;
    storage.slots = static_cast<detail::PoolSlot<T>*>(::operator new(
        n * sizeof(detail::PoolSlot<T>), std::align_val_t{alignof(detail::PoolSlot<T>)}));
    for (; storage.built < n; ++storage.built) {
      const auto id = static_cast<std::uint32_t>((chunk << kChunkBits) | storage.built) + 1;
      new (&storage.slots[storage.built]) detail::PoolSlot<T>(this, id, factory_());
    }
    return storage;
  }

  template <class F>
  void for_each_slot(F&& f) const {
    const std::size_t chunks = chunk_count_.load(std::memory_order_acquire);
    for (std::size_t c = 0; c < chunks; ++c) {
      const detail::PoolSlot<T>* slots = chunks_[c].load(std::memory_order_acquire);
      for (std::size_t i = 0; i < chunk_sizes_[c]; ++i) f(slots[i]);
    }
  }

  detail::PoolSlot<T>* slot_by_id(std::uint32_t id) const noexcept {
    const std::uint32_t index = id - 1;
    return chunks_[index >> kChunkBits].load(std::memory_order_acquire) +
           (index & (kChunkSlots - 1));
  }

  // The free stack: a Treiber stack of slot ids with a 32-bit tag against ABA in the same word.
  static constexpr std::uint64_t kIdMask = 0xffff'ffffu;

  void push_free(detail::PoolSlot<T>* slot) noexcept {
    std::uint64_t head = free_head_.load(std::memory_order_relaxed);
    std::uint64_t next;
    do {
      slot->next.store(static_cast<std::uint32_t>(head & kIdMask), std::memory_order_relaxed);
      next = ((head >> 32) + 1) << 32 | slot->slot_id;
      // release: the next link and the reset object are visible to whoever pops this slot.
    } while (!free_head_.compare_exchange_weak(head, next, std::memory_order_release,
                                               std::memory_order_relaxed));
  }

  detail::PoolSlot<T>* pop_free() noexcept {
    std::uint64_t head = free_head_.load(std::memory_order_acquire);
    for (;;) {
      const auto id = static_cast<std::uint32_t>(head & kIdMask);
      // Holding a permit guarantees a pushed slot, so the stack cannot be empty here.
      if (id == 0) std::abort();
      detail::PoolSlot<T>* slot = slot_by_id(id);
      // A stale link (the slot was popped meanwhile) is harmless: the tag makes the CAS fail.
      const std::uint64_t next =
          ((head >> 32) + 1) << 32 | slot->next.load(std::memory_order_relaxed);
      if (free_head_.compare_exchange_weak(head, next, std::memory_order_acquire,
                                           std::memory_order_acquire)) {
        return slot;
      }
    }
  }

  Loaned<T> take_slot(std::uint64_t permits_left) noexcept {
    detail::PoolSlot<T>* slot = pop_free();
    refs_.fetch_add(1, std::memory_order_relaxed);
    slot->loans.store(slot->loans.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    const std::size_t cap = capacity_.load(std::memory_order_relaxed);
    const std::size_t in_use = cap > permits_left ? cap - permits_left : 0;
    std::size_t seen = high_water_.load(std::memory_order_relaxed);
    while (in_use > seen &&
           !high_water_.compare_exchange_weak(seen, in_use, std::memory_order_relaxed)) {
    }
    return Loaned<T>(slot);
  }

  void give_back(detail::PoolSlot<T>* slot) noexcept {
    if (reset_) reset_(slot->value);
    push_free(slot);
    permits_.give(1);
    drop_reference();  // last: this may destroy the pool
  }

  void drop_reference() noexcept {
    // acq_rel: every loan's use of the pool happens before the destruction.
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  const Factory factory_;
  const Reset reset_;

  alignas(64) std::atomic<std::uint64_t> free_head_{0};
  detail::PermitCounter permits_;
  alignas(64) std::atomic<std::uint64_t> refs_{1};  // the owner's shared_ptr + one per loan
  alignas(64) std::atomic<std::uint64_t> misses_{0};
  std::atomic<std::uint64_t> timeouts_{0};
  std::atomic<std::uint64_t> waited_{0};
  std::atomic<std::uint64_t> fallbacks_{0};
  std::atomic<std::size_t> high_water_{0};
  std::atomic<std::size_t> capacity_{0};

  std::mutex grow_mutex_;
  std::array<std::atomic<detail::PoolSlot<T>*>, kMaxChunks> chunks_{};
  std::array<std::size_t, kMaxChunks> chunk_sizes_{};
  std::atomic<std::size_t> chunk_count_{0};
};

}  // namespace daq
