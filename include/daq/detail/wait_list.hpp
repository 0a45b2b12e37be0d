// daq/detail/wait_list.hpp — where threads park while a lock-free container is empty. Not API.
//
// The container stays lock-free; only threads that found it empty come here. A waiter
// announces itself in `waiting_`, then re-checks the container under the mutex, then sleeps on
// the condition variable. A publisher makes an item available with a seq_cst read-modify-write
// and then calls notify_one()/notify_all(), which touch the mutex only when someone is waiting.
//
// Why no wakeup is lost (a Dekker pair in the single total order S of seq_cst operations): the
// waiter does `waiting_ += 1 (seq_cst RMW); try_take()`, and try_take() must START with a seq_cst
// load (or RMW) of the word that publishing changes; the publisher does `publish (seq_cst RMW);
// load waiting_ (seq_cst)`. If the waiter's load precedes the publish in S, the publisher's load
// comes later still and sees the waiter, so it notifies — and the waiter holds the mutex from
// its check until it sleeps, so the notification cannot fall in between. Otherwise the waiter's
// load sees the published item (or a later state in which someone else took it).
// (No fences: ThreadSanitizer does not model atomic_thread_fence.)
//
// Thread-safety: all members may be called concurrently. Allocation: none.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace daq::detail {

class WaitList {
 public:
  using Clock = std::chrono::steady_clock;

  /// `now + timeout`, saturated: timeouts too long for the clock mean "forever", negative
  /// ones mean "now".
  template <class Rep, class Period>
  static Clock::time_point deadline_after(std::chrono::duration<Rep, Period> timeout) noexcept {
    const Clock::time_point now = Clock::now();
    if (timeout <= timeout.zero()) return now;
    // Compared in floating point so that e.g. hours::max() cannot overflow a conversion.
    const std::chrono::duration<double> room = (Clock::time_point::max() - now) / 2;
    if (std::chrono::duration<double>(timeout) >= room) return Clock::time_point::max();
    return now + std::chrono::ceil<Clock::duration>(timeout);
  }

  /// Calls `try_take` until it returns something truthy or `deadline` passes (never, for
  /// time_point::max()); returns its last result. `try_take` runs under the internal mutex, must
  /// not block, and must begin with a seq_cst load of the published word (see above).
  template <class TryTake>
  auto wait_until(Clock::time_point deadline, TryTake&& try_take) -> decltype(try_take()) {
    waiting_.fetch_add(1, std::memory_order_seq_cst);  // the waiter's half of the Dekker pair
    decltype(try_take()) result{};
    {
      std::unique_lock lock(mutex_);
      const auto taken = [&] { return static_cast<bool>(result = try_take()); };
      if (deadline == Clock::time_point::max()) {
        wakeup_.wait(lock, taken);
      } else {
        wakeup_.wait_until(lock, deadline, taken);
      }
    }
    waiting_.fetch_sub(1, std::memory_order_relaxed);
    return result;
  }

  /// Wakes one waiter, if any. Call after the seq_cst RMW that published one item.
  void notify_one() noexcept {
    if (waiting_.load(std::memory_order_seq_cst) == 0) return;
    std::lock_guard lock(mutex_);
    wakeup_.notify_one();
  }

  /// Wakes every waiter, if any. Call after the seq_cst RMW that published several items.
  void notify_all() noexcept {
    if (waiting_.load(std::memory_order_seq_cst) == 0) return;
    std::lock_guard lock(mutex_);
    wakeup_.notify_all();
  }

 private:
  // Read by every publish, written only by waiters: its own line, so it stays shared in caches.
  alignas(64) std::atomic<std::uint32_t> waiting_{0};
  std::mutex mutex_;
  std::condition_variable wakeup_;
};

}  // namespace daq::detail
