// run_requirement(): what a series' settings ask of the machine, from the camera's format.
// check_capacity() on this machine: a small sim run into a fresh directory leaves it empty.
#include "daq/acquisition/capacity_check.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "daq/pipeline/frame_source.hpp"

namespace daq::acquisition {
namespace {

SourceFormat format_of(std::size_t frame_bytes, double camera_fps) {
  SourceFormat format;
  format.width = 64;
  format.height = 32;
  format.bit_depth = 16;
  format.frame_bytes = frame_bytes;
  format.frames_per_second = camera_fps;
  return format;
}

TEST(RunRequirement, TakesTheSettingsRateFramesCompressionAndPool) {
  Settings s;
  s.camera.fps = 50;
  s.camera.frames = 200;
  s.compression = "bslz4";
  s.pool_frames = 32;
  const RunRequirement run = run_requirement(s, format_of(4096, 0));
  EXPECT_EQ(run.frame_bytes, 4096u);
  EXPECT_EQ(run.fps, 50.0);
  EXPECT_EQ(run.frame_count, 200u);
  EXPECT_EQ(run.compression, storage::Compression::bslz4);
  EXPECT_EQ(run.pool_frames, 32u);
  EXPECT_GE(run.writer_workers, 1u);
}

TEST(RunRequirement, ADurationGivesTheFrameCountAndTheCameraItsRate) {
  Settings s;
  s.camera.fps = 0;  // the camera's own rate
  s.camera.frames = 0;
  s.duration_s = 2.5;
  const RunRequirement run = run_requirement(s, format_of(4096, 40));
  EXPECT_EQ(run.fps, 40.0);
  EXPECT_EQ(run.frame_count, 100u);
}

TEST(RunRequirement, NoRateIsBadInputNamingFps) {
  Settings s;
  s.camera.fps = 0;
  try {
    run_requirement(s, format_of(4096, 0));
    FAIL() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("--fps: ", 0), 0u) << e.what();
  }
}

TEST(CheckCapacity, BadCompressionIsBadInputNamingTheFlag) {
  Settings s;
  s.compression = "zip";
  try {
    check_capacity(s, std::filesystem::temp_directory_path(), ProbeMode::quick);
    FAIL() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("--compression"), std::string::npos) << e.what();
  }
}

TEST(CheckCapacity, ASmallSimRunFitsAndLeavesTheDirectoryEmpty) {
  const auto directory = std::filesystem::temp_directory_path() / "daq-capacity-check-test";
  std::filesystem::remove_all(directory);
  std::filesystem::create_directory(directory);
  Settings s;
  s.camera.width = 64;
  s.camera.height = 32;
  s.camera.fps = 5;
  s.camera.frames = 10;
  const CapacityCheck check = check_capacity(s, directory, ProbeMode::quick);
  EXPECT_TRUE(check.verdict.fits) << capacity_text(check.verdict);
  EXPECT_EQ(check.verdict.run.frame_bytes, 64u * 32u * 2u);
  EXPECT_GT(check.verdict.machine.camera_cpu_s_per_frame, 0.0);
  EXPECT_TRUE(check.camera_note.empty());
  EXPECT_TRUE(std::filesystem::is_empty(directory));
  std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace daq::acquisition
