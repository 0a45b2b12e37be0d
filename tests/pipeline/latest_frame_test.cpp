#include "daq/pipeline/observers/latest_frame.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <latch>
#include <stdexcept>
#include <thread>
#include <vector>

#include "daq/pipeline/tap_registry.hpp"
#include "daq/pool/alloc_counter.hpp"
#include "watchdog.hpp"

namespace daq {
namespace {

using namespace std::chrono_literals;

#ifdef DAQ_SANITIZED
constexpr std::uint64_t kConcurrentFrames = 2'000;
#else
constexpr std::uint64_t kConcurrentFrames = 20'000;
#endif

// A frame of `bytes` bytes, every byte equal to the low byte of `number`.
FrameData numbered_frame(std::uint64_t number, std::size_t bytes = 1024) {
  FrameData frame = FrameData::with_capacity(bytes);
  frame.frame_number = number;
  frame.width = static_cast<std::uint32_t>(bytes);
  frame.height = 1;
  frame.bit_depth = 8;
  frame.temperature_c = -30.5;
  for (auto& b : frame.writable_pixels(bytes)) b = static_cast<std::byte>(number & 0xff);
  return frame;
}

bool uniform(const FrameView& view, std::byte value) {
  for (std::byte b : view.pixels()) {
    if (b != value) return false;
  }
  return true;
}

TEST(LatestFrame, RejectsZeroMaxBytes) {
  EXPECT_THROW(LatestFrame(0), std::invalid_argument);
}

TEST(LatestFrame, NothingToReadBeforeTheFirstFrame) {
  LatestFrame latest(1024);
  const LatestFrameReader reader = latest.reader();
  FrameData out;
  EXPECT_FALSE(reader.copy_latest(out));
  EXPECT_FALSE(reader.with_latest([](const FrameView&) { ADD_FAILURE() << "no frame yet"; }));
  EXPECT_EQ(reader.frames(), 0u);
  EXPECT_EQ(latest.name(), "latest_frame");
}

TEST(LatestFrame, ReaderGetsTheNewestFrameAsCopyOrView) {
  LatestFrame latest(1024, "preview");
  const LatestFrameReader reader = latest.reader();
  for (std::uint64_t n = 1; n <= 3; ++n) {
    const FrameData frame = numbered_frame(n, 1000);
    latest.on_frame(frame.view());
  }
  FrameData copy;
  ASSERT_TRUE(reader.copy_latest(copy));
  const FrameData expected = numbered_frame(3, 1000);
  EXPECT_EQ(static_cast<const FrameMetadata&>(copy), static_cast<const FrameMetadata&>(expected));
  EXPECT_EQ(copy.actual_len, 1000u);
  EXPECT_TRUE(uniform(copy.view(), std::byte{3}));

  std::uint64_t seen = 0;
  EXPECT_TRUE(reader.with_latest([&](const FrameView& view) { seen = view.frame_number(); }));
  EXPECT_EQ(seen, 3u);
  EXPECT_EQ(reader.frames(), 3u);
  EXPECT_EQ(latest.name(), "preview");

  // Reading again without a new frame still gives the newest one.
  ASSERT_TRUE(reader.copy_latest(copy));
  EXPECT_EQ(copy.frame_number, 3u);
}

TEST(LatestFrame, FrameLargerThanMaxBytesThrows) {
  LatestFrame latest(100);
  const FrameData frame = numbered_frame(1, 101);
  EXPECT_THROW(latest.on_frame(frame.view()), std::length_error);
  EXPECT_EQ(latest.reader().frames(), 0u);
}

TEST(LatestFrame, ReaderOutlivesTheObserverRegisteredInARegistry) {
  TapRegistry registry;
  auto owned = std::make_unique<LatestFrame>(1024);
  const LatestFrameReader reader = owned->reader();
  const auto handle = registry.register_observer(std::move(owned));
  for (std::uint64_t n = 0; n < 4; ++n) {
    const FrameData frame = numbered_frame(n);
    registry.deliver(frame.view());
  }
  EXPECT_TRUE(registry.unregister(handle));
  FrameData copy;
  ASSERT_TRUE(reader.copy_latest(copy));
  EXPECT_EQ(copy.frame_number, 3u);
}

TEST(LatestFrame, OnFrameAndCopyIntoALargeEnoughFrameAllocateNothing) {
  LatestFrame latest(4096);
  const LatestFrameReader reader = latest.reader();
  const FrameData frame = numbered_frame(9, 4096);
  FrameData out = FrameData::with_capacity(4096);
  const auto before = alloc_counter::this_thread();
  for (int i = 0; i < 1000; ++i) {
    latest.on_frame(frame.view());
    ASSERT_TRUE(reader.copy_latest(out));
  }
  EXPECT_EQ(alloc_counter::this_thread().allocations, before.allocations);
  EXPECT_TRUE(uniform(out.view(), std::byte{9}));
}

TEST(LatestFrame, ConcurrentReadersNeverSeeAMixOfTwoFrames) {
  test::Watchdog watchdog(120s, "ConcurrentReadersNeverSeeAMixOfTwoFrames");
  LatestFrame latest(4096);
  const LatestFrameReader reader = latest.reader();
  std::vector<FrameData> frames;
  for (std::uint64_t v = 0; v < 256; ++v) frames.push_back(numbered_frame(v, 4096));

  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> bad{0};
  std::atomic<std::uint64_t> reads{0};
  std::latch started(2);
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&, r] {
      FrameData copy = FrameData::with_capacity(4096);
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
  for (std::uint64_t k = 0; k < kConcurrentFrames; ++k) {
    FrameData& frame = frames[k % 256];
    frame.frame_number = k;  // pixels hold k & 0xff
    latest.on_frame(frame.view());
  }
  done.store(true);
  for (auto& t : readers) t.join();
  EXPECT_EQ(bad.load(), 0u);
  EXPECT_GT(reads.load(), 0u);
  EXPECT_EQ(reader.frames(), kConcurrentFrames);
  FrameData last;
  ASSERT_TRUE(reader.copy_latest(last));
  EXPECT_EQ(last.frame_number, kConcurrentFrames - 1);
}

}  // namespace
}  // namespace daq
