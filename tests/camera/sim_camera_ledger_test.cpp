// SimCamera through the shared delivery loop: each injected fault shows up in the ledger as
// exactly the injected losses (or none), and a loop slower than a paced camera loses frames
// that the ledger records as hardware gaps.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "daq/camera/sim_camera.hpp"
#include "daq/pool/log.hpp"
#include "stream_to_end.hpp"

namespace daq {
namespace {

using namespace std::chrono_literals;

using conformance::SlowObserver;
using conformance::StreamOutcome;

/// Runs `config` to its end with a primary that takes everything; `observer` may slow the loop.
StreamOutcome run(SimConfig config, std::unique_ptr<FrameObserver> observer = nullptr) {
  auto camera = make_sim_camera(std::move(config));
  if (observer) camera->register_observer(std::move(observer));
  return conformance::stream_to_end(*camera, 0);
}

SimConfig finite(std::uint64_t frames, const char* faults) {
  SimConfig c;
  c.width = 48;
  c.height = 32;
  c.frame_count = frames;
  c.faults = parse_faults(faults);
  return c;
}

TEST(SimCameraLedger, GapsAreExactlyTheLostHardwareFrames) {
  const StreamOutcome o = run(finite(60, "gap@10:5,gap@30:1,gap@41:12"));
  EXPECT_EQ(o.stats.stop_reason, StopReason::finished);
  EXPECT_EQ(o.ledger.lost_hw_frames, 18u);
  EXPECT_EQ(o.ledger.lost_hw_ranges, (std::vector<FrameRange>{{10, 14}, {30, 30}, {41, 52}}));
  EXPECT_EQ(o.ledger.produced, 42u);
  EXPECT_EQ(o.ledger.delivered, 42u);
  EXPECT_EQ(o.ledger.dropped, 0u);
}

TEST(SimCameraLedger, StallAndBurstLoseNothing) {
  SimConfig c = finite(40, "stall@5:30,burst@10:20");
  c.fps = 500.0;
  c.buffer_frames = 1024;  // the burst, and a loop descheduled on a busy machine, fit
  const StreamOutcome o = run(std::move(c));
  EXPECT_EQ(o.stats.stop_reason, StopReason::finished);
  EXPECT_EQ(o.ledger.lost_hw_frames, 0u);
  EXPECT_EQ(o.ledger.produced, 40u);
  EXPECT_EQ(o.ledger.delivered, 40u);
}

TEST(SimCameraLedger, SdkErrorStopsTheStreamWithTheSdkMessage) {
  const StreamOutcome o = run(finite(0, "gap@3:2,sdk_error@12"));
  EXPECT_EQ(o.stats.stop_reason, StopReason::source_failed);
  EXPECT_NE(o.stats.stop_message.find("SDK error (injected) while reading out frame 12"),
            std::string::npos)
      << o.stats.stop_message;
  EXPECT_EQ(o.ledger.produced, 10u);
  EXPECT_EQ(o.ledger.lost_hw_ranges, (std::vector<FrameRange>{{3, 4}}));
}

TEST(SimCameraLedger, DisconnectStopsTheStreamAfterTheBufferedFrames) {
  const StreamOutcome o = run(finite(0, "disconnect@9"));
  EXPECT_EQ(o.stats.stop_reason, StopReason::source_failed);
  EXPECT_NE(o.stats.stop_message.find("camera disconnected (injected) before frame 9"),
            std::string::npos)
      << o.stats.stop_message;
  EXPECT_EQ(o.ledger.produced, 9u);
  EXPECT_EQ(o.ledger.lost_hw_frames, 0u);
}

/// Simulates a consumer that holds up the delivery thread (an observer must not block; this
/// one does on purpose, to make the loop slower than the camera).
TEST(SimCameraLedger, LoopSlowerThanAPacedCameraRecordsTheOverrunAsLostFrames) {
  SimConfig c = finite(80, "");
  c.fps = 2000.0;  // 0.5 ms per frame against 2 ms per frame in the loop
  c.buffer_frames = 4;
  const StreamOutcome o = run(std::move(c), std::make_unique<SlowObserver>());
  EXPECT_EQ(o.stats.stop_reason, StopReason::finished);
  EXPECT_GT(o.ledger.lost_hw_frames, 0u);
  conformance::expect_every_exposed_frame_accounted(o, 0, 80);
}

/// A log sink that says when the sim's sensor thread has stopped (its last act per stream).
class SensorEndSink final : public LogSink {
 public:
  SensorEndSink() { set_log_sink(this); }
  ~SensorEndSink() override { set_log_sink(nullptr); }
  void write(LogLevel, std::string_view line) noexcept override {
    if (line.find("sensor stopped") == std::string_view::npos) return;
    {
      std::lock_guard lock(mutex_);
      ended_ = true;
    }
    cv_.notify_all();
  }
  /// True once the sensor stopped; false after `timeout` (the test then fails on its counts).
  bool wait(std::chrono::nanoseconds timeout) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return ended_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool ended_ = false;
};

/// Holds up the delivery thread in its first frame until the sensor has stopped, so the paced
/// camera overruns its SDK buffer up to the last frame: a deterministic tail loss. `held` says
/// whether the sensor stopped in time (it outlives the observer, which the producer owns).
class HoldFirstFrameUntilSensorEnds final : public FrameObserver {
 public:
  HoldFirstFrameUntilSensorEnds(SensorEndSink& sink, std::atomic<bool>& held)
      : sink_(sink), held_(held) {}
  void on_frame(const FrameView& frame) override {
    if (frame.frame_number() == 0) held_.store(sink_.wait(20s));
  }

 private:
  SensorEndSink& sink_;
  std::atomic<bool>& held_;
};

TEST(SimCameraLedger, FramesOverrunAfterTheLastDeliveredOneAreCountedLost) {
  SensorEndSink sink;
  SimConfig c = finite(50, "");
  c.fps = 100000.0;
  c.buffer_frames = 4;
  std::atomic<bool> held{false};
  const StreamOutcome o =
      run(std::move(c), std::make_unique<HoldFirstFrameUntilSensorEnds>(sink, held));
  ASSERT_TRUE(held.load()) << "the sensor never said it stopped";
  EXPECT_EQ(o.stats.stop_reason, StopReason::finished);
  // The loop holds frame 0 after reading it (its slot handed back), so the sensor fills the 4
  // slots (with frame 0 among them if the loop had not started yet) and overruns every later
  // frame; the loop drains the buffer after the hold.
  EXPECT_GE(o.ledger.produced, 4u);
  EXPECT_LE(o.ledger.produced, 5u);
  EXPECT_EQ(o.ledger.delivered, o.ledger.produced);
  EXPECT_EQ(o.ledger.produced + o.ledger.lost_hw_frames, 50u)
      << "frames the camera exposed after the last delivered one vanished";
  ASSERT_FALSE(o.ledger.lost_hw_ranges.empty());
  EXPECT_EQ(o.ledger.lost_hw_ranges.back().last, 49u);
  EXPECT_EQ(o.ledger.dropped, 0u);
}

}  // namespace
}  // namespace daq
