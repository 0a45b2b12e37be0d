// Storage benchmarks, all measured in the same run so the ratios compare like with like.
//
//   PlainWrite/sync:S        write() of 8 MiB buffers to a new file (S=1: fdatasync at the end)
//   Hdf5Write/sync:S         Hdf5Writer, uncompressed, the same frames into the same directory
//   Encode/<codec>           one ChunkEncoder on one thread, 2048x2048 12-bit shot-noise image
//   Hdf5Compressed/<codec>/threads:T   Hdf5Writer with T compression workers, same image
//
// Throughput is bytes of input per second (real time). `ratio` = input bytes / stored bytes.
// After the run, the HDF5 / plain-write throughput ratios are printed (target >= 0.9).
// The directory is $DAQ_BENCH_DIR, or the system temp directory.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
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

void sync_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fdatasync(fd);
    ::close(fd);
  }
}

void PlainWrite(benchmark::State& state) {
  const bool sync = state.range(0) != 0;
  const auto path = bench_dir() / "daq-bench-plain.bin";
  auto pool = image_pool();
  LoanedFrame frame = pool->acquire();
  for (auto _ : state) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    for (int i = 0; i < kFramesPerRun; ++i) {
      std::size_t done = 0;
      while (done < kFrameBytes) {
        const ssize_t n = ::write(fd, frame->buffer.data() + done, kFrameBytes - done);
        if (n <= 0) {
          state.SkipWithError("write failed");
          break;
        }
        done += static_cast<std::size_t>(n);
      }
    }
    if (sync) ::fdatasync(fd);
    ::close(fd);
    state.PauseTiming();
    std::filesystem::remove(path);
    state.ResumeTiming();
  }
  state.SetBytesProcessed(state.iterations() * kFramesPerRun * static_cast<int64_t>(kFrameBytes));
}

void Hdf5Write(benchmark::State& state, Compression compression, unsigned threads) {
  const bool sync = compression == Compression::none && state.range(0) != 0;
  const auto path = bench_dir() / "daq-bench.h5";
  auto pool = image_pool();
  std::uint64_t stored = 0;
  std::uint64_t written = 0;
  for (auto _ : state) {
    daq::storage::Hdf5Writer writer({.path = path, .overwrite = true,
                                     .compression = compression,
                                     .compression_threads = threads});
    writer.open(stream());
    for (int i = 0; i < kFramesPerRun; ++i) {
      LoanedFrame f = pool->acquire();
      f->frame_number = static_cast<std::uint64_t>(i);
      writer.write(std::move(f));
    }
    writer.finish({});
    if (sync) sync_file(path);
    stored += writer.counters().bytes_stored;
    written += writer.counters().bytes_written;
    state.PauseTiming();
    std::filesystem::remove(path);
    state.ResumeTiming();
  }
  state.SetBytesProcessed(static_cast<int64_t>(written));
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

// Remembers bytes/second per benchmark so the ratios can be printed after the run.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      const auto it = run.counters.find("bytes_per_second");
      if (it != run.counters.end()) rates_[run.benchmark_name()] = it->second.value;
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void print_ratios() const {
    for (const char* sync : {"0", "1"}) {
      const double plain = rate(std::string("PlainWrite/sync:") + sync + "/");
      const double h5 = rate(std::string("Hdf5Write/sync:") + sync + "/");
      if (plain > 0 && h5 > 0) {
        std::printf("HDF5 / plain write() throughput, 8 MiB frames, sync=%s: %.3f "
                    "(%.0f vs %.0f MB/s)\n",
                    sync, h5 / plain, h5 / 1e6, plain / 1e6);
      }
    }
  }

 private:
  double rate(const std::string& prefix) const {
    for (const auto& [name, value] : rates_) {
      if (name.rfind(prefix, 0) == 0) return value;
    }
    return 0.0;
  }
  std::map<std::string, double> rates_;
};

}  // namespace

BENCHMARK(PlainWrite)->ArgName("sync")->Arg(0)->Arg(1)->Iterations(4)->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Hdf5Write, uncompressed, Compression::none, 0U)
    ->Name("Hdf5Write")->ArgName("sync")->Arg(0)->Arg(1)->Iterations(4)->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Encode, bslz4, Compression::bslz4)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Encode, blosc, Compression::blosc)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Encode, lz4, Compression::lz4)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Hdf5Write, bslz4_2threads, Compression::bslz4, 2U)
    ->Name("Hdf5Compressed/bslz4/threads:2")->Arg(0)->Iterations(2)->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Hdf5Write, blosc_2threads, Compression::blosc, 2U)
    ->Name("Hdf5Compressed/blosc/threads:2")->Arg(0)->Iterations(2)->UseRealTime()
    ->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_ratios();
  benchmark::Shutdown();
  return 0;
}
