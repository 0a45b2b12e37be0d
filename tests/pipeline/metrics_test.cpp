#include "daq/pipeline/metrics.hpp"

#include <gtest/gtest.h>

#include <cstdint>

#include "daq/pool/alloc_counter.hpp"

namespace daq {
namespace {

TEST(WaitHistogram, BucketsAreLog2OfNanoseconds) {
  EXPECT_EQ(WaitHistogram::bucket_of(0), 0u);
  EXPECT_EQ(WaitHistogram::bucket_of(1), 1u);
  EXPECT_EQ(WaitHistogram::bucket_of(2), 2u);
  EXPECT_EQ(WaitHistogram::bucket_of(3), 2u);
  EXPECT_EQ(WaitHistogram::bucket_of(1024), 11u);
  EXPECT_EQ(WaitHistogram::bucket_of(UINT64_MAX), 64u);
  EXPECT_EQ(WaitHistogram::upper_bound(0), 0u);
  EXPECT_EQ(WaitHistogram::upper_bound(2), 3u);
  EXPECT_EQ(WaitHistogram::upper_bound(11), 2047u);
  EXPECT_EQ(WaitHistogram::upper_bound(64), UINT64_MAX);
  for (std::uint64_t v : {1ull, 5ull, 1000ull, 123456789ull}) {
    EXPECT_LE(v, WaitHistogram::upper_bound(WaitHistogram::bucket_of(v)));
    EXPECT_GT(v, WaitHistogram::upper_bound(WaitHistogram::bucket_of(v) - 1));
  }
}

TEST(WaitHistogram, PercentilesAreWithinTwiceTheTrueValueAndNeverAboveMax) {
  WaitHistogram h;
  for (std::uint64_t v = 1; v <= 1000; ++v) h.record(v * 1000);  // 1 us .. 1 ms
  const WaitPercentiles p = h.summary();
  EXPECT_EQ(p.count, 1000u);
  EXPECT_EQ(p.max_ns, 1'000'000u);
  EXPECT_GE(p.p50_ns, 500'000u);
  EXPECT_LT(p.p50_ns, 1'000'000u);
  EXPECT_GE(p.p90_ns, 900'000u);
  EXPECT_GE(p.p99_ns, 990'000u);
  EXPECT_LE(p.p99_ns, p.max_ns);
  EXPECT_LE(p.p50_ns, p.p90_ns);
  EXPECT_LE(p.p90_ns, p.p99_ns);
}

TEST(WaitHistogram, MostlyZeroWaitsGiveAZeroMedian) {
  WaitHistogram h;
  for (int i = 0; i < 95; ++i) h.record(0);
  for (int i = 0; i < 5; ++i) h.record(4'000'000);
  EXPECT_EQ(h.percentile(0.5), 0u);
  EXPECT_EQ(h.percentile(0.9), 0u);
  EXPECT_EQ(h.percentile(0.99), 4'000'000u);  // clamped to the maximum
  EXPECT_EQ(h.buckets()[0], 95u);
}

TEST(WaitHistogram, EmptyAndResetGiveZeros) {
  WaitHistogram h;
  EXPECT_EQ(h.summary().count, 0u);
  EXPECT_EQ(h.percentile(0.99), 0u);
  h.record(77);
  h.reset();
  EXPECT_EQ(h.summary().count, 0u);
  EXPECT_EQ(h.summary().max_ns, 0u);
}

TEST(WaitHistogram, DistributionIsCumulativeWithTheSum) {
  WaitHistogram h;
  for (const std::uint64_t ns : {0u, 0u, 1u, 3u, 1024u, 1'000'000u}) h.record(ns);
  const WaitDistribution d = h.distribution();
  EXPECT_EQ(d.count(), 6u);
  EXPECT_EQ(d.sum_ns, 0u + 1u + 3u + 1024u + 1'000'000u);
  EXPECT_EQ(d.at_most[0], 2u);   // <= 0 ns
  EXPECT_EQ(d.at_most[1], 3u);   // <= 1 ns
  EXPECT_EQ(d.at_most[2], 4u);   // <= 3 ns
  EXPECT_EQ(d.at_most[10], 4u);  // <= 1023 ns
  EXPECT_EQ(d.at_most[11], 5u);  // <= 2047 ns
  EXPECT_EQ(d.at_most[WaitHistogram::bucket_of(1'000'000)], 6u);
  for (std::size_t b = 1; b < kWaitBuckets; ++b) EXPECT_LE(d.at_most[b - 1], d.at_most[b]);
  h.reset();
  EXPECT_EQ(h.distribution().count(), 0u);
  EXPECT_EQ(h.distribution().sum_ns, 0u);
}

TEST(DeliveryMetrics, CountsAcquisitionsAndFallbacks) {
  DeliveryMetrics m;
  m.record_pool_hit();
  m.record_pool_hit();
  m.record_pool_wait(1500);
  m.record_pool_timeout(10'000'000);
  m.record_fallback(4096);
  m.record_heap_frame(8192, 300);
  EXPECT_EQ(m.pool_hits(), 2u);
  EXPECT_EQ(m.pool_waits(), 1u);
  EXPECT_EQ(m.pool_timeouts(), 1u);
  EXPECT_EQ(m.fallback_allocations(), 2u);
  EXPECT_EQ(m.fallback_bytes(), 4096u + 8192u);
  const WaitPercentiles p = m.acquire_wait().summary();
  EXPECT_EQ(p.count, 5u);  // 2 hits, 1 wait, 1 timeout, 1 heap frame
  EXPECT_EQ(p.max_ns, 10'000'000u);
  m.reset();
  EXPECT_EQ(m.pool_hits(), 0u);
  EXPECT_EQ(m.fallback_bytes(), 0u);
  EXPECT_EQ(m.acquire_wait().summary().count, 0u);
}

TEST(DeliveryMetrics, RecordingAndReadingAllocateNothing) {
  DeliveryMetrics m;
  const auto before = alloc_counter::this_thread();
  for (std::uint64_t i = 0; i < 10'000; ++i) {
    m.record_pool_wait(i * 37);
    (void)m.acquire_wait().summary();
    (void)m.acquire_wait().distribution();
  }
  EXPECT_EQ(alloc_counter::this_thread().allocations - before.allocations, 0u);
}

TEST(PoolUsage, HitRateIsHitsOverAllAcquisitions) {
  PoolUsage u;
  EXPECT_DOUBLE_EQ(u.hit_rate(), 1.0);
  u.hits = 3;
  u.waits = 1;
  EXPECT_DOUBLE_EQ(u.hit_rate(), 0.75);
  u.timeouts = 4;
  EXPECT_DOUBLE_EQ(u.hit_rate(), 3.0 / 8.0);
}

}  // namespace
}  // namespace daq
