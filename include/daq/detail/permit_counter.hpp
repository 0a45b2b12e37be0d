// daq/detail/permit_counter.hpp — a counting semaphore with a lock-free fast path. Not API.
//
// Why not std::counting_semaphore: libstdc++'s try_acquire() may fail spuriously under
// contention (one CAS attempt), which would turn into needless heap fallbacks on the frame path,
// and it has no way to read the count.
//
// Blocking waiters park on a mutex + condition variable; give() touches them only when the
// waiter count is non-zero (Dekker-style: both sides use seq_cst on the word and the count).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace daq::detail {

class PermitCounter {
 public:
  /// Takes one permit if there is one. Never blocks, never fails spuriously.
  /// On success stores the number of permits left in `*left`.
  bool try_take(std::uint64_t* left = nullptr) noexcept {
    std::uint64_t word = word_.load(std::memory_order_relaxed);
    while (word != 0) {
      // acquire: pairs with give()'s release so the slot pushed before the permit is visible.
      if (word_.compare_exchange_weak(word, word - 1, std::memory_order_acquire,
                                      std::memory_order_relaxed)) {
        if (left != nullptr) *left = word - 1;
        return true;
      }
    }
    return false;
  }

  /// Waits until a permit can be taken or `deadline` passes. Returns whether one was taken.
  template <class Clock, class Duration>
  bool take_until(const std::chrono::time_point<Clock, Duration>& deadline,
                  std::uint64_t* left = nullptr) {
    waiters_.fetch_add(1, std::memory_order_seq_cst);
    std::unique_lock lock(mutex_);
    const bool taken = wakeup_.wait_until(lock, deadline, [&] { return try_take(left); });
    waiters_.fetch_sub(1, std::memory_order_relaxed);
    return taken;
  }

  /// Waits as long as it takes.
  void take(std::uint64_t* left = nullptr) {
    waiters_.fetch_add(1, std::memory_order_seq_cst);
    std::unique_lock lock(mutex_);
    wakeup_.wait(lock, [&] { return try_take(left); });
    waiters_.fetch_sub(1, std::memory_order_relaxed);
  }

  /// Returns `n` permits and wakes waiters.
  void give(std::uint64_t n) noexcept {
    // seq_cst (and release): publishes the pushed slot, and orders against the waiter's
    // increment of waiters_ so that either we see the waiter or it sees our permit.
    word_.fetch_add(n, std::memory_order_seq_cst);
    if (waiters_.load(std::memory_order_seq_cst) != 0) {
      std::lock_guard lock(mutex_);
      if (n == 1) {
        wakeup_.notify_one();
      } else {
        wakeup_.notify_all();
      }
    }
  }

  std::uint64_t available() const noexcept {
    return word_.load(std::memory_order_relaxed);
  }

 private:
  alignas(64) std::atomic<std::uint64_t> word_{0};
  alignas(64) std::atomic<std::uint32_t> waiters_{0};
  std::mutex mutex_;
  std::condition_variable wakeup_;
};

}  // namespace daq::detail
