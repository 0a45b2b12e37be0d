// pool_plan(): the frames and bytes of the camera's pool for a series' settings — the driver's
// plan or --pool-frames, the stream's frames and headroom, the instrument's tap frames.
#include "daq/acquisition/pool_plan.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <limits>

#include "daq/pool/frame_data.hpp"
#include "daq/pool/page_memory.hpp"

namespace daq::acquisition {
namespace {

Settings series(const char* out) {
  Settings s;
  set(s, "pool-frames", "16");
  if (*out != '\0') set(s, "out", out);
  return s;
}

TEST(StreamPoolNeeds, NothingWithoutAStream) {
  EXPECT_EQ(stream_pool_needs(series("a.h5")), StreamPoolNeeds{});
}

TEST(StreamPoolNeeds, BesideAWriterHwmFramesAndAPageOfHeadroomWhenUncompressed) {
  Settings s = series("a.h5");
  set(s, "stream", "tcp://*:31001");
  set(s, "stream-hwm", "8");
  EXPECT_EQ(stream_pool_needs(s), (StreamPoolNeeds{8, PageMemory::page_size()}));
  set(s, "stream-compression", "bslz4");
  EXPECT_EQ(stream_pool_needs(s), (StreamPoolNeeds{8, 0})) << "compressed images are copies";
}

TEST(StreamPoolNeeds, AsTheOnlyOutputHwmInFlightPlusTwoAndAPageOfHeadroomWhenUncompressed) {
  Settings s = series("");
  set(s, "stream", "tcp://*:31001");
  set(s, "stream-hwm", "8");
  EXPECT_FALSE(s.writes_file());
  EXPECT_EQ(stream_pool_needs(s), (StreamPoolNeeds{10, PageMemory::page_size()}));
  set(s, "stream-compression", "lz4");
  EXPECT_EQ(stream_pool_needs(s), (StreamPoolNeeds{2, 0}))
      << "compressed images are encoded into the sender's buffers: no frame stays in flight";
}

TEST(PoolPlan, TheDriversPlanUnlessPoolFramesWasGiven) {
  Settings s;  // --pool-frames not given: its default, 16, unless the driver plans
  EXPECT_EQ(pool_plan(s, 0, 0).camera_frames, 16u);
  EXPECT_EQ(pool_plan(s, 40, 0).camera_frames, 40u);
  set(s, "pool-frames", "24");
  EXPECT_EQ(pool_plan(s, 40, 0).camera_frames, 24u) << "a given --pool-frames wins";
}

TEST(PoolPlan, CountsTheStreamsAndTheTapsFramesAndEveryFramesHeadroom) {
  const std::size_t page = PageMemory::page_size();
  Settings s = series("a.h5");
  set(s, "stream", "tcp://*:31001");
  set(s, "stream-hwm", "8");
  const PoolPlan plan = pool_plan(s, 0, 2);
  EXPECT_EQ(plan.frames(), 16u + 8u + 2u);
  EXPECT_EQ(plan.stream.frames, 8u);
  EXPECT_EQ(plan.tap_frames, 2u);
  EXPECT_EQ(plan.headroom_bytes(), page);
  // Frames of a page and a byte: two pages of pixels and one of headroom each.
  EXPECT_EQ(plan.bytes(page + 1), 26 * 3 * page);
  EXPECT_EQ(plan.bytes(page + 1), 26 * FrameData::mapped_bytes(page + 1, page));
}

TEST(PoolPlan, BytesBeyondSizeTAreTheLargestSizeT) {
  const PoolPlan plan = pool_plan(series("a.h5"), 0, 0);
  constexpr std::size_t kMax = std::numeric_limits<std::size_t>::max();
  EXPECT_EQ(plan.bytes(kMax / 4), kMax);
  EXPECT_EQ(plan.bytes(0), 0u);
}

}  // namespace
}  // namespace daq::acquisition
