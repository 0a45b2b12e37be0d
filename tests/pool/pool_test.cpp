#include "daq/pool.hpp"

#include <gtest/gtest.h>

#include "lifetime_tracker.hpp"

namespace daq {
namespace {

TEST(Pool, CreatesAllObjectsUpFront) {
  test::LifetimeCounts counts;
  {
    auto pool = Pool<test::Tracked>::create(4, [&] { return test::Tracked(counts); });
    EXPECT_EQ(pool->capacity(), 4u);
    EXPECT_EQ(pool->available(), 4u);
    auto a = pool->try_acquire();
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(pool->available(), 3u);
  }
  EXPECT_EQ(counts.alive(), 0);
}

}  // namespace
}  // namespace daq
