// SimCamera as a FrameSource, driven directly (no delivery loop): patterns, geometry, timing,
// the circular buffer (overrun vs. back-pressure), fault injection and allocation.
#include "daq/camera/sim_camera.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "daq/pool/alloc_counter.hpp"
#include "ramp_check.hpp"
#include "watchdog.hpp"

namespace daq {
namespace {

using namespace std::chrono_literals;
using conformance::checksum;
using conformance::ramp_mismatch;

SimConfig small(std::uint32_t width = 40, std::uint32_t height = 24) {
  SimConfig c;
  c.width = width;
  c.height = height;
  return c;
}

struct Drained {
  std::vector<FrameMetadata> frames;
  std::vector<std::vector<std::uint32_t>> values;  // the pixels of each frame
  std::vector<std::uint64_t> sums;
  std::vector<std::string> ramp_errors;
  SourceStatus end = SourceStatus::timeout;
  std::string message;

  std::vector<std::int64_t> hw() const {
    std::vector<std::int64_t> out;
    for (const auto& f : frames) out.push_back(f.hw_frame_nr);
    return out;
  }
};

/// Reads up to `max_frames` frames (until the source ends, or 10 s pass without a frame),
/// pausing `per_frame` after each like a slow driver would.
Drained drain(FrameSource& source, const SourceFormat& format, std::size_t max_frames,
              std::chrono::microseconds per_frame = 0us, bool ramp = true) {
  Drained run;
  FrameData frame = FrameData::with_capacity(format.frame_bytes);
  PendingFrame pending;
  while (run.frames.size() < max_frames) {
    const SourceStatus status = source.wait_frame(10s, pending);
    if (status != SourceStatus::frame_ready) {
      run.end = status;
      if (status == SourceStatus::failed) run.message = source.error_message();
      break;
    }
    source.read_frame(frame);
    stamp_frame(frame, format, pending);  // as the delivery loop does
    run.frames.push_back(frame);
    run.sums.push_back(checksum(frame.pixels()));
    const auto copy = [&](auto pixels) { run.values.emplace_back(pixels.begin(), pixels.end()); };
    switch (bytes_per_pixel(frame.bit_depth)) {
      case 1:
        copy(frame.view().pixels_as<std::uint8_t>());
        break;
      case 2:
        copy(frame.view().pixels_as<std::uint16_t>());
        break;
      default:
        copy(frame.view().pixels_as<std::uint32_t>());
        break;
    }
    if (ramp) {
      if (auto bad = ramp_mismatch(frame.view(), 0)) run.ramp_errors.push_back(*bad);
    }
    if (per_frame.count() != 0) std::this_thread::sleep_for(per_frame);
  }
  return run;
}

std::vector<std::int64_t> iota(std::int64_t first, std::int64_t last) {
  std::vector<std::int64_t> v;
  for (std::int64_t i = first; i <= last; ++i) v.push_back(i);
  return v;
}

std::string rejection(const SimConfig& c) {
  try {
    c.validate();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "accepted";
}

TEST(SimCamera, RampIsPixelExactAtEveryBitDepth) {
  test::Watchdog watchdog(60s);
  for (const std::uint32_t depth : {8u, 12u, 16u, 32u}) {
    SCOPED_TRACE("bit_depth " + std::to_string(depth));
    // 300 columns + rows + frames pass 255 (8-bit wraps); 12-bit wraps at frame ~3800 of a
    // 4096-wide ramp, so a wide row checks that too.
    SimConfig c = small(depth == 12 ? 4000 : 300, 20);
    c.bit_depth = depth;
    c.frame_count = 120;
    c.buffer_frames = 4;
    auto source = make_sim_source(c);
    const SourceFormat format = source->prepare();
    EXPECT_EQ(format.bit_depth, depth);
    source->start();
    const Drained run = drain(*source, format, 1000);
    source->stop();
    EXPECT_EQ(run.end, SourceStatus::finished);
    EXPECT_EQ(run.hw(), iota(0, 119));
    EXPECT_TRUE(run.ramp_errors.empty()) << run.ramp_errors.front();
  }
}

TEST(SimCamera, MetadataDescribesRoiBinningAndSensor) {
  SimConfig c = small(128, 96);
  c.roi = {.x = 16, .y = 8, .width = 64, .height = 40};
  c.binning = {2, 4};
  c.exposure_ms = 2.5;
  c.temperature_c = -35.5;
  c.bit_depth = 12;
  c.frame_count = 3;
  auto source = make_sim_source(c);
  const SourceFormat format = source->prepare();
  EXPECT_EQ(format.width, 32u);
  EXPECT_EQ(format.height, 10u);
  EXPECT_EQ(format.frame_bytes, 32u * 10u * 2u);
  EXPECT_EQ(format.frame_count, 3u);
  EXPECT_DOUBLE_EQ(format.frames_per_second, 400.0);  // free-running at 2.5 ms exposure
  EXPECT_EQ(source->name(), "sim:sim");
  source->start();
  const Drained run = drain(*source, format, 10);
  ASSERT_EQ(run.frames.size(), 3u);
  for (const FrameMetadata& m : run.frames) {
    EXPECT_EQ(m.width, 32u);
    EXPECT_EQ(m.height, 10u);
    EXPECT_EQ(m.bit_depth, 12u);
    EXPECT_EQ(m.roi_x, 16u);
    EXPECT_EQ(m.roi_y, 8u);
    EXPECT_EQ(m.binning, (Binning{2, 4}));
    EXPECT_EQ(m.temperature_c, -35.5);
    EXPECT_DOUBLE_EQ(m.exposure_ms, 2.5);
    EXPECT_GT(m.timestamp_ns, 0u);
  }
  EXPECT_TRUE(run.ramp_errors.empty()) << run.ramp_errors.front();
}

TEST(SimCamera, PacedCameraKeepsItsFrameRate) {
  SimConfig c = small();
  c.fps = 200.0;
  c.frame_count = 11;
  c.buffer_frames = 64;  // a reader descheduled for a while must not overrun the camera
  auto source = make_sim_source(c);
  const SourceFormat format = source->prepare();
  EXPECT_DOUBLE_EQ(format.frames_per_second, 200.0);
  const auto started = static_cast<std::uint64_t>(
      std::chrono::steady_clock::now().time_since_epoch() / std::chrono::nanoseconds(1));
  source->start();
  const Drained run = drain(*source, format, 20);
  ASSERT_EQ(run.frames.size(), 11u);
  // Frame 10 is due 11 periods of 5 ms after the start (a lower bound: a loaded machine may
  // be late, never early).
  EXPECT_GE(run.frames.back().timestamp_ns - started, 55'000'000u);
}

TEST(SimCamera, SlowDriverOverrunsAPacedCameraAndLosesFramesWithGaps) {
  test::Watchdog watchdog(60s);
  SimConfig c = small(64, 64);
  c.fps = 2000.0;
  c.buffer_frames = 3;
  auto source = make_sim_source(c);
  const SourceFormat format = source->prepare();
  source->start();
  const Drained run = drain(*source, format, 25, 2ms);  // 2 ms per frame: 4x slower than the camera
  source->stop();
  const auto hw = run.hw();
  ASSERT_EQ(hw.size(), 25u);
  std::int64_t lost = 0;
  for (std::size_t i = 1; i < hw.size(); ++i) {
    ASSERT_GT(hw[i], hw[i - 1]);
    lost += hw[i] - hw[i - 1] - 1;
  }
  EXPECT_GT(lost, 0) << "a camera 4x faster than its driver must overrun";
  // Frames that did arrive are intact: the sensor never writes rows of a frame in the buffer.
  EXPECT_TRUE(run.ramp_errors.empty()) << run.ramp_errors.front();
}

TEST(SimCamera, FreeRunningCameraWaitsForTheDriverAndLosesNothing) {
  test::Watchdog watchdog(60s);
  SimConfig c = small(64, 64);
  c.buffer_frames = 2;
  auto source = make_sim_source(c);
  const SourceFormat format = source->prepare();
  EXPECT_DOUBLE_EQ(format.frames_per_second, 0.0);
  source->start();
  const Drained run = drain(*source, format, 20, 1ms);
  source->stop();
  EXPECT_EQ(run.hw(), iota(0, 19));
  EXPECT_TRUE(run.ramp_errors.empty()) << run.ramp_errors.front();
}

TEST(SimCamera, GapFaultSkipsExactlyThoseFrameNumbers) {
  SimConfig c = small();
  c.frame_count = 15;
  c.faults = parse_faults("gap@5:3,gap@12:1");
  auto source = make_sim_source(c);
  const SourceFormat format = source->prepare();
  source->start();
  const Drained run = drain(*source, format, 100);
  EXPECT_EQ(run.end, SourceStatus::finished);
  EXPECT_EQ(run.hw(), (std::vector<std::int64_t>{0, 1, 2, 3, 4, 8, 9, 10, 11, 13, 14}));
  EXPECT_TRUE(run.ramp_errors.empty()) << run.ramp_errors.front();
}

TEST(SimCamera, GapLongerThanAFrameKeepsTheRampExact) {
  // A jump of at least H rows starts a fresh window in the row ring.
  SimConfig c = small(16, 8);
  c.frame_count = 40;
  c.buffer_frames = 2;
  c.faults = parse_faults("gap@3:20");
  auto source = make_sim_source(c);
  const SourceFormat format = source->prepare();
  source->start();
  const Drained run = drain(*source, format, 100);
  EXPECT_EQ(run.hw().size(), 20u);
  EXPECT_EQ(run.hw()[3], 23);
  EXPECT_TRUE(run.ramp_errors.empty()) << run.ramp_errors.front();
}

TEST(SimCamera, SdkErrorAndDisconnectEndTheStreamAfterTheEarlierFrames) {
  for (const auto& [script, words] :
       {std::pair{"sdk_error@7", "SDK error (injected) while reading out frame 7"},
        std::pair{"disconnect@4", "camera disconnected (injected) before frame 4"}}) {
    SCOPED_TRACE(script);
    SimConfig c = small();
    c.faults = parse_faults(script);
    auto source = make_sim_source(c);
    const SourceFormat format = source->prepare();
    source->start();
    const Drained run = drain(*source, format, 100);
    EXPECT_EQ(run.end, SourceStatus::failed);
    EXPECT_EQ(run.message, std::string("sim:sim: ") + words);
    EXPECT_EQ(run.hw(), iota(0, std::string(script) == "sdk_error@7" ? 6 : 3));
    // The end is sticky until the next start.
    PendingFrame pending;
    EXPECT_EQ(source->wait_frame(1ms, pending), SourceStatus::failed);
  }
}

TEST(SimCamera, StallAndBurstShiftTheSchedule) {
  // The exact due times are sensor_schedule_test's; here the camera must honour them as lower
  // bounds (a loaded machine may be late, never early) and lose nothing.
  test::Watchdog watchdog(60s);
  SimConfig c = small();
  c.fps = 20.0;  // 50 ms period
  c.frame_count = 14;
  c.buffer_frames = 64;
  c.faults = parse_faults("stall@2:100,burst@4:8");
  auto source = make_sim_source(c);
  const SourceFormat format = source->prepare();
  const auto started = static_cast<std::uint64_t>(
      std::chrono::steady_clock::now().time_since_epoch() / std::chrono::nanoseconds(1));
  source->start();
  const Drained run = drain(*source, format, 100);
  ASSERT_EQ(run.hw(), iota(0, 13));
  const auto since_start = [&](std::size_t i) { return run.frames[i].timestamp_ns - started; };
  EXPECT_GE(since_start(2), 250'000'000u) << "3 periods + the stall";
  EXPECT_GE(since_start(4), 350'000'000u);
  EXPECT_GE(since_start(12), 400'000'000u) << "pacing resumes one period after the burst";
}

TEST(SimCamera, NoiseIsReproducibleFromItsSeedAndCycles) {
  const auto sums = [](std::uint64_t seed) {
    SimConfig c = small();
    c.pattern = SimPattern::noise;
    c.seed = seed;
    c.cycle_frames = 3;
    c.frame_count = 6;
    auto source = make_sim_source(c);
    const SourceFormat format = source->prepare();
    source->start();
    return drain(*source, format, 10, 0us, /*ramp=*/false).sums;
  };
  const auto a = sums(7);
  ASSERT_EQ(a.size(), 6u);
  EXPECT_EQ(a, sums(7));
  EXPECT_NE(a, sums(8));
  EXPECT_NE(a[0], a[1]);
  EXPECT_EQ(a[0], a[3]) << "cycle_frames = 3";
  EXPECT_EQ(a[2], a[5]);
}

TEST(SimCamera, RealisticIsATwelveBitSignalWithAMovingHotspot) {
  for (const std::uint32_t depth : {8u, 16u}) {
    SCOPED_TRACE("bit_depth " + std::to_string(depth));
    SimConfig c = small(96, 64);
    c.pattern = SimPattern::realistic;
    c.bit_depth = depth;
    c.frame_count = 4;
    c.cycle_frames = 4;
    auto source = make_sim_source(c);
    const SourceFormat format = source->prepare();
    source->start();
    const Drained run = drain(*source, format, 10, 0us, /*ramp=*/false);
    ASSERT_EQ(run.frames.size(), 4u);
    std::vector<std::size_t> brightest;
    for (const std::vector<std::uint32_t>& v : run.values) {
      const auto max = std::max_element(v.begin(), v.end());
      EXPECT_LE(*max, depth == 8 ? 255u : 4095u);
      EXPECT_GT(*max, depth == 8 ? 150u : 2500u) << "the hotspot";
      const auto min = *std::min_element(v.begin(), v.end());
      EXPECT_LT(min, depth == 8 ? 20u : 300u) << "the background";
      brightest.push_back(static_cast<std::size_t>(max - v.begin()));
    }
    // The hotspot travels a quarter circle per frame: its peak is far from where it was.
    for (std::size_t i = 1; i < brightest.size(); ++i) {
      const auto x0 = static_cast<int>(brightest[i - 1] % 96),
                 y0 = static_cast<int>(brightest[i - 1] / 96);
      const auto x1 = static_cast<int>(brightest[i] % 96), y1 = static_cast<int>(brightest[i] / 96);
      EXPECT_GT(std::abs(x1 - x0) + std::abs(y1 - y0), 10);
    }
  }
}

TEST(SimCamera, RestartCountsFramesFromZeroAgain) {
  SimConfig c = small();
  auto source = make_sim_source(c);
  const SourceFormat format = source->prepare();
  for (int round = 0; round < 3; ++round) {
    source->start();
    const Drained run = drain(*source, format, 5);
    source->stop();
    source->stop();
    EXPECT_EQ(run.hw(), iota(0, 4));
    EXPECT_TRUE(run.ramp_errors.empty()) << run.ramp_errors.front();
  }
}

TEST(SimCamera, StopIsSafeBeforeStartAndStartNeedsPrepare) {
  auto source = make_sim_source(small());
  source->stop();
  EXPECT_THROW(source->start(), SourceError);
  EXPECT_EQ(source->error_message(), "sim:sim: not prepared");
}

TEST(SimCamera, ConfigurationErrorsNameTheFieldAndTheLimit) {
  const auto with = [](auto change) {
    SimConfig c = small();
    change(c);
    return rejection(c);
  };
  EXPECT_EQ(with([](SimConfig&) {}), "accepted");
  EXPECT_EQ(with([](SimConfig& c) { c.bit_depth = 10; }),
            "bit_depth 10 is not supported (8, 12, 16 or 32)");
  EXPECT_EQ(with([](SimConfig& c) { c.fps = -1; }),
            "fps -1 is outside 0..100000 frames/s (0 = free-running)");
  EXPECT_EQ(with([](SimConfig& c) { c.exposure_ms = 1.0 / 0.0; }),
            "exposure_ms inf is outside 0..3600000 ms");
  EXPECT_EQ(with([](SimConfig& c) {
              c.fps = 100;
              c.exposure_ms = 20;
            }),
            "exposure_ms 20 exceeds the frame period 10 ms at fps 100");
  EXPECT_EQ(with([](SimConfig& c) { c.temperature_c = 150; }),
            "temperature_c 150 is outside -100..100 degrees C");
  EXPECT_EQ(with([](SimConfig& c) { c.buffer_frames = 1; }), "buffer_frames 1 is outside 2..4096");
  EXPECT_EQ(with([](SimConfig& c) { c.cycle_frames = 0; }), "cycle_frames 0 is outside 1..1024");
  EXPECT_EQ(with([](SimConfig& c) {
              c.faults = {{FaultKind::burst, 3, 0}};
            }),
            "faults: 'burst@3:0': amount must be at least 1 (expected kind@frame[:amount], "
            "kinds: gap@N:K, stall@N:MS, burst@N:K, sdk_error@N, disconnect@N)");
  EXPECT_EQ(with([](SimConfig& c) { c.memory_budget_bytes = 1000; }),
            "frame of 1920 bytes (40x24, 16-bit) exceeds memory_budget_bytes 1000");
  EXPECT_EQ(with([](SimConfig& c) {
              c.pattern = SimPattern::noise;
              c.cycle_frames = 100;
              c.memory_budget_bytes = 100'000;
            }),
            "the SDK buffer needs 192000 bytes (buffer_frames 64, cycle_frames 100) but "
            "memory_budget_bytes is 100000");
  EXPECT_EQ(with([](SimConfig& c) { c.roi = {.x = 0, .y = 20, .width = 0, .height = 8}; }),
            "roi.y + roi.height = 28 exceeds the sensor height 24");
  // prepare() reports the same error.
  SimConfig bad = small();
  bad.bit_depth = 7;
  EXPECT_THROW(make_sim_source(bad)->prepare(), ConfigError);
}

TEST(SimCamera, PatternNamesParse) {
  EXPECT_EQ(parse_sim_pattern("ramp"), SimPattern::ramp);
  EXPECT_EQ(parse_sim_pattern("noise"), SimPattern::noise);
  EXPECT_EQ(parse_sim_pattern("realistic"), SimPattern::realistic);
  EXPECT_EQ(to_string(SimPattern::realistic), "realistic");
  try {
    parse_sim_pattern("stripes");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "pattern 'stripes' is unknown (ramp, noise or realistic)");
  }
}

TEST(SimCamera, ReadingFramesAllocatesNothing) {
  test::Watchdog watchdog(60s);
  for (const SimPattern pattern : {SimPattern::ramp, SimPattern::noise}) {
    SCOPED_TRACE(std::string(to_string(pattern)));
    SimConfig c = small(256, 128);
    c.pattern = pattern;
    c.buffer_frames = 4;
    auto source = make_sim_source(c);
    const SourceFormat format = source->prepare();
    FrameData frame = FrameData::with_capacity(format.frame_bytes);
    source->start();
    PendingFrame pending;
    std::uint64_t frames = 0;
    std::uint64_t before = 0;
    for (int i = 0; i < 20 + 300; ++i) {
      if (i == 20) before = alloc_counter::global().allocations;  // both threads warmed up
      ASSERT_EQ(source->wait_frame(10s, pending), SourceStatus::frame_ready);
      i % 2 == 0 ? source->read_frame(frame) : source->skip_frame();
      ++frames;
    }
    const auto allocations = alloc_counter::global().allocations - before;
    source->stop();
    EXPECT_EQ(allocations, 0u) << "over 300 frames";
    EXPECT_EQ(frames, 320u);
  }
}

}  // namespace
}  // namespace daq
