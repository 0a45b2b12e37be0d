#include "daq/pipeline/delivery.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <future>
#include <thread>

#include "daq/pool/page_memory.hpp"
#include "delivery_helpers.hpp"
#include "log_capture.hpp"
#include "watchdog.hpp"

namespace daq {
namespace {

using namespace std::chrono_literals;
using test::drain;
using test::eventually;
using test::LogCapture;
using test::pool_options;
using test::Received;
using test::Rig;
using test::ScriptedFormat;
using test::ScriptedSource;

ScriptedFormat frames(std::uint64_t count) {
  ScriptedFormat f;
  f.width = 32;
  f.height = 16;
  f.bit_depth = 16;
  f.frame_count = count;
  return f;
}

// Registers a primary of `capacity` and returns its receiver.
Receiver<LoanedFrame> attach_primary(StreamingProducer& producer, std::size_t capacity) {
  auto [tx, rx] = make_channel<LoanedFrame>(capacity);
  producer.register_primary_output(std::move(tx));
  return std::move(rx);
}

TEST(StreamingProducer, DeliversEveryFrameInOrderAndEndsWhenTheSourceFinishes) {
  test::Watchdog watchdog(30s, "finish");
  LogCapture log;
  Rig rig(frames(200), pool_options(4));
  auto rx = attach_primary(*rig.producer, 8);
  rig->start_stream();
  EXPECT_TRUE(rig->is_streaming());
  const Received got = drain(rx, rig.frame_bytes());  // ends: the stream's primary closes
  ASSERT_TRUE(rig->wait_until_stopped(10s));

  ASSERT_EQ(got.numbers.size(), 200u);
  for (std::uint64_t n = 0; n < 200; ++n) EXPECT_EQ(got.numbers[n], n);
  EXPECT_EQ(got.bad, 0u);
  const LedgerSnapshot ledger = rig->ledger();
  EXPECT_EQ(ledger.produced, 200u);
  EXPECT_EQ(ledger.delivered, 200u);
  EXPECT_TRUE(ledger.balanced());
  const ProducerStats stats = rig->stats();
  EXPECT_FALSE(stats.streaming);
  EXPECT_EQ(stats.stop_reason, StopReason::finished);
  EXPECT_EQ(rig.source->starts(), 1);
  EXPECT_EQ(rig.source->stops(), 1);
  EXPECT_EQ(rig.source->prepares(), 1);
}

TEST(StreamingProducer, CopiesTheSourcesMetadataAndAssignsFrameNumbers) {
  test::Watchdog watchdog(30s, "metadata");
  Rig rig(frames(3), pool_options(4));
  auto rx = attach_primary(*rig.producer, 8);
  rig->start_stream();
  for (std::uint64_t n = 0; n < 3; ++n) {
    auto frame = rx.recv();
    ASSERT_TRUE(frame.has_value());
    const FrameData& f = **frame;
    EXPECT_EQ(f.frame_number, n);
    EXPECT_EQ(f.hw_frame_nr, static_cast<std::int64_t>(n));
    EXPECT_EQ(f.width, 32u);
    EXPECT_EQ(f.height, 16u);
    EXPECT_EQ(f.bit_depth, 16u);
    EXPECT_DOUBLE_EQ(f.exposure_ms, 1.5);
    EXPECT_EQ(f.temperature_c, -20.0);
    EXPECT_GT(f.timestamp_ns, 0u);
    EXPECT_EQ(f.actual_len, rig.frame_bytes());
    EXPECT_FALSE(frame->is_detached());
  }
}

TEST(StreamingProducer, ObserversSeeEveryFrameTheSourceRead) {
  test::Watchdog watchdog(30s, "observers");
  Rig rig(frames(100), pool_options(4));
  test::ObserverCounters a, b;
  rig->register_observer(std::make_unique<test::CountingObserver>(a, rig.frame_bytes()));
  rig->register_observer(std::make_unique<test::CountingObserver>(b, rig.frame_bytes()),
                         ObserverOptions{.decimation = 10, .name = "every tenth"});
  auto rx = attach_primary(*rig.producer, 8);
  rig->start_stream();
  EXPECT_EQ(drain(rx, rig.frame_bytes()).numbers.size(), 100u);
  ASSERT_TRUE(rig->wait_until_stopped(10s));
  EXPECT_EQ(a.seen.load(), 100u);
  EXPECT_EQ(b.seen.load(), 10u);
  EXPECT_EQ(a.bad.load() + b.bad.load(), 0u);
  const auto taps = rig->stats().taps;
  ASSERT_EQ(taps.size(), 2u);
  EXPECT_EQ(taps[0].delivered, 100u);
  EXPECT_EQ(taps[1].name, "every tenth");
  EXPECT_EQ(taps[1].delivered, 10u);
}

TEST(StreamingProducer, WithoutAPrimaryFramesReachObserversAndCountAsNoPrimary) {
  test::Watchdog watchdog(30s, "no primary");
  LogCapture log;
  Rig rig(frames(50), pool_options(2));
  test::ObserverCounters seen;
  rig->register_observer(std::make_unique<test::CountingObserver>(seen, rig.frame_bytes()));
  rig->start_stream();
  ASSERT_TRUE(rig->wait_until_stopped(10s));
  EXPECT_EQ(seen.seen.load(), 50u);
  const LedgerSnapshot ledger = rig->ledger();
  EXPECT_EQ(ledger.dropped_for(DropCause::no_primary), 50u);
  EXPECT_EQ(ledger.dropped_ranges, (std::vector<FrameRange>{{0, 49}}));
  EXPECT_TRUE(ledger.balanced());
  EXPECT_EQ(log.count("no primary output"), 1u);
}

TEST(StreamingProducer, AFullPrimaryDropsTheFrameAndCountsChannelFull) {
  test::Watchdog watchdog(30s, "channel full");
  LogCapture log;
  Rig rig(frames(10), pool_options(8));
  auto rx = attach_primary(*rig.producer, 2);  // nobody receives until the stream ended
  test::ObserverCounters seen;
  rig->register_observer(std::make_unique<test::CountingObserver>(seen, rig.frame_bytes()));
  rig->start_stream();
  ASSERT_TRUE(rig->wait_until_stopped(10s));
  const LedgerSnapshot ledger = rig->ledger();
  EXPECT_EQ(ledger.delivered, 2u);
  EXPECT_EQ(ledger.dropped_for(DropCause::channel_full), 8u);
  EXPECT_EQ(ledger.dropped_ranges, (std::vector<FrameRange>{{2, 9}}));
  EXPECT_EQ(seen.seen.load(), 10u);  // observers are not held up by the primary
  const Received got = drain(rx, rig.frame_bytes());
  EXPECT_EQ(got.numbers, (std::vector<std::uint64_t>{0, 1}));
  EXPECT_EQ(rig->stats().pool.in_use, 0u);  // rejected frames went back to the pool
}

TEST(StreamingProducer, AClosedPrimaryStopsTheStreamCleanlyAndForGood) {
  test::Watchdog watchdog(30s, "closed primary");
  LogCapture log;
  Rig rig(frames(0), pool_options(4));  // continuous
  auto rx = attach_primary(*rig.producer, 4);
  rig->start_stream();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(rx.recv().has_value());
  rx.close();
  ASSERT_TRUE(rig->wait_until_stopped(10s));
  const ProducerStats stats = rig->stats();
  EXPECT_EQ(stats.stop_reason, StopReason::primary_closed);
  EXPECT_FALSE(stats.streaming);
  const LedgerSnapshot ledger = rig->ledger();
  EXPECT_EQ(ledger.dropped_for(DropCause::channel_closed), 1u);
  ASSERT_FALSE(ledger.dropped_ranges.empty());
  EXPECT_EQ(ledger.dropped_ranges.back(), (FrameRange{ledger.produced - 1, ledger.produced - 1}));
  EXPECT_TRUE(ledger.balanced());
  EXPECT_GE(ledger.delivered, 5u);
  EXPECT_EQ(rig.source->stops(), 1);
  EXPECT_EQ(rig.source->starts(), 1);  // never restarted by itself
}

TEST(StreamingProducer, PoolExhaustionFallsBackToTheHeapWithinTheBudgetThenDrops) {
  test::Watchdog watchdog(30s, "fallback");
  LogCapture log;
  ScriptedFormat format = frames(10);
  format.width = 1024;  // 32 KiB frames: whole pages
  DeliveryOptions options = pool_options(2);
  options.acquire_timeout = 1ms;
  Rig probe(format);
  options.fallback_budget_bytes = 3 * probe.frame_bytes() + 100;  // three frames
  Rig rig(format, options);
  auto rx = attach_primary(*rig.producer, 16);  // holds every frame: nothing comes back
  rig->start_stream();
  ASSERT_TRUE(rig->wait_until_stopped(10s));

  const LedgerSnapshot ledger = rig->ledger();
  EXPECT_EQ(ledger.delivered, 5u);  // 2 pooled + 3 heap
  EXPECT_EQ(ledger.dropped_for(DropCause::pool_exhausted), 5u);
  EXPECT_EQ(ledger.dropped_ranges, (std::vector<FrameRange>{{5, 9}}));
  EXPECT_EQ(rig.source->frames_skipped(), 5u);
  ProducerStats stats = rig->stats();
  EXPECT_EQ(stats.fallback_allocations, 3u);
  EXPECT_EQ(stats.fallback_bytes, 3 * rig.frame_bytes());
  EXPECT_EQ(stats.fallback_outstanding_bytes, 3 * rig.frame_bytes());
  EXPECT_EQ(stats.pool.hits, 2u);
  EXPECT_EQ(stats.pool.timeouts, 8u);
  EXPECT_EQ(stats.acquire_wait.count, 10u);
  EXPECT_GE(stats.acquire_wait.max_ns, 1'000'000u);  // waited the acquire timeout

  const Received got = drain(rx, rig.frame_bytes());
  EXPECT_EQ(got.numbers, (std::vector<std::uint64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(got.bad, 0u);
  stats = rig->stats();
  EXPECT_EQ(stats.fallback_outstanding_bytes, 0u);  // heap frames freed with their loans
  EXPECT_EQ(stats.pool.in_use, 0u);
}

TEST(StreamingProducer, TheFallbackBudgetCountsHeapFramesOnLoanNotEverMade) {
  test::Watchdog watchdog(30s, "fallback reuse");
  LogCapture log;
  DeliveryOptions options = pool_options(1);
  options.acquire_timeout = 1ms;
  Rig probe(frames(5));
  options.fallback_budget_bytes = probe.frame_bytes();  // one heap frame at a time
  Rig rig(frames(5), options, [](ScriptedSource& s) { s.gated(); });
  auto rx = attach_primary(*rig.producer, 16);
  rig->start_stream();
  auto settled = [&](std::uint64_t produced) {
    return eventually([&] {
      const auto c = rig->stats().frames;
      return c.produced == produced && c.in_flight() == 0;
    });
  };
  rig.source->release(3);  // 0: pool, 1: heap, 2: dropped (both on loan in the channel)
  ASSERT_TRUE(settled(3));
  {
    auto f0 = rx.recv();
    auto f1 = rx.recv();
    ASSERT_TRUE(f0 && f1);
    EXPECT_FALSE(f0->is_detached());
    EXPECT_EQ((*f1)->frame_number, 1u);
  }                        // both returned: the pool slot and the heap budget are free again
  rig.source->release(2);  // 3: pool, 4: heap again
  ASSERT_TRUE(rig->wait_until_stopped(10s));
  const LedgerSnapshot ledger = rig->ledger();
  EXPECT_EQ(ledger.dropped_ranges, (std::vector<FrameRange>{{2, 2}}));
  EXPECT_EQ(ledger.delivered, 4u);
  EXPECT_EQ(rig->stats().fallback_allocations, 2u);
}

TEST(StreamingProducer, ZeroFallbackBudgetDropsAtOnceAfterTheTimeout) {
  test::Watchdog watchdog(30s, "no fallback");
  LogCapture log;
  DeliveryOptions options = pool_options(2);
  options.acquire_timeout = 0ms;
  options.fallback_budget_bytes = 0;
  Rig rig(frames(6), options);
  auto rx = attach_primary(*rig.producer, 16);
  rig->start_stream();
  ASSERT_TRUE(rig->wait_until_stopped(10s));
  const LedgerSnapshot ledger = rig->ledger();
  EXPECT_EQ(ledger.delivered, 2u);
  EXPECT_EQ(ledger.dropped_for(DropCause::pool_exhausted), 4u);
  EXPECT_EQ(rig->stats().fallback_allocations, 0u);
}

TEST(StreamingProducer, HardwareFrameNumberGapsAreRecordedAsLost) {
  test::Watchdog watchdog(30s, "hw gaps");
  LogCapture log;
  Rig rig(frames(10), pool_options(4),
          [](ScriptedSource& s) { s.hw_gap_before(5, 3).hw_gap_before(8, 1); });
  auto rx = attach_primary(*rig.producer, 16);
  rig->start_stream();
  const Received got = drain(rx, rig.frame_bytes());
  EXPECT_EQ(got.numbers.size(), 10u);
  const LedgerSnapshot ledger = rig->ledger();
  // hw numbers: 0..4, 8, 9, 10, 12, 13
  EXPECT_EQ(ledger.lost_hw_frames, 4u);
  EXPECT_EQ(ledger.lost_hw_ranges, (std::vector<FrameRange>{{5, 7}, {11, 11}}));
  EXPECT_TRUE(ledger.balanced());
  EXPECT_EQ(rig->stats().frames.lost_hw_frames, 4u);
}

/// A ScriptedSource that also reports the hardware numbers its acquisition spanned, as a
/// camera with an SDK buffer does: frames it exposed after the last one handed out (overrun at
/// the tail, or still buffered when stop() discarded them) never reach the loop.
class SpanningSource final : public FrameSource {
 public:
  SpanningSource(ScriptedFormat format, HwNumbering numbering)
      : inner_(format), numbering_(numbering) {}
  ScriptedSource& inner() noexcept { return inner_; }

  std::string_view name() const noexcept override { return inner_.name(); }
  SourceFormat prepare() override { return inner_.prepare(); }
  void start(const StartOptions& options) override { inner_.start(options); }
  SourceStatus wait_frame(std::chrono::nanoseconds timeout,
                          PendingFrame& pending) noexcept override {
    return inner_.wait_frame(timeout, pending);
  }
  void read_frame(FrameData& frame) noexcept override { inner_.read_frame(frame); }
  void skip_frame() noexcept override { inner_.skip_frame(); }
  void stop() noexcept override { inner_.stop(); }
  std::string error_message() const override { return inner_.error_message(); }
  HwNumbering hw_numbering() const noexcept override { return numbering_; }

 private:
  ScriptedSource inner_;
  HwNumbering numbering_;
};

TEST(StreamingProducer, FramesTheCameraExposedBeyondTheFramesHandedOutAreCountedLost) {
  test::Watchdog watchdog(30s, "hw span");
  LogCapture log;
  // hw numbers 3..12 handed out; the camera exposed 0..19 (3 lost before the first frame,
  // 7 overrun after the last one).
  auto owned = std::make_unique<SpanningSource>(frames(10), HwNumbering{0, 20});
  owned->inner().hw_gap_before(0, 3);
  StreamingProducer producer(std::move(owned), pool_options(4));
  auto rx = attach_primary(producer, 16);
  producer.start_stream();
  const Received got = drain(rx, 32 * 16 * 2);
  ASSERT_TRUE(producer.wait_until_stopped(10s));
  EXPECT_EQ(got.numbers.size(), 10u);
  EXPECT_EQ(producer.stats().stop_reason, StopReason::finished);
  const LedgerSnapshot ledger = producer.ledger();
  EXPECT_EQ(ledger.lost_hw_ranges, (std::vector<FrameRange>{{0, 2}, {13, 19}}));
  EXPECT_EQ(ledger.lost_hw_frames, 10u);
  EXPECT_EQ(ledger.produced + ledger.lost_hw_frames, 20u);
  EXPECT_TRUE(ledger.balanced());
  EXPECT_EQ(log.count("never reached the loop"), 1u);
}

TEST(StreamingProducer, FramesAStopDiscardsFromTheSdkBufferAreCountedLostBeforeItReturns) {
  test::Watchdog watchdog(30s, "hw span at stop");
  LogCapture log;
  // A continuous camera that exposed 8 frames; the loop takes 3, then the stream is stopped.
  auto owned = std::make_unique<SpanningSource>(frames(0), HwNumbering{0, 8});
  owned->inner().gated();
  ScriptedSource& source = owned->inner();
  StreamingProducer producer(std::move(owned), pool_options(4));
  auto rx = attach_primary(producer, 16);
  producer.start_stream();
  source.release(3);
  for (std::uint64_t n = 0; n < 3; ++n) ASSERT_TRUE(rx.recv().has_value());
  producer.stop_stream();
  // Visible as soon as the stream is reported stopped.
  EXPECT_EQ(producer.stats().frames.lost_hw_frames, 5u);
  const LedgerSnapshot ledger = producer.ledger();
  EXPECT_EQ(ledger.produced, 3u);
  EXPECT_EQ(ledger.lost_hw_ranges, (std::vector<FrameRange>{{3, 7}}));
  EXPECT_TRUE(ledger.balanced());
}

TEST(StreamingProducer, ASourceWithoutASpanRecordsOnlyTheGapsBetweenFrames) {
  test::Watchdog watchdog(30s, "no span");
  LogCapture log;
  Rig rig(frames(5), pool_options(4), [](ScriptedSource& s) { s.hw_gap_before(0, 3); });
  auto rx = attach_primary(*rig.producer, 16);
  rig->start_stream();
  drain(rx, rig.frame_bytes());
  ASSERT_TRUE(rig->wait_until_stopped(10s));
  EXPECT_EQ(rig->ledger().lost_hw_frames, 0u);  // hw 3..7: nothing says 0..2 existed
  EXPECT_EQ(log.count("never reached the loop"), 0u);
}

TEST(StreamingProducer, ASourceFailureStopsTheStreamWithItsMessage) {
  test::Watchdog watchdog(30s, "source failure");
  LogCapture log;
  Rig rig(frames(0), pool_options(4),
          [](ScriptedSource& s) { s.fail_at(3, "sensor overheated at 45 C"); });
  auto rx = attach_primary(*rig.producer, 16);
  rig->start_stream();
  const Received got = drain(rx, rig.frame_bytes());
  ASSERT_TRUE(rig->wait_until_stopped(10s));
  EXPECT_EQ(got.numbers, (std::vector<std::uint64_t>{0, 1, 2}));
  const ProducerStats stats = rig->stats();
  EXPECT_EQ(stats.stop_reason, StopReason::source_failed);
  EXPECT_EQ(stats.stop_message, "sensor overheated at 45 C");
  EXPECT_EQ(rig.source->stops(), 1);
  EXPECT_TRUE(rig->ledger().balanced());
}

TEST(StreamingProducer, AFrameTheSourceCouldNotReadIsDroppedAsSourceError) {
  test::Watchdog watchdog(30s, "bad read");
  LogCapture log;
  Rig rig(frames(5), pool_options(4), [](ScriptedSource& s) { s.bad_read_at(2); });
  test::ObserverCounters seen;
  rig->register_observer(std::make_unique<test::CountingObserver>(seen, rig.frame_bytes()));
  auto rx = attach_primary(*rig.producer, 16);
  rig->start_stream();
  const Received got = drain(rx, rig.frame_bytes());
  EXPECT_EQ(got.numbers, (std::vector<std::uint64_t>{0, 1, 3, 4}));
  EXPECT_EQ(seen.seen.load(), 4u);
  const LedgerSnapshot ledger = rig->ledger();
  EXPECT_EQ(ledger.dropped_for(DropCause::source_error), 1u);
  EXPECT_EQ(ledger.dropped_ranges, (std::vector<FrameRange>{{2, 2}}));
}

TEST(StreamingProducer, StartStreamPropagatesPrepareAndStartErrorsAndStartsNothing) {
  LogCapture log;
  Rig rig(frames(3), pool_options(2), [](ScriptedSource& s) {
    s.fail_prepare_config("roi: x+width = 2100 exceeds the sensor width 2048");
  });
  try {
    rig->start_stream();
    FAIL() << "start_stream did not throw";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "roi: x+width = 2100 exceeds the sensor width 2048");
  }
  EXPECT_FALSE(rig->is_streaming());
  EXPECT_EQ(rig.source->starts(), 0);

  rig.source->fail_start("camera not responding");
  EXPECT_THROW(rig->start_stream(), SourceError);
  EXPECT_FALSE(rig->is_streaming());
  EXPECT_EQ(rig.source->starts(), 0);
  EXPECT_GE(rig.source->stops(), 1);  // stop() after the failed start
  EXPECT_EQ(rig.source->prepares(), 2);

  auto rx = attach_primary(*rig.producer, 8);  // the errors were one-shot: now it runs
  rig->start_stream();
  EXPECT_EQ(drain(rx, rig.frame_bytes()).numbers.size(), 3u);
  EXPECT_EQ(rig.source->prepares(), 2);  // prepared once it succeeded, not again
}

TEST(StreamingProducer, PrepareSourceErrorsPropagateFromFormatAndStart) {
  Rig rig(frames(3), pool_options(2),
          [](ScriptedSource& s) { s.fail_prepare_source("no camera on the bus"); });
  EXPECT_THROW((void)rig->format(), SourceError);
  const SourceFormat format = rig->format();
  EXPECT_EQ(format.width, 32u);
  EXPECT_EQ(format.frame_bytes, rig.frame_bytes());
  EXPECT_EQ(format.frame_count, 3u);
}

TEST(StreamingProducer, RejectsABadConfiguration) {
  DeliveryOptions options = pool_options(0);
  try {
    StreamingProducer producer(std::make_unique<ScriptedSource>(), options);
    FAIL() << "pool_frames 0 accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("pool_frames"), std::string::npos);
  }
  EXPECT_THROW((void)StreamingProducer(nullptr, pool_options()), ConfigError);
}

TEST(StreamingProducer, APoolBeyondUsableMemoryIsRefusedBeforeAnythingIsMapped) {
  // Frames of one page: one more than fits would otherwise pre-fault all of memory.
  const std::size_t page = PageMemory::page_size();
  ScriptedFormat format = frames(3);
  format.width = 64;
  format.height = static_cast<std::uint32_t>(page / 128);  // 64 16-bit pixels a row
  const std::size_t fits = PageMemory::usable_memory() / page;
  Rig rig(format, pool_options(fits + 1));
  ASSERT_EQ(rig.frame_bytes(), page);
  try {
    (void)rig->format();
    FAIL() << "a pool of " << fits + 1 << " frames of one page was accepted";
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("delivery.pool_frames: must be 1.." + std::to_string(fits)),
              std::string::npos)
        << what;
    EXPECT_NE(what.find(std::to_string(PageMemory::usable_memory())), std::string::npos) << what;
  }
  EXPECT_FALSE(rig->is_streaming());
}

TEST(StreamingProducer, APoolThatFitsOnlyWithoutItsHeadroomIsRefused) {
  // Frames of one page behind one page of headroom map two pages each: a pool of half as many
  // frames as one-page frames would fit, plus one, is beyond usable memory.
  const std::size_t page = PageMemory::page_size();
  ScriptedFormat format = frames(3);
  format.width = 64;
  format.height = static_cast<std::uint32_t>(page / 128);  // 64 16-bit pixels a row
  const std::size_t usable = PageMemory::usable_memory();
  const std::size_t fits = usable / (2 * page);
  DeliveryOptions options = pool_options(fits + 1);
  options.headroom_bytes = page;
  ASSERT_LE(fits + 1, usable / page) << "the frames without headroom would fit";
  Rig rig(format, options);
  ASSERT_EQ(rig.frame_bytes(), page);
  try {
    (void)rig->format();
    FAIL() << "a pool of " << fits + 1 << " one-page frames behind a page of headroom was accepted";
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    const std::string p = std::to_string(page);
    EXPECT_NE(what.find("delivery.pool_frames: must be 1.." + std::to_string(fits) +
                        " for frames of " + p + " bytes behind " + p +
                        " bytes of headroom (" + std::to_string(2 * page) +
                        " bytes mapped per frame)"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find(std::to_string(usable)), std::string::npos) << what;
    const auto* refusal = dynamic_cast<const PoolTooLarge*>(&e);
    ASSERT_NE(refusal, nullptr) << "an embedder words the refusal from its limit";
    EXPECT_EQ(refusal->limit().most_frames, fits);
    EXPECT_EQ(refusal->limit().mapped_bytes, 2 * page);
    EXPECT_EQ(refusal->limit().usable_bytes, usable);
  }
  EXPECT_FALSE(rig->is_streaming());
}

TEST(StreamingProducer, StopJoinsAndARestartBeginsANewStream) {
  test::Watchdog watchdog(30s, "restart");
  LogCapture log;
  Rig rig(frames(0), pool_options(4));
  for (int stream = 0; stream < 2; ++stream) {
    auto rx = attach_primary(*rig.producer, 8);  // the primary lasts one stream
    rig->start_stream();
    rig->start_stream();  // already streaming: nothing
    for (std::uint64_t n = 0; n < 20; ++n) {
      auto frame = rx.recv();
      ASSERT_TRUE(frame.has_value());
      EXPECT_EQ((*frame)->frame_number, n);  // numbers start at 0 in every stream
    }
    rig->stop_stream();
    EXPECT_FALSE(rig->is_streaming());
    EXPECT_TRUE(rig->wait_until_stopped(0s));
    EXPECT_EQ(rig->stats().stop_reason, StopReason::requested);
    const LedgerSnapshot ledger = rig->ledger();
    EXPECT_TRUE(ledger.balanced());
    std::uint64_t left = 0;
    while (rx.recv()) ++left;  // the producer let go of the sender: the channel closed
    EXPECT_EQ(ledger.delivered, 20u + left);
  }
  EXPECT_EQ(rig.source->starts(), 2);
  EXPECT_EQ(rig.source->stops(), 2);
  EXPECT_EQ(rig.source->prepares(), 1);
  rig->stop_stream();  // not streaming: nothing
  EXPECT_EQ(rig.source->stops(), 2);
}

TEST(StreamingProducer, ARestartWithoutANewPrimaryCountsNoPrimary) {
  test::Watchdog watchdog(30s, "primary per stream");
  LogCapture log;
  Rig rig(frames(4), pool_options(4));
  auto rx = attach_primary(*rig.producer, 8);
  rig->start_stream();
  EXPECT_EQ(drain(rx, rig.frame_bytes()).numbers.size(), 4u);
  ASSERT_TRUE(rig->wait_until_stopped(10s));
  rig->start_stream();
  ASSERT_TRUE(rig->wait_until_stopped(10s));
  EXPECT_EQ(rig->ledger().dropped_for(DropCause::no_primary), 4u);
}

TEST(StreamingProducer, TheDestructorStopsTheStreamAndClosesThePrimary) {
  test::Watchdog watchdog(30s, "destructor");
  LogCapture log;
  Receiver<LoanedFrame> rx;
  {
    Rig rig(frames(0), pool_options(4));
    rx = attach_primary(*rig.producer, 4);
    rig->start_stream();
    ASSERT_TRUE(rx.recv().has_value());
  }
  while (rx.recv()) {
  }
  EXPECT_TRUE(rx.is_closed());
}

TEST(StreamingProducer, ReplacingThePrimaryWhileStreamingSwitchesAtTheNextFrame) {
  test::Watchdog watchdog(30s, "replace primary");
  LogCapture log;
  Rig rig(frames(6), pool_options(4), [](ScriptedSource& s) { s.gated(); });
  auto first = attach_primary(*rig.producer, 8);
  rig->start_stream();
  rig.source->release(3);
  for (std::uint64_t n = 0; n < 3; ++n) EXPECT_EQ(first.recv().value()->frame_number, n);
  auto second = attach_primary(*rig.producer, 8);
  rig.source->release(3);
  EXPECT_FALSE(first.recv().has_value());  // its only sender was the producer's: closed
  EXPECT_EQ(drain(second, rig.frame_bytes()).numbers, (std::vector<std::uint64_t>{3, 4, 5}));
  EXPECT_EQ(rig->ledger().delivered, 6u);
}

TEST(StreamingProducer, StopStreamFromAnObserverDoesNotDeadlock) {
  test::Watchdog watchdog(30s, "stop from observer");
  LogCapture log;
  Rig rig(frames(0), pool_options(4));
  test::ObserverCounters seen;
  StreamingProducer* producer = rig.producer.get();
  rig->register_observer(std::make_unique<test::CountingObserver>(
      seen, rig.frame_bytes(), [producer](const FrameView& frame) {
        if (frame.frame_number() == 5) producer->stop_stream();
      }));
  auto rx = attach_primary(*rig.producer, 16);
  rig->start_stream();
  ASSERT_TRUE(rig->wait_until_stopped(10s));
  EXPECT_EQ(rig->stats().stop_reason, StopReason::requested);
  EXPECT_EQ(seen.seen.load(), 6u);  // the loop ended after the frame that asked
  EXPECT_EQ(drain(rx, rig.frame_bytes()).numbers.size(), 6u);
}

TEST(StreamingProducer, ObserversMayCallControlFunctionsWhileStopStreamWaits) {
  test::Watchdog watchdog(30s, "control from observer");
  LogCapture log;
  Rig rig(frames(0), pool_options(4));
  StreamingProducer* producer = rig.producer.get();
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> calls{0};
  test::ObserverCounters seen;
  rig->register_observer(
      std::make_unique<test::CountingObserver>(seen, rig.frame_bytes(), [&](const FrameView&) {
        if (!stopping.load()) return;
        producer->start_stream();  // streaming already: returns at once
        if (producer->format().frame_bytes != rig.frame_bytes()) return;
        (void)producer->stats();
        calls.fetch_add(1);
      }));
  rig->start_stream();
  ASSERT_TRUE(eventually([&] { return seen.seen.load() > 3; }));
  stopping.store(true);
  rig->stop_stream();  // holds the control lock while the observer makes its calls
  EXPECT_FALSE(rig->is_streaming());
  EXPECT_TRUE(rig->ledger().balanced());
}

TEST(StreamingProducer, WaitUntilStoppedTimesOutWhileStreaming) {
  test::Watchdog watchdog(30s, "wait timeout");
  LogCapture log;
  Rig rig(frames(0), pool_options(2), [](ScriptedSource& s) { s.gated(); });
  rig->start_stream();
  EXPECT_FALSE(rig->wait_until_stopped(5ms));
  EXPECT_TRUE(rig->is_streaming());
  EXPECT_EQ(rig->stats().stop_reason, StopReason::none);
  rig->stop_stream();
  EXPECT_TRUE(rig->wait_until_stopped(0s));
}

TEST(StreamingProducer, ChannelTapsGetCopiesSizedFromTheSourceFormat) {
  test::Watchdog watchdog(30s, "channel tap");
  LogCapture log;
  Rig rig(frames(8), pool_options(4));
  ChannelTap tap = rig->add_channel_tap(
      "capture", ChannelTapOptions{.decimation = 2, .queue_capacity = 8, .pool_frames = 8});
  auto rx = attach_primary(*rig.producer, 16);
  rig->start_stream();
  EXPECT_EQ(drain(rx, rig.frame_bytes()).numbers.size(), 8u);
  ASSERT_TRUE(rig->wait_until_stopped(10s));
  std::vector<std::uint64_t> copies;
  while (auto frame = tap.frames.try_recv()) {
    EXPECT_TRUE(
        ScriptedSource::verify((*frame)->pixels(), (*frame)->frame_number, rig.frame_bytes()));
    copies.push_back((*frame)->frame_number);
  }
  EXPECT_EQ(copies, (std::vector<std::uint64_t>{0, 2, 4, 6}));
  EXPECT_TRUE(rig->unregister_observer(tap.handle));
  EXPECT_FALSE(rig->unregister_observer(tap.handle));
}

TEST(StreamingProducer, StatsReportThePoolAndAcquireWaits) {
  test::Watchdog watchdog(30s, "stats");
  LogCapture log;
  DeliveryOptions options = pool_options(6);
  options.acquire_timeout = 1ms;
  Rig rig(frames(50), options);
  auto rx = attach_primary(*rig.producer, 64);
  rig->start_stream();
  ASSERT_TRUE(rig->wait_until_stopped(10s));
  const ProducerStats stats = rig->stats();
  EXPECT_EQ(stats.pool.capacity, 6u);
  EXPECT_EQ(stats.pool.high_water, 6u);  // the channel held every frame the pool had
  EXPECT_EQ(stats.pool.in_use, 6u);
  EXPECT_EQ(stats.pool.hits + stats.pool.waits + stats.pool.timeouts, 50u);
  EXPECT_EQ(stats.acquire_wait.count, 50u);
  EXPECT_EQ(stats.acquire_wait_distribution.count(), 50u) << "one acquire per frame";
  // The waits past the pool's 6 frames ran out the 1 ms timeout: the sum holds them.
  EXPECT_GE(stats.acquire_wait_distribution.sum_ns, 1'000'000u * stats.pool.timeouts);
  EXPECT_GE(stats.acquire_wait_distribution.at_most[0], stats.pool.hits) << "hits wait 0 ns";
  EXPECT_EQ(stats.frames.produced, 50u);
  EXPECT_EQ(stats.frames.delivered + stats.frames.dropped, 50u);
  EXPECT_EQ(stats.frames.delivered, 6u + stats.fallback_allocations);
  EXPECT_LT(stats.pool.hit_rate(), 1.0);
}

TEST(StreamingProducer, UsePoolFalseMakesEveryFrameAFreshHeapFrame) {
  test::Watchdog watchdog(30s, "legacy mode");
  LogCapture log;
  DeliveryOptions options = pool_options(4);
  options.use_pool = false;
  Rig rig(frames(20), options);
  auto rx = attach_primary(*rig.producer, 32);
  rig->start_stream();
  ASSERT_TRUE(rig->wait_until_stopped(10s));
  std::uint64_t detached = 0;
  std::vector<std::uint64_t> numbers;
  while (auto frame = rx.try_recv()) {
    if (frame->is_detached()) ++detached;
    EXPECT_TRUE(
        ScriptedSource::verify((*frame)->pixels(), (*frame)->frame_number, rig.frame_bytes()));
    numbers.push_back((*frame)->frame_number);
  }
  EXPECT_EQ(numbers.size(), 20u);  // no pool limit: every frame delivered
  EXPECT_EQ(detached, 20u);
  const ProducerStats stats = rig->stats();
  EXPECT_EQ(stats.fallback_allocations, 20u);
  EXPECT_EQ(stats.pool.capacity, 0u);
  EXPECT_EQ(stats.acquire_wait.count, 20u);
  EXPECT_EQ(log.count("use_pool is off"), 1u);
}

TEST(StreamingProducer, TheRollbackSwitchIsReadFromTheEnvironment) {
  ::unsetenv("DAQ_USE_POOL");
  EXPECT_TRUE(DeliveryOptions{}.use_pool);
  ::setenv("DAQ_USE_POOL", "0", 1);
  EXPECT_FALSE(DeliveryOptions{}.use_pool);
  EXPECT_FALSE(use_pool_from_env());
  ::setenv("DAQ_USE_POOL", "1", 1);
  EXPECT_TRUE(DeliveryOptions{}.use_pool);
  ::unsetenv("DAQ_USE_POOL");
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
TEST(StreamingProducer, LegacySubscribersGetEveryFrameAsASharedHeapCopy) {
  test::Watchdog watchdog(30s, "legacy subscribe");
  LogCapture log;
  Rig rig(frames(12), pool_options(4));
  FrameProducer& camera = *rig.producer;
  auto a = camera.subscribe_frames(32);
  auto b = camera.subscribe_frames(32);
  auto single = camera.take_frame_receiver(32);
  ASSERT_TRUE(single.has_value());
  EXPECT_FALSE(camera.take_frame_receiver(32).has_value());
  camera.start_stream();
  for (auto* rx : {&a, &b, &*single}) {
    std::uint64_t expected = 0;
    while (auto frame = rx->recv()) {  // closes when the stream ends
      EXPECT_EQ((*frame)->frame_number, expected++);
      EXPECT_TRUE(ScriptedSource::verify((*frame)->view().pixels(), (*frame)->frame_number,
                                         rig.frame_bytes()));
    }
    EXPECT_EQ(expected, 12u);
  }
  EXPECT_EQ(camera.stats().legacy.frames_published, 12u);
  EXPECT_TRUE(camera.take_frame_receiver(32).has_value());  // available for the next stream
}
#pragma GCC diagnostic pop

}  // namespace
}  // namespace daq
