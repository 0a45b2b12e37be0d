// The PVCAM driver on pvcam-sim: buffer planning, configuration checks, camera selection,
// frames and metadata, injected faults and overruns in the ledger, teardown.
#include "daq/camera/pvcam_camera.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "pvcam_sim.h"
#include "ramp_check.hpp"
#include "stream_to_end.hpp"
#include "watchdog.hpp"

namespace daq {
namespace {

using namespace std::chrono_literals;
constexpr std::size_t kMiB = std::size_t{1} << 20;

template <class F>
std::string config_error(F&& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "accepted";
}

TEST(PlanBuffers, BuffersTheConfiguredSecondsOnBothSides) {
  const BufferPlan p = plan_buffers(100.0, 8 * kMiB, 1.0, 4096 * kMiB);
  EXPECT_EQ(p.sdk_frames, 100u);
  EXPECT_EQ(p.pool_frames, 100u);
  EXPECT_DOUBLE_EQ(p.seconds, 1.0);
  EXPECT_FALSE(p.capped);
}

TEST(PlanBuffers, ScalesDownToTheBudget) {
  const BufferPlan p = plan_buffers(100.0, 8 * kMiB, 1.0, 512 * kMiB);
  EXPECT_EQ(p.sdk_frames, 32u);  // 512 MiB / 8 MiB / 2 sides
  EXPECT_EQ(p.pool_frames, 32u);
  EXPECT_DOUBLE_EQ(p.seconds, 0.32);
  EXPECT_TRUE(p.capped);
}

TEST(PlanBuffers, KeepsAtLeastFourFramesAndTwoWhenTight) {
  const BufferPlan slow = plan_buffers(0.5, kMiB, 1.0, 1024 * kMiB);
  EXPECT_EQ(slow.sdk_frames, 4u);
  EXPECT_EQ(slow.pool_frames, 4u);
  const BufferPlan unknown_rate = plan_buffers(0.0, kMiB, 1.0, 1024 * kMiB);
  EXPECT_EQ(unknown_rate.sdk_frames, 4u);
  EXPECT_DOUBLE_EQ(unknown_rate.seconds, 0.0);
  const BufferPlan tight = plan_buffers(100.0, kMiB, 1.0, 4 * kMiB);
  EXPECT_EQ(tight.sdk_frames, 2u);
  EXPECT_EQ(tight.pool_frames, 2u);
  EXPECT_TRUE(tight.capped);
}

TEST(PlanBuffers, KeepsTheSdkBufferBelowFourGiB) {
  const BufferPlan p = plan_buffers(1000.0, 100 * kMiB, 1.0, std::size_t{1} << 40);
  EXPECT_EQ(p.sdk_frames, 40u);  // 4 GiB - 1 holds 40 frames of 100 MiB
  EXPECT_EQ(p.pool_frames, 1000u);
}

TEST(PlanBuffers, RejectsBudgetsThatCannotHoldTheFrames) {
  EXPECT_EQ(config_error([] { plan_buffers(100.0, 8 * kMiB, 1.0, 4 * kMiB); }),
            "frame of 8388608 bytes exceeds memory_budget_bytes 4194304");
  EXPECT_EQ(config_error([] { plan_buffers(100.0, 8 * kMiB, 1.0, 24 * kMiB); }),
            "memory_budget_bytes 25165824 holds 3 frames of 8388608 bytes; at least 4 are "
            "needed (2 in the SDK buffer, 2 in the pool)");
}

TEST(PvcamConfig, ValidateNamesTheFieldAndTheLimit) {
  const auto with = [](auto change) {
    PvcamConfig c;
    change(c);
    return config_error([&] { c.validate(); });
  };
  EXPECT_EQ(with([](PvcamConfig&) {}), "accepted");
  EXPECT_EQ(with([](PvcamConfig& c) { c.exposure_ms = 0; }),
            "exposure_ms 0 is outside 0.001..3600000 ms");
  EXPECT_EQ(with([](PvcamConfig& c) { c.buffer_seconds = 100; }),
            "buffer_seconds 100 is outside 0.01..60 s");
  EXPECT_EQ(with([](PvcamConfig& c) { c.bit_depth = 40; }),
            "bit_depth 40 is outside 0..32 (0 = the camera's)");
  EXPECT_EQ(with([](PvcamConfig& c) { c.roi.height = 70000; }),
            "roi 0x70000 exceeds the maximum 65535 pixels");
  EXPECT_EQ(with([](PvcamConfig& c) { c.memory_budget_bytes = 0; }),
            "memory_budget_bytes must be above 0");
}

class PvcamCamera : public ::testing::Test {
 protected:
  void SetUp() override {
    pvcam_sim_reset_options();
    ASSERT_EQ(pvcam_sim_set_option("sensor", "256x128"), PV_OK);
  }
  void TearDown() override { pvcam_sim_reset_options(); }

  static PvcamConfig small(double exposure_ms = 1.0) {
    PvcamConfig c;
    c.roi = {.x = 16, .y = 8, .width = 64, .height = 32};
    c.binning = {2, 2};
    c.exposure_ms = exposure_ms;
    return c;
  }
};

TEST_F(PvcamCamera, ListsCamerasAndOpensOneByName) {
  ASSERT_EQ(pvcam_sim_set_option("cameras", "2"), PV_OK);
  EXPECT_EQ(list_pvcam_cameras(), (std::vector<std::string>{"PMSimCam0", "PMSimCam1"}));
  PvcamConfig c = small();
  c.camera = "PMSimCam1";
  auto source = make_pvcam_source(c);
  source->prepare();
  EXPECT_EQ(source->name(), "pvcam:PMSimCam1");
  c.camera = "Nope";
  try {
    make_pvcam_source(c)->prepare();
    FAIL() << "opened a camera that does not exist";
  } catch (const SourceError& e) {
    EXPECT_STREQ(e.what(),
                 "pvcam:Nope: pl_cam_open(\"Nope\") failed: no such camera: 'Nope' (error 3004)");
  }
}

TEST_F(PvcamCamera, DeliversRampFramesWithTheirMetadata) {
  test::Watchdog watchdog(60s);
  auto source = make_pvcam_source(small());
  const SourceFormat format = source->prepare();
  EXPECT_EQ(source->prepare().frame_bytes, format.frame_bytes) << "prepare() again is harmless";
  EXPECT_EQ(format.width, 32u);
  EXPECT_EQ(format.height, 16u);
  EXPECT_EQ(format.bit_depth, 16u);
  EXPECT_EQ(format.frame_bytes, 32u * 16u * 2u);
  EXPECT_DOUBLE_EQ(format.frames_per_second, 1000.0);
  FrameData frame = FrameData::with_capacity(format.frame_bytes);
  for (int round = 0; round < 2; ++round) {  // restart: FrameNr from 1 again
    source->start();
    PendingFrame pending;
    for (std::int64_t expected = 1; expected <= 15; ++expected) {
      ASSERT_EQ(source->wait_frame(10s, pending), SourceStatus::frame_ready)
          << source->error_message();
      EXPECT_EQ(pending.hw_frame_nr, expected);
      source->read_frame(frame);
      stamp_frame(frame, format, pending);  // as the delivery loop does
      EXPECT_EQ(frame.roi_x, 16u);
      EXPECT_EQ(frame.roi_y, 8u);
      EXPECT_EQ(frame.binning, (Binning{2, 2}));
      EXPECT_EQ(frame.temperature_c, -20.0);
      EXPECT_DOUBLE_EQ(frame.exposure_ms, 1.0);
      const auto bad = conformance::ramp_mismatch(frame.view(), 1);
      EXPECT_FALSE(bad) << *bad;
    }
    source->stop();
  }
}

TEST_F(PvcamCamera, RejectsWhatTheCameraCannotDo) {
  PvcamConfig c = small();
  c.bit_depth = 12;
  EXPECT_EQ(config_error([&] { make_pvcam_source(c)->prepare(); }),
            "bit_depth 12 is not supported by pvcam:PMSimCam0 (it delivers 16-bit frames)");
  c = small();
  c.roi = {.x = 200, .y = 0, .width = 64, .height = 0};
  EXPECT_EQ(config_error([&] { make_pvcam_source(c)->prepare(); }),
            "roi.x + roi.width = 264 exceeds the sensor width 256");
  c = small();
  c.memory_budget_bytes = 3000;
  EXPECT_EQ(config_error([&] { make_pvcam_source(c)->prepare(); }),
            "memory_budget_bytes 3000 holds 2 frames of 1024 bytes; at least 4 are needed (2 in "
            "the SDK buffer, 2 in the pool)");
}

using conformance::SlowObserver;
using conformance::StreamOutcome;

/// Runs `config` to its end with a primary that takes everything; `observer` may slow the loop.
StreamOutcome run(PvcamConfig config, std::unique_ptr<FrameObserver> observer = nullptr) {
  auto camera = make_pvcam_camera(std::move(config));
  if (observer) camera->register_observer(std::move(observer));
  return conformance::stream_to_end(*camera, 1);  // FrameNr is 1-based
}

TEST_F(PvcamCamera, GapsInFrameNrAreTheLedgersLostFrames) {
  ASSERT_EQ(pvcam_sim_set_option("faults", "gap@5:3,gap@20:1"), PV_OK);
  PvcamConfig c = small();
  c.frame_count = 30;
  const StreamOutcome o = run(c);
  EXPECT_EQ(o.stats.stop_reason, StopReason::finished);
  EXPECT_EQ(o.ledger.lost_hw_ranges, (std::vector<FrameRange>{{6, 8}, {21, 21}}));
  EXPECT_EQ(o.ledger.lost_hw_frames, 4u);
  EXPECT_EQ(o.ledger.produced, 26u);
  EXPECT_EQ(o.hw.back(), 30);
}

TEST_F(PvcamCamera, SdkErrorEndsTheStreamWithTheSdkMessage) {
  ASSERT_EQ(pvcam_sim_set_option("faults", "sdk_error@10"), PV_OK);
  const StreamOutcome o = run(small());
  EXPECT_EQ(o.stats.stop_reason, StopReason::source_failed);
  EXPECT_EQ(o.stats.stop_message,
            "pvcam:PMSimCam0: pl_exp_check_cont_status failed: readout failed: readout failed "
            "(injected) before FrameNr 11 (error 3019)");
  EXPECT_EQ(o.ledger.produced, 10u);
  EXPECT_EQ(o.ledger.lost_hw_frames, 0u);
}

TEST_F(PvcamCamera, RemovedCameraEndsTheStream) {
  ASSERT_EQ(pvcam_sim_set_option("faults", "disconnect@7"), PV_OK);
  const StreamOutcome o = run(small());
  EXPECT_EQ(o.stats.stop_reason, StopReason::source_failed);
  EXPECT_EQ(o.stats.stop_message, "pvcam:PMSimCam0: the camera was removed");
  EXPECT_EQ(o.ledger.produced, 7u);
}

/// Holds the delivery thread up (on purpose: observers must not block) to make it slower than
/// the camera.
TEST_F(PvcamCamera, OverrunOfTheSdkBufferShowsAsLostFrames) {
  PvcamConfig c = small(0.5);  // 2000 frames/s against 2 ms per frame in the loop
  c.buffer_seconds = 0.01;     // 20 SDK frames
  c.frame_count = 150;
  const StreamOutcome o = run(c, std::make_unique<SlowObserver>());
  EXPECT_EQ(o.stats.stop_reason, StopReason::finished);
  EXPECT_GT(o.ledger.lost_hw_frames, 0u);
  conformance::expect_every_exposed_frame_accounted(o, 1, 150);
}

/// Holds the delivery thread in its first frame (after the frame was copied and its SDK slot
/// unlocked) until the simulated sensor has read out `frames` frames, then optionally asks the
/// producer to stop. `read_out` says how far the sensor had got (-1: the wait failed).
class HoldFirstFrameUntilReadOut final : public FrameObserver {
 public:
  HoldFirstFrameUntilReadOut(std::uint64_t frames, std::atomic<std::int64_t>& read_out,
                             FrameProducer* stop = nullptr)
      : frames_(frames), read_out_(read_out), stop_(stop) {}
  void on_frame(const FrameView& frame) override {
    if (frame.frame_number() != 0) return;
    read_out_.store(pvcam_sim_wait_read_out("PMSimCam0", frames_, 20000));
    if (stop_ != nullptr) stop_->stop_stream();  // on the delivery thread: ends after this frame
  }

 private:
  std::uint64_t frames_;
  std::atomic<std::int64_t>& read_out_;
  FrameProducer* stop_;
};

TEST_F(PvcamCamera, FramesOverrunAfterTheLastDeliveredOneAreCountedLost) {
  PvcamConfig c = small(1.0);  // 1000 frames/s
  c.buffer_seconds = 0.01;     // 10 SDK frames
  c.frame_count = 50;
  std::atomic<std::int64_t> read_out{-1};
  // The loop holds frame 1 until the camera read out 70 frames: the 10 slots then hold frames
  // above 50 only, so every frame after the first was overwritten before the loop could take it.
  const StreamOutcome o = run(c, std::make_unique<HoldFirstFrameUntilReadOut>(70, read_out));
  ASSERT_GE(read_out.load(), 70) << "the camera never read out 70 frames";
  EXPECT_EQ(o.stats.stop_reason, StopReason::finished);
  EXPECT_GE(o.ledger.produced, 1u);
  EXPECT_EQ(o.ledger.dropped, 0u);
  // Frames the camera ran on for after frame 50 (until stop()) are not part of the acquisition.
  EXPECT_EQ(o.ledger.produced + o.ledger.lost_hw_frames, 50u)
      << "frames the camera read out after the last delivered one vanished";
  ASSERT_FALSE(o.ledger.lost_hw_ranges.empty());
  EXPECT_EQ(o.ledger.lost_hw_ranges.back().last, 50u);
}

TEST_F(PvcamCamera, FramesStopDiscardsFromTheSdkBufferAreCountedLost) {
  test::Watchdog watchdog(60s);
  PvcamConfig c = small(1.0);  // continuous, 1000 frames/s
  c.buffer_seconds = 0.01;     // 10 SDK frames
  auto camera = make_pvcam_camera(c);
  std::atomic<std::int64_t> read_out{-1};
  // Frame 1 is held until the camera read out 6 frames, then the stream is stopped: stop()
  // discards the frames still in the SDK buffer (2.., and whatever came before the stop).
  camera->register_observer(
      std::make_unique<HoldFirstFrameUntilReadOut>(6, read_out, camera.get()));
  auto [tx, rx] = make_channel<LoanedFrame>(1024);
  camera->register_primary_output(std::move(tx));
  camera->start_stream();
  std::vector<std::int64_t> hw;
  while (auto frame = rx.recv()) hw.push_back((*frame)->hw_frame_nr);
  ASSERT_TRUE(camera->wait_until_stopped(10s));
  ASSERT_GE(read_out.load(), 6) << "the camera never read out 6 frames";
  // The camera is stopped and still open: how many frames it read out in all.
  const std::int64_t exposed = pvcam_sim_wait_read_out("PMSimCam0", 0, 0);
  ASSERT_GE(exposed, read_out.load());
  EXPECT_EQ(camera->stats().stop_reason, StopReason::requested);
  const LedgerSnapshot ledger = camera->ledger();
  EXPECT_TRUE(ledger.balanced());
  ASSERT_EQ(hw.size(), 1u);  // FrameNr 1 unless a busy machine let the buffer overrun first
  EXPECT_EQ(ledger.produced, 1u);
  EXPECT_EQ(ledger.produced + ledger.lost_hw_frames, static_cast<std::uint64_t>(exposed))
      << "frames stop() discarded from the SDK buffer vanished";
  ASSERT_FALSE(ledger.lost_hw_ranges.empty());
  EXPECT_EQ(ledger.lost_hw_ranges.back(), (FrameRange{static_cast<std::uint64_t>(hw[0]) + 1,
                                                      static_cast<std::uint64_t>(exposed)}));
}

TEST_F(PvcamCamera, CameraFactoryDerivesThePoolFromThePlan) {
  auto derived = make_pvcam_camera(small(10.0));  // 100 frames/s for 1 s
  EXPECT_EQ(dynamic_cast<StreamingProducer&>(*derived).options().pool_frames, 100u);
  derived.reset();  // closes the camera
  PvcamConfig c = small(10.0);
  c.pool_frames = 7;
  auto fixed = make_pvcam_camera(c);
  EXPECT_EQ(dynamic_cast<StreamingProducer&>(*fixed).options().pool_frames, 7u);
}

TEST_F(PvcamCamera, DestroyingARunningSourceStopsAndClosesTheCamera) {
  test::Watchdog watchdog(60s);
  for (int i = 0; i < 3; ++i) {  // each round reopens the camera the last one closed
    auto source = make_pvcam_source(small());
    source->prepare();
    source->start();
    PendingFrame pending;
    ASSERT_EQ(source->wait_frame(10s, pending), SourceStatus::frame_ready);
    source->skip_frame();
  }
  // Two cameras at once share the library.
  ASSERT_EQ(pvcam_sim_set_option("cameras", "2"), PV_OK);
  PvcamConfig second = small();
  second.camera = "PMSimCam1";
  auto a = make_pvcam_source(small());
  auto b = make_pvcam_source(second);
  a->prepare();
  b->prepare();
  a.reset();
  b->start();
  PendingFrame pending;
  EXPECT_EQ(b->wait_frame(10s, pending), SourceStatus::frame_ready) << b->error_message();
}

}  // namespace
}  // namespace daq
