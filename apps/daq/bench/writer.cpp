// 6. Writer: the HDF5 writer (direct chunk write, uncompressed, SWMR) against plain write() of
// the same 8 MiB frames into the same directory, alternating, so both see the same disk and page
// cache. Neither syncs: this is the rate a writer thread sustains into the page cache.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "daq/frame_data.hpp"
#include "daq/storage/hdf5_writer.hpp"
#include "memcpy_baseline.hpp"
#include "sections.hpp"

namespace daq::cli::bench {
namespace {

std::shared_ptr<Pool<FrameData>> frame_pool() {
  return Pool<FrameData>::create(4, [] {
    FrameData f = FrameData::with_capacity(kFrameBytes);
    std::memset(f.writable_pixels(kFrameBytes).data(), 0x5a, kFrameBytes);
    f.width = 2048;
    f.height = 2048;
    f.bit_depth = 16;
    return f;
  });
}

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path) {
  throw std::system_error(errno, std::generic_category(), "bench: " + what + " " + path.string());
}

double plain_write_seconds(const std::filesystem::path& path, const FrameData& frame,
                           std::size_t frames) {
  const auto start = Clock::now();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot create", path);
  for (std::size_t i = 0; i < frames; ++i) {
    for (std::size_t done = 0; done < kFrameBytes;) {
      const ssize_t n = ::write(fd, frame.buffer.data() + done, kFrameBytes - done);
      if (n <= 0) {
        ::close(fd);
        fail("cannot write", path);
      }
      done += static_cast<std::size_t>(n);
    }
  }
  if (::close(fd) != 0) fail("cannot close", path);
  const double seconds = seconds_between(start, Clock::now());
  std::filesystem::remove(path);
  return seconds;
}

double hdf5_seconds(const std::filesystem::path& path, Pool<FrameData>& pool, std::size_t frames) {
  const auto start = Clock::now();
  storage::Hdf5WriterOptions options;
  options.path = path;
  options.overwrite = true;
  storage::Hdf5Writer writer(options);
  storage::StreamInfo stream;
  stream.width = 2048;
  stream.height = 2048;
  stream.bit_depth = 16;
  stream.camera_name = "bench";
  writer.open(stream);
  for (std::size_t i = 0; i < frames; ++i) {
    LoanedFrame frame = pool.acquire();
    frame->frame_number = i;
    writer.write(std::move(frame));
  }
  storage::RunSummary summary;
  summary.frames_produced = frames;
  writer.finish(summary);
  const double seconds = seconds_between(start, Clock::now());
  std::filesystem::remove(path);
  return seconds;
}

struct WriterRun {
  double hdf5_mb_per_sec = 0;
  double write_mb_per_sec = 0;
};

}  // namespace

void bench_writer(const Settings& settings, Report& report) {
  const std::size_t frames = settings.count(16, 64, 4);
  const double mb = static_cast<double>(frames * kFrameBytes) / 1e6;
  auto pool = frame_pool();
  const LoanedFrame plain_frame = pool->acquire();
  std::vector<WriterRun> runs;
  for (int run = 0; run < settings.runs; ++run) {
    // A B B A: each goes first once, so the writeback of the other's dirty pages is shared.
    double hdf5_s = 0;
    double write_s = 0;
    for (const bool hdf5_turn : {true, false, false, true}) {
      if (hdf5_turn) {
        hdf5_s += hdf5_seconds(settings.dir / "bench.h5", *pool, frames);
      } else {
        write_s += plain_write_seconds(settings.dir / "bench.bin", *plain_frame, frames);
      }
    }
    runs.push_back({2 * mb / hdf5_s, 2 * mb / write_s});
  }
  const double hdf5 = median_of(runs, [](const WriterRun& r) { return r.hdf5_mb_per_sec; });
  const double plain = median_of(runs, [](const WriterRun& r) { return r.write_mb_per_sec; });
  report.table("6. Writer: " + std::to_string(frames) +
                   " frames of 8 MiB into the same directory, no fsync",
               {"HDF5 writer", "write()", "HDF5/write()"});
  report.row("MB/s", {{"writer", "hdf5_mb_per_sec", hdf5},
                      {"writer", "write_mb_per_sec", plain},
                      {"writer", "ratio", ratio(hdf5, plain, "plain write()")}});
  report.note("Directory: " + settings.dir.parent_path().string() + " (the page cache absorbs "
              "both; a disk-bound run shows the disk).");
}

}  // namespace daq::cli::bench
