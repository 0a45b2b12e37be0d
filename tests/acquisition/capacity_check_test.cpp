// run_requirement(): what a series' settings ask of the machine, from the camera's format and
// the pool. check_capacity() on this machine: a small sim run into a fresh directory leaves it
// empty; the pool it counts is the one the Instrument maps (the stream's frames and headroom).
#include "daq/acquisition/capacity_check.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "daq/acquisition/instrument.hpp"
#include "daq/pipeline/frame_source.hpp"
#include "daq/pool/frame_data.hpp"
#include "daq/pool/page_memory.hpp"
#include "temp_dir.hpp"

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
  const RunRequirement run = run_requirement(s, format_of(4096, 0), pool_plan(s, 0, 0));
  EXPECT_EQ(run.frame_bytes, 4096u);
  EXPECT_EQ(run.fps, 50.0);
  EXPECT_EQ(run.frame_count, 200u);
  EXPECT_EQ(run.compression, storage::Compression::bslz4);
  EXPECT_EQ(run.pool_frames, 32u);
  EXPECT_EQ(run.stream_pool_frames, 0u);
  EXPECT_EQ(run.pool_bytes, 32u * FrameData::mapped_bytes(4096));
  EXPECT_GE(run.writer_workers, 1u);
}

TEST(RunRequirement, ThePoolIsThePlansFramesAndBytes) {
  Settings s;
  s.camera.fps = 50;
  s.pool_frames = 16;
  s.out = "a.h5";
  set(s, "stream", "tcp://*:31001");
  set(s, "stream-hwm", "8");
  const RunRequirement run = run_requirement(s, format_of(5000, 0), pool_plan(s, 0, 2));
  EXPECT_EQ(run.pool_frames, 16u + 8u + 2u);
  EXPECT_EQ(run.stream_pool_frames, 8u);
  EXPECT_EQ(run.pool_bytes, 26u * FrameData::mapped_bytes(5000, PageMemory::page_size()));
}

TEST(RunRequirement, ADurationGivesTheFrameCountAndTheCameraItsRate) {
  Settings s;
  s.camera.fps = 0;  // the camera's own rate
  s.camera.frames = 0;
  s.duration_s = 2.5;
  const RunRequirement run = run_requirement(s, format_of(4096, 40), pool_plan(s, 0, 0));
  EXPECT_EQ(run.fps, 40.0);
  EXPECT_EQ(run.frame_count, 100u);
}

TEST(RunRequirement, NoRateIsBadInputNamingFps) {
  Settings s;
  s.camera.fps = 0;
  try {
    run_requirement(s, format_of(4096, 0), pool_plan(s, 0, 0));
    FAIL() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("--fps: ", 0), 0u) << e.what();
  }
}

TEST(CheckCapacity, BadCompressionIsBadInputNamingTheFlag) {
  Settings s;
  s.compression = "zip";
  try {
    check_capacity(s, std::filesystem::temp_directory_path(), ProbeMode::quick, 0);
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
  const CapacityCheck check = check_capacity(s, directory, ProbeMode::quick, 0);
  EXPECT_TRUE(check.verdict.fits) << capacity_text(check.verdict);
  EXPECT_EQ(check.verdict.run.frame_bytes, 64u * 32u * 2u);
  EXPECT_GT(check.verdict.machine.camera_cpu_s_per_frame, 0.0);
  EXPECT_TRUE(check.camera_note.empty());
  EXPECT_TRUE(std::filesystem::is_empty(directory));
  std::filesystem::remove_all(directory);
}

TEST(CheckCapacity, CountsThePoolTheInstrumentMapsWithTheStreamsFramesAndHeadroom) {
  const test::TempDir dir;
  Settings s;
  set(s, "width", "100");  // 6000 bytes a frame: two pages of pixels, one of headroom
  set(s, "height", "30");
  set(s, "fps", "5");
  set(s, "frames", "10");
  set(s, "out", (dir.path() / "a.h5").string());
  set(s, "stream", "ipc://" + (dir.path() / "stream.sock").string());
  set(s, "stream-hwm", "8");
  apply_defaults(s);
  const CapacityCheck check = check_capacity(s, dir.path(), ProbeMode::quick, 0);
  const RunRequirement& run = check.verdict.run;
  const std::size_t page = PageMemory::page_size();
  EXPECT_EQ(run.pool_frames, 16u + 8u) << "--pool-frames' default and the stream's hwm";
  EXPECT_EQ(run.stream_pool_frames, 8u);
  EXPECT_EQ(run.pool_bytes, 24 * (FrameData::mapped_bytes(6000) + page));
  EXPECT_EQ(run.pool_bytes, pool_plan(s, 0, 0).bytes(6000));
  EXPECT_EQ(check.verdict.use(Resource::memory).required, static_cast<double>(run.pool_bytes));
#if DAQ_HAVE_STREAM
  // The instrument `daq acquire` would run maps that many frames (the pool exists once prepared).
  Instrument instrument;
  instrument.prepare(s);
  ASSERT_TRUE(instrument.metrics().has_value());
  EXPECT_EQ(instrument.metrics()->pool.capacity, run.pool_frames);
#endif
}

}  // namespace
}  // namespace daq::acquisition
