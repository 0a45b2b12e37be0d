// daq/pool/pool.hpp — Pool<T>: a fixed set of pre-built objects lent out as Loaned<T>.
//
// Contract
// - Pool<T>::create(capacity, factory, reset) builds all `capacity` objects up front and returns
//   the pool as std::shared_ptr. Capacity 0 throws std::invalid_argument.
// - acquire() blocks, try_acquire() never blocks (and never fails while a slot is free),
//   acquire_for(d) waits at most `d`. A loan returns its slot when destroyed, after `reset` ran
//   on the object.
// - Slots never move: grow(n) adds slots and leaves existing ones (and the pointers that loans
//   cached) untouched. A pool holds at most kMaxCapacity (65,535) slots.
// - A loan keeps the pool alive: the last shared_ptr may be dropped while loans are out; the
//   pool and its objects are destroyed when the last loan comes back.
// - A loan can be shared (daq/pool/shared_loan.hpp): loan.share() and std::move(loan).freeze()
//   make SharedLoan<T> holders of the same slot; the slot returns when the LAST holder, the loan
//   or a share, is gone. The count lives in the slot (no allocation); a loan never shared pays
//   one load for it on release.
// - make_detached() builds a heap object wearing the same Loaned<T> type (the failure policy's
//   heap fallback); it frees itself instead of returning and is counted in stats().fallbacks.
//   It holds a shared_ptr to the pool, so its clone() can still use a free slot.
//
// Thread-safety: every member function of Pool may be called concurrently from any thread.
// Loaned<T> itself is not synchronised: one loan, one owner at a time (it is move-only).
// Allocation: create() and grow() allocate; make_detached() and clone() on an empty pool
// allocate (that is their job); acquire/try_acquire/acquire_for/release allocate nothing.
// Cost: try_acquire is one CAS and release one CAS on the free-stack word (detail/free_word.hpp),
// which also carries the free count, the waiting flag and the orphaned flag; a thread takes the
// pool mutex only to wait on an empty pool, or to return a slot while another thread waits.
// Misuse: using a moved-from loan dereferences nullptr (asserted in debug builds); a `reset`
// that throws terminates (it runs in the noexcept release); calling a Pool member without
// holding a shared_ptr to it (only loans keep an orphaned pool alive) is undefined.
#pragma once

#include <atomic>
#include <cassert>
#include <chrono>
#include <condition_variable>
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

#include "daq/pool/detail/deadline.hpp"
#include "daq/pool/detail/free_word.hpp"
#include "daq/pool/detail/single_writer.hpp"
#include "daq/pool/detail/slot_segments.hpp"

namespace daq {

/// A snapshot of a pool's counters; each field is read with relaxed ordering.
struct PoolStats {
  std::uint64_t hits = 0;       ///< pooled loans served without waiting (incl. clones)
  std::uint64_t misses = 0;     ///< acquisitions that found no free slot
  std::uint64_t timeouts = 0;   ///< acquire_for() calls that gave up
  std::uint64_t fallbacks = 0;  ///< detached heap loans made (make_detached, clone on empty)
  std::size_t in_use = 0;       ///< pooled loans out now
  std::size_t high_water = 0;   ///< most pooled loans out at once
  std::size_t capacity = 0;     ///< slots in the pool
};

template <class T>
class Pool;
template <class T>
class SharedLoan;

namespace detail {

template <class T>
struct alignas(64) PoolSlot {
  template <class... Args>
  explicit PoolSlot(Pool<T>* owner, std::uint32_t id, Args&&... args)
      : value(std::forward<Args>(args)...), pool(owner), slot_id(id) {}

  T value;
  Pool<T>* const pool;                  // nullptr: a detached slot made after the pool was orphaned
  const std::uint32_t slot_id;          // 1-based id on the free stack; 0: a detached heap slot
  std::atomic<std::uint32_t> next{0};   // free-stack link (slot id, 0 = end)
  std::atomic<std::uint64_t> loans{0};  // loans of this slot; written only by its borrower
  // Holders of the lent slot: 0 while one Loaned holds it alone (never shared), else the number
  // of Loaned and SharedLoan holders (daq/pool/shared_loan.hpp). 0 again once it is back.
  std::atomic<std::uint32_t> holders{0};
};

// A heap-fallback slot. It keeps the pool alive (clone() may take a pooled slot) like a user's
// shared_ptr does; `owner` is empty when it was made for a pool whose last shared_ptr was gone.
template <class T>
struct DetachedSlot : PoolSlot<T> {
  template <class... Args>
  explicit DetachedSlot(std::shared_ptr<Pool<T>> keep, Args&&... args)
      : PoolSlot<T>(keep.get(), 0, std::forward<Args>(args)...), owner(std::move(keep)) {}
  std::shared_ptr<Pool<T>> owner;
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
    if (slot_->pool != nullptr) return slot_->pool->copy_of(slot_->value);
    return Loaned(new detail::DetachedSlot<T>(nullptr, slot_->value));  // its pool is gone
  }

  /// Another holder of this slot, sharing it read-only (daq/pool/shared_loan.hpp): the slot
  /// returns when this loan and every share are gone. Write the object before sharing it, not
  /// after. One atomic store or add; never allocates.
  SharedLoan<T> share() const noexcept;

  /// Turns this loan into a share (the same holder, read-only from now on). Never allocates.
  SharedLoan<T> freeze() && noexcept;

  /// What into_raw() gives: an opaque handle of the slot.
  using RawSlot = detail::PoolSlot<T>;

  /// Gives up ownership without returning the slot; pair with from_raw(). For handing a loan
  /// through a C callback's `void*` (a ZeroMQ free function); not for general use.
  RawSlot* into_raw() && noexcept { return std::exchange(slot_, nullptr); }
  static Loaned from_raw(RawSlot* slot) noexcept { return Loaned(slot); }

 private:
  friend class Pool<T>;
  explicit Loaned(detail::PoolSlot<T>* slot) noexcept : slot_(slot) {}

  void release() noexcept {
    if (slot_ != nullptr) Pool<T>::drop_holder(std::exchange(slot_, nullptr));
  }

  detail::PoolSlot<T>* slot_;
};

template <class T>
class Pool : public std::enable_shared_from_this<Pool<T>> {
 public:
  using Factory = std::function<T()>;
  using Reset = std::function<void(T&)>;

  /// Most slots a pool can hold (slot ids are 16 bits of the free-stack word).
  static constexpr std::size_t kMaxCapacity = detail::free_word::kMaxSlots;

  /// Builds `capacity` objects with `factory`; `reset` (optional, must not throw) runs on each
  /// object as its loan returns. Throws std::invalid_argument for capacity 0 or no factory,
  /// std::length_error above kMaxCapacity, and whatever the factory throws (nothing leaks).
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
    // The deleter marks the pool orphaned; the last loan back destroys it. (Should the control
    // block fail to allocate, shared_ptr calls the deleter, which destroys the pool at once.)
    return std::shared_ptr<Pool>(pool, [](Pool* p) { p->orphan(); });
  }

  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  /// A free slot, or nullopt at once when there is none.
  [[nodiscard]] std::optional<Loaned<T>> try_acquire() noexcept {
    if (Slot* slot = pop_free()) return lend(slot);
    misses_.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }

  /// Waits as long as it takes for a free slot.
  [[nodiscard]] Loaned<T> acquire() {
    if (Slot* slot = pop_free()) return lend(slot);
    misses_.fetch_add(1, std::memory_order_relaxed);
    Slot* slot = wait_for_slot(detail::kNoDeadline);
    waited_.fetch_add(1, std::memory_order_relaxed);
    return lend(slot);
  }

  /// Waits at most `timeout` for a free slot; nullopt (counted as a timeout) when none came.
  /// A timeout too long for the clock (hours::max()) waits for ever.
  template <class Rep, class Period>
  [[nodiscard]] std::optional<Loaned<T>> acquire_for(std::chrono::duration<Rep, Period> timeout) {
    if (Slot* slot = pop_free()) return lend(slot);
    misses_.fetch_add(1, std::memory_order_relaxed);
    Slot* slot = wait_for_slot(detail::deadline_after(timeout));
    if (slot == nullptr) {
      timeouts_.fetch_add(1, std::memory_order_relaxed);
      return std::nullopt;
    }
    waited_.fetch_add(1, std::memory_order_relaxed);
    return lend(slot);
  }

  /// A heap object built by the factory (or from `args`), outside the pool; counted. It keeps
  /// the pool alive like a shared_ptr and frees itself when dropped.
  template <class... Args>
  [[nodiscard]] Loaned<T> make_detached(Args&&... args) {
    std::shared_ptr<Pool> keep = this->weak_from_this().lock();  // empty once orphaned
    Slot* slot = nullptr;
    if constexpr (sizeof...(Args) == 0) {
      slot = new detail::DetachedSlot<T>(std::move(keep), factory_());
    } else {
      slot = new detail::DetachedSlot<T>(std::move(keep), std::forward<Args>(args)...);
    }
    fallbacks_.fetch_add(1, std::memory_order_relaxed);
    return Loaned<T>(slot);
  }

  /// Adds `n` slots built by the factory. Existing slots and loans are untouched; threads
  /// waiting for a slot are woken. Throws std::length_error past kMaxCapacity slots in all,
  /// and whatever the factory throws (the pool is unchanged then).
  void grow(std::size_t n) {
    if (n == 0) return;
    std::lock_guard grow_lock(grow_mutex_);
    const std::size_t first = slots_.size();
    if (n > kMaxCapacity - first) {
      throw std::length_error("Pool::grow: " + std::to_string(first) + " + " + std::to_string(n) +
                              " slots exceed the most a pool can hold, " +
                              std::to_string(kMaxCapacity));
    }
    slots_.append(n, [this](void* where, std::size_t index) {
      new (where) Slot(this, static_cast<std::uint32_t>(index + 1), factory_());
    });
    std::lock_guard lock(mutex_);  // waiters check the stack under it: none can miss these
    for (std::size_t i = first; i < first + n; ++i) push(slots_.at(i));
    // After the pushes: in_use = capacity - free never counts a slot not yet pushed.
    capacity_.fetch_add(n, std::memory_order_relaxed);
    if (waiters_ != 0) wakeup_.notify_all();
  }

  std::size_t capacity() const noexcept { return capacity_.load(std::memory_order_relaxed); }

  /// Free slots now (a snapshot).
  std::size_t available() const noexcept {
    return detail::free_word::free_slots(head_.load(std::memory_order_relaxed));
  }

  PoolStats stats() const noexcept {
    PoolStats s;
    s.misses = misses_.load(std::memory_order_relaxed);
    s.timeouts = timeouts_.load(std::memory_order_relaxed);
    s.fallbacks = fallbacks_.load(std::memory_order_relaxed);
    s.capacity = capacity();
    s.in_use = in_use(available());
    s.high_water = high_water_.load(std::memory_order_relaxed);
    std::uint64_t loans = 0;
    for (std::size_t i = 0, n = slots_.size(); i < n; ++i) {
      loans += slots_.at(i)->loans.load(std::memory_order_relaxed);
    }
    // Every pooled loan either found a free slot at once (a hit) or got one after waiting.
    const std::uint64_t waited = waited_.load(std::memory_order_relaxed);
    s.hits = loans > waited ? loans - waited : 0;
    return s;
  }

 private:
  friend class Loaned<T>;
  friend class SharedLoan<T>;
  using Slot = detail::PoolSlot<T>;

  Pool(Factory factory, Reset reset) : factory_(std::move(factory)), reset_(std::move(reset)) {}
  ~Pool() = default;  // slots_ destroys the objects

  std::size_t in_use(std::size_t free) const noexcept {
    const std::size_t cap = capacity();
    return cap > free ? cap - free : 0;  // grow pushes before it raises the capacity
  }

  /// The top free slot, or nullptr when the stack is empty at the moment of looking.
  Slot* pop_free() noexcept {
    using namespace detail::free_word;
    std::uint64_t head = head_.load(std::memory_order_acquire);
    for (;;) {
      const std::uint32_t id = top(head);
      if (id == 0) return nullptr;
      Slot* slot = slots_.at(id - 1);
      // A stale link (the slot was popped meanwhile) is harmless: the tag makes the CAS fail.
      // Slots are never freed while the pool lives, so reading one is always safe.
      const std::uint64_t next = popped(head, slot->next.load(std::memory_order_relaxed));
      // acquire: pairs with the release of the push, so the reset object and the link are seen.
      if (head_.compare_exchange_weak(head, next, std::memory_order_acquire,
                                      std::memory_order_acquire)) {
        note_in_use(free_slots(next));
        return slot;
      }
    }
  }

  /// Under mutex_: pops a free slot, or marks the word "waiting" and returns nullptr. One CAS
  /// decides, so a release either lands before it (and is popped here) or sees the mark.
  Slot* pop_or_mark_waiting() noexcept {
    using namespace detail::free_word;
    std::uint64_t head = head_.load(std::memory_order_acquire);
    for (;;) {
      const std::uint32_t id = top(head);
      if (id == 0 && (head & kWaiting) != 0) return nullptr;
      Slot* slot = id != 0 ? slots_.at(id - 1) : nullptr;
      const std::uint64_t next = slot != nullptr
                                     ? popped(head, slot->next.load(std::memory_order_relaxed))
                                     : head | kWaiting;
      if (head_.compare_exchange_weak(head, next, std::memory_order_acq_rel,
                                      std::memory_order_acquire)) {
        if (slot != nullptr) note_in_use(free_slots(next));
        return slot;
      }
    }
  }

  /// Sleeps until a slot is free or `deadline` passes (never, for detail::kNoDeadline).
  Slot* wait_for_slot(detail::Deadline deadline) {
    std::unique_lock lock(mutex_);
    ++waiters_;
    Slot* slot = nullptr;
    // The last look at the deadline is a pop too, so a slot freed just then is not missed.
    detail::wait_until(wakeup_, lock, deadline,
                       [&] { return (slot = pop_or_mark_waiting()) != nullptr; });
    if (--waiters_ == 0) head_.fetch_and(~detail::free_word::kWaiting, std::memory_order_relaxed);
    return slot;
  }

  /// Pushes `slot` (callers: grow under mutex_, and a release that saw waiters).
  std::uint64_t push(Slot* slot) noexcept {
    std::uint64_t head = head_.load(std::memory_order_relaxed);
    std::uint64_t next = 0;
    do {
      slot->next.store(detail::free_word::top(head), std::memory_order_relaxed);
      next = detail::free_word::pushed(head, slot->slot_id);
      // acq_rel: release publishes the reset object and the link to the next popper; acquire
      // lets the releaser that finds the pool orphaned and complete destroy it safely.
    } while (!head_.compare_exchange_weak(head, next, std::memory_order_acq_rel,
                                          std::memory_order_relaxed));
    return next;
  }

  // One holder (a Loaned or a SharedLoan) is done; the last one gives the slot back.
  static void drop_holder(Slot* slot) noexcept {
    // acquire: a count of 0 means a loan never shared, so no other holder exists; otherwise the
    // acq_rel decrement orders every holder's reads before the reset and reuse of the object.
    if (slot->holders.load(std::memory_order_acquire) != 0 &&
        slot->holders.fetch_sub(1, std::memory_order_acq_rel) != 1) {
      return;
    }
    give_back(slot);
  }

  static void give_back(Slot* slot) noexcept {
    if (slot->slot_id == 0) {
      delete static_cast<detail::DetachedSlot<T>*>(slot);  // may drop the last shared_ptr
      return;
    }
    Pool* pool = slot->pool;
    if (pool->reset_) pool->reset_(slot->value);
    pool->push_returned(slot);
  }

  // A release. After its push lands this thread may touch the pool only if the push left the
  // pool orphaned and complete (then nobody else can): another releaser could destroy it.
  void push_returned(Slot* slot) noexcept {
    using namespace detail::free_word;
    std::uint64_t head = head_.load(std::memory_order_acquire);
    for (;;) {
      if ((head & kWaiting) != 0) return push_to_waiter(slot);
      // Read while our slot is still out (the pool cannot die); stable once orphaned, and the
      // acquire load that saw the orphaned bit makes the final capacity visible.
      const std::size_t cap = (head & kOrphaned) != 0 ? capacity() : 0;
      slot->next.store(top(head), std::memory_order_relaxed);
      const std::uint64_t next = pushed(head, slot->slot_id);
      if (head_.compare_exchange_weak(head, next, std::memory_order_acq_rel,
                                      std::memory_order_acquire)) {
        if ((next & kOrphaned) != 0 && free_slots(next) == cap) destroy();
        return;
      }
    }
  }

  void push_to_waiter(Slot* slot) noexcept {
    std::unique_lock lock(mutex_);
    const std::size_t cap = capacity();
    const std::uint64_t next = push(slot);
    if (waiters_ != 0) wakeup_.notify_one();
    lock.unlock();
    if ((next & detail::free_word::kOrphaned) != 0 && detail::free_word::free_slots(next) == cap) {
      destroy();
    }
  }

  // The shared_ptr deleter: the last user reference is gone.
  void orphan() noexcept {
    const std::size_t cap = capacity();  // before: once marked, the last loan may destroy us
    const std::uint64_t before =
        head_.fetch_or(detail::free_word::kOrphaned, std::memory_order_acq_rel);
    if (detail::free_word::free_slots(before) == cap) destroy();
  }

  void destroy() noexcept {
    // A releaser that pushed under the mutex may not have left it yet; wait it out.
    { std::lock_guard lock(mutex_); }
    delete this;
  }

  Loaned<T> lend(Slot* slot) noexcept {
    detail::single_writer_add(slot->loans);  // the borrower is the slot's only writer
    return Loaned<T>(slot);
  }

  void note_in_use(std::size_t free_after) noexcept {
    const std::size_t now = in_use(free_after);
    std::size_t seen = high_water_.load(std::memory_order_relaxed);
    while (now > seen && !high_water_.compare_exchange_weak(seen, now, std::memory_order_relaxed)) {
    }
  }

  Loaned<T> copy_of(const T& value) {
    if (Slot* slot = pop_free()) {
      Loaned<T> copy = lend(slot);  // returned to the pool if the assignment throws
      *copy = value;
      return copy;
    }
    misses_.fetch_add(1, std::memory_order_relaxed);
    return make_detached(value);
  }

  const Factory factory_;
  const Reset reset_;

  // Every acquire and release is one CAS here; nothing else shares its cache line.
  alignas(64) std::atomic<std::uint64_t> head_{0};

  // Read on every acquire, written rarely (grow, a new high-water mark).
  alignas(64) detail::SlotSegments<Slot, 16> slots_;
  std::atomic<std::size_t> capacity_{0};
  std::atomic<std::size_t> high_water_{0};

  // Written on slow paths only.
  alignas(64) std::atomic<std::uint64_t> misses_{0};
  std::atomic<std::uint64_t> timeouts_{0};
  std::atomic<std::uint64_t> waited_{0};
  std::atomic<std::uint64_t> fallbacks_{0};

  alignas(64) std::mutex mutex_;  // waiting threads; the kWaiting bit is set and cleared under it
  std::condition_variable wakeup_;
  std::size_t waiters_ = 0;  // guarded by mutex_
  std::mutex grow_mutex_;
};

static_assert(detail::SlotSegments<int, 16>::kMaxSize == detail::free_word::kMaxSlots,
              "slot storage and free-stack ids must cover the same slots");

}  // namespace daq
