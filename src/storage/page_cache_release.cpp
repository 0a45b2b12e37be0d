#include "page_cache_release.hpp"

#include <fcntl.h>

#include <algorithm>

namespace daq::storage::detail {

void PageCacheRelease::written(std::uint64_t offset, std::uint64_t size) noexcept {
  if (fd_ < 0 || size == 0) return;
  const std::uint64_t from = std::min(previous_, offset);
  // Advice only: a filesystem that ignores it just keeps the pages.
  (void)::posix_fadvise(fd_, static_cast<off_t>(from), static_cast<off_t>(offset + size - from),
                        POSIX_FADV_DONTNEED);
  previous_ = offset;
}

}  // namespace daq::storage::detail
