// The simulated sensors' schedule (internal to src/camera/sim): exact due times of paced and
// free-running frames under stalls, bursts and gaps, and where the stream ends.
#include "sensor_schedule.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace daq::sim {
namespace {

using namespace std::chrono_literals;
using Event = SensorSchedule::Event;

TEST(SensorSchedule, PacedFramesFollowStallsAndBursts) {
  SensorSchedule s({.fps = 20.0}, parse_faults("stall@2:100,burst@4:8,gap@14:2"));
  const Clock::time_point t0{};
  s.restart(t0, 0);
  std::vector<std::pair<std::uint64_t, Clock::duration>> due;
  for (int i = 0; i < 16; ++i) {
    const auto step = s.next();
    ASSERT_EQ(step.event, Event::frame);
    due.emplace_back(step.index, step.due - t0);
  }
  EXPECT_EQ(due[0], std::pair(std::uint64_t{0}, Clock::duration(50ms)));
  EXPECT_EQ(due[1], std::pair(std::uint64_t{1}, Clock::duration(100ms)));
  EXPECT_EQ(due[2], std::pair(std::uint64_t{2}, Clock::duration(250ms))) << "stall of 100 ms";
  EXPECT_EQ(due[3], std::pair(std::uint64_t{3}, Clock::duration(300ms)));
  for (std::size_t i = 4; i < 12; ++i) {
    EXPECT_EQ(due[i], std::pair(std::uint64_t{i}, Clock::duration(350ms))) << "burst frame " << i;
  }
  EXPECT_EQ(due[12], std::pair(std::uint64_t{12}, Clock::duration(400ms)));
  EXPECT_EQ(due[13], std::pair(std::uint64_t{13}, Clock::duration(450ms)));
  // The gap skips 14 and 15, which keep their time slots.
  EXPECT_EQ(due[14], std::pair(std::uint64_t{16}, Clock::duration(600ms)));
  EXPECT_EQ(due[15], std::pair(std::uint64_t{17}, Clock::duration(650ms)));
}

TEST(SensorSchedule, FreeRunningFramesFollowTheLastExposure) {
  SensorSchedule s({.fps = 0.0, .exposure_ms = 10.0}, parse_faults("stall@1:5"));
  EXPECT_FALSE(s.paced());
  const Clock::time_point t0{};
  s.restart(t0, 0);
  const auto first = s.next();
  EXPECT_EQ(first.due - t0, Clock::duration(10ms));
  s.exposed(t0 + 30ms);  // the buffer was full: exposed late
  const auto second = s.next();
  EXPECT_EQ(second.index, 1u);
  EXPECT_EQ(second.due - t0, Clock::duration(45ms)) << "30 + 10 + the 5 ms stall";
}

TEST(SensorSchedule, EndsAtTheFrameCountOrTheInjectedFailure) {
  SensorSchedule counted({.fps = 0.0}, parse_faults("gap@1:1"));
  counted.restart(Clock::time_point{}, 3);
  EXPECT_EQ(counted.next().index, 0u);
  EXPECT_EQ(counted.next().index, 2u);
  const auto end = counted.next();
  EXPECT_EQ(end.event, Event::finished);
  EXPECT_EQ(counted.next().event, Event::finished);

  SensorSchedule failing({}, parse_faults("disconnect@2,sdk_error@2,stall@3:1"));
  failing.restart(Clock::time_point{}, 0);
  EXPECT_EQ(failing.next().event, Event::frame);
  EXPECT_EQ(failing.next().event, Event::frame);
  const auto failure = failing.next();
  EXPECT_EQ(failure.event, Event::disconnect) << "the first fault listed at a frame wins";
  EXPECT_EQ(failure.index, 2u);
  EXPECT_EQ(failing.next().event, Event::disconnect) << "the end is sticky";
}

TEST(SensorSchedule, RestartBeginsAgainAtIndexZero) {
  SensorSchedule s({.fps = 100.0}, parse_faults("gap@0:2"));
  for (int round = 0; round < 2; ++round) {
    s.restart(Clock::time_point{}, 0);
    EXPECT_EQ(s.next().index, 2u);
    EXPECT_EQ(s.next().index, 3u);
  }
}

TEST(SensorSchedule, EachRestartHasItsOwnFrameCount) {
  SensorSchedule s({.fps = 0.0}, {});
  for (const std::uint64_t count : {2u, 4u, 1u}) {
    s.restart(Clock::time_point{}, count);
    for (std::uint64_t i = 0; i < count; ++i) EXPECT_EQ(s.next().event, Event::frame);
    EXPECT_EQ(s.next().event, Event::finished) << "after " << count << " frames";
  }
}

}  // namespace
}  // namespace daq::sim
