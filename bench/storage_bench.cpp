// Storage benchmarks, all measured in the same run so the ratios compare like with like.
//
//   Hdf5VsWrite/sync:S     32 frames of 8 MiB through Hdf5Writer (uncompressed) and through
//                          plain write() into the same directory, alternating, per iteration;
//                          S=1 adds fdatasync. ratio_vs_write = HDF5 rate / write() rate
//                          (target: >= 0.9); ratio_vs_prealloc compares with write()
//                          into a file preallocated with fallocate, as the writer reserves.
//   Encode/<codec>         one ChunkEncoder on one thread, 2048x2048 12-bit shot-noise image
//                          (rate per CPU-second: the codec's speed on one core)
//   Hdf5Compressed/<codec>/threads:T   Hdf5Writer with T compression workers, same image
//                          (wall-clock input rate)
//
// `ratio` = input bytes / stored bytes. The directory is $DAQ_BENCH_DIR, or the temp directory.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <time.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "daq/storage/chunk_codec.hpp"
#include "daq/storage/hdf5_writer.hpp"

namespace {

using daq::FrameData;
using daq::LoanedFrame;
using daq::Pool;
using daq::storage::Compression;

constexpr std::uint32_t kWidth = 2048;
constexpr std::uint32_t kHeight = 2048;
constexpr std::size_t kFrameBytes = std::size_t{kWidth} * kHeight * 2;  // 8 MiB
constexpr int kFramesPerRun = 32;                                         // 256 MiB per run

std::filesystem::path bench_dir() {
  const char* dir = std::getenv("DAQ_BENCH_DIR");
  return dir != nullptr ? std::filesystem::path(dir) : std::filesystem::temp_directory_path();
}

// A realistic 12-bit image: a smooth illumination from 50 to 3000 photons, a few bright
// spots, Poisson (shot) noise, clipped at 4095. Not trivially compressible.
const std::vector<std::uint16_t>& shot_noise_image() {
  static const std::vector<std::uint16_t> image = [] {
    std::vector<std::uint16_t> pixels(std::size_t{kWidth} * kHeight);
    std::mt19937 rng(1234);
    for (std::uint32_t y = 0; y < kHeight; ++y) {
      for (std::uint32_t x = 0; x < kWidth; ++x) {
        double mean = 50.0 + 2950.0 * (0.5 + 0.5 * std::sin(x / 300.0) * std::cos(y / 410.0));
        const double dx = static_cast<double>(x % 256) - 128.0;
        const double dy = static_cast<double>(y % 256) - 128.0;
        mean += 1500.0 * std::exp(-(dx * dx + dy * dy) / 200.0);
        std::poisson_distribution<int> shot(mean);
        pixels[std::size_t{y} * kWidth + x] = static_cast<std::uint16_t>(std::min(shot(rng), 4095));
      }
    }
    return pixels;
  }();
  return image;
}

std::shared_ptr<Pool<FrameData>> image_pool() {
  auto pool = Pool<FrameData>::create(8, [] {
    FrameData f = FrameData::with_capacity(kFrameBytes);
    std::memcpy(f.writable_pixels(kFrameBytes).data(), shot_noise_image().data(), kFrameBytes);
    f.width = kWidth;
    f.height = kHeight;
    f.bit_depth = 12;
    return f;
  });
  return pool;
}

daq::storage::StreamInfo stream() {
  daq::storage::StreamInfo s;
  s.width = kWidth;
  s.height = kHeight;
  s.bit_depth = 12;
  s.camera_name = "bench";
  return s;
}

// CPU time of the calling thread (user + system): unlike wall time, barely affected by other
// processes competing for the cores.
double thread_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Timing {
  double wall = 0;
  double cpu = 0;
  Timing& operator+=(const Timing& o) {
    wall += o.wall;
    cpu += o.cpu;
    return *this;
  }
};

void sync_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fdatasync(fd);
    ::close(fd);
  }
}

// One run of kFramesPerRun frames with plain write(). `preallocate`: one
// fallocate(FALLOC_FL_KEEP_SIZE) of the whole run first, as the writer reserves ahead.
Timing plain_run(const std::filesystem::path& path, const FrameData& frame, bool sync,
                 bool preallocate) {
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = thread_cpu_seconds();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (preallocate) ::fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, kFramesPerRun * kFrameBytes);
  for (int i = 0; i < kFramesPerRun; ++i) {
    for (std::size_t done = 0; done < kFrameBytes;) {
      const ssize_t n = ::write(fd, frame.buffer.data() + done, kFrameBytes - done);
      if (n <= 0) std::abort();
      done += static_cast<std::size_t>(n);
    }
  }
  if (sync) ::fdatasync(fd);
  ::close(fd);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  const double cpu = thread_cpu_seconds() - cpu_start;
  std::filesystem::remove(path);
  return {took.count(), cpu};
}

// One run of kFramesPerRun frames through Hdf5Writer (plus the writer's counters). The CPU
// time is the calling thread's: all of it for uncompressed output.
Timing hdf5_run(const std::filesystem::path& path, Pool<FrameData>& pool, Compression compression,
                unsigned threads, bool sync, daq::storage::WriterCounters& counters) {
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = thread_cpu_seconds();
  daq::storage::Hdf5Writer writer({.path = path, .overwrite = true, .compression = compression,
                                   .compression_threads = threads});
  writer.open(stream());
  for (int i = 0; i < kFramesPerRun; ++i) {
    LoanedFrame f = pool.acquire();
    f->frame_number = static_cast<std::uint64_t>(i);
    writer.write(std::move(f));
  }
  writer.finish({});
  if (sync) sync_file(path);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  const double cpu = thread_cpu_seconds() - cpu_start;
  counters = writer.counters();
  std::filesystem::remove(path);
  return {took.count(), cpu};
}

// Uncompressed HDF5 against plain write() of the same frames into the same directory, and
// against write() into a preallocated file, rotating the order each iteration so all three
// see the same machine load. bytes_per_second is the HDF5 rate; ratio_vs_write and
// ratio_vs_prealloc are HDF5 rate / write() rate (wall time); cpu_ratio_vs_prealloc is the
// preallocated write()'s CPU time / HDF5's CPU time per byte (1 = no HDF5 overhead).
void Hdf5VsWrite(benchmark::State& state) {
  const bool sync = state.range(0) != 0;
  auto pool = image_pool();
  LoanedFrame plain_frame = pool->acquire();
  Timing t[3];  // write(), preallocated write(), HDF5
  daq::storage::WriterCounters counters;
  std::int64_t runs = 0;
  for (auto _ : state) {
    double hdf5_seconds = 0;
    for (int k = 0; k < 3; ++k) {
      const int which = static_cast<int>((runs + k) % 3);
      if (which == 2) {
        const Timing h5 = hdf5_run(bench_dir() / "daq-bench.h5", *pool, Compression::none, 0,
                                   sync, counters);
        hdf5_seconds = h5.wall;
        t[2] += h5;
      } else {
        t[which] += plain_run(bench_dir() / "daq-bench-plain.bin", *plain_frame, sync, which == 1);
      }
    }
    ++runs;
    state.SetIterationTime(hdf5_seconds);
  }
  const double bytes = static_cast<double>(runs) * kFramesPerRun * kFrameBytes;
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["write_MBps"] = bytes / t[0].wall / 1e6;
  state.counters["prealloc_write_MBps"] = bytes / t[1].wall / 1e6;
  state.counters["hdf5_MBps"] = bytes / t[2].wall / 1e6;
  state.counters["ratio_vs_write"] = t[0].wall / t[2].wall;
  state.counters["ratio_vs_prealloc"] = t[1].wall / t[2].wall;
  state.counters["cpu_ratio_vs_prealloc"] = t[1].cpu / t[2].cpu;
}

// Hdf5Writer with compression on `threads` workers: input bytes/second and compression ratio.
void Hdf5Compressed(benchmark::State& state, Compression compression) {
  const auto threads = static_cast<unsigned>(state.range(0));
  auto pool = image_pool();
  std::uint64_t written = 0;
  std::uint64_t stored = 0;
  for (auto _ : state) {
    daq::storage::WriterCounters counters;
    state.SetIterationTime(
        hdf5_run(bench_dir() / "daq-bench.h5", *pool, compression, threads, false, counters).wall);
    written += counters.bytes_written;
    stored += counters.bytes_stored;
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(written));
  state.counters["ratio"] = static_cast<double>(written) / static_cast<double>(stored);
}

void Encode(benchmark::State& state, Compression compression) {
  daq::storage::ChunkEncoder encoder(compression, 2, kFrameBytes);
  std::vector<std::byte> out(encoder.bound());
  const auto* in = reinterpret_cast<const std::byte*>(shot_noise_image().data());
  std::size_t encoded = 0;
  for (auto _ : state) {
    encoded = encoder.encode({in, kFrameBytes}, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(kFrameBytes));
  state.counters["ratio"] = static_cast<double>(kFrameBytes) / static_cast<double>(encoded);
}

}  // namespace

BENCHMARK(Hdf5VsWrite)->ArgName("sync")->Arg(0)->Arg(1)->Iterations(6)->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Encode, bslz4, Compression::bslz4)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Encode, blosc, Compression::blosc)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Encode, lz4, Compression::lz4)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Hdf5Compressed, bslz4, Compression::bslz4)->ArgName("threads")->Arg(1)->Arg(2)
    ->Iterations(2)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Hdf5Compressed, blosc, Compression::blosc)->ArgName("threads")->Arg(1)->Arg(2)
    ->Iterations(2)->UseManualTime()->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
