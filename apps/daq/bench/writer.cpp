// 5. Writer: the HDF5 writer (uncompressed, SWMR; its 8 MiB chunks go with O_DIRECT) against
// plain write() of the same 8 MiB frames into the same directory, and against write() into a
// file whose space is reserved first (fallocate KEEP_SIZE, as the HDF5 writer reserves ahead of
// each frame: ext4 serves a reserved file markedly faster). The three take turns (A B C C B A)
// so that all see the same disk and page cache. Each ends with fdatasync: the rate is bytes on
// the disk, not bytes parked in the page cache (which the writer bypasses).
#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "daq/pool/frame_data.hpp"
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
                           std::size_t frames, bool reserve) {
  const auto start = Clock::now();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot create", path);
  if (reserve) {  // best effort, like the writer: a filesystem without fallocate just writes
    (void)::fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, static_cast<off_t>(frames * kFrameBytes));
  }
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
  if (::fdatasync(fd) != 0) fail("cannot sync", path);
  if (::close(fd) != 0) fail("cannot close", path);
  const double seconds = seconds_between(start, Clock::now());
  std::filesystem::remove(path);
  return seconds;
}

void sync_to_disk(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("cannot open", path);
  const int rc = ::fdatasync(fd);
  const int error = errno;
  ::close(fd);
  errno = error;
  if (rc != 0) fail("cannot sync", path);
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
  sync_to_disk(path);
  const double seconds = seconds_between(start, Clock::now());
  std::filesystem::remove(path);
  return seconds;
}

enum Variant : std::size_t { kHdf5, kWrite, kReserved, kVariants };

}  // namespace

void bench_writer(const Settings& settings, Report& report) {
  const std::size_t frames = settings.count(16, 64, 4);
  const double mb = static_cast<double>(frames * kFrameBytes) / 1e6;
  auto pool = frame_pool();
  const LoanedFrame plain_frame = pool->acquire();
  using WriterRun = std::array<double, kVariants>;  // MB/s
  std::vector<WriterRun> runs;
  for (int run = 0; run < settings.runs; ++run) {
    WriterRun seconds{};
    for (const Variant v : {kHdf5, kWrite, kReserved, kReserved, kWrite, kHdf5}) {
      seconds[v] += v == kHdf5 ? hdf5_seconds(settings.dir / "bench.h5", *pool, frames)
                               : plain_write_seconds(settings.dir / "bench.bin", *plain_frame,
                                                     frames, v == kReserved);
    }
    WriterRun rates{};
    for (std::size_t v = 0; v < kVariants; ++v) rates[v] = 2 * mb / seconds[v];
    runs.push_back(rates);
  }
  auto rate = [&](Variant v) { return median_of(runs, [v](const WriterRun& r) { return r[v]; }); };
  const double hdf5 = rate(kHdf5);
  const double plain = rate(kWrite);
  const double reserved = rate(kReserved);
  report.table("5. Writer: " + std::to_string(frames) +
                   " frames of 8 MiB into the same directory, to the disk (fdatasync)",
               {"HDF5 writer", "write()", "reserved write()"});
  report.row("MB/s", {{"writer", "hdf5_mb_per_sec", hdf5},
                      {"writer", "write_mb_per_sec", plain},
                      {"writer", "reserved_write_mb_per_sec", reserved}});
  report.row("HDF5 / this", {Cell::blank(),
                             {"writer", "ratio", ratio(hdf5, plain, "plain write()")},
                             {"writer", "ratio_vs_reserved", ratio(hdf5, reserved, "write()")}});
  report.note(
      "Reserved write(): fallocate(KEEP_SIZE) of the whole file first, as the HDF5 writer "
      "reserves ahead of its frames.");
  report.note("Directory: " + settings.dir.parent_path().string() +
              ". The HDF5 writer sends 8 MiB chunks with O_DIRECT; write() goes through the page "
              "cache.");
}

}  // namespace daq::cli::bench
