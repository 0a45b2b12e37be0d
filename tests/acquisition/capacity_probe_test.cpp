// Tests of the capacity probes (daq/acquisition/capacity_probe.hpp) on this machine: finite,
// positive figures, no file left in (or ever shown in) the probed directory, quick probes that
// stay quick.
#include "daq/acquisition/capacity_probe.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "temp_dir.hpp"

namespace daq::acquisition {
namespace {

constexpr std::size_t kFrameBytes = std::size_t{2048} * 2048 * 2;

bool directory_is_empty(const std::filesystem::path& directory) {
  return std::filesystem::directory_iterator(directory) == std::filesystem::directory_iterator();
}

void expect_positive(double value) {
  EXPECT_TRUE(std::isfinite(value)) << value;
  EXPECT_GT(value, 0.0);
}

/// Seconds `work` takes.
template <class Work>
double seconds_of(Work&& work) {
  const auto start = std::chrono::steady_clock::now();
  work();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(DiskProbe, MeasuresAPositiveRateAndLeavesNothingBehind) {
  const test::TempDir dir;
  for (const auto path : {DiskWritePath::direct, DiskWritePath::buffered}) {
    const auto probe = probe_disk_write(dir.path(), kFrameBytes, path, ProbeMode::quick);
    expect_positive(probe.bytes_per_s);
    expect_positive(probe.cpu_s_per_byte);
    EXPECT_GE(probe.bytes_written, kFrameBytes);
    if (path == DiskWritePath::direct) {
      EXPECT_EQ(probe.direct, probe.direct_refused_errno == 0);
    } else {
      EXPECT_FALSE(probe.direct);
    }
    EXPECT_TRUE(directory_is_empty(dir.path()));
  }
}

TEST(DiskProbe, FollowsTheWritersPathForTheRun) {
  RunRequirement run;
  run.frame_bytes = kFrameBytes;
  EXPECT_EQ(disk_write_path(run), DiskWritePath::direct);
  run.frame_bytes = 1000 * 1000 * 2;  // not whole 4 KiB blocks
  EXPECT_EQ(disk_write_path(run), DiskWritePath::buffered);
  run.frame_bytes = kFrameBytes;
  run.compression = storage::Compression::lz4;
  EXPECT_EQ(disk_write_path(run), DiskWritePath::buffered);
}

TEST(DiskProbe, TheTestFileNeverAppearsInTheDirectory) {
  const test::TempDir dir;
  std::atomic<bool> done{false};
  std::thread probe([&] {
    probe_disk_write(dir.path(), kFrameBytes, DiskWritePath::direct, ProbeMode::quick);
    probe_disk_write(dir.path(), kFrameBytes, DiskWritePath::buffered, ProbeMode::quick);
    done = true;
  });
  std::uint64_t listings = 0;
  bool ever_listed = false;
  while (!done) {
    ever_listed = ever_listed || !directory_is_empty(dir.path());
    ++listings;
  }
  probe.join();
  EXPECT_FALSE(ever_listed) << "after " << listings << " listings";
  EXPECT_GT(listings, 0u);
}

TEST(DiskProbe, AMissingDirectoryIsAnErrorNamingItAndTheReason) {
  const test::TempDir dir;
  const auto missing = dir / "missing";
  try {
    probe_disk_write(missing, kFrameBytes, DiskWritePath::direct, ProbeMode::quick);
    FAIL() << "no error";
  } catch (const std::system_error& error) {
    EXPECT_NE(std::string(error.what()).find(missing.string()), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find(std::strerror(ENOENT)), std::string::npos)
        << error.what();
  }
  EXPECT_THROW(probe_disk_write(dir.path(), 0, DiskWritePath::direct, ProbeMode::quick),
               std::invalid_argument);
}

TEST(CopyProbe, MeasuresAPositiveRate) {
  expect_positive(probe_frame_copy(kFrameBytes, ProbeMode::quick));
}

TEST(SimCameraProbe, DeliversAFrameOfThePatternAndTheCamerasCost) {
  SimConfig config;
  config.width = 512;
  config.height = 256;
  config.fps = 10.0;       // ignored: the probe runs free-running
  config.frame_count = 3;  // ignored too
  const auto probe = probe_sim_camera(config, ProbeMode::quick);

  ASSERT_EQ(probe.frame.actual_len, std::size_t{512} * 256 * 2);
  const auto pixels = probe.frame.view().pixels_as<std::uint16_t>();
  EXPECT_EQ(pixels[0], 0);  // ramp: x + y + n, frame 0
  EXPECT_EQ(pixels[512 * 5 + 7], 12);
  EXPECT_GT(probe.frames, 3u);
  EXPECT_TRUE(std::isfinite(probe.cpu_s_per_frame));
  EXPECT_GE(probe.cpu_s_per_frame, 0.0);
}

TEST(CompressionProbe, MeasuresRateAndRatioOfAPatternFrame) {
  SimConfig config;
  config.width = 1024;
  config.height = 1024;
  const auto frame = probe_sim_camera(config, ProbeMode::quick).frame;
  const auto probe =
      probe_compression(storage::Compression::bslz4, frame.pixels(), 2, ProbeMode::quick);
  expect_positive(probe.bytes_per_core_s);
  EXPECT_GT(probe.ratio, 1.0);  // a ramp compresses
  EXPECT_THROW(probe_compression(storage::Compression::none, frame.pixels(), 2, ProbeMode::quick),
               std::invalid_argument);
}

TEST(SystemProbe, ReportsFreeSpaceCoresAndTheirErrors) {
  const test::TempDir dir;
  EXPECT_GT(free_bytes(dir.path()), 0u);
  EXPECT_GE(available_cores(), 1.0);
  EXPECT_THROW(free_bytes(dir / "missing"), std::system_error);
}

TEST(Probes, EachQuickProbeStaysWithinItsBound) {
  const test::TempDir dir;
  SimConfig config;
  config.width = 2048;
  config.height = 2048;
  SimCameraProbe camera;
  EXPECT_LT(seconds_of([&] { camera = probe_sim_camera(config, ProbeMode::quick); }), 3.0);
  for (const auto path : {DiskWritePath::direct, DiskWritePath::buffered}) {
    EXPECT_LT(
        seconds_of([&] { probe_disk_write(dir.path(), kFrameBytes, path, ProbeMode::quick); }),
        3.0);
  }
  EXPECT_LT(seconds_of([&] { probe_frame_copy(kFrameBytes, ProbeMode::quick); }), 3.0);
  EXPECT_LT(seconds_of([&] {
              probe_compression(storage::Compression::bslz4, camera.frame.pixels(), 2,
                                ProbeMode::quick);
            }),
            3.0);
}

TEST(ProbeMachine, FeedsTheModelForACompressedRun) {
  const test::TempDir dir;
  SimConfig config;
  config.width = 2048;
  config.height = 2048;
  RunRequirement run;
  run.frame_bytes = kFrameBytes;
  run.fps = 100.0;
  run.frame_count = 6000;
  run.pool_frames = 64;
  run.writer_workers = 2;
  run.compression = storage::Compression::bslz4;

  const auto camera = probe_sim_camera(config, ProbeMode::quick);
  const auto machine = probe_machine(
      run, {dir.path(), camera.frame.pixels(), 2, camera.cpu_s_per_frame}, ProbeMode::quick);
  expect_positive(machine.disk_bytes_per_s);
  expect_positive(machine.disk_cpu_s_per_byte);
  expect_positive(machine.copy_bytes_per_s);
  expect_positive(machine.compress_bytes_per_core_s);
  EXPECT_GT(machine.compression_ratio, 1.0);
  EXPECT_EQ(machine.camera_cpu_s_per_frame, camera.cpu_s_per_frame);
  EXPECT_GE(machine.cores, 1.0);
  EXPECT_GT(machine.free_bytes, 0u);
  EXPECT_GT(machine.usable_memory_bytes, 0u);
  EXPECT_TRUE(directory_is_empty(dir.path()));

  const auto verdict = assess_capacity(run, machine);
  expect_positive(verdict.sustainable_fps);
  std::cout << "2048x2048x16 @ 100 fps, bslz4, quick probes: " << capacity_text(verdict) << '\n';
}

}  // namespace
}  // namespace daq::acquisition
