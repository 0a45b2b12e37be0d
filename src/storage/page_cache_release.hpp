// page_cache_release.hpp — lets the kernel drop a streaming file's pages once written (private).
//
// Why: a buffered write() into new page-cache pages is what limits the writer thread on our
// machines: dd of 6 GB in 4 MiB blocks took 15 s of system time at 418 MB/s; the same with
// oflag=nocache (posix_fadvise DONTNEED after each block, so written pages are recycled instead
// of the cache growing) took 2.5 s at 2.3 GB/s. The writer never reads its frames back, so
// keeping them cached only costs. After each chunk, written() advises DONTNEED for the range
// from the previous chunk's start to this one's end: that starts writeback of this chunk and
// drops the previous one, whose writeback has had a chunk's time to finish.
//
// Thread-safety: one thread. Allocation: none.
#pragma once

#include <cstdint>

namespace daq::storage::detail {

class PageCacheRelease {
 public:
  /// Watches file descriptor `fd` (not owned).
  void attach(int fd) noexcept {
    fd_ = fd;
    previous_ = 0;
  }
  void detach() noexcept { fd_ = -1; }

  /// Bytes [offset, offset + size) were just written through the page cache.
  void written(std::uint64_t offset, std::uint64_t size) noexcept;

 private:
  int fd_ = -1;
  std::uint64_t previous_ = 0;  // start of the previous chunk
};

}  // namespace daq::storage::detail
