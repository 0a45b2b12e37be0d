// daq/pipeline/metrics.hpp — delivery metrics: counters the delivery loop bumps and the snapshot
// users read.
//
// Contract
// - WaitHistogram: fixed log2 buckets of nanoseconds (bucket 0 holds zero waits, bucket b >= 1
//   holds [2^(b-1), 2^b - 1] ns) and the sum of the waits. Percentiles report the upper bound of
//   the bucket that holds the rank, clamped to the exact maximum, so they are at most 2x the true
//   value and never above max. distribution() gives the same buckets as cumulative counts, the
//   form of a Prometheus histogram.
// - DeliveryMetrics: what the loop knows beyond the ledger: pool hits / waits / timeouts, heap
//   fallbacks (count and bytes) and the acquire-wait histogram.
// - MetricsSnapshot: everything in one value — ledger counters, fallbacks, pool usage, per-tap
//   stats, acquire-wait percentiles and its cumulative distribution. FrameProducer::stats() returns
//   it (inside ProducerStats).
//
// Thread-safety: ONE writer (the delivery thread) calls record_*; reset() only while no writer
//   runs. Every read (summary(), distribution(), counters) is lock-free and may run on any thread
//   at any time; fields are read one by one with relaxed ordering, so two fields of one snapshot
//   may be one frame apart (the ledger counters inside are mutually consistent, see ledger.hpp).
// Allocation: recording and reading allocate nothing; MetricsSnapshot itself holds a vector of
//   per-tap stats that the producer fills when it builds the snapshot.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "daq/pipeline/ledger.hpp"
#include "daq/pipeline/tap_registry.hpp"

namespace daq {

/// Percentiles of a WaitHistogram, in nanoseconds.
struct WaitPercentiles {
  std::uint64_t count = 0;
  std::uint64_t p50_ns = 0;
  std::uint64_t p90_ns = 0;
  std::uint64_t p99_ns = 0;
  std::uint64_t max_ns = 0;
};

/// The buckets of a WaitHistogram: zero, then one per bit width of a uint64_t.
inline constexpr std::size_t kWaitBuckets = 65;

/// A WaitHistogram as cumulative counts (a Prometheus histogram): at_most[b] waits took at most
/// WaitHistogram::upper_bound(b) ns, so the counts never decrease and at_most.back() counts every
/// wait; sum_ns is their total.
struct WaitDistribution {
  std::array<std::uint64_t, kWaitBuckets> at_most{};
  std::uint64_t sum_ns = 0;
  std::uint64_t count() const noexcept { return at_most.back(); }
};

class WaitHistogram {
 public:
  static constexpr std::size_t kBuckets = kWaitBuckets;

  /// The bucket that holds `ns`.
  static std::size_t bucket_of(std::uint64_t ns) noexcept;
  /// The largest value bucket `b` holds.
  static std::uint64_t upper_bound(std::size_t b) noexcept;

  void record(std::uint64_t ns) noexcept;  // single writer
  void reset() noexcept;                   // no writer running

  std::array<std::uint64_t, kBuckets> buckets() const noexcept;
  WaitPercentiles summary() const noexcept;
  /// The buckets as cumulative counts (read in one pass: monotonic even while recording).
  WaitDistribution distribution() const noexcept;
  /// The upper bound of the bucket holding rank ceil(q * count), clamped to max; 0 when empty.
  std::uint64_t percentile(double q) const noexcept;

 private:
  std::array<std::atomic<std::uint64_t>, kBuckets> buckets_{};
  std::atomic<std::uint64_t> max_ns_{0};
  std::atomic<std::uint64_t> sum_ns_{0};
};

/// The primary pool as the loop sees it.
struct PoolUsage {
  std::size_t capacity = 0;    ///< pooled frames (0 with use_pool = false)
  std::size_t in_use = 0;      ///< pooled frames out on loan now
  std::size_t high_water = 0;  ///< most pooled frames out at once
  std::uint64_t hits = 0;      ///< frames taken from the pool without waiting (this stream)
  std::uint64_t waits = 0;     ///< frames taken from the pool after waiting (this stream)
  std::uint64_t timeouts = 0;  ///< waits that ran out (this stream): fallback or drop followed
  /// hits / (hits + waits + timeouts); 1 when nothing was acquired yet.
  double hit_rate() const noexcept {
    const std::uint64_t all = hits + waits + timeouts;
    return all == 0 ? 1.0 : static_cast<double>(hits) / static_cast<double>(all);
  }
};

struct MetricsSnapshot {
  LedgerCounts frames;                     ///< produced / delivered / dropped by cause / lost hw
  std::uint64_t fallback_allocations = 0;  ///< heap frames made (every frame with use_pool=false)
  std::uint64_t fallback_bytes = 0;        ///< their bytes
  std::uint64_t fallback_outstanding_bytes = 0;  ///< budgeted fallback bytes still on loan
  PoolUsage pool;
  std::vector<TapStats> taps;  ///< per observer / channel tap
  /// Time to get a frame buffer: 0 when the pool had one at once; with use_pool = false, the
  /// heap allocation.
  WaitPercentiles acquire_wait;
  /// The same waits as cumulative counts at the histogram's fixed bounds.
  WaitDistribution acquire_wait_distribution;
};

/// The delivery loop's own counters (see the header contract).
class DeliveryMetrics {
 public:
  void reset() noexcept;

  void record_pool_hit() noexcept;
  void record_pool_wait(std::uint64_t waited_ns) noexcept;
  void record_pool_timeout(std::uint64_t waited_ns) noexcept;
  /// A budgeted heap fallback after a pool timeout (the wait is already recorded).
  void record_fallback(std::size_t bytes) noexcept;
  /// A heap frame with use_pool = false; `took_ns` (the allocation) goes into acquire_wait.
  void record_heap_frame(std::size_t bytes, std::uint64_t took_ns) noexcept;

  std::uint64_t pool_hits() const noexcept { return pool_hits_.load(std::memory_order_relaxed); }
  std::uint64_t pool_waits() const noexcept { return pool_waits_.load(std::memory_order_relaxed); }
  std::uint64_t pool_timeouts() const noexcept {
    return pool_timeouts_.load(std::memory_order_relaxed);
  }
  std::uint64_t fallback_allocations() const noexcept {
    return fallback_allocations_.load(std::memory_order_relaxed);
  }
  std::uint64_t fallback_bytes() const noexcept {
    return fallback_bytes_.load(std::memory_order_relaxed);
  }
  const WaitHistogram& acquire_wait() const noexcept { return acquire_wait_; }

 private:
  std::atomic<std::uint64_t> pool_hits_{0};
  std::atomic<std::uint64_t> pool_waits_{0};
  std::atomic<std::uint64_t> pool_timeouts_{0};
  std::atomic<std::uint64_t> fallback_allocations_{0};
  std::atomic<std::uint64_t> fallback_bytes_{0};
  WaitHistogram acquire_wait_;
};

}  // namespace daq
