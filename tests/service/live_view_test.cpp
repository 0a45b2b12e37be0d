// The live view's pieces (src/service/): the stream message (header and binned pixels), the
// binning that fits a requested size, auto contrast, and LiveView's fan-out: each viewer its
// own slot, a newer frame replacing one not taken (dropped for that viewer, counted), the
// viewer limit.
#include "live_view.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "contrast.hpp"
#include "daq/pipeline/tap_registry.hpp"
#include "daq/pool/pool.hpp"
#include "daq/service/service_error.hpp"
#include "live_view_message.hpp"

namespace daq::service {
namespace {

using namespace std::chrono_literals;

/// A width x height 16-bit frame, pixel (x, y) = 100 * y + x + n.
FrameData ramp_frame(std::uint32_t width, std::uint32_t height, std::uint64_t n) {
  FrameData frame = FrameData::with_capacity(std::size_t{width} * height * 2);
  std::span<std::byte> bytes = frame.writable_pixels(std::size_t{width} * height * 2);
  for (std::uint32_t y = 0; y < height; ++y) {
    for (std::uint32_t x = 0; x < width; ++x) {
      const auto v = static_cast<std::uint16_t>(100 * y + x + n);
      std::memcpy(bytes.data() + (std::size_t{y} * width + x) * 2, &v, 2);
    }
  }
  frame.frame_number = n;
  frame.hw_frame_nr = static_cast<std::int64_t>(n);
  frame.width = width;
  frame.height = height;
  frame.bit_depth = 12;
  frame.timestamp_ns = 1000 + n;
  return frame;
}

template <class T>
T field(const std::vector<std::byte>& message, std::size_t offset) {
  T value;
  std::memcpy(&value, message.data() + kLiveViewLengthBytes + offset, sizeof value);
  return value;
}

std::uint16_t pixel(const std::vector<std::byte>& message, std::size_t index) {
  return field<std::uint16_t>(message, kLiveViewHeaderBytes + 2 * index);
}

TEST(LiveViewMessage, FittingBinningIsTheSmallestThatFitsBothSides) {
  EXPECT_EQ(fitting_binning(2048, 2048, 1024, 1024), 2U);
  EXPECT_EQ(fitting_binning(2048, 1000, 1024, 100), 10U);
  EXPECT_EQ(fitting_binning(1025, 10, 1024, 1024), 2U);
  EXPECT_EQ(fitting_binning(512, 384, 1024, 1024), 1U);
  EXPECT_EQ(fitting_binning(1 << 20, 1, 16, 16), 64U) << "capped at kMaxImageBinning";
}

TEST(LiveViewMessage, HeaderAndBinnedPixels) {
  const FrameData frame = ramp_frame(8, 6, 7);
  std::vector<std::byte> message;
  encode_live_message(frame.view(), 2, 123456789, message);
  ASSERT_EQ(message.size(), kLiveViewLengthBytes + kLiveViewHeaderBytes + 4 * 3 * 2);
  std::uint32_t length;
  std::memcpy(&length, message.data(), 4);
  EXPECT_EQ(length, message.size() - kLiveViewLengthBytes);
  EXPECT_EQ(field<std::uint32_t>(message, 0), kLiveViewMagic);
  EXPECT_EQ(field<std::uint16_t>(message, 4), kLiveViewHeaderBytes);
  EXPECT_EQ(field<std::uint16_t>(message, 6), 1);
  EXPECT_EQ(field<std::uint64_t>(message, 8), 7U);
  EXPECT_EQ(field<std::int64_t>(message, 16), 7);
  EXPECT_EQ(field<std::uint64_t>(message, 24), 1007U);
  EXPECT_EQ(field<std::uint64_t>(message, 32), 123456789U);
  EXPECT_EQ(field<std::uint32_t>(message, 40), 4U);
  EXPECT_EQ(field<std::uint32_t>(message, 44), 3U);
  EXPECT_EQ(field<std::uint16_t>(message, 48), 12);
  EXPECT_EQ(field<std::uint16_t>(message, 50), 2);
  EXPECT_EQ(field<std::uint32_t>(message, 52), 0U);
  // Block (1, 2): pixels (2..3, 4..5) = 100 * y + x + 7, mean 100 * 4.5 + 2.5 + 7 = 459.5 → 459.
  EXPECT_EQ(pixel(message, 2 * 4 + 1), 459);
  set_frames_skipped(message, 5);
  EXPECT_EQ(field<std::uint32_t>(message, 52), 5U);
}

TEST(Contrast, PercentilesAndTheLinearMap) {
  // 1000 pixels 0..999: the 0.1 % point is the 1st value, the 99.9 % point the 999th.
  FrameData frame = FrameData::with_capacity(2000);
  std::span<std::byte> bytes = frame.writable_pixels(2000);
  for (std::uint16_t i = 0; i < 1000; ++i) std::memcpy(bytes.data() + 2 * i, &i, 2);
  frame.width = 1000;
  frame.height = 1;
  frame.bit_depth = 16;
  const ContrastLimits limits = auto_contrast(frame.view());
  EXPECT_EQ(limits.low, 0U);
  EXPECT_EQ(limits.high, 998U);
  EXPECT_EQ(map_linear(0, {10, 20}), 0);
  EXPECT_EQ(map_linear(10, {10, 20}), 0);
  EXPECT_EQ(map_linear(15, {10, 20}), 128);  // 127.5 rounds up
  EXPECT_EQ(map_linear(20, {10, 20}), 255);
  EXPECT_EQ(map_linear(7, {7, 7}), 0);
}

/// The backend's preview in small: pooled frames shared with a LatestFrame through a tap.
struct Preview {
  std::shared_ptr<Pool<FrameData>> pool = Pool<FrameData>::create(
      3, [] { return FrameData::with_capacity(64 * 64 * 2); },
      [](FrameData& frame) { frame.reset(); });
  TapRegistry registry;
  SharingTap tap = registry.add_sharing_tap("preview", {.frames_held = 2});
  LatestFrame latest{std::move(tap.frames)};
  LatestFrameReader reader = latest.reader();

  /// Delivers a pooled copy of `frame` and waits (spinning on the counter) until it is the
  /// latest.
  void show(const FrameData& frame) {
    const std::uint64_t shown = reader.frames();
    {
      LoanedFrame pooled = pool->acquire();
      static_cast<FrameData&>(*pooled) = frame;
      registry.deliver(pooled);
    }
    while (reader.frames() == shown) std::this_thread::yield();
  }
};

TEST(LiveView, EachViewerGetsTheNewestFrameBinnedToItsSize) {
  Preview preview;
  LiveView live([&] { return std::optional(preview.reader); }, {.fps = 200, .max_viewers = 4});
  auto small = live.connect(4, 4);
  auto large = live.connect(64, 64);
  const FrameData frame = ramp_frame(16, 8, 3);
  preview.show(frame);
  std::vector<std::byte> message;
  ASSERT_TRUE(small->take(message, 10s));
  EXPECT_EQ(field<std::uint64_t>(message, 8), 3U);
  EXPECT_EQ(field<std::uint32_t>(message, 40), 4U);
  EXPECT_EQ(field<std::uint16_t>(message, 50), 4) << "16 x 8 fits 4 x 4 binned 4";
  ASSERT_TRUE(large->take(message, 10s));
  EXPECT_EQ(field<std::uint32_t>(message, 40), 16U);
  EXPECT_EQ(field<std::uint16_t>(message, 50), 1);
  EXPECT_FALSE(large->take(message, 50ms)) << "no new frame: nothing to take";
  live.disconnect(small);
  live.disconnect(large);
  EXPECT_EQ(live.counters().viewers, 0U);
}

TEST(LiveView, ASlowViewerIsDroppedForAndGetsTheNewest) {
  Preview preview;
  LiveView live([&] { return std::optional(preview.reader); }, {.fps = 200, .max_viewers = 4});
  auto slow = live.connect(64, 64);
  auto fast = live.connect(64, 64);
  std::vector<std::byte> message;
  for (std::uint64_t n = 1; n <= 5; ++n) {
    const FrameData frame = ramp_frame(16, 8, n);
    preview.show(frame);
    ASSERT_TRUE(fast->take(message, 10s));  // taken only after the live view offered frame n
    EXPECT_EQ(field<std::uint64_t>(message, 8), n);
  }
  EXPECT_EQ(live.counters().frames_shown, 5U);
  EXPECT_EQ(live.counters().frames_dropped, 4U) << "the slow viewer's four replaced frames";
  ASSERT_TRUE(slow->take(message, 10s));
  EXPECT_EQ(field<std::uint64_t>(message, 8), 5U) << "newer replaces older";
  EXPECT_EQ(field<std::uint32_t>(message, 52), 4U) << "the viewer is told what it missed";
}

TEST(LiveView, ViewersPastTheLimitAreRefused) {
  Preview preview;
  LiveView live([&] { return std::optional(preview.reader); }, {.fps = 10, .max_viewers = 2});
  auto a = live.connect(64, 64);
  auto b = live.connect(64, 64);
  try {
    (void)live.connect(64, 64);
    FAIL() << "a third viewer was accepted";
  } catch (const ServiceError& e) {
    EXPECT_EQ(e.code(), ErrorCode::resource_exhausted);
    EXPECT_NE(std::string(e.what()).find("--max-preview-viewers"), std::string::npos);
  }
  live.disconnect(a);
  EXPECT_NO_THROW((void)live.connect(64, 64));
}

TEST(LiveView, ClosingWakesAWaitingViewer) {
  Preview preview;
  auto live = std::make_unique<LiveView>([&] { return std::optional(preview.reader); },
                                         LiveViewOptions{.fps = 10, .max_viewers = 1});
  auto viewer = live->connect(64, 64);
  std::thread reader([&] {
    std::vector<std::byte> message;
    EXPECT_FALSE(viewer->take(message, 60s));
  });
  live.reset();
  reader.join();
}

}  // namespace
}  // namespace daq::service
