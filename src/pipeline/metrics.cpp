#include "daq/pipeline/metrics.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "daq/pool/detail/single_writer.hpp"

namespace daq {
namespace {

// The delivery thread is the only writer of every metric.
void bump(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) noexcept {
  detail::single_writer_add(counter, n);
}

}  // namespace

std::size_t WaitHistogram::bucket_of(std::uint64_t ns) noexcept {
  return static_cast<std::size_t>(std::bit_width(ns));
}

std::uint64_t WaitHistogram::upper_bound(std::size_t b) noexcept {
  if (b == 0) return 0;
  if (b >= 64) return std::numeric_limits<std::uint64_t>::max();
  return (std::uint64_t{1} << b) - 1;
}

void WaitHistogram::record(std::uint64_t ns) noexcept {
  bump(buckets_[bucket_of(ns)]);
  bump(sum_ns_, ns);
  if (ns > max_ns_.load(std::memory_order_relaxed)) max_ns_.store(ns, std::memory_order_relaxed);
}

void WaitHistogram::reset() noexcept {
  for (auto& bucket : buckets_) bucket.store(0, std::memory_order_relaxed);
  max_ns_.store(0, std::memory_order_relaxed);
  sum_ns_.store(0, std::memory_order_relaxed);
}

std::array<std::uint64_t, WaitHistogram::kBuckets> WaitHistogram::buckets() const noexcept {
  std::array<std::uint64_t, kBuckets> counts{};
  for (std::size_t b = 0; b < kBuckets; ++b) {
    counts[b] = buckets_[b].load(std::memory_order_relaxed);
  }
  return counts;
}

std::uint64_t WaitHistogram::percentile(double q) const noexcept {
  const auto counts = buckets();
  std::uint64_t total = 0;
  for (const std::uint64_t c : counts) total += c;
  if (total == 0) return 0;
  const double wanted = std::ceil(q * static_cast<double>(total));
  const std::uint64_t rank = wanted < 1.0 ? 1 : static_cast<std::uint64_t>(wanted);
  const std::uint64_t max = max_ns_.load(std::memory_order_relaxed);
  std::uint64_t seen = 0;
  for (std::size_t b = 0; b < kBuckets; ++b) {
    seen += counts[b];
    if (seen >= rank) return std::min(upper_bound(b), max);
  }
  return max;
}

WaitPercentiles WaitHistogram::summary() const noexcept {
  WaitPercentiles p;
  for (const std::uint64_t c : buckets()) p.count += c;
  p.p50_ns = percentile(0.50);
  p.p90_ns = percentile(0.90);
  p.p99_ns = percentile(0.99);
  p.max_ns = max_ns_.load(std::memory_order_relaxed);
  return p;
}

WaitDistribution WaitHistogram::distribution() const noexcept {
  WaitDistribution d;
  std::uint64_t running = 0;
  for (std::size_t b = 0; b < kBuckets; ++b) {
    running += buckets_[b].load(std::memory_order_relaxed);
    d.at_most[b] = running;
  }
  d.sum_ns = sum_ns_.load(std::memory_order_relaxed);
  return d;
}

void DeliveryMetrics::reset() noexcept {
  for (auto* counter :
       {&pool_hits_, &pool_waits_, &pool_timeouts_, &fallback_allocations_, &fallback_bytes_}) {
    counter->store(0, std::memory_order_relaxed);
  }
  acquire_wait_.reset();
}

void DeliveryMetrics::record_pool_hit() noexcept {
  bump(pool_hits_);
  acquire_wait_.record(0);
}

void DeliveryMetrics::record_pool_wait(std::uint64_t waited_ns) noexcept {
  bump(pool_waits_);
  acquire_wait_.record(waited_ns);
}

void DeliveryMetrics::record_pool_timeout(std::uint64_t waited_ns) noexcept {
  bump(pool_timeouts_);
  acquire_wait_.record(waited_ns);
}

void DeliveryMetrics::record_fallback(std::size_t bytes) noexcept {
  bump(fallback_allocations_);
  bump(fallback_bytes_, bytes);
}

void DeliveryMetrics::record_heap_frame(std::size_t bytes, std::uint64_t took_ns) noexcept {
  record_fallback(bytes);
  acquire_wait_.record(took_ns);
}

}  // namespace daq
