// capacity_probe_disk.cpp — the disk probe: sequential whole-block writes into an unlinked file,
// with O_DIRECT or through the page cache, as the writer's file driver writes chunks. The driver
// itself (src/storage/direct_io_driver.cpp) is an HDF5 file driver private to the storage
// layer, so the probe makes the same system calls rather than an HDF5 file.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

#include "capacity_probe_clock.hpp"
#include "daq/acquisition/capacity_probe.hpp"
#include "daq/pool/page_memory.hpp"

namespace daq::acquisition {
namespace {

constexpr std::size_t kBlock = 4096;  // the O_DIRECT unit: offsets, sizes, addresses

std::uint64_t probe_bytes_limit(ProbeMode mode) noexcept {
  return (mode == ProbeMode::quick ? std::uint64_t{64} : std::uint64_t{256}) << 20;
}

[[noreturn]] void throw_errno(int err, const std::string& what) {
  throw std::system_error(err, std::generic_category(), what);
}

/// A file descriptor of a file without a name: nothing to clean up, even after SIGKILL.
class UnlinkedFile {
 public:
  explicit UnlinkedFile(const std::filesystem::path& directory) {
    fd_ = ::open(directory.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    if (fd_ >= 0) return;
    // Filesystems without O_TMPFILE: a fresh name, unlinked as soon as it exists.
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
      throw_errno(errno, "cannot create a file in " + directory.string());
    }
    std::string name = (directory / ".daq-check-XXXXXX").string();
    fd_ = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd_ < 0) throw_errno(errno, "cannot create a file in " + directory.string());
    ::unlink(name.c_str());
  }
  UnlinkedFile(const UnlinkedFile&) = delete;
  UnlinkedFile& operator=(const UnlinkedFile&) = delete;
  ~UnlinkedFile() { ::close(fd_); }

  int fd() const noexcept { return fd_; }

  /// Turns O_DIRECT on or off; returns 0 or the errno of the refusal.
  int set_direct(bool on) noexcept {
    const int flags = ::fcntl(fd_, F_GETFL);
    if (flags < 0) return errno;
    return ::fcntl(fd_, F_SETFL, on ? flags | O_DIRECT : flags & ~O_DIRECT) == 0 ? 0 : errno;
  }

 private:
  int fd_ = -1;
};

/// Lets the kernel drop written pages, as the writer's PageCacheRelease does: advising
/// DONTNEED from the previous block's start to this one's end starts this block's writeback
/// and recycles the previous block.
void release_page_cache(int fd, std::uint64_t offset, std::uint64_t size,
                        std::uint64_t block) noexcept {
  const std::uint64_t from = offset >= block ? offset - block : 0;
  ::posix_fadvise(fd, static_cast<off_t>(from), static_cast<off_t>(offset + size - from),
                  POSIX_FADV_DONTNEED);
}

}  // namespace

DiskWritePath disk_write_path(const RunRequirement& run) noexcept {
  return run.compression == storage::Compression::none && run.frame_bytes % kBlock == 0
             ? DiskWritePath::direct
             : DiskWritePath::buffered;
}

DiskProbe probe_disk_write(const std::filesystem::path& directory, std::size_t block_bytes,
                           DiskWritePath path, ProbeMode mode) {
  if (block_bytes == 0) throw std::invalid_argument("probe_disk_write: block_bytes must be > 0");
  const std::size_t block = (block_bytes + kBlock - 1) / kBlock * kBlock;
  const std::uint64_t limit =
      std::max<std::uint64_t>(block, std::min(probe_bytes_limit(mode), free_bytes(directory) / 4));

  UnlinkedFile file(directory);
  DiskProbe probe;
  if (path == DiskWritePath::direct) {
    probe.direct_refused_errno = file.set_direct(true);
    probe.direct = probe.direct_refused_errno == 0;
  }

  // Page-aligned and pre-faulted, as a pooled frame; non-zero so no filesystem elides it.
  const PageMemory data = PageMemory::allocate(block);
  std::fill_n(data.data(), block, std::byte{0x5a});

  const double budget = probe_seconds(mode);
  const double start = detail::wall_seconds();
  const double cpu_start = detail::thread_cpu_seconds();
  while (probe.bytes_written < limit &&
         (probe.bytes_written == 0 || detail::wall_seconds() - start < budget)) {
    const auto offset = static_cast<off_t>(probe.bytes_written);
    const ssize_t written = ::pwrite(file.fd(), data.data(), block, offset);
    if (written < 0 && errno == EINVAL && probe.direct) {
      // The filesystem took the flag but refuses the write: through the page cache from now on.
      probe.direct = false;
      probe.direct_refused_errno = EINVAL;
      file.set_direct(false);
      continue;
    }
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) {
      if (probe.bytes_written > 0) break;  // e.g. ENOSPC: measure what was written
      throw_errno(written < 0 ? errno : EIO, "cannot write a test file in " + directory.string());
    }
    if (!probe.direct) {
      release_page_cache(file.fd(), probe.bytes_written, static_cast<std::uint64_t>(written),
                         block);
    }
    probe.bytes_written += static_cast<std::uint64_t>(written);
  }
  // What is still in the page cache counts: the rate is the disk's, not the cache's.
  if (::fdatasync(file.fd()) != 0) {
    throw_errno(errno, "fdatasync of a test file in " + directory.string());
  }
  const auto bytes = static_cast<double>(probe.bytes_written);
  probe.bytes_per_s = bytes / (detail::wall_seconds() - start);
  probe.cpu_s_per_byte = (detail::thread_cpu_seconds() - cpu_start) / bytes;
  return probe;
}

}  // namespace daq::acquisition
