// daq/pipeline/detail/channel_core.hpp — the shared state behind Sender<T>/Receiver<T>. Not API.
//
// A bounded multi-producer / single-consumer ring (D. Vyukov's bounded queue: one sequence
// number per cell says whose turn the cell is) plus parking for the blocking calls.
//
// - Producers claim position `pos` with a CAS on `tail_` when its cell's seq == 2*pos, move the
//   item in, then publish the cell with seq = 2*pos + 1. The consumer reads the cell at `head_`
//   once seq == 2*head + 1 and hands it to the next lap's producer with seq = 2*(head + capacity).
//   (Doubling keeps "published" and "free for the next lap" distinct even for capacity 1.)
// - Closing sets kClosed in `tail_` itself, so no producer can claim a position after close and
//   the final tail is exact: the consumer drains up to it, waiting for claims still in flight.
// - Blocking waits spin briefly (spin_wait.hpp), then park on a condition variable. The waking
//   side takes the mutex only when a waiter has announced itself (Dekker: each side does a
//   seq_cst store, then a seq_cst load of the other side's word, so at least one sees the other).
//
// Thread-safety: push/close/is_closed/size from any thread; pop/wait_readable by one consumer
// at a time (the Receiver is move-only). Allocation: the constructor allocates the ring; nothing
// else allocates.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <type_traits>
#include <utility>

#include "daq/pool/detail/deadline.hpp"
#include "daq/pool/detail/spin_wait.hpp"

namespace daq {

/// Outcome of a send: `sent`, or the item came back because the channel was `full` or `closed`.
enum class SendStatus { sent, full, closed };

}  // namespace daq

namespace daq::detail {

template <class T>
class ChannelCore {
  static_assert(std::is_nothrow_move_constructible_v<T>,
                "channel items move on the hot path, which is noexcept");

 public:
  explicit ChannelCore(std::size_t capacity)
      : capacity_(capacity), cells_(std::make_unique<Cell[]>(capacity)) {
    for (std::size_t i = 0; i < capacity; ++i)
      cells_[i].seq.store(2 * i, std::memory_order_relaxed);
  }

  ChannelCore(const ChannelCore&) = delete;
  ChannelCore& operator=(const ChannelCore&) = delete;

  ~ChannelCore() {
    // Every producer has returned (each held a reference), so every claim is published.
    const std::uint64_t tail = tail_.load(std::memory_order_acquire) & ~kClosed;
    for (std::uint64_t pos = head_.load(std::memory_order_relaxed); pos != tail; ++pos) {
      cell(pos).item()->~T();
    }
  }

  std::size_t capacity() const noexcept { return capacity_; }

  /// Moves `item` into the ring and returns `sent`; leaves it untouched on `full` or `closed`.
  SendStatus push(T& item) noexcept {
    std::uint64_t tail = tail_.load(std::memory_order_relaxed);
    for (;;) {
      if ((tail & kClosed) != 0) return SendStatus::closed;
      Cell& c = cell(tail);
      // acquire: pairs with the consumer's release of this cell, so its destruction of the
      // previous lap's item happens before we construct into it.
      const auto lag = static_cast<std::int64_t>(c.seq.load(std::memory_order_acquire) - 2 * tail);
      if (lag == 0) {
        // relaxed: the cell's seq (not tail_) carries the data; the CAS only picks the owner.
        if (tail_.compare_exchange_weak(tail, tail + 1, std::memory_order_relaxed,
                                        std::memory_order_relaxed)) {
          ::new (c.storage) T(std::move(item));
          // seq_cst (release + Dekker with wait_readable): the item is visible to the consumer,
          // and either it sees this store or we see its recv_waiters_ increment.
          c.seq.store(2 * tail + 1, std::memory_order_seq_cst);
          if (recv_waiters_.load(std::memory_order_seq_cst) != 0) notify(readable_);
          return SendStatus::sent;
        }
      } else if (lag < 0) {
        // The cell still holds last lap's item: full, unless tail moved (or closed) meanwhile.
        const std::uint64_t now = tail_.load(std::memory_order_relaxed);
        if (now == tail) return SendStatus::full;
        tail = now;
      } else {
        tail = tail_.load(std::memory_order_relaxed);
      }
    }
  }

  /// The next item, or nullopt when none is published yet. Consumer only.
  std::optional<T> pop() noexcept {
    const std::uint64_t head = head_.load(std::memory_order_relaxed);
    Cell& c = cell(head);
    // acquire: pairs with the producer's publishing store; the item is fully constructed.
    if (c.seq.load(std::memory_order_acquire) != 2 * head + 1) return std::nullopt;
    std::optional<T> out(std::move(*c.item()));
    c.item()->~T();
    head_.store(head + 1, std::memory_order_relaxed);
    // seq_cst (release + Dekker with wait_writable): hands the cell to the next lap's producer.
    c.seq.store(2 * (head + capacity_), std::memory_order_seq_cst);
    if (send_waiters_.load(std::memory_order_seq_cst) != 0) notify(writable_);
    return out;
  }

  /// Closes the channel for everybody. Idempotent.
  void close() noexcept {
    // seq_cst: a waiter that announced itself either sees the bit or is woken below.
    if ((tail_.fetch_or(kClosed, std::memory_order_seq_cst) & kClosed) != 0) return;
    std::lock_guard lock(mutex_);
    readable_.notify_all();
    writable_.notify_all();
  }

  bool is_closed() const noexcept { return (tail_.load(std::memory_order_acquire) & kClosed) != 0; }

  /// True once closed and every item sent before the close has been popped. Consumer only.
  bool is_drained() const noexcept {
    const std::uint64_t tail = tail_.load(std::memory_order_acquire);
    return (tail & kClosed) != 0 && (tail & ~kClosed) == head_.load(std::memory_order_relaxed);
  }

  /// Items queued now (a snapshot; exact only when nobody is sending or receiving).
  std::size_t size() const noexcept {
    const std::uint64_t tail = tail_.load(std::memory_order_acquire) & ~kClosed;
    const std::uint64_t head = head_.load(std::memory_order_acquire);
    return tail > head ? static_cast<std::size_t>(tail - head) : 0;
  }

  /// Waits until an item can be popped or the channel is drained, or until `deadline`.
  /// Returns false on timeout. Consumer only.
  bool wait_readable(Deadline deadline) noexcept {
    const auto ready = [this] { return readable() || is_drained(); };
    if (spin_until(ready)) return true;
    return park(recv_waiters_, readable_, ready, deadline);
  }

  /// Waits until a position looks free or the channel is closed, or until `deadline`.
  bool wait_writable(Deadline deadline) noexcept {
    const auto ready = [this] { return writable() || is_closed(); };
    if (spin_until(ready)) return true;
    return park(send_waiters_, writable_, ready, deadline);
  }

 private:
  static constexpr std::uint64_t kClosed = std::uint64_t{1} << 63;

  struct alignas(64) Cell {
    std::atomic<std::uint64_t> seq{0};
    alignas(T) std::byte storage[sizeof(T)];
    T* item() noexcept { return std::launder(reinterpret_cast<T*>(storage)); }
  };

  Cell& cell(std::uint64_t pos) const noexcept { return cells_[pos % capacity_]; }

  bool readable() const noexcept {
    const std::uint64_t head = head_.load(std::memory_order_relaxed);
    return cell(head).seq.load(std::memory_order_seq_cst) == 2 * head + 1;
  }

  bool writable() const noexcept {
    const std::uint64_t tail = tail_.load(std::memory_order_seq_cst) & ~kClosed;
    return static_cast<std::int64_t>(cell(tail).seq.load(std::memory_order_seq_cst) - 2 * tail) >=
           0;
  }

  template <class Ready>
  bool park(std::atomic<std::uint32_t>& waiters, std::condition_variable& cv, Ready& ready,
            Deadline deadline) noexcept {
    // seq_cst: announce before re-checking (Dekker with push/pop/close).
    waiters.fetch_add(1, std::memory_order_seq_cst);
    bool ok;
    {
      std::unique_lock lock(mutex_);
      ok = wait_until(cv, lock, deadline, ready);
    }
    waiters.fetch_sub(1, std::memory_order_relaxed);
    return ok;
  }

  void notify(std::condition_variable& cv) noexcept {
    // The empty critical section orders us after a waiter's predicate check (so the wake is not
    // lost); notifying after unlocking spares the woken thread from blocking on the mutex.
    { std::lock_guard lock(mutex_); }
    cv.notify_one();
  }

  const std::size_t capacity_;
  const std::unique_ptr<Cell[]> cells_;
  alignas(64) std::atomic<std::uint64_t> tail_{0};  // next position to claim | kClosed
  alignas(64) std::atomic<std::uint64_t> head_{0};  // next position to pop (consumer-written)
  alignas(64) std::atomic<std::uint32_t> recv_waiters_{0};
  std::atomic<std::uint32_t> send_waiters_{0};
  std::mutex mutex_;
  std::condition_variable readable_;
  std::condition_variable writable_;
};

static_assert(alignof(ChannelCore<int>) == 64, "tail_/head_ must sit on their own cache lines");

}  // namespace daq::detail
