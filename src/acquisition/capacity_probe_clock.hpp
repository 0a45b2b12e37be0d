// capacity_probe_clock.hpp — the clocks the capacity probes measure with (private).
//
// Thread-safety: reentrant. Allocation: none.
#pragma once

#include <time.h>

#include <chrono>

namespace daq::acquisition::detail {

inline double clock_seconds(clockid_t clock) noexcept {
  timespec now{};
  ::clock_gettime(clock, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

/// Wall-clock seconds (monotonic).
inline double wall_seconds() noexcept {
  return clock_seconds(CLOCK_MONOTONIC);
}
/// CPU seconds of the calling thread.
inline double thread_cpu_seconds() noexcept {
  return clock_seconds(CLOCK_THREAD_CPUTIME_ID);
}
/// CPU seconds of every thread of this process.
inline double process_cpu_seconds() noexcept {
  return clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
}

}  // namespace daq::acquisition::detail
