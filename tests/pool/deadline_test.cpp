#include "daq/pool/detail/deadline.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <limits>
#include <mutex>

namespace daq::detail {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(Deadline, EndlessTimeoutsSaturateToNoDeadline) {
  EXPECT_EQ(deadline_after(std::chrono::hours::max()), kNoDeadline);
  EXPECT_EQ(deadline_after(std::chrono::nanoseconds::max()), kNoDeadline);
  EXPECT_EQ(deadline_after(std::chrono::duration<double>(std::numeric_limits<double>::max())),
            kNoDeadline);
  EXPECT_EQ(deadline_after(std::chrono::duration<double>(std::numeric_limits<double>::infinity())),
            kNoDeadline);
}

TEST(Deadline, OrdinaryTimeoutsAreNowPlusTheTimeoutRoundedUp) {
  const auto before = Clock::now();
  const Deadline deadline = deadline_after(std::chrono::duration<double, std::milli>(1.5));
  const auto after = Clock::now();
  EXPECT_GE(deadline, before + 1500us);
  EXPECT_LE(deadline, after + 1500us);
  EXPECT_GE(deadline_after(24h), before + 24h);
}

TEST(Deadline, ZeroAndNegativeTimeoutsAreNow) {
  const auto before = Clock::now();
  const Deadline zero = deadline_after(0s);
  const Deadline negative = deadline_after(-1h);
  const Deadline most_negative = deadline_after(std::chrono::hours::min());
  const auto after = Clock::now();
  for (const Deadline d : {zero, negative, most_negative}) {
    EXPECT_GE(d, before);
    EXPECT_LE(d, after);
  }
}

TEST(Deadline, WaitUntilReturnsTheConditionAtThePassedDeadline) {
  std::mutex mutex;
  std::condition_variable cv;
  std::unique_lock lock(mutex);
  int checks = 0;
  const bool ready = wait_until(cv, lock, deadline_after(1ms), [&] {
    ++checks;
    return false;
  });
  EXPECT_FALSE(ready);
  EXPECT_GE(checks, 2) << "checked before waiting and once more at the deadline";
  EXPECT_TRUE(wait_until(cv, lock, kNoDeadline, [] { return true; }));
}

}  // namespace
}  // namespace daq::detail
