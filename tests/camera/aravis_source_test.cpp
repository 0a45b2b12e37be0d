// AravisSource on Aravis's in-process fake camera ("Fake_1"): configuration, pixel-exact frames,
// errors, software trigger, zero-copy loans and their bound, zero allocations per frame.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daq/camera/aravis_camera.hpp"
#include "daq/pool/alloc_counter.hpp"
#include "fake_gv_camera.hpp"  // the fake camera's pattern helpers

namespace {

using namespace std::chrono_literals;
using daq::ConfigError;
using daq::FrameData;
using daq::PendingFrame;
using daq::SourceError;
using daq::SourceStatus;
using daq::camera::AravisBufferMode;
using daq::camera::AravisConfig;
using daq::camera::AravisPixelFormat;
using daq::camera::AravisSource;
using daq::camera::AravisTrigger;

// Small frames at a high rate keep every test well under a second of streaming.
AravisConfig fake_config(AravisPixelFormat format = AravisPixelFormat::mono8) {
  AravisConfig c;
  c.camera_id = "Fake_1";
  c.pixel_format = format;
  c.roi = daq::Roi{8, 4, 64, 48};
  c.binning = daq::Binning{1, 1};
  c.exposure_us = 10000.0;  // the fake camera's pattern has brightness scale 1 here
  c.gain_db = 0.0;
  c.frame_rate_hz = 200.0;
  return c;
}

// Every pixel of `frame` equals the fake camera's pattern for its hardware frame number.
// Waits (bounded) for the next frame.
SourceStatus next(AravisSource& source, PendingFrame& pending) {
  return source.wait_frame(2s, pending);
}

TEST(AravisSource, PrepareReportsTheAcceptedFormat) {
  AravisSource source(fake_config(AravisPixelFormat::mono16));
  const daq::SourceFormat format = source.prepare();
  EXPECT_EQ(format.width, 64u);
  EXPECT_EQ(format.height, 48u);
  EXPECT_EQ(format.bit_depth, 16u);
  EXPECT_EQ(format.frame_bytes, 64u * 48u * 2u);
  EXPECT_DOUBLE_EQ(format.frames_per_second, 200.0);
  ASSERT_TRUE(source.applied_config().roi.has_value());
  EXPECT_EQ(source.applied_config().roi->x, 8u);
  EXPECT_EQ(source.applied_config().roi->y, 4u);
  EXPECT_DOUBLE_EQ(*source.applied_config().exposure_us, 10000.0);
  EXPECT_EQ(source.name(), "aravis:Fake_1");
}

TEST(AravisSource, RoiIsInSensorPixelsAndTheImageIsRoiOverBinning) {
  auto config = fake_config();
  config.roi = daq::Roi{16, 8, 128, 96};
  config.binning = daq::Binning{2, 2};
  AravisSource source(config);
  const auto format = source.prepare();
  EXPECT_EQ(format.width, 64u);
  EXPECT_EQ(format.height, 48u);
  EXPECT_EQ(source.applied_config().roi, (daq::Roi{16, 8, 128, 96}));
  EXPECT_EQ(source.applied_config().binning, (daq::Binning{2, 2}));
  config.roi = daq::Roi{1, 0, 128, 96};  // an offset inside a 2x2 bin
  AravisSource odd(config);
  EXPECT_THROW(odd.prepare(), ConfigError);
}

TEST(AravisSource, CopyModeFramesArePixelExactAndConsecutive) {
  for (const auto format : {AravisPixelFormat::mono8, AravisPixelFormat::mono16}) {
    AravisSource source(fake_config(format));
    const auto fmt = source.prepare();
    source.start();
    auto frame = FrameData::with_capacity(fmt.frame_bytes);
    std::int64_t last_hw = -1;
    for (int i = 0; i < 20; ++i) {
      PendingFrame pending;
      ASSERT_EQ(next(source, pending), SourceStatus::frame_ready);
      source.read_frame(frame);
      daq::stamp_frame(frame, fmt, pending);
      ASSERT_EQ(frame.actual_len, fmt.frame_bytes);
      EXPECT_EQ(frame.hw_frame_nr, pending.hw_frame_nr);
      EXPECT_EQ(frame.width, 64u);
      EXPECT_EQ(frame.bit_depth, fmt.bit_depth);
      EXPECT_EQ(frame.roi_x, 8u);
      EXPECT_DOUBLE_EQ(frame.exposure_ms, 10.0);
      EXPECT_GT(frame.timestamp_ns, 0u);
      if (last_hw >= 0) {
        EXPECT_EQ(frame.hw_frame_nr, last_hw + 1);  // no gaps in-process
      }
      last_hw = frame.hw_frame_nr;
      ASSERT_EQ(daq::test::fake_pattern_mismatch(frame.view()), std::nullopt);
    }
    source.stop();
    const auto stats = source.stats();
    EXPECT_EQ(stats.frames, 20u);
    EXPECT_EQ(stats.broken(), 0u);
    EXPECT_GE(stats.completed_buffers, 20u);
  }
}

TEST(AravisSource, FrameIdsWrapIntoMonotonicHardwareNumbers) {
  // The fake camera's ids start near 65400 and wrap to 1 after 65535, skipping 0.
  auto config = fake_config();
  config.roi = daq::Roi{0, 0, 16, 16};
  config.frame_rate_hz = 1000.0;
  AravisSource source(config);
  const auto fmt = source.prepare();
  source.start();
  auto frame = FrameData::with_capacity(fmt.frame_bytes);
  std::int64_t first = -1;
  std::int64_t last = -1;
  while (last < 65540) {
    PendingFrame pending;
    ASSERT_EQ(next(source, pending), SourceStatus::frame_ready);
    source.read_frame(frame);
    daq::stamp_frame(frame, fmt, pending);
    if (first < 0) first = frame.hw_frame_nr;
    if (last >= 0) {
      ASSERT_EQ(frame.hw_frame_nr, last + 1);
    }
    last = frame.hw_frame_nr;
    ASSERT_EQ(daq::test::fake_pattern_mismatch(frame.view()), std::nullopt);
    ASSERT_LT(last - first, 1000) << "ids did not reach the wrap";
  }
  EXPECT_LT(first, 65535);
  EXPECT_EQ(source.stats().lost_hw_frames, 0u);
}

TEST(AravisSource, RejectsAPixelFormatTheCameraLacks) {
  AravisSource source(fake_config(AravisPixelFormat::mono12));
  try {
    source.prepare();
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("pixel_format Mono12 is not offered"), std::string::npos) << message;
    EXPECT_NE(message.find("Mono16"), std::string::npos) << message;  // lists what it offers
  }
}

TEST(AravisSource, RejectsRoiOutsideTheSensorNamingTheLimit) {
  auto config = fake_config();
  config.roi = daq::Roi{100, 0, 2000, 16};
  AravisSource source(config);
  try {
    source.prepare();
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("roi.x + roi.width = 2100 exceeds the sensor width 2048"),
              std::string::npos)
        << e.what();
  }
}

TEST(AravisSource, RejectsExposureAndRateBeyondTheCameraLimits) {
  auto config = fake_config();
  config.exposure_us = 5e7;
  AravisSource too_long(config);
  EXPECT_THROW(
      {
        try {
          too_long.prepare();
        } catch (const ConfigError& e) {
          EXPECT_NE(std::string(e.what()).find("exposure_us = 5e+07 exceeds the camera's maximum"),
                    std::string::npos)
              << e.what();
          throw;
        }
      },
      ConfigError);
  config = fake_config();
  config.frame_rate_hz = 5000.0;
  AravisSource too_fast(config);
  EXPECT_THROW(too_fast.prepare(), ConfigError);
}

TEST(AravisSource, RejectsStreamBuffersOverTheMemoryBudget) {
  auto config = fake_config();
  config.memory_budget_bytes = 8 * 1024;  // 8 buffers of 3072 bytes do not fit
  AravisSource source(config);
  try {
    source.prepare();
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("8 x 3072 bytes exceeds memory_budget_bytes 8192"),
              std::string::npos)
        << e.what();
  }
}

TEST(AravisSource, ValidateRejectsNonsenseBeforeTouchingACamera) {
  auto bad = fake_config();
  bad.stream_buffers = 1;
  EXPECT_THROW(AravisSource{bad}, ConfigError);
  bad = fake_config();
  bad.camera_reserve = bad.stream_buffers;
  EXPECT_THROW(AravisSource{bad}, ConfigError);
  bad = fake_config();
  bad.exposure_us = -1.0;
  EXPECT_THROW(AravisSource{bad}, ConfigError);
  bad = fake_config();
  bad.trigger = AravisTrigger::software;  // with a frame rate set
  EXPECT_THROW(AravisSource{bad}, ConfigError);
}

TEST(AravisSource, UnknownCameraIdIsAClearSourceError) {
  auto config = fake_config();
  config.camera_id = "Fake_7";
  AravisSource source(config);
  try {
    source.prepare();
    FAIL() << "expected SourceError";
  } catch (const SourceError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("cannot open camera 'Fake_7'"), std::string::npos) << message;
    EXPECT_NE(message.find("cameras found: "), std::string::npos) << message;
  }
}

TEST(AravisSource, StartBeforePrepareIsAnError) {
  AravisSource source(fake_config());
  EXPECT_THROW(source.start(), SourceError);
  source.stop();  // safe after a failed start, and twice
  source.stop();
}

TEST(AravisSource, FiniteFrameCountFinishes) {
  auto config = fake_config();
  config.frame_count = 5;
  AravisSource source(config);
  const auto fmt = source.prepare();
  source.start();
  auto frame = FrameData::with_capacity(fmt.frame_bytes);
  for (int i = 0; i < 5; ++i) {
    PendingFrame pending;
    ASSERT_EQ(next(source, pending), SourceStatus::frame_ready);
    source.read_frame(frame);
  }
  PendingFrame pending;
  EXPECT_EQ(source.wait_frame(100ms, pending), SourceStatus::finished);
  source.stop();
}

TEST(AravisSource, RestartDeliversFreshFrames) {
  AravisSource source(fake_config());
  const auto fmt = source.prepare();
  auto frame = FrameData::with_capacity(fmt.frame_bytes);
  std::int64_t last_hw = -1;
  for (int run = 0; run < 3; ++run) {
    source.start();
    for (int i = 0; i < 3; ++i) {
      PendingFrame pending;
      ASSERT_EQ(next(source, pending), SourceStatus::frame_ready) << "run " << run;
      source.read_frame(frame);
      daq::stamp_frame(frame, fmt, pending);
      EXPECT_GT(frame.hw_frame_nr, last_hw);
      last_hw = frame.hw_frame_nr;
      ASSERT_EQ(daq::test::fake_pattern_mismatch(frame.view()), std::nullopt);
    }
    source.stop();
  }
}

// The in-process fake stream ignores the trigger register (it runs at a fixed rate in trigger
// mode), so one frame per trigger is tested against the GigE Vision fake camera (aravis_gv_test).
TEST(AravisSource, SoftwareTriggerModeIsAcceptedAndTriggersWhileStarted) {
  auto config = fake_config();
  config.frame_rate_hz.reset();
  config.trigger = AravisTrigger::software;
  AravisSource source(config);
  const auto fmt = source.prepare();
  EXPECT_DOUBLE_EQ(fmt.frames_per_second, 0.0);          // the triggers set the rate
  EXPECT_THROW(source.software_trigger(), SourceError);  // not started
  source.start();
  EXPECT_NO_THROW(source.software_trigger());
  source.stop();
}

TEST(AravisSource, CopyModeAllocatesNothingPerFrame) {
  AravisSource source(fake_config());
  const auto fmt = source.prepare();
  source.start();
  auto frame = FrameData::with_capacity(fmt.frame_bytes);
  PendingFrame pending;
  for (int i = 0; i < 5; ++i) {  // warm-up
    ASSERT_EQ(next(source, pending), SourceStatus::frame_ready);
    source.read_frame(frame);
  }
  const auto before = daq::alloc_counter::this_thread();
  for (int i = 0; i < 40; ++i) {
    ASSERT_EQ(next(source, pending), SourceStatus::frame_ready);
    source.read_frame(frame);
  }
  const auto after = daq::alloc_counter::this_thread();
  // Our code only: Aravis's own malloc calls are not operator new and are not counted.
  EXPECT_EQ(after.allocations - before.allocations, 0u);
  source.stop();
}

TEST(AravisSource, ZeroCopyLendsThePoolMemoryPixelExact) {
  auto config = fake_config(AravisPixelFormat::mono16);
  config.buffer_mode = AravisBufferMode::zero_copy;
  AravisSource source(config);
  const auto fmt = source.prepare();
  source.start();
  for (int i = 0; i < 20; ++i) {
    PendingFrame pending;
    ASSERT_EQ(next(source, pending), SourceStatus::frame_ready);
    std::optional<daq::LoanedFrame> loan = source.lend_frame();
    if (loan) daq::stamp_frame(**loan, fmt, pending);
    ASSERT_TRUE(loan.has_value());
    EXPECT_FALSE(loan->is_detached());
    EXPECT_EQ((*loan)->actual_len, fmt.frame_bytes);
    EXPECT_EQ((*loan)->hw_frame_nr, pending.hw_frame_nr);
    ASSERT_EQ(daq::test::fake_pattern_mismatch((*loan)->view()), std::nullopt);
  }
  source.stop();
  EXPECT_EQ(source.stats().lent, 20u);
  EXPECT_EQ(source.stats().lend_refused, 0u);
}

TEST(AravisSource, ZeroCopyKeepsTheCameraReserveAndRecoversWhenLoansReturn) {
  auto config = fake_config();
  config.buffer_mode = AravisBufferMode::zero_copy;
  config.stream_buffers = 4;
  config.camera_reserve = 2;
  AravisSource source(config);
  const auto fmt = source.prepare();
  source.start();
  std::vector<daq::LoanedFrame> held;
  PendingFrame pending;
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(next(source, pending), SourceStatus::frame_ready);
    auto loan = source.lend_frame();
    if (loan) daq::stamp_frame(**loan, fmt, pending);
    ASSERT_TRUE(loan.has_value());
    held.push_back(std::move(*loan));
  }
  // Two loans out of four buffers: lending a third would leave the camera one buffer.
  ASSERT_EQ(next(source, pending), SourceStatus::frame_ready);
  EXPECT_FALSE(source.lend_frame().has_value());
  EXPECT_EQ(source.stats().lend_refused, 1u);
  auto copy = FrameData::with_capacity(fmt.frame_bytes);
  source.read_frame(copy);  // the refused frame can still be copied
  daq::stamp_frame(copy, fmt, pending);
  EXPECT_EQ(daq::test::fake_pattern_mismatch(copy.view()), std::nullopt);
  // The camera kept streaming on its reserve while the loans were held.
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(next(source, pending), SourceStatus::frame_ready);
    source.skip_frame();
  }
  for (const auto& loan : held) {  // untouched meanwhile
    EXPECT_EQ(daq::test::fake_pattern_mismatch(loan->view()), std::nullopt);
  }
  held.clear();  // the loans return; their buffers go back to the camera
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(next(source, pending), SourceStatus::frame_ready);
    auto loan = source.lend_frame();
    if (loan) daq::stamp_frame(**loan, fmt, pending);
    ASSERT_TRUE(loan.has_value()) << "lending resumes once loans are back";
    EXPECT_EQ(daq::test::fake_pattern_mismatch((*loan)->view()), std::nullopt);
    held.push_back(std::move(*loan));
  }
  source.stop();
}

TEST(AravisSource, ZeroCopyLendingAllocatesNothingPerFrame) {
  auto config = fake_config();
  config.buffer_mode = AravisBufferMode::zero_copy;
  AravisSource source(config);
  source.prepare();
  source.start();
  PendingFrame pending;
  const auto lend_and_release = [&] {
    ASSERT_EQ(next(source, pending), SourceStatus::frame_ready);
    auto loan = source.lend_frame();
    ASSERT_TRUE(loan.has_value());
  };
  for (int i = 0; i < 5; ++i) lend_and_release();
  const auto before = daq::alloc_counter::this_thread();
  for (int i = 0; i < 40; ++i) lend_and_release();
  const auto after = daq::alloc_counter::this_thread();
  EXPECT_EQ(after.allocations - before.allocations, 0u);
  source.stop();
}

// Lends one frame from a source that is destroyed before the loan is returned.
std::optional<daq::LoanedFrame> lend_from_a_dying_source(const AravisConfig& config) {
  AravisSource source(config);
  const auto fmt = source.prepare();
  source.start();
  PendingFrame pending;
  if (next(source, pending) != SourceStatus::frame_ready) return std::nullopt;
  auto loan = source.lend_frame();
  if (loan) daq::stamp_frame(**loan, fmt, pending);
  return loan;
}

TEST(AravisSource, LoansOutliveTheSource) {
  auto config = fake_config();
  config.buffer_mode = AravisBufferMode::zero_copy;
  const std::optional<daq::LoanedFrame> loan = lend_from_a_dying_source(config);
  ASSERT_TRUE(loan.has_value());
  // The source and its stream are gone; the loan's memory (the pool's) is still valid and intact.
  EXPECT_EQ(daq::test::fake_pattern_mismatch((*loan)->view()), std::nullopt);
}

TEST(AravisSource, CopyModeDoesNotLend) {
  AravisSource source(fake_config());
  source.prepare();
  source.start();
  PendingFrame pending;
  ASSERT_EQ(next(source, pending), SourceStatus::frame_ready);
  EXPECT_FALSE(source.lend_frame().has_value());
  source.skip_frame();
  source.stop();
}

TEST(AravisSource, ListsTheFakeCameraOnRequest) {
  const auto cameras = daq::camera::list_aravis_cameras(true);
  bool found = false;
  for (const auto& c : cameras) found = found || (c.id == "Fake_1" && c.protocol == "Fake");
  EXPECT_TRUE(found);
  for (const auto& c : daq::camera::list_aravis_cameras(false)) EXPECT_NE(c.protocol, "Fake");
}

TEST(AravisSource, ParsesPixelFormatNames) {
  using daq::camera::parse_aravis_pixel_format;
  EXPECT_EQ(parse_aravis_pixel_format("Mono8"), AravisPixelFormat::mono8);
  EXPECT_EQ(parse_aravis_pixel_format("mono12"), AravisPixelFormat::mono12);
  EXPECT_EQ(parse_aravis_pixel_format("MONO16"), AravisPixelFormat::mono16);
  EXPECT_EQ(parse_aravis_pixel_format("RGB8"), std::nullopt);
}

}  // namespace
