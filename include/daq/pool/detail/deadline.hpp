// daq/pool/detail/deadline.hpp — timeouts turned into deadlines, and waits until them. Not API.
//
// The one way every `_for(timeout)` call of layers 0-1 waits (Pool::acquire_for,
// Receiver::recv_for): deadline_after() saturates, so any timeout, up to hours::max(), is
// well-defined (`now() + timeout` would overflow, which is undefined behaviour), and
// wait_until() treats the saturated deadline, time_point::max(), as "no deadline" (an untimed
// wait), so no clock conversion inside the standard library can overflow either.
//
// Thread-safety: pure functions (wait_until has the condition variable's rules). Allocates
// nothing.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace daq::detail {

using Deadline = std::chrono::steady_clock::time_point;

/// The deadline that never comes.
inline constexpr Deadline kNoDeadline = Deadline::max();

/// `now + timeout` on the steady clock, saturated: too long for the clock means kNoDeadline.
/// A timeout of zero or less is `now`.
template <class Rep, class Period>
Deadline deadline_after(std::chrono::duration<Rep, Period> timeout) noexcept {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point now = Clock::now();
  if (timeout <= timeout.zero()) return now;
  // Compared in floating point so that e.g. hours::max() cannot overflow a conversion.
  const std::chrono::duration<double> room = (kNoDeadline - now) / 2;
  if (std::chrono::duration<double>(timeout) >= room) return kNoDeadline;
  return now + std::chrono::ceil<Clock::duration>(timeout);
}

/// Waits on `cv` until `ready()` or `deadline`; returns ready()'s last value. `lock` holds the
/// condition variable's mutex. kNoDeadline waits without a timeout.
template <class Ready>
bool wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, Deadline deadline,
                Ready&& ready) {
  if (deadline == kNoDeadline) {
    cv.wait(lock, ready);
    return true;
  }
  return cv.wait_until(lock, deadline, ready);
}

}  // namespace daq::detail
