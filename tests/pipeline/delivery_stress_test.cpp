// Randomized stress run of the delivery loop: random consumer stalls, random observer and tap
// stalls, pool sizes 1..8, hardware gaps and failed reads; every frame is checked one by one
// against the ledger.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <set>
#include <thread>

#include "daq/pipeline/delivery.hpp"
#include "delivery_helpers.hpp"
#include "log_capture.hpp"
#include "watchdog.hpp"

namespace daq {
namespace {

using namespace std::chrono_literals;
using test::ScriptedSource;

#ifdef DAQ_SANITIZED
constexpr std::uint64_t kFramesPerRun = 5'000;  // x 8 = 40,000 frames
#else
constexpr std::uint64_t kFramesPerRun = 13'000;  // x 8 pool sizes = 104,000 frames
#endif

// Sleeps (a slow consumer or observer, not synchronisation) with probability 1/`one_in`.
class Staller {
 public:
  Staller(std::uint32_t seed, std::uint32_t one_in, std::chrono::microseconds longest)
      : rng_(seed), one_in_(one_in), longest_(longest) {}
  void maybe_stall() {
    if (rng_() % one_in_ != 0) return;
    const auto us = 1 + rng_() % static_cast<std::uint32_t>(longest_.count());
    std::this_thread::sleep_for(std::chrono::microseconds(us));
  }

 private:
  std::mt19937 rng_;
  std::uint32_t one_in_;
  std::chrono::microseconds longest_;
};

struct RunTotals {
  std::uint64_t channel_full = 0;
  std::uint64_t pool_exhausted = 0;
  std::uint64_t fallbacks = 0;
  std::uint64_t tap_dropped = 0;
  std::uint64_t failed_reads = 0;
};

void stress_run(std::size_t pool_frames, RunTotals& totals) {
  SCOPED_TRACE(::testing::Message() << "pool_frames " << pool_frames);
  std::mt19937 rng(static_cast<std::uint32_t>(pool_frames) * 7919u);
  auto pick = [&](std::uint64_t below) { return rng() % below; };

  test::ScriptedFormat format;
  format.width = 16;
  format.height = 8;
  format.bit_depth = 16;  // 256-byte frames
  format.frame_count = kFramesPerRun;

  DeliveryOptions options = test::pool_options(pool_frames);
  const std::chrono::microseconds timeouts[] = {0us, 20us, 200us};
  options.acquire_timeout = timeouts[pool_frames % 3];
  options.fallback_budget_bytes = (pool_frames % 3) * 256;  // 0, 1 or 2 heap frames

  std::set<std::uint64_t> bad_reads;
  while (bad_reads.size() < 5) bad_reads.insert(1 + pick(kFramesPerRun - 1));
  std::set<std::uint64_t> gap_at;
  while (gap_at.size() < 6) gap_at.insert(1 + pick(kFramesPerRun - 1));
  std::uint64_t lost_expected = 0;
  test::Rig rig(format, options, [&](ScriptedSource& s) {
    for (const auto i : bad_reads) s.bad_read_at(i);
    for (const auto i : gap_at) {
      const auto missing = static_cast<std::int64_t>(1 + pick(5));
      lost_expected += static_cast<std::uint64_t>(missing);
      s.hw_gap_before(i, missing);
    }
  });
  const std::size_t bytes = rig.frame_bytes();

  test::ObserverCounters checked, stalled;
  rig->register_observer(std::make_unique<test::CountingObserver>(checked, bytes));
  auto observer_staller =
      std::make_shared<Staller>(static_cast<std::uint32_t>(pick(1u << 30)), 2000, 100us);
  rig->register_observer(std::make_unique<test::CountingObserver>(
      stalled, bytes, [observer_staller](const FrameView&) { observer_staller->maybe_stall(); }));
  const auto tap_decimation = static_cast<std::uint32_t>(1 + pick(3));
  ChannelTap tap = rig->add_channel_tap(
      "capture", {.decimation = tap_decimation, .queue_capacity = 2, .pool_frames = 2});
  auto [tx, rx] = make_channel<LoanedFrame>(1 + pick(8));
  rig->register_primary_output(std::move(tx));

  std::atomic<bool> stream_over{false};
  test::Received received;
  std::thread consumer([&, seed = static_cast<std::uint32_t>(pick(1u << 30))] {
    Staller staller(seed, 300, 300us);
    while (auto frame = rx.recv()) {
      const FrameData& f = **frame;
      if (!ScriptedSource::verify(f.pixels(), f.frame_number, bytes)) ++received.bad;
      received.numbers.push_back(f.frame_number);
      staller.maybe_stall();
    }
  });
  std::uint64_t tap_received = 0, tap_bad = 0;
  std::thread tap_drainer([&, seed = static_cast<std::uint32_t>(pick(1u << 30))] {
    Staller staller(seed, 200, 200us);
    for (;;) {
      auto frame = tap.frames.recv_for(1ms);
      if (!frame) {
        if (stream_over.load(std::memory_order_acquire)) break;
        continue;
      }
      if (!ScriptedSource::verify((*frame)->pixels(), (*frame)->frame_number, bytes)) ++tap_bad;
      ++tap_received;
      staller.maybe_stall();
    }
    while (auto frame = tap.frames.try_recv()) ++tap_received;
  });
  std::uint64_t inconsistent = 0;
  std::thread reader([&] {
    while (!stream_over.load(std::memory_order_acquire)) {
      const LedgerCounts c = rig->stats().frames;
      if (c.in_flight() > 1 || c.delivered + c.dropped > c.produced) ++inconsistent;
    }
  });

  rig->start_stream();
  const bool stopped = rig->wait_until_stopped(120s);
  stream_over.store(true, std::memory_order_release);
  consumer.join();  // ends: the stream's primary closed
  tap_drainer.join();
  reader.join();
  ASSERT_TRUE(stopped);

  const ProducerStats stats = rig->stats();
  const LedgerSnapshot ledger = rig->ledger();
  EXPECT_EQ(stats.stop_reason, StopReason::finished);
  EXPECT_EQ(ledger.produced, kFramesPerRun);
  EXPECT_TRUE(ledger.balanced());
  EXPECT_EQ(inconsistent, 0u);

  // Frame by frame: what the consumer got, checked, in order, and exactly the rest dropped.
  EXPECT_EQ(received.bad, 0u);
  EXPECT_TRUE(std::is_sorted(received.numbers.begin(), received.numbers.end()));
  EXPECT_EQ(received.numbers.size(), ledger.delivered);
  EXPECT_TRUE(test::accounts_for_every_frame(ledger, received.numbers));
  for (const auto i : bad_reads) {
    EXPECT_FALSE(std::binary_search(received.numbers.begin(), received.numbers.end(), i));
  }

  const std::uint64_t exhausted = ledger.dropped_for(DropCause::pool_exhausted);
  // A scripted bad read hits only a frame the loop read, not one it skipped (pool exhausted).
  const std::uint64_t failed_reads = ledger.dropped_for(DropCause::source_error);
  EXPECT_LE(failed_reads, bad_reads.size());
  EXPECT_EQ(exhausted, rig.source->frames_skipped());
  EXPECT_EQ(ledger.dropped_for(DropCause::channel_closed), 0u);
  EXPECT_EQ(ledger.dropped_for(DropCause::no_primary), 0u);
  EXPECT_EQ(ledger.lost_hw_frames, lost_expected);
  EXPECT_EQ(ledger.lost_hw_ranges.size(), gap_at.size());

  // Observers saw every frame that was read, and each was intact.
  const std::uint64_t offered = ledger.produced - exhausted - failed_reads;
  EXPECT_EQ(checked.seen.load(), offered);
  EXPECT_EQ(stalled.seen.load(), offered);
  EXPECT_EQ(checked.bad.load() + stalled.bad.load(), 0u);

  // The tap took every Nth offered frame: each was copied or dropped for the tap alone.
  const auto tap_stats = std::find_if(stats.taps.begin(), stats.taps.end(),
                                      [](const TapStats& t) { return t.name == "capture"; });
  ASSERT_NE(tap_stats, stats.taps.end());
  EXPECT_EQ(tap_stats->delivered + tap_stats->dropped,
            (offered + tap_decimation - 1) / tap_decimation);
  EXPECT_EQ(tap_stats->delivered, tap_received);
  EXPECT_EQ(tap_bad, 0u);

  EXPECT_EQ(stats.pool.hits + stats.pool.waits + stats.pool.timeouts, ledger.produced);
  EXPECT_EQ(stats.acquire_wait.count, ledger.produced);
  EXPECT_LE(stats.pool.high_water, pool_frames);
  if (options.fallback_budget_bytes == 0) {
    EXPECT_EQ(stats.fallback_allocations, 0u);
  }
  EXPECT_EQ(stats.fallback_outstanding_bytes, 0u);  // every loan came back

  totals.channel_full += ledger.dropped_for(DropCause::channel_full);
  totals.pool_exhausted += exhausted;
  totals.fallbacks += stats.fallback_allocations;
  totals.tap_dropped += tap_stats->dropped;
  totals.failed_reads += failed_reads;
}

TEST(DeliveryStress, EveryFrameIsAccountedForUnderRandomStalls) {
  test::Watchdog watchdog(240s, "delivery stress");
  test::LogCapture quiet;  // thousands of rate-limited drop warnings
  RunTotals totals;
  for (std::size_t pool_frames = 1; pool_frames <= 8; ++pool_frames) {
    stress_run(pool_frames, totals);
    if (HasFatalFailure()) return;
  }
  // The run exercised the failure paths it claims to check.
  EXPECT_GT(totals.channel_full, 0u);
  EXPECT_GT(totals.pool_exhausted, 0u);
  EXPECT_GT(totals.fallbacks, 0u);
  EXPECT_GT(totals.tap_dropped, 0u);
  EXPECT_GT(totals.failed_reads, 0u);
}

}  // namespace
}  // namespace daq
