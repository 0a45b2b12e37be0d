// Tests of the capacity model (daq/acquisition/capacity.hpp) with injected measurements. The
// reference machine is the slow one of docs/adr/0013-capacity-check.md: 2 cores, an 8 MiB copy
// at 2.4 GB/s, 309 MB/s to disk; the load is 2048 x 2048 x 16-bit at 100 fps, 6000 frames.
#include "daq/acquisition/capacity.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

namespace daq::acquisition {
namespace {

constexpr std::size_t kFrameBytes = std::size_t{2048} * 2048 * 2;

RunRequirement adr_load() {
  RunRequirement run;
  run.frame_bytes = kFrameBytes;
  run.fps = 100.0;
  run.frame_count = 6000;
  run.pool_frames = 64;
  run.pool_bytes = 64 * kFrameBytes;
  run.writer_workers = 2;
  return run;
}

MachineResources slow_machine() {
  MachineResources machine;
  machine.disk_bytes_per_s = 309e6;
  machine.copy_bytes_per_s = 2.4e9;
  machine.compress_bytes_per_core_s = 300e6;
  machine.compression_ratio = 2.08;
  machine.cores = 2.0;
  machine.free_bytes = 100'000'000'000;
  machine.usable_memory_bytes = 16'000'000'000;
  return machine;
}

TEST(CapacityModel, DiskBoundRunNamesTheDiskAndItsSustainableRate) {
  const auto verdict = assess_capacity(adr_load(), slow_machine());

  EXPECT_EQ(verdict.bottleneck, Resource::disk);
  EXPECT_FALSE(verdict.fits);
  EXPECT_NEAR(verdict.use(Resource::disk).required, 100.0 * kFrameBytes, 1.0);
  EXPECT_NEAR(verdict.use(Resource::disk).headroom, 309e6 / (100.0 * kFrameBytes), 1e-12);
  EXPECT_NEAR(verdict.sustainable_fps, 309e6 / kFrameBytes, 1e-9);
  EXPECT_EQ(capacity_text(verdict),
            "needs 839 MB/s to disk; disk sustains 309 MB/s (0.37×) — bottleneck: disk; "
            "sustainable ≈ 36 fps");
}

TEST(CapacityModel, CompressedRunIsCpuBoundWhenCopyAndCompressionExceedTheCores) {
  auto run = adr_load();
  run.compression = storage::Compression::bslz4;
  const auto verdict = assess_capacity(run, slow_machine());

  const double copy_s = kFrameBytes / 2.4e9;
  const double compress_s = kFrameBytes / 300e6;
  EXPECT_EQ(verdict.bottleneck, Resource::cpu);
  EXPECT_FALSE(verdict.fits);
  EXPECT_NEAR(verdict.use(Resource::disk).required, 100.0 * kFrameBytes / 2.08, 1.0);
  EXPECT_NEAR(verdict.cpu.copy, 100.0 * copy_s, 1e-12);
  EXPECT_NEAR(verdict.cpu.compression, 100.0 * compress_s, 1e-12);
  EXPECT_NEAR(verdict.use(Resource::cpu).required, 100.0 * (copy_s + compress_s), 1e-12);
  EXPECT_NEAR(verdict.sustainable_fps, 2.0 / (copy_s + compress_s), 1e-9);
  EXPECT_EQ(capacity_text(verdict),
            "with --compression bslz4 (ratio 2.08): needs 403 MB/s disk and 2.8 cores; have 1.7 "
            "cores free; disk sustains 309 MB/s (0.77×) — bottleneck: cpu; sustainable ≈ 63 fps");
}

TEST(CapacityModel, ACompressedRunCanStillBeDiskBound) {
  auto run = adr_load();
  run.compression = storage::Compression::bslz4;
  auto machine = slow_machine();
  machine.compression_ratio = 1.0;  // noise does not compress
  machine.compress_bytes_per_core_s = 2e9;
  const auto verdict = assess_capacity(run, machine);

  EXPECT_EQ(verdict.bottleneck, Resource::disk);
  EXPECT_EQ(capacity_text(verdict),
            "with --compression bslz4 (ratio 1.00): needs 839 MB/s disk and 0.4 cores; have 1.7 "
            "cores free; disk sustains 309 MB/s (0.37×) — bottleneck: disk; sustainable ≈ 36 fps");
}

TEST(CapacityModel, CompressionRunsOnAtMostTheWorkerThreads) {
  auto run = adr_load();
  run.compression = storage::Compression::bslz4;
  run.writer_workers = 1;
  auto machine = slow_machine();
  machine.cores = 8.0;
  const auto verdict = assess_capacity(run, machine);

  EXPECT_EQ(verdict.bottleneck, Resource::cpu);
  EXPECT_NEAR(verdict.sustainable_fps, 300e6 / kFrameBytes, 1e-9);
  EXPECT_NE(capacity_text(verdict).find("(1 compression workers)"), std::string::npos);
}

TEST(CapacityModel, TheCamerasOwnWorkSharesTheCores) {
  auto machine = slow_machine();
  machine.disk_bytes_per_s = 10e9;
  machine.camera_cpu_s_per_frame = 0.02;  // two cores: 100 fps need 2 + the copy's 0.35
  const auto verdict = assess_capacity(adr_load(), machine);

  EXPECT_EQ(verdict.bottleneck, Resource::cpu);
  EXPECT_NEAR(verdict.cpu.camera, 2.0, 1e-12);
  EXPECT_NEAR(verdict.sustainable_fps, 2.0 / (0.02 + kFrameBytes / 2.4e9), 1e-9);
}

TEST(CapacityModel, TheWritersSystemCallsShareTheCores) {
  auto run = adr_load();
  run.compression = storage::Compression::bslz4;
  auto machine = slow_machine();
  machine.disk_cpu_s_per_byte = 1.0 / 400e6;  // a buffered write: the page-cache copy
  const auto verdict = assess_capacity(run, machine);

  const double write_s = kFrameBytes / 2.08 / 400e6;
  EXPECT_NEAR(verdict.cpu.writer, 100.0 * write_s, 1e-12);
  EXPECT_NEAR(verdict.sustainable_fps, 2.0 / (kFrameBytes / 2.4e9 + kFrameBytes / 300e6 + write_s),
              1e-9);
  EXPECT_NE(capacity_text(verdict).find("have 0.6 cores free"), std::string::npos)
      << capacity_text(verdict);
}

TEST(CapacityModel, ASlowCopyBindsTheDeliveryThreadWhateverTheCores) {
  auto machine = slow_machine();
  machine.disk_bytes_per_s = 10e9;
  machine.copy_bytes_per_s = 0.5e9;  // one thread: 59 fps of 8 MiB
  machine.cores = 16.0;
  const auto verdict = assess_capacity(adr_load(), machine);

  EXPECT_EQ(verdict.bottleneck, Resource::copy);
  EXPECT_NEAR(verdict.sustainable_fps, 0.5e9 / kFrameBytes, 1e-9);
  EXPECT_NE(capacity_text(verdict).find("the frame copy needs 0.84 GB/s, measured 0.50 GB/s"),
            std::string::npos);
}

TEST(CapacityModel, APoolLargerThanUsableMemoryCannotRun) {
  auto run = adr_load();
  run.pool_frames = 1000;
  run.pool_bytes = 1000 * kFrameBytes;
  auto machine = slow_machine();
  machine.disk_bytes_per_s = 10e9;
  machine.usable_memory_bytes = 4'000'000'000;
  const auto verdict = assess_capacity(run, machine);

  EXPECT_EQ(verdict.bottleneck, Resource::memory);
  EXPECT_FALSE(verdict.fits);
  EXPECT_EQ(verdict.sustainable_fps, 0.0);
  EXPECT_NEAR(verdict.use(Resource::memory).required, 1000.0 * kFrameBytes, 1.0);
  EXPECT_NE(
      capacity_text(verdict).find("the pool of 1000 frames needs 8.39 GB of 4.00 GB usable memory"),
      std::string::npos);
}

TEST(CapacityModel, ThePoolsBytesAreTheMemoryItNeedsAndTheTextNamesTheStreamsFrames) {
  auto run = adr_load();
  run.pool_frames = 1000;
  run.stream_pool_frames = 8;
  run.pool_bytes = 1000 * (kFrameBytes + 4096);  // a page of headroom in front of each frame
  auto machine = slow_machine();
  machine.disk_bytes_per_s = 10e9;
  machine.usable_memory_bytes = 4'000'000'000;
  const auto verdict = assess_capacity(run, machine);

  EXPECT_EQ(verdict.use(Resource::memory).required, static_cast<double>(run.pool_bytes));
  EXPECT_NE(capacity_text(verdict).find("the pool of 1000 frames (8 for the stream) needs 8.39 GB "
                                        "of 4.00 GB usable memory"),
            std::string::npos)
      << capacity_text(verdict);
}

TEST(CapacityModel, AFiniteRunLargerThanTheFreeSpaceSaysHowManyFramesFit) {
  auto machine = slow_machine();
  machine.disk_bytes_per_s = 10e9;
  machine.free_bytes = 20'000'000'000;
  const auto verdict = assess_capacity(adr_load(), machine);

  EXPECT_EQ(verdict.bottleneck, Resource::space);
  EXPECT_FALSE(verdict.fits);
  EXPECT_EQ(verdict.frames_that_fit, 20'000'000'000 / kFrameBytes);
  EXPECT_NEAR(verdict.sustainable_fps, 2.4e9 / kFrameBytes, 1e-9);  // space limits no rate
  EXPECT_NE(capacity_text(verdict).find("needs 50.3 GB on disk, 20.0 GB free (2384 of 6000 "
                                        "frames fit)"),
            std::string::npos);
}

TEST(CapacityModel, CompressionShrinksTheSpaceAFiniteRunNeeds) {
  auto run = adr_load();
  run.compression = storage::Compression::lz4;
  auto machine = slow_machine();
  machine.compression_ratio = 4.0;
  const auto verdict = assess_capacity(run, machine);

  EXPECT_NEAR(verdict.use(Resource::space).required, 6000.0 * kFrameBytes / 4.0, 1.0);
  EXPECT_EQ(verdict.frames_that_fit, static_cast<std::uint64_t>(100e9 * 4.0 / kFrameBytes));
}

TEST(CapacityModel, UncompressedRunsIgnoreAMeasuredRatio) {
  auto machine = slow_machine();
  machine.compression_ratio = 3.0;
  const auto verdict = assess_capacity(adr_load(), machine);
  EXPECT_NEAR(verdict.use(Resource::disk).required, 100.0 * kFrameBytes, 1.0);
  EXPECT_EQ(verdict.cpu.compression, 0.0);
}

TEST(CapacityModel, AMachineWithHeadroomEverywhereFits) {
  auto machine = slow_machine();
  machine.disk_bytes_per_s = 2.0e9;
  machine.copy_bytes_per_s = 10e9;
  const auto verdict = assess_capacity(adr_load(), machine);

  EXPECT_TRUE(verdict.fits);
  EXPECT_EQ(verdict.bottleneck, Resource::space);  // 100 GB for 50.3 GB: 1.99x
  EXPECT_NEAR(verdict.sustainable_fps, 2.0e9 / kFrameBytes, 1e-9);
  for (const auto& use : verdict.resources) EXPECT_GE(use.headroom, kRequiredHeadroom);
}

MachineResources ample_machine_for(const RunRequirement& run) {
  MachineResources machine;
  const double rate = run.fps * static_cast<double>(run.frame_bytes);
  machine.disk_bytes_per_s = 10 * rate;
  machine.copy_bytes_per_s = 10 * rate;
  machine.cores = 10.0;
  machine.free_bytes = 10 * run.frame_count * run.frame_bytes;
  machine.usable_memory_bytes = 10 * run.pool_bytes;
  return machine;
}

TEST(CapacityModel, ExactlyTheRequiredHeadroomFitsAndJustBelowDoesNot) {
  RunRequirement run;
  run.frame_bytes = 1'000'000;
  run.fps = 100.0;
  run.frame_count = 1000;
  run.pool_frames = 10;
  run.pool_bytes = 10'000'000;
  const double rate = 100e6;

  auto at_rule = ample_machine_for(run);
  at_rule.disk_bytes_per_s = 1.2 * rate;
  EXPECT_TRUE(assess_capacity(run, at_rule).fits);
  auto below = at_rule;
  below.disk_bytes_per_s = 1.2 * rate * (1 - 1e-6);
  EXPECT_FALSE(assess_capacity(run, below).fits);

  auto memory_at_rule = ample_machine_for(run);
  memory_at_rule.usable_memory_bytes = 12'000'000;
  EXPECT_TRUE(assess_capacity(run, memory_at_rule).fits);
  memory_at_rule.usable_memory_bytes -= 1;
  EXPECT_FALSE(assess_capacity(run, memory_at_rule).fits);

  auto space_at_rule = ample_machine_for(run);
  space_at_rule.free_bytes = 1'200'000'000;
  EXPECT_TRUE(assess_capacity(run, space_at_rule).fits);
  space_at_rule.free_bytes -= 1;
  EXPECT_FALSE(assess_capacity(run, space_at_rule).fits);
}

TEST(CapacityModel, AContinuousRunNeedsNoSpaceButSaysWhenTheDiskIsFull) {
  auto run = adr_load();
  run.frame_count = 0;
  auto machine = slow_machine();
  machine.disk_bytes_per_s = 2.0e9;
  const auto verdict = assess_capacity(run, machine);

  EXPECT_TRUE(std::isinf(verdict.use(Resource::space).headroom));
  EXPECT_NEAR(verdict.seconds_until_full, 100e9 / (100.0 * kFrameBytes), 1e-9);
  EXPECT_NE(capacity_text(verdict).find("100.0 GB free lasts 119 s"), std::string::npos);
}

TEST(CapacityModel, NothingMeasuredMeansNothingSustained) {
  const auto verdict = assess_capacity(adr_load(), MachineResources{});
  EXPECT_FALSE(verdict.fits);
  EXPECT_EQ(verdict.sustainable_fps, 0.0);
}

TEST(CapacityJson, CarriesTheVerdictWithUnitsInTheKeys) {
  auto run = adr_load();
  run.compression = storage::Compression::bslz4;
  run.frame_count = 0;
  run.stream_pool_frames = 8;  // of the 64
  const auto verdict = assess_capacity(run, slow_machine());
  const auto json = nlohmann::json::parse(capacity_json(verdict));

  EXPECT_EQ(json.at("fits").get<bool>(), false);
  EXPECT_EQ(json.at("bottleneck").get<std::string>(), "cpu");
  EXPECT_DOUBLE_EQ(json.at("sustainable_fps").get<double>(), verdict.sustainable_fps);
  EXPECT_DOUBLE_EQ(json.at("required_headroom").get<double>(), 1.2);
  const auto& disk = json.at("resources").at("disk");
  EXPECT_NEAR(disk.at("required_mb_per_s").get<double>(), 100.0 * kFrameBytes / 2.08 / 1e6, 1e-9);
  EXPECT_DOUBLE_EQ(disk.at("measured_mb_per_s").get<double>(), 309.0);
  const auto& cpu = json.at("resources").at("cpu");
  EXPECT_DOUBLE_EQ(cpu.at("measured_cores").get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(cpu.at("required_cores").get<double>(), verdict.use(Resource::cpu).required);
  EXPECT_DOUBLE_EQ(json.at("resources").at("copy").at("measured_gb_per_s").get<double>(), 2.4);
  EXPECT_DOUBLE_EQ(json.at("resources").at("memory").at("required_bytes").get<double>(),
                   64.0 * kFrameBytes);
  EXPECT_EQ(json.at("run").at("pool_frames").get<std::size_t>(), 64u);
  EXPECT_EQ(json.at("run").at("stream_pool_frames").get<std::size_t>(), 8u);
  EXPECT_EQ(json.at("run").at("pool_bytes").get<std::size_t>(), 64 * kFrameBytes);
  EXPECT_TRUE(json.at("resources").at("space").at("headroom").is_null());  // continuous
  EXPECT_EQ(json.at("text").get<std::string>(), capacity_text(verdict));
}

}  // namespace
}  // namespace daq::acquisition
