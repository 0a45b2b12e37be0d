// FrameIdUnwrapper: 16-bit GigE Vision ids (1..65535, 0 skipped) and 64-bit ids.
#include <gtest/gtest.h>

#include <cstdint>

#include "frame_id_unwrapper.hpp"

namespace {

using daq::camera::aravis_detail::FrameIdUnwrapper;

TEST(AravisFrameIdUnwrapper, FirstIdKeepsItsValue) {
  FrameIdUnwrapper u(65535);
  const auto r = u.next(65401);
  EXPECT_EQ(r.number, 65401);
  EXPECT_EQ(r.lost, 0u);
}

TEST(AravisFrameIdUnwrapper, ConsecutiveIdsAcrossTheWrapAreMonotonicWithoutLoss) {
  FrameIdUnwrapper u(65535);
  std::int64_t expected = 65533;
  EXPECT_EQ(u.next(65533).number, expected);
  for (std::uint64_t id : {65534u, 65535u, 1u, 2u, 3u}) {
    const auto r = u.next(id);
    EXPECT_EQ(r.number, ++expected) << "id " << id;
    EXPECT_EQ(r.lost, 0u) << "id " << id;
  }
}

TEST(AravisFrameIdUnwrapper, GapAcrossTheWrapCountsOnlyRealIds) {
  FrameIdUnwrapper u(65535);
  u.next(65534);
  // 65535 and 1 are missing (0 is not an id).
  const auto r = u.next(2);
  EXPECT_EQ(r.number, 65534 + 3);
  EXPECT_EQ(r.lost, 2u);
}

TEST(AravisFrameIdUnwrapper, ManyWrapsStayMonotonic) {
  FrameIdUnwrapper u(65535);
  std::uint64_t id = 60000;
  std::int64_t last = u.next(id).number;
  for (int i = 0; i < 200'000; ++i) {
    id = id == 65535 ? 1 : id + 1;
    const auto r = u.next(id);
    ASSERT_EQ(r.number, last + 1);
    last = r.number;
  }
  EXPECT_EQ(last, 60000 + 200'000);
}

TEST(AravisFrameIdUnwrapper, SixtyFourBitIdsAreTakenAsTheyAre) {
  FrameIdUnwrapper u(0);
  EXPECT_EQ(u.next(70000).number, 70000);
  const auto r = u.next(70005);
  EXPECT_EQ(r.number, 70005);
  EXPECT_EQ(r.lost, 4u);
}

TEST(AravisFrameIdUnwrapper, AnIdAboveThePeriodSwitchesToSixtyFourBit) {
  FrameIdUnwrapper u(65535);
  u.next(65535);
  const auto r = u.next(65540);  // an extended-id camera after all
  EXPECT_EQ(r.number, 65540);
  EXPECT_EQ(r.lost, 4u);
}

// Aravis hands out repeated and late (out-of-order) frame ids when packets go missing; counting
// them as new frames would shift every later number (measured with arv-fake-gv-camera -r 100).
TEST(AravisFrameIdUnwrapper, RepeatedAndLateIdsAreStaleAndChangeNothing) {
  FrameIdUnwrapper u(65535);
  u.next(10);
  u.next(11);
  const auto repeated = u.next(11);
  EXPECT_TRUE(repeated.stale);
  const auto late = u.next(9);
  EXPECT_TRUE(late.stale);
  const auto next = u.next(12);
  EXPECT_FALSE(next.stale);
  EXPECT_EQ(next.number, 12);
  EXPECT_EQ(next.lost, 0u);
}

TEST(AravisFrameIdUnwrapper, LateIdJustBeforeTheWrapIsStaleNotAHugeGap) {
  FrameIdUnwrapper u(65535);
  u.next(65535);
  u.next(1);
  const auto late = u.next(65535);  // behind by one, across the wrap
  EXPECT_TRUE(late.stale);
  const auto next = u.next(2);
  EXPECT_EQ(next.number, 65537);
  EXPECT_EQ(next.lost, 0u);
}

TEST(AravisFrameIdUnwrapper, SixtyFourBitIdsGoingBackAreStale) {
  FrameIdUnwrapper u(0);
  u.next(70000);
  EXPECT_TRUE(u.next(69999).stale);
  EXPECT_TRUE(u.next(70000).stale);
  EXPECT_EQ(u.next(70001).number, 70001);
}

TEST(AravisFrameIdUnwrapper, ResetRestartsFromTheNextId) {
  FrameIdUnwrapper u(65535);
  u.next(10);
  u.reset();
  const auto r = u.next(500);
  EXPECT_EQ(r.number, 500);
  EXPECT_FALSE(r.stale);
}

}  // namespace
