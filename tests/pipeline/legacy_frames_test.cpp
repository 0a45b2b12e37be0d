#include "daq/pipeline/legacy_frames.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstddef>

#include "daq/pool/alloc_counter.hpp"

namespace daq {
namespace {

struct TestFrame {
  std::array<std::byte, 64> pixels{};
  FrameMetadata metadata;
  explicit TestFrame(std::uint64_t number) {
    for (std::size_t i = 0; i < pixels.size(); ++i) {
      pixels[i] = static_cast<std::byte>(i + number);
    }
    metadata.frame_number = number;
    metadata.width = 8;
    metadata.height = 8;
    metadata.bit_depth = 8;
    metadata.temperature_c = -5.0;
  }
  FrameView view() const { return FrameView(pixels, metadata); }
};

TEST(LegacyBroadcast, EverySubscriberGetsTheSameHeapCopyOfEveryFrame) {
  LegacyBroadcast broadcast;
  auto a = broadcast.subscribe(4);
  auto b = broadcast.subscribe(4);
  EXPECT_TRUE(broadcast.has_subscribers());
  const TestFrame frame(7);
  broadcast.publish(frame.view());
  auto fa = a.try_recv();
  auto fb = b.try_recv();
  ASSERT_TRUE(fa && fb);
  EXPECT_EQ(fa->get(), fb->get());  // one Frame, shared
  EXPECT_EQ(static_cast<const FrameMetadata&>(**fa), frame.metadata);
  ASSERT_EQ((*fa)->pixels.size(), frame.pixels.size());
  EXPECT_TRUE(std::equal(frame.pixels.begin(), frame.pixels.end(), (*fa)->pixels.begin()));
  EXPECT_NE(static_cast<const void*>((*fa)->pixels.data()),
            static_cast<const void*>(frame.pixels.data()));  // a copy, not a view
  EXPECT_EQ((*fa)->view().frame_number(), 7u);
  EXPECT_EQ(broadcast.stats().frames_published, 1u);
}

TEST(LegacyBroadcast, PublishAllocatesPerFrame) {
  LegacyBroadcast broadcast;
  auto rx = broadcast.subscribe(64);
  const TestFrame frame(1);
  const auto before = alloc_counter::this_thread();
  for (int i = 0; i < 10; ++i) broadcast.publish(frame.view());
  const auto after = alloc_counter::this_thread();
  // make_shared<Frame> + the pixel vector, per frame.
  EXPECT_GE(after.allocations - before.allocations, 20u);
  EXPECT_EQ(rx.size(), 10u);
}

TEST(LegacyBroadcast, AFullSubscriberLagsWithoutHoldingUpOthers) {
  LegacyBroadcast broadcast;
  auto slow = broadcast.subscribe(1);
  auto fast = broadcast.subscribe(8);
  for (std::uint64_t n = 0; n < 3; ++n) broadcast.publish(TestFrame(n).view());
  EXPECT_EQ(broadcast.stats().frames_lagged, 2u);
  EXPECT_EQ(slow.size(), 1u);
  EXPECT_EQ(fast.size(), 3u);
  EXPECT_EQ(slow.try_recv().value()->frame_number, 0u);
}

TEST(LegacyBroadcast, AGoneSubscriberIsForgotten) {
  LegacyBroadcast broadcast;
  auto kept = broadcast.subscribe(4);
  {
    auto gone = broadcast.subscribe(4);
    EXPECT_EQ(broadcast.stats().subscribers, 2u);
  }
  broadcast.publish(TestFrame(0).view());
  EXPECT_EQ(broadcast.stats().subscribers, 1u);
  EXPECT_EQ(kept.size(), 1u);
}

TEST(LegacyBroadcast, TheSingleReceiverIsTakenOncePerStream) {
  LegacyBroadcast broadcast;
  auto first = broadcast.take_receiver(4);
  ASSERT_TRUE(first.has_value());
  EXPECT_FALSE(broadcast.take_receiver(4).has_value());
  broadcast.publish(TestFrame(3).view());
  broadcast.close_all();  // the stream ended
  EXPECT_FALSE(broadcast.has_subscribers());
  auto frame = first->recv();
  ASSERT_TRUE(frame.has_value());
  EXPECT_EQ((*frame)->frame_number, 3u);
  EXPECT_FALSE(first->recv().has_value());  // closed and drained
  EXPECT_TRUE(broadcast.take_receiver(4).has_value());
}

TEST(LegacyBroadcast, ZeroCapacityIsRejected) {
  LegacyBroadcast broadcast;
  EXPECT_THROW((void)broadcast.subscribe(0), std::invalid_argument);
  EXPECT_FALSE(broadcast.has_subscribers());
}

}  // namespace
}  // namespace daq
