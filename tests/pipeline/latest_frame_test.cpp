#include "daq/pipeline/latest_frame.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <latch>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "daq/pipeline/tap_registry.hpp"
#include "daq/pool/alloc_counter.hpp"
#include "daq/pool/pool.hpp"
#include "watchdog.hpp"

namespace daq {
namespace {

using namespace std::chrono_literals;

#ifdef DAQ_SANITIZED
constexpr std::uint64_t kConcurrentFrames = 2'000;
#else
constexpr std::uint64_t kConcurrentFrames = 20'000;
#endif

constexpr std::size_t kBytes = 1024;

bool uniform(const FrameView& view, std::byte value) {
  for (std::byte b : view.pixels()) {
    if (b != value) return false;
  }
  return true;
}

/// A producer's pool and tap registry feeding a LatestFrame through a sharing tap.
struct Producer {
  std::shared_ptr<Pool<FrameData>> pool = Pool<FrameData>::create(
      4, [] { return FrameData::with_capacity(kBytes); }, [](FrameData& frame) { frame.reset(); });
  TapRegistry registry;
  SharingTap tap = registry.add_sharing_tap("preview", {.frames_held = 2});
  std::optional<LatestFrame> latest{std::in_place, std::move(tap.frames)};
  LatestFrameReader reader = latest->reader();

  /// Fills a pooled frame with `number` (every pixel its low byte), delivers it and gives it
  /// back; returns the pixels' address.
  const std::byte* deliver(std::uint64_t number) {
    LoanedFrame frame = pool->acquire();
    frame->frame_number = number;
    frame->width = kBytes;
    frame->height = 1;
    frame->bit_depth = 8;
    for (auto& b : frame->writable_pixels(kBytes)) b = static_cast<std::byte>(number & 0xff);
    registry.deliver(frame);
    return frame->pixels().data();
  }

  /// Waits (spinning on the counter) until the LatestFrame has received `count` frames.
  void wait_for(std::uint64_t count) const {
    while (reader.frames() < count) std::this_thread::yield();
  }
};

TEST(LatestFrame, NothingToReadBeforeTheFirstFrame) {
  Producer producer;
  FrameData out;
  EXPECT_FALSE(producer.reader.copy_latest(out));
  EXPECT_FALSE(producer.reader.with_latest([](const FrameView&) { FAIL(); }));
  EXPECT_EQ(producer.reader.frames(), 0u);
}

TEST(LatestFrame, TheLatestIsThePooledFrameItselfNotACopy) {
  const test::Watchdog watchdog(60s, "TheLatestIsThePooledFrameItselfNotACopy");
  Producer producer;
  const std::byte* const pixels = producer.deliver(7);
  producer.wait_for(1);
  const std::byte* seen = nullptr;
  ASSERT_TRUE(producer.reader.with_latest([&](const FrameView& frame) {
    seen = frame.pixels().data();
    EXPECT_EQ(frame.frame_number(), 7u);
    EXPECT_TRUE(uniform(frame, std::byte{7}));
  }));
  EXPECT_EQ(seen, pixels) << "zero copy: the preview reads the producer's pooled frame";
  EXPECT_EQ(producer.pool->stats().in_use, 1u) << "the primary is done, the preview holds it";

  producer.deliver(8);
  producer.wait_for(2);
  FrameData copy;
  ASSERT_TRUE(producer.reader.copy_latest(copy));
  EXPECT_EQ(copy.frame_number, 8u);
  EXPECT_TRUE(uniform(copy.view(), std::byte{8}));
  EXPECT_EQ(producer.pool->stats().in_use, 1u) << "newer replaces older: the older went back";
}

TEST(LatestFrame, DeliveryAllocatesAndCopiesNothing) {
  const test::Watchdog watchdog(60s, "DeliveryAllocatesAndCopiesNothing");
  Producer producer;
  producer.deliver(0);  // the first pass may allocate (thread-local state of the registry)
  producer.wait_for(1);
  const auto before = alloc_counter::this_thread();
  for (std::uint64_t n = 1; n <= 1000; ++n) producer.deliver(n);
  EXPECT_EQ(alloc_counter::this_thread().allocations, before.allocations);
  EXPECT_EQ(producer.registry.stats()[0].errors, 0u);
}

TEST(LatestFrame, EndingGivesTheFrameBackAndTheReaderOutlivesIt) {
  const test::Watchdog watchdog(60s, "EndingGivesTheFrameBackAndTheReaderOutlivesIt");
  Producer producer;
  producer.deliver(3);
  producer.wait_for(1);
  producer.latest.reset();  // closes the tap's channel and joins the thread
  EXPECT_EQ(producer.pool->stats().in_use, 0u);
  FrameData out;
  EXPECT_FALSE(producer.reader.copy_latest(out));
  producer.deliver(4);  // the tap drops for itself now
  EXPECT_EQ(producer.pool->stats().in_use, 0u);
  EXPECT_EQ(producer.registry.stats()[0].dropped, 1u);
}

TEST(LatestFrame, ConcurrentReadersNeverSeeAMixOfTwoFrames) {
  const test::Watchdog watchdog(120s, "ConcurrentReadersNeverSeeAMixOfTwoFrames");
  Producer producer;
  const LatestFrameReader reader = producer.reader;
  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> bad{0};
  std::atomic<std::uint64_t> reads{0};
  std::latch started(2);
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&, r] {
      FrameData copy = FrameData::with_capacity(kBytes);
      std::uint64_t last = 0;
      started.count_down();
      while (!done.load()) {
        // One reader copies, the other looks in place.
        std::uint64_t number = 0;
        bool intact = true;
        const auto check = [&](const FrameView& view) {
          number = view.frame_number();
          intact = uniform(view, static_cast<std::byte>(number & 0xff));
        };
        bool got;
        if (r == 0) {
          got = reader.copy_latest(copy);
          if (got) check(copy.view());
        } else {
          got = reader.with_latest(check);
        }
        if (got) {
          if (!intact || number < last) bad.fetch_add(1);  // torn, or back in time
          last = number;
        }
        reads.fetch_add(1);
      }
    });
  }
  started.wait();
  for (std::uint64_t k = 1; k <= kConcurrentFrames; ++k) producer.deliver(k);
  done.store(true);
  for (auto& t : readers) t.join();
  EXPECT_EQ(bad.load(), 0u);
  EXPECT_GT(reads.load(), 0u);
  const TapStats tap = producer.registry.stats()[0];
  EXPECT_EQ(tap.delivered + tap.dropped, kConcurrentFrames);
  producer.wait_for(tap.delivered);
  EXPECT_EQ(reader.frames(), tap.delivered);
}

}  // namespace
}  // namespace daq
