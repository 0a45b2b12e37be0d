// daq/detail/spin_wait.hpp — bounded spinning before a thread parks. Not API.
//
// A cross-thread hand-off that parks on a condition variable at once pays a futex wake on the
// other side (several microseconds); a short spin catches the common case where the item
// arrives within a few hundred nanoseconds. The spin is bounded (a few microseconds of `pause`
// then a few yields), so an idle waiter still parks and burns no CPU.
#pragma once

#include <thread>

namespace daq::detail {

/// A CPU hint that we are spinning (x86 `pause`, ARM `yield`); a no-op elsewhere.
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

/// Calls `ready()` until it returns true or the spin budget is used up; returns the last result.
template <class Ready>
bool spin_until(Ready&& ready) noexcept {
  constexpr int kPauses = 2048;  // ~2-20 µs depending on the CPU's pause latency
  constexpr int kYields = 16;    // lets a descheduled peer run on a busy machine
  for (int i = 0; i < kPauses; ++i) {
    if (ready()) return true;
    cpu_relax();
  }
  for (int i = 0; i < kYields; ++i) {
    if (ready()) return true;
    std::this_thread::yield();
  }
  return ready();
}

}  // namespace daq::detail
