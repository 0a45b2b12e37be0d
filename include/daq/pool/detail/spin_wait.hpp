// daq/pool/detail/spin_wait.hpp — bounded spinning before a thread parks. Not API.
//
// A cross-thread hand-off that parks on a condition variable at once pays a futex wake on the
// other side (several microseconds); a short spin catches the common case where the item
// arrives within a microsecond or two. The spin is bounded (a few `pause`s, then a few yields
// that let a descheduled peer run), so an idle waiter still parks and burns no CPU.
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
  // Tuned with bench/channel_bench.cpp on a 2-vCPU KVM guest shared with other builds, where
  // one `pause` costs ~80 ns (pause-loop exiting) and the peer is often descheduled: long pause
  // spins (256-2048) stole the CPU from the very thread being waited for (p50 8-60 µs), while
  // a short pause spin followed by yields gave p50 ~1.7 µs. On an idle machine the whole budget
  // is a few microseconds (16 yields that return at once), then the waiter parks.
  constexpr int kPauses = 16;
  constexpr int kYields = 16;
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
