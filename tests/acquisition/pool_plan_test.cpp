// pool_plan(): the frames and bytes of the camera's pool for a series' settings — the driver's
// plan or --pool-frames, the stream's frames and headroom, the instrument's tap frames.
#include "daq/acquisition/pool_plan.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <limits>
#include <string>

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

TEST(PoolPlan, SaysWhereTheCamerasFramesComeFrom) {
  Settings s;
  EXPECT_EQ(pool_plan(s, 0, 0).camera_frames_from, CameraFramesFrom::pool_frames_default);
  EXPECT_EQ(pool_plan(s, 40, 0).camera_frames_from, CameraFramesFrom::driver_plan);
  set(s, "pool-frames", "24");
  EXPECT_EQ(pool_plan(s, 40, 0).camera_frames_from, CameraFramesFrom::pool_frames_flag);
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

/// A limit of `most` frames of 1000 bytes (one page mapped each) in 100000 usable bytes.
PoolLimit limit_of(std::size_t most) {
  return {.frame_bytes = 1000, .mapped_bytes = 4096, .usable_bytes = 100000, .most_frames = most};
}

/// The pool beside a writer and a compressed stream of `hwm` frames, with --pool-frames
/// `pool_frames` unless empty, on a camera whose driver plans `driver_frames` buffers.
PoolPlan streamed_pool(const char* hwm, const char* pool_frames, std::size_t driver_frames) {
  Settings s;
  set(s, "out", "a.h5");
  if (*pool_frames != '\0') set(s, "pool-frames", pool_frames);
  set(s, "stream", "tcp://*:31001");
  set(s, "stream-hwm", hwm);
  set(s, "stream-compression", "lz4");  // no headroom: the limit above is the frame's own
  return pool_plan(s, driver_frames, 0);
}

TEST(PoolRefusal, AGivenPoolFramesGetsItsOwnLimitBesideTheStreamsFrames) {
  EXPECT_EQ(pool_refusal(streamed_pool("8", "20", 0), limit_of(24)),
            "--pool-frames: must be 1..16 for frames of 1000 bytes (4096 bytes mapped per frame), "
            "got 20: the pool of 28 frames (8 for the stream) would exceed the 100000 bytes this "
            "process may use (physical memory or cgroup limit)");
}

TEST(PoolRefusal, PoolFramesNotGivenSaysWhoChoseTheCamerasFramesAndNoValueGot) {
  const std::string tail =
      " in the pool of 48 frames (8 for the stream) would exceed the 100000 bytes this process "
      "may use (physical memory or cgroup limit) for frames of 1000 bytes (4096 bytes mapped per "
      "frame): give --pool-frames 1..16";
  EXPECT_EQ(pool_refusal(streamed_pool("8", "", 40), limit_of(24)),
            "--pool-frames: not given, the camera's 40 frames (the driver's plan)" + tail);
  EXPECT_EQ(pool_refusal(streamed_pool("32", "", 0), limit_of(40)),
            "--pool-frames: not given, the camera's 16 frames (--pool-frames' default) in the "
            "pool of 48 frames (32 for the stream) would exceed the 100000 bytes this process "
            "may use (physical memory or cgroup limit) for frames of 1000 bytes (4096 bytes "
            "mapped per frame): give --pool-frames 1..8");
}

TEST(PoolRefusal, TheStreamsFramesAloneNameStreamHwm) {
  EXPECT_EQ(pool_refusal(streamed_pool("24", "4", 0), limit_of(24)),
            "--stream-hwm: the pool's 24 frames beyond the camera's (24 for the stream) leave no "
            "room for one camera frame: at most 24 frames of 1000 bytes (4096 bytes mapped per "
            "frame) fit in the 100000 bytes this process may use (physical memory or cgroup "
            "limit)");
}

TEST(PoolRefusal, NotEvenOneFrameNamesTheFrameSize) {
  EXPECT_EQ(pool_refusal(streamed_pool("8", "4", 0), limit_of(0)),
            "--width, --height, --bit-depth: a frame of 1000 bytes (4096 bytes mapped per frame) "
            "exceeds the 100000 bytes this process may use (physical memory or cgroup limit)");
}

}  // namespace
}  // namespace daq::acquisition
