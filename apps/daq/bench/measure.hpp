// Timing, statistics and run-length helpers shared by the `daq bench` sections.
//
// Every section measures `runs` times and reports the median of each figure; windows and counts
// come from Settings so that --quick, the full run and the sanitizer test scale together.
// Thread-safety: plain functions and values. Allocation: quantile()/median() copy or reorder the
// vector they are given; nothing here allocates behind the caller's back.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace daq::cli::bench {

using Clock = std::chrono::steady_clock;

inline double seconds_between(Clock::time_point from, Clock::time_point to) noexcept {
  return std::chrono::duration<double>(to - from).count();
}

/// Makes the compiler assume `p` (and all memory) is read and written here, so work whose
/// result is only stored through `p` is not optimised away.
template <class T>
inline void escape(T* p) noexcept {
  asm volatile("" : : "g"(p) : "memory");
}

/// The q-quantile (0 <= q <= 1) by nearest rank; reorders `samples`. 0 when empty.
double quantile(std::vector<double>& samples, double q);

/// The median of `values` (the upper one of an even count). 0 when empty.
double median(std::vector<double> values);

/// numerator / denominator; throws std::runtime_error naming `what` when the denominator is not
/// positive (a measurement that measured nothing is a failure, not a figure).
double ratio(double numerator, double denominator, const char* what);

/// How long and how often the sections measure.
struct Settings {
  bool quick = false;
  int runs = 3;             ///< repetitions per figure; the report shows the median
  double time_scale = 1.0;  ///< multiplies every window and count (hidden option, sanitizers)
  std::filesystem::path dir;  ///< scratch directory of the writer section (created, removed)

  /// A measuring window in seconds: quick_s with --quick, else full_s; times time_scale.
  double window(double quick_s, double full_s) const noexcept {
    return (quick ? quick_s : full_s) * time_scale;
  }
  /// An iteration count: quick_n or full_n, times time_scale, never below `floor`.
  std::size_t count(std::size_t quick_n, std::size_t full_n, std::size_t floor) const noexcept {
    const double n = static_cast<double>(quick ? quick_n : full_n) * time_scale;
    return std::max(floor, static_cast<std::size_t>(n));
  }
};

/// The median over runs of `field(run)`.
template <class Run, class Field>
double median_of(const std::vector<Run>& runs, Field field) {
  std::vector<double> values;
  values.reserve(runs.size());
  for (const Run& run : runs) values.push_back(field(run));
  return median(std::move(values));
}

}  // namespace daq::cli::bench
