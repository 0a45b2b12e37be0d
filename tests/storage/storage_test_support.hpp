// Helpers for the storage tests: ramp frames, temporary directories, the Python read-back
// scripts (Debian's /usr/bin/python3 with h5py / tifffile), and a small tmpfs for disk-full.
#pragma once

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "daq/pool/frame_data.hpp"
#include "daq/pool/pool.hpp"
#include "temp_dir.hpp"

namespace daq::test {

/// pixel(x, y) of frame n = (x + y + n) mod 2^bit_depth — the same formula the scripts check.
inline void fill_ramp(FrameData& frame, std::uint64_t n, std::uint32_t width,
                      std::uint32_t height, std::uint32_t bit_depth) {
  const std::size_t bpp = bytes_per_pixel(bit_depth);
  const std::uint64_t mask = bit_depth >= 64 ? ~0ULL : (1ULL << bit_depth) - 1;
  std::span<std::byte> bytes = frame.writable_pixels(std::size_t{width} * height * bpp);
  for (std::uint32_t y = 0; y < height; ++y) {
    for (std::uint32_t x = 0; x < width; ++x) {
      const std::uint64_t v = (x + y + n) & mask;
      std::byte* p = bytes.data() + (std::size_t{y} * width + x) * bpp;
      for (std::size_t b = 0; b < bpp; ++b) p[b] = static_cast<std::byte>((v >> (8 * b)) & 0xFF);
    }
  }
  frame.frame_number = n;
  frame.hw_frame_nr = static_cast<std::int64_t>(n) + 100;
  frame.width = width;
  frame.height = height;
  frame.bit_depth = bit_depth;
  frame.timestamp_ns = 1'000'000'000ULL + n * 10'000'000ULL;
  frame.exposure_ms = 1.5 + static_cast<double>(n);
  // Even frames know their temperature, odd ones do not (NaN in the file).
  if (n % 2 == 0) {
    frame.temperature_c = -20.0 + static_cast<double>(n) / 4;
  } else {
    frame.temperature_c.reset();
  }
  frame.roi_x = 4;
  frame.roi_y = 8;
  frame.binning = Binning{1, 1};
}

inline std::shared_ptr<Pool<FrameData>> make_frame_pool(std::size_t frames, std::size_t bytes) {
  return Pool<FrameData>::create(frames, [bytes] { return FrameData::with_capacity(bytes); });
}

/// Whether files in `dir` can be opened with O_DIRECT (tests of direct I/O skip otherwise).
inline bool accepts_o_direct(const TempDir& dir) {
  const auto probe = dir / "o_direct_probe";
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_DIRECT | O_CLOEXEC, 0644);
  if (fd >= 0) ::close(fd);
  std::filesystem::remove(probe);
  return fd >= 0;
}

/// Whether `dir` is on tmpfs, whose pages are the file: posix_fadvise(DONTNEED) keeps them.
inline bool on_tmpfs(const TempDir& dir) {
  struct statfs fs{};
  return ::statfs(dir.path().c_str(), &fs) == 0 && fs.f_type == TMPFS_MAGIC;
}

/// How many pages of [offset, offset + bytes) of file `fd` are in the page cache (mincore on
/// a mapping); SIZE_MAX when that cannot be asked. `offset` and `bytes` are whole pages.
inline std::size_t resident_pages(int fd, std::uint64_t offset, std::size_t bytes) {
  void* map = ::mmap(nullptr, bytes, PROT_READ, MAP_SHARED, fd, static_cast<off_t>(offset));
  if (map == MAP_FAILED) return SIZE_MAX;
  std::vector<unsigned char> pages(bytes / 4096);
  const bool ok = ::mincore(map, bytes, pages.data()) == 0;
  ::munmap(map, bytes);
  std::size_t resident = 0;
  for (const unsigned char page : pages) resident += page & 1U;
  return ok ? resident : SIZE_MAX;
}

/// A tmpfs of `bytes` mounted on a fresh directory (needs root); unmounted at scope exit.
class SmallTmpfs {
 public:
  explicit SmallTmpfs(std::size_t bytes) {
    const std::string options = "size=" + std::to_string(bytes);
    if (::mount("tmpfs", dir_.path().c_str(), "tmpfs", 0, options.c_str()) == 0) {
      mounted_ = true;
    } else {
      error_ = std::strerror(errno);
    }
  }
  SmallTmpfs(const SmallTmpfs&) = delete;
  SmallTmpfs& operator=(const SmallTmpfs&) = delete;
  ~SmallTmpfs() {
    if (mounted_) ::umount2(dir_.path().c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  std::filesystem::path operator/(const char* name) const { return dir_ / name; }

 private:
  TempDir dir_;
  bool mounted_ = false;
  std::string error_;
};

struct ScriptResult {
  int exit_code = -1;
  std::string output;
};

/// Runs /usr/bin/python3 tests/storage/<script> <args> and collects stdout+stderr.
inline ScriptResult run_python(const std::string& script, const std::string& args) {
  const std::string command = std::string("/usr/bin/python3 ") + DAQ_STORAGE_TEST_DIR + "/" +
                              script + " " + args + " 2>&1";
  ScriptResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe) != nullptr) {
    result.output += buffer.data();
  }
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

/// Whether /usr/bin/python3 can import `module` (tests skip with a clear message otherwise).
inline bool python_has(const std::string& module) {
  return std::system(("/usr/bin/python3 -c 'import " + module + "' >/dev/null 2>&1").c_str()) ==
         0;
}

}  // namespace daq::test
