// The zero-copy stream in the pipeline (docs/adr/0015-shared-frame-loan.md): a producer whose
// frames have headroom, a primary consumer, and a sharing tap feeding a StreamSender on its own
// thread to a live consumer. In steady state neither the delivery thread nor the sender thread
// allocates per frame; the stream never starves the primary of pooled frames; the frames reach
// the primary intact; the stream's accounting balances; every pooled frame is back once the
// primary and ZeroMQ are done.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <limits>
#include <memory>
#include <optional>
#include <thread>

#include "daq/pipeline/delivery.hpp"
#include "daq/pool/alloc_counter.hpp"
#include "daq/pool/page_memory.hpp"
#include "daq/stream/stream_sender.hpp"
#include "pull_consumer.hpp"
#include "scripted_source.hpp"
#include "watchdog.hpp"

namespace daq::stream {
namespace {

using namespace std::chrono_literals;

constexpr std::uint64_t kWarmup = 200;
#ifdef DAQ_SANITIZED
constexpr std::uint64_t kWindow = 300;
#else
constexpr std::uint64_t kWindow = 2000;
#endif

// Reads the delivery thread's allocation count at two frame numbers (it runs on that thread).
class DeliveryThreadAllocations final : public FrameObserver {
 public:
  void on_frame(const FrameView& frame) override {
    if (frame.frame_number() == kWarmup) before_ = alloc_counter::this_thread().allocations;
    if (frame.frame_number() == kWarmup + kWindow) {
      allocations.store(alloc_counter::this_thread().allocations - before_);
      measured.count_down();
    }
  }
  std::string_view name() const noexcept override { return "allocations"; }

  std::atomic<std::uint64_t> allocations{0};
  std::latch measured{1};

 private:
  std::uint64_t before_ = 0;
};

TEST(StreamPipeline, NoAllocationPerFrameOnTheDeliveryOrTheSenderThread) {
  test::Watchdog watchdog(120s, "zero-copy stream in the pipeline");
  test::ScriptedFormat format;
  format.width = 256;
  format.height = 256;
  format.bit_depth = 16;
  format.frames_per_second = 2000;  // a steady camera both consumers keep up with
  constexpr std::size_t kChannel = 32;
  constexpr std::size_t kStreamQuota = 8;
  DeliveryOptions options;
  // The primary's channel and the stream's quota, plus the frame in the writer's hand and the
  // one being filled: the pool never runs out, whatever the stream holds.
  options.pool_frames = kChannel + kStreamQuota + 2;
  options.use_pool = true;
  options.fallback_budget_bytes = 0;  // a heap frame would allocate: none may be needed
  options.headroom_bytes = PageMemory::page_size();
  auto owned = std::make_unique<test::ScriptedSource>(format);
  const std::size_t bytes = owned->frame_bytes();
  StreamingProducer producer(std::move(owned), options);

  auto probe = std::make_unique<DeliveryThreadAllocations>();
  DeliveryThreadAllocations& delivery = *probe;
  producer.register_observer(std::move(probe));
  SharingTap tap = producer.add_sharing_tap("stream", {.frames_held = kStreamQuota});
  auto [tx, rx] = make_channel<LoanedFrame>(kChannel);
  producer.register_primary_output(std::move(tx));

  StreamOptions stream;
  stream.endpoint = "tcp://127.0.0.1:*";
  auto sender = std::make_unique<StreamSender>(stream);
  SeriesStart series;
  series.series_unique_id = "pipeline-1";
  series.arm_date = "2026-01-17T09:30:12Z";
  series.width = format.width;
  series.height = format.height;
  series.bit_depth = format.bit_depth;
  test::PullConsumer consumer(sender->endpoint(), std::numeric_limits<std::size_t>::max());
  ASSERT_TRUE(sender->start(series));

  // The sender thread's allocations over the frames it got numbered kWarmup..kWarmup + kWindow;
  // read after the join.
  std::optional<std::uint64_t> window_start;
  std::optional<std::uint64_t> sender_allocations;
  std::thread sending([&] {
    while (std::optional<HeldFrame> frame = tap.frames.recv()) {
      const std::uint64_t number = (**frame)->frame_number;
      if (number >= kWarmup && !window_start)
        window_start = alloc_counter::this_thread().allocations;
      (void)sender->send_image(std::move(*frame));
      if (number >= kWarmup + kWindow && window_start && !sender_allocations) {
        sender_allocations = alloc_counter::this_thread().allocations - *window_start;
      }
    }
  });
  std::uint64_t primary_frames = 0;
  std::uint64_t primary_bad = 0;
  std::thread writer([&] {
    while (std::optional<LoanedFrame> frame = rx.recv()) {
      if (!test::ScriptedSource::verify((*frame)->pixels(), (*frame)->frame_number, bytes)) {
        ++primary_bad;
      }
      ++primary_frames;
    }
  });

  producer.start_stream();
  delivery.measured.wait();
  producer.stop_stream();  // closes the primary channel
  writer.join();
  const TapStats stream_tap = producer.stats().taps.at(1);  // final: the delivery thread ended
  ASSERT_TRUE(producer.unregister_observer(tap.handle));    // closes the tap's channel
  sending.join();
  EXPECT_TRUE(sender->end());

  EXPECT_EQ(delivery.allocations.load(), 0u) << "delivery thread, over " << kWindow << " frames";
  ASSERT_TRUE(sender_allocations.has_value()) << "the sender got no frame past the window";
  EXPECT_EQ(*sender_allocations, 0u) << "sender thread, over its window";
  const LedgerSnapshot ledger = producer.ledger();
  EXPECT_EQ(primary_bad, 0u);
  EXPECT_EQ(primary_frames, ledger.delivered);
  // The stream never takes a frame from the primary: the pool has room for its quota. (A test
  // writer descheduled on a loaded machine may still fill its own channel: channel_full.)
  EXPECT_EQ(ledger.dropped_for(DropCause::pool_exhausted), 0u);
  EXPECT_EQ(ledger.produced, ledger.delivered + ledger.dropped_for(DropCause::channel_full));
  const StreamStats stats = sender->stats();
  EXPECT_EQ(stats.sent + stats.dropped(), stats.offered);
  EXPECT_EQ(stats.offered + stream_tap.dropped, ledger.produced)
      << "every frame offered to the stream is sent or dropped by the sender or its tap";
  EXPECT_GT(stats.sent, kWindow / 2) << "most frames went out zero copy";
  EXPECT_EQ(producer.stats().fallback_allocations, 0u);
  sender.reset();  // ZeroMQ is done with every message
  EXPECT_EQ(producer.stats().pool.in_use, 0u) << "every frame back in the pool";
}

}  // namespace
}  // namespace daq::stream
