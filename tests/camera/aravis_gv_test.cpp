// AravisSource against the real fake GigE Vision camera (arv-fake-gv-camera-0.8) over UDP on
// 127.0.0.1: pixel-exact frames, wrapping frame ids, software trigger, broken frames from packet
// loss, bad ids.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "daq/camera/aravis_camera.hpp"
#include "fake_gv_camera.hpp"
#include "watchdog.hpp"

namespace {

using namespace std::chrono_literals;
using daq::FrameData;
using daq::PendingFrame;
using daq::SourceError;
using daq::SourceStatus;
using daq::camera::AravisBufferMode;
using daq::camera::AravisConfig;
using daq::camera::AravisPixelFormat;
using daq::camera::AravisSource;
using daq::camera::AravisTrigger;
using daq::test::FakeGvCamera;

AravisConfig gv_config(AravisPixelFormat format = AravisPixelFormat::mono8) {
  AravisConfig c;
  c.camera_id = FakeGvCamera::address();
  c.pixel_format = format;
  c.roi = daq::Roi{0, 0, 128, 96};
  c.exposure_us = 10000.0;  // brightness scale 1: the pattern is exact
  c.gain_db = 0.0;
  c.frame_rate_hz = 200.0;
  return c;
}

class AravisGv : public ::testing::Test {
 protected:
  daq::test::Watchdog watchdog_{60s, "aravis_gv_test"};
  FakeGvCamera camera_;
};

TEST_F(AravisGv, FramesOverUdpArePixelExactAcrossTheFrameIdWrap) {
  bool first_run = true;  // the camera's ids wrap once, early in its life
  for (const auto format : {AravisPixelFormat::mono8, AravisPixelFormat::mono16}) {
    AravisSource source(gv_config(format));
    const auto fmt = source.prepare();
    source.start();
    auto frame = FrameData::with_capacity(fmt.frame_bytes);
    std::int64_t last = -1;
    int exact = 0;
    // The camera's ids start at 65401 and wrap after 65535: 150 frames cross the wrap.
    for (int i = 0; i < 150; ++i) {
      PendingFrame pending;
      ASSERT_EQ(source.wait_frame(2s, pending), SourceStatus::frame_ready);
      source.read_frame(frame);
      daq::stamp_frame(frame, fmt, pending);
      ASSERT_GT(frame.hw_frame_nr, last);
      last = frame.hw_frame_nr;
      if (frame.actual_len == 0) continue;  // a broken frame (counted below), never wrong pixels
      ASSERT_EQ(frame.actual_len, fmt.frame_bytes);
      ASSERT_EQ(daq::test::fake_pattern_mismatch(frame.view()), std::nullopt);
      ++exact;
    }
    source.stop();
    const auto stats = source.stats();
    if (first_run) {
      EXPECT_GT(last, 65535) << "the ids wrapped into a monotonic number";
    }
    first_run = false;
    EXPECT_EQ(stats.frames + stats.broken(), 150u);
    EXPECT_EQ(stats.frames, static_cast<std::uint64_t>(exact));
    EXPECT_GE(exact, 140) << "loopback should lose almost nothing";
    EXPECT_GE(stats.completed_buffers, stats.frames);
    EXPECT_GT(stats.transferred_bytes, 0u);
  }
}

TEST_F(AravisGv, OpensByListedIdAndListsTheCamera) {
  bool listed = false;
  for (const auto& c : daq::camera::list_aravis_cameras()) {
    if (c.id == camera_.camera_id()) {
      listed = true;
      EXPECT_EQ(c.protocol, "GigEVision");
      EXPECT_EQ(c.address, FakeGvCamera::address());
      EXPECT_EQ(c.serial, "GV01");
    }
  }
  EXPECT_TRUE(listed);
  auto config = gv_config();
  config.camera_id = camera_.camera_id();
  AravisSource source(config);
  EXPECT_EQ(source.prepare().width, 128u);
}

TEST_F(AravisGv, UnknownIdNamesTheCamerasFound) {
  auto config = gv_config();
  config.camera_id = "Aravis-Fake-GV99";
  AravisSource source(config);
  try {
    source.prepare();
    FAIL() << "expected SourceError";
  } catch (const SourceError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("cannot open camera 'Aravis-Fake-GV99'"), std::string::npos) << message;
    EXPECT_NE(message.find(camera_.camera_id()), std::string::npos) << message;
  }
}

TEST_F(AravisGv, SoftwareTriggerGivesExactlyOneFramePerTrigger) {
  auto config = gv_config();
  config.frame_rate_hz.reset();
  config.trigger = AravisTrigger::software;
  AravisSource source(config);
  const auto fmt = source.prepare();
  source.start();
  PendingFrame pending;
  EXPECT_EQ(source.wait_frame(300ms, pending), SourceStatus::timeout) << "no trigger, no frame";
  auto frame = FrameData::with_capacity(fmt.frame_bytes);
  for (int i = 0; i < 3; ++i) {
    source.software_trigger();
    ASSERT_EQ(source.wait_frame(2s, pending), SourceStatus::frame_ready) << "trigger " << i;
    source.read_frame(frame);
    daq::stamp_frame(frame, fmt, pending);
    ASSERT_EQ(daq::test::fake_pattern_mismatch(frame.view()), std::nullopt);
    EXPECT_EQ(source.wait_frame(200ms, pending), SourceStatus::timeout) << "one frame per trigger";
  }
  source.stop();
}

TEST_F(AravisGv, ZeroCopyFramesOverUdpArePixelExact) {
  auto config = gv_config(AravisPixelFormat::mono16);
  config.buffer_mode = AravisBufferMode::zero_copy;
  AravisSource source(config);
  const auto fmt = source.prepare();
  source.start();
  int lent = 0;
  for (int i = 0; i < 40; ++i) {
    PendingFrame pending;
    ASSERT_EQ(source.wait_frame(2s, pending), SourceStatus::frame_ready);
    auto loan = source.lend_frame();
    if (loan) daq::stamp_frame(**loan, fmt, pending);
    if (!loan) {  // broken frame: not lent, skipped
      source.skip_frame();
      continue;
    }
    ASSERT_EQ(daq::test::fake_pattern_mismatch((*loan)->view()), std::nullopt);
    ++lent;
  }
  source.stop();
  EXPECT_GE(lent, 36);
  EXPECT_EQ(source.stats().lent, static_cast<std::uint64_t>(lent));
}

// A camera killed mid-stream is tested through the delivery loop, where it matters (ledger,
// stop reason): AravisProducer.CameraKilledMidStream... in tests/conformance.

TEST(AravisGvLossy, PacketLossBecomesBrokenFramesNeverWrongPixels) {
  daq::test::Watchdog watchdog(60s, "aravis_gv_test lossy");
  FakeGvCamera lossy(FakeGvCamera::Options{.serial = "GV01", .lost_packets_per_thousand = 100});
  AravisSource source(gv_config());
  const auto fmt = source.prepare();
  source.start();
  auto frame = FrameData::with_capacity(fmt.frame_bytes);
  for (int i = 0; i < 60; ++i) {
    PendingFrame pending;
    ASSERT_EQ(source.wait_frame(2s, pending), SourceStatus::frame_ready);
    source.read_frame(frame);
    daq::stamp_frame(frame, fmt, pending);
    if (frame.actual_len != 0) {
      ASSERT_EQ(daq::test::fake_pattern_mismatch(frame.view()), std::nullopt);
    }
  }
  source.stop();
  const auto stats = source.stats();
  std::printf(
      "lossy camera: %llu good, %llu broken (missing packets %llu, timeout %llu), "
      "%llu stale, resent packets %llu, missing packets %llu\n",
      static_cast<unsigned long long>(stats.frames),
      static_cast<unsigned long long>(stats.broken()),
      static_cast<unsigned long long>(stats.broken_missing_packets),
      static_cast<unsigned long long>(stats.broken_timeout),
      static_cast<unsigned long long>(stats.stale),
      static_cast<unsigned long long>(stats.resent_packets),
      static_cast<unsigned long long>(stats.missing_packets));
  EXPECT_EQ(stats.frames + stats.broken(), 60u);
  EXPECT_GT(stats.resent_packets + stats.missing_packets, 0u) << "the loss was seen by Aravis";
}

}  // namespace
