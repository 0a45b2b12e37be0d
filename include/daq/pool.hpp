// daq/pool.hpp — Pool<T>: a fixed set of pre-built objects lent out as Loaned<T>.
//
// Contract
// - Pool<T>::create(capacity, factory, reset) builds all `capacity` objects up front and returns
//   the pool as std::shared_ptr. Capacity 0 throws std::invalid_argument.
// - acquire() blocks, try_acquire() never blocks (and never fails while a slot is free),
//   acquire_for(d) waits at most `d`. A loan returns its slot when destroyed, after `reset` ran
//   on the object.
// - Slots never move: grow(n) adds a new chunk and leaves existing slots (and the pointers that
//   loans cached) untouched.
// - A loan keeps the pool alive: the last shared_ptr may be dropped while loans are out; the
//   pool and its objects are destroyed when the last loan comes back.
// - make_detached() builds a heap object wearing the same Loaned<T> type (the failure policy's
//   heap fallback); it frees itself instead of returning and is counted in stats().fallbacks.
//
// Thread-safety: every member function of Pool may be called concurrently from any thread.
// Loaned<T> itself is not synchronised: one loan, one owner at a time (it is move-only).
// Allocation: create() and grow() allocate; make_detached() and clone() on an empty pool
// allocate (that is their job); acquire/try_acquire/acquire_for/release allocate nothing.
// Cost: try_acquire + release is one CAS to pop, one to push and two adds on the loan count,
// all on one cache line; threads block on a mutex only when the pool is empty.
// Misuse: using a moved-from loan dereferences nullptr (asserted in debug builds); a `reset`
// that throws terminates (it runs in the noexcept release).
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cassert>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "daq/detail/wait_list.hpp"

namespace daq {

/// A snapshot of a pool's counters; each field is read with relaxed ordering.
struct PoolStats {
  std::uint64_t hits = 0;       ///< pooled loans served without waiting (incl. clones)
  std::uint64_t misses = 0;     ///< acquisitions that found no free slot
  std::uint64_t timeouts = 0;   ///< acquire_for() calls that gave up
  std::uint64_t fallbacks = 0;  ///< detached heap loans made (make_detached, clone on empty)
  std::size_t in_use = 0;       ///< pooled loans out now (a loan counts until its release ends)
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
  Pool<T>* const pool;                  // the pool; a detached slot holds a reference on it
  const std::uint32_t slot_id;          // 1-based id in the free stack; 0: a detached heap slot
  std::atomic<std::uint32_t> next{0};   // free-stack link (slot id, 0 = end)
  std::atomic<std::uint64_t> loans{0};  // loans of this slot; written only by its borrower
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
  bool is_detached() const noexcept { return slot_ != nullptr && slot_->slot_id == 0; }

  /// A copy of the object in a NEW slot of the same pool, or a detached (counted) copy when
  /// the pool has no free slot. Detached loans clone into the pool too. Needs a copyable T;
  /// allocates only for the detached copy or if T's copy assignment does.
  Loaned clone() const {
    assert(slot_ != nullptr && "clone of a moved-from Loaned");
    return slot_->pool->copy_of(slot_->value);
  }

  /// Gives up ownership without returning the slot; pair with from_raw(). For types that build
  /// their own sharing on top of a loan (Bytes); not for general use.
  detail::PoolSlot<T>* into_raw() && noexcept { return std::exchange(slot_, nullptr); }
  static Loaned from_raw(detail::PoolSlot<T>* slot) noexcept { return Loaned(slot); }

 private:
  friend class Pool<T>;
  explicit Loaned(detail::PoolSlot<T>* slot) noexcept : slot_(slot) {}

  void release() noexcept {
    if (slot_ != nullptr) Pool<T>::give_back(std::exchange(slot_, nullptr));
  }

  detail::PoolSlot<T>* slot_;
};

template <class T>
class Pool {
 public:
  using Factory = std::function<T()>;
  using Reset = std::function<void(T&)>;

  /// Most slots one create()/grow() call may add, and most grow steps (ids must fit 32 bits).
  static constexpr std::size_t kMaxGrowSlots = (std::size_t{1} << 26) - 1;
  static constexpr std::size_t kMaxChunks = 64;

  /// Builds `capacity` objects with `factory`; `reset` (optional, must not throw) runs on each
  /// object as its loan returns. Throws std::invalid_argument for capacity 0 or no factory,
  /// std::length_error above kMaxGrowSlots, and whatever the factory throws (nothing leaks).
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
    // The deleter drops the owner's reference; loans still out keep the pool alive. (Should the
    // control block fail to allocate, shared_ptr calls the deleter, which frees the pool.)
    return std::shared_ptr<Pool>(pool, [](Pool* p) { p->drop_reference(kOwnerRef); });
  }

  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  /// A free slot, or nullopt at once when there is none.
  [[nodiscard]] std::optional<Loaned<T>> try_acquire() noexcept {
    if (detail::PoolSlot<T>* slot = pop_free()) return lend(slot);
    misses_.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }

  /// Waits as long as it takes for a free slot.
  [[nodiscard]] Loaned<T> acquire() {
    if (detail::PoolSlot<T>* slot = pop_free()) return lend(slot);
    misses_.fetch_add(1, std::memory_order_relaxed);
    detail::PoolSlot<T>* slot = waiters_.wait_until(detail::WaitList::Clock::time_point::max(),
                                                    [this] { return pop_free(); });
    waited_.fetch_add(1, std::memory_order_relaxed);
    return lend(slot);
  }

  /// Waits at most `timeout` for a free slot; nullopt (counted as a timeout) when none came.
  template <class Rep, class Period>
  [[nodiscard]] std::optional<Loaned<T>> acquire_for(std::chrono::duration<Rep, Period> timeout) {
    if (detail::PoolSlot<T>* slot = pop_free()) return lend(slot);
    misses_.fetch_add(1, std::memory_order_relaxed);
    detail::PoolSlot<T>* slot = waiters_.wait_until(detail::WaitList::deadline_after(timeout),
                                                    [this] { return pop_free(); });
    if (slot == nullptr) {
      timeouts_.fetch_add(1, std::memory_order_relaxed);
      return std::nullopt;
    }
    waited_.fetch_add(1, std::memory_order_relaxed);
    return lend(slot);
  }

  /// A heap object built by the factory (or from `args`), outside the pool; counted. It keeps
  /// the pool alive like any loan and frees itself when dropped.
  template <class... Args>
  [[nodiscard]] Loaned<T> make_detached(Args&&... args) {
    detail::PoolSlot<T>* slot = nullptr;
    if constexpr (sizeof...(Args) == 0) {
      slot = new detail::PoolSlot<T>(this, 0, factory_());
    } else {
      slot = new detail::PoolSlot<T>(this, 0, std::forward<Args>(args)...);
    }
    hot_.refs.fetch_add(kDetachedRef, std::memory_order_relaxed);  // we hold a reference already
    fallbacks_.fetch_add(1, std::memory_order_relaxed);
    return Loaned<T>(slot);
  }

  /// Adds `n` slots built by the factory. Existing slots and loans are untouched. Throws
  /// std::length_error past kMaxGrowSlots per call or kMaxChunks calls, and whatever the
  /// factory throws (the pool is unchanged then).
  void grow(std::size_t n) {
    if (n == 0) return;
    std::lock_guard lock(grow_mutex_);
    const std::size_t chunk = chunk_count_.load(std::memory_order_relaxed);
    if (n > kMaxGrowSlots || chunk >= kMaxChunks) {
      throw std::length_error("Pool::grow: " + std::to_string(n) + " slots in step " +
                              std::to_string(chunk + 1) + "; at most " +
                              std::to_string(kMaxGrowSlots) + " slots per step and " +
                              std::to_string(kMaxChunks) + " steps");
    }
    Chunk storage;
    build_chunk(storage, chunk, n);
    detail::PoolSlot<T>* first = storage.slots;
    chunk_sizes_[chunk] = n;
    // release: a thread that finds one of these ids on the free stack sees the chunk pointer,
    // and a thread that sees the new count sees chunk_sizes_.
    chunks_[chunk].store(first, std::memory_order_release);
    chunk_count_.store(chunk + 1, std::memory_order_release);
    storage.slots = nullptr;  // now owned by chunks_
    // Capacity first, so that in_use never exceeds capacity.
    capacity_.fetch_add(n, std::memory_order_relaxed);
    for (std::size_t i = 0; i < n; ++i) push_free(&first[i]);
    waiters_.notify_all();
  }

  std::size_t capacity() const noexcept { return capacity_.load(std::memory_order_relaxed); }

  /// Free slots now (a snapshot; a slot counts as free once its release has finished).
  std::size_t available() const noexcept { return capacity() - in_use(); }

  PoolStats stats() const noexcept {
    PoolStats s;
    s.misses = misses_.load(std::memory_order_relaxed);
    s.timeouts = timeouts_.load(std::memory_order_relaxed);
    s.fallbacks = fallbacks_.load(std::memory_order_relaxed);
    s.capacity = capacity();
    s.in_use = in_use();
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
  static constexpr std::uint32_t kChunkShift = 26;
  static_assert(kMaxChunks << kChunkShift <= std::uint64_t{1} << 32 &&
                    kMaxGrowSlots < std::size_t{1} << kChunkShift,
                "slot ids (chunk << shift | index) + 1 must fit 32 bits and never be 0");

  // hot_.refs packs the pool's lifetime count: the low half counts pooled loans out, the high half
  // counts the owner's shared_ptr plus detached loans. The pool dies when it reaches zero.
  static constexpr std::uint64_t kPooledRef = 1;
  static constexpr std::uint64_t kOwnerRef = std::uint64_t{1} << 32;
  static constexpr std::uint64_t kDetachedRef = kOwnerRef;
  static constexpr std::uint64_t kPooledMask = kOwnerRef - 1;

  // Raw storage for one chunk of slots, destroyed slot by slot.
  struct Chunk {
    detail::PoolSlot<T>* slots = nullptr;
    std::size_t built = 0;
    Chunk() = default;
    Chunk(const Chunk&) = delete;
    Chunk& operator=(const Chunk&) = delete;
    ~Chunk() { destroy(slots, built); }
    static void destroy(detail::PoolSlot<T>* slots, std::size_t n) noexcept {
      if (slots == nullptr) return;
      for (std::size_t i = n; i-- > 0;) slots[i].~PoolSlot();
      ::operator delete (slots, std::align_val_t{alignof(detail::PoolSlot<T>)});
    }
  };

  Pool(Factory factory, Reset reset) : factory_(std::move(factory)), reset_(std::move(reset)) {}

  ~Pool() {
    const std::size_t chunks = chunk_count_.load(std::memory_order_acquire);
    for (std::size_t c = 0; c < chunks; ++c) {
      Chunk::destroy(chunks_[c].load(std::memory_order_relaxed), chunk_sizes_[c]);
    }
  }

  // Fills `storage`; if the factory throws, `storage` destroys what was built.
  void build_chunk(Chunk& storage, std::size_t chunk, std::size_t n) {
    storage.slots = static_cast<detail::PoolSlot<T>*>(::operator new (
        n * sizeof(detail::PoolSlot<T>), std::align_val_t{alignof(detail::PoolSlot<T>)}));
    for (; storage.built < n; ++storage.built) {
      const auto id = static_cast<std::uint32_t>((chunk << kChunkShift | storage.built) + 1);
      new (&storage.slots[storage.built]) detail::PoolSlot<T>(this, id, factory_());
    }
  }

  template <class F>
  void for_each_slot(F&& f) const {
    const std::size_t chunks = chunk_count_.load(std::memory_order_acquire);
    for (std::size_t c = 0; c < chunks; ++c) {
      const detail::PoolSlot<T>* slots = chunks_[c].load(std::memory_order_relaxed);
      for (std::size_t i = 0; i < chunk_sizes_[c]; ++i) f(slots[i]);
    }
  }

  std::size_t in_use() const noexcept {
    const auto pooled =
        static_cast<std::size_t>(hot_.refs.load(std::memory_order_relaxed) & kPooledMask);
    const std::size_t cap = capacity();
    return pooled < cap ? pooled : cap;  // a slot pushed but not yet uncounted is not extra
  }

  detail::PoolSlot<T>* slot_by_id(std::uint32_t id) const noexcept {
    const std::uint32_t index = id - 1;
    return chunks_[index >> kChunkShift].load(std::memory_order_acquire) +
           (index & ((std::uint32_t{1} << kChunkShift) - 1));
  }

  // The free stack: a Treiber stack of slot ids, with a 32-bit tag in the same word against ABA
  // (a stale pop fails unless 2^32 pushes and pops happened in between).
  static constexpr std::uint64_t kIdMask = 0xffff'ffffu;
  static constexpr std::uint64_t kTagOne = std::uint64_t{1} << 32;

  void push_free(detail::PoolSlot<T>* slot) noexcept {
    std::uint64_t head = hot_.free_head.load(std::memory_order_relaxed);
    std::uint64_t next;
    do {
      slot->next.store(static_cast<std::uint32_t>(head & kIdMask), std::memory_order_relaxed);
      next = ((head & ~kIdMask) + kTagOne) | slot->slot_id;
      // seq_cst (includes release): the link and the reset object are visible to whoever pops
      // this slot, and the publish is the first half of the WaitList's Dekker pair.
    } while (!hot_.free_head.compare_exchange_weak(head, next, std::memory_order_seq_cst,
                                                   std::memory_order_relaxed));
  }

  /// A free slot, or nullptr when the stack is empty at the moment of looking.
  detail::PoolSlot<T>* pop_free() noexcept {
    // seq_cst (a plain load on x86, as cheap as acquire elsewhere): the WaitList's Dekker pair
    // needs the first look at the stack to be in the seq_cst order; it also acquires.
    std::uint64_t head = hot_.free_head.load(std::memory_order_seq_cst);
    for (;;) {
      const auto id = static_cast<std::uint32_t>(head & kIdMask);
      if (id == 0) return nullptr;
      detail::PoolSlot<T>* slot = slot_by_id(id);
      // A stale link (the slot was popped meanwhile) is harmless: the tag makes the CAS fail.
      // Slots are never freed while the pool lives, so reading it is always safe.
      const std::uint64_t next =
          ((head & ~kIdMask) + kTagOne) | slot->next.load(std::memory_order_relaxed);
      // acquire: pairs with push_free's release, so the reset object and link are visible.
      if (hot_.free_head.compare_exchange_weak(head, next, std::memory_order_acquire,
                                               std::memory_order_acquire)) {
        return slot;
      }
    }
  }

  Loaned<T> lend(detail::PoolSlot<T>* slot) noexcept {
    // relaxed: the caller already holds a reference (a shared_ptr or a loan), as with
    // shared_ptr copies; the count only has to reach zero after every release.
    const std::uint64_t before = hot_.refs.fetch_add(kPooledRef, std::memory_order_relaxed);
    slot->loans.store(slot->loans.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    const std::size_t in_use_now =
        std::min(static_cast<std::size_t>(before & kPooledMask) + 1, capacity());
    std::size_t seen = high_water_.load(std::memory_order_relaxed);
    while (in_use_now > seen &&
           !high_water_.compare_exchange_weak(seen, in_use_now, std::memory_order_relaxed)) {
    }
    return Loaned<T>(slot);
  }

  Loaned<T> copy_of(const T& value) {
    if (detail::PoolSlot<T>* slot = pop_free()) {
      Loaned<T> copy = lend(slot);  // returned to the pool if the assignment throws
      *copy = value;
      return copy;
    }
    misses_.fetch_add(1, std::memory_order_relaxed);
    return make_detached(value);
  }

  static void give_back(detail::PoolSlot<T>* slot) noexcept {
    Pool* pool = slot->pool;
    if (slot->slot_id == 0) {
      delete slot;
      pool->drop_reference(kDetachedRef);
      return;
    }
    if (pool->reset_) pool->reset_(slot->value);
    pool->push_free(slot);
    pool->waiters_.notify_one();
    pool->drop_reference(kPooledRef);  // last: this may destroy the pool
  }

  void drop_reference(std::uint64_t ref) noexcept {
    // acq_rel: every use of the pool by any loan happens before its destruction.
    if (hot_.refs.fetch_sub(ref, std::memory_order_acq_rel) == ref) delete this;
  }

  const Factory factory_;
  const Reset reset_;

  // The hot line: every acquire and release does one CAS on free_head and one add on refs;
  // keeping both in one cache line moves one line, not two, between contending threads.
  struct alignas(64) HotLine {
    std::atomic<std::uint64_t> free_head{0};  // tag (high 32 bits) | top slot id (low 32 bits)
    std::atomic<std::uint64_t> refs{kOwnerRef};
  };
  static_assert(sizeof(HotLine) == 64, "the hot counters must share exactly one cache line");
  HotLine hot_;
  detail::WaitList waiters_;

  // Read on every acquire, written rarely (grow, a new high-water mark).
  alignas(64) std::atomic<std::size_t> capacity_{0};
  std::atomic<std::size_t> high_water_{0};

  // Written on slow paths only.
  alignas(64) std::atomic<std::uint64_t> misses_{0};
  std::atomic<std::uint64_t> timeouts_{0};
  std::atomic<std::uint64_t> waited_{0};
  std::atomic<std::uint64_t> fallbacks_{0};

  std::mutex grow_mutex_;
  std::array<std::atomic<detail::PoolSlot<T>*>, kMaxChunks> chunks_{};
  std::array<std::size_t, kMaxChunks> chunk_sizes_{};
  std::atomic<std::size_t> chunk_count_{0};
};

}  // namespace daq
