// Helpers for the storage tests: ramp frames, temporary directories, the Python read-back
// scripts (Debian's /usr/bin/python3 with h5py / tifffile), and a small tmpfs for disk-full.
#pragma once

#include <sys/mount.h>
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

#include "daq/frame_data.hpp"
#include "daq/pool.hpp"

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

/// A fresh empty directory, removed with its contents at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "daq-storage-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const char* name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

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
