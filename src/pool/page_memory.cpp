#include "daq/pool/page_memory.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <string>
#include <utility>

#include "cgroup_memory_limit.hpp"
#include "daq/pool/errors.hpp"
#include "daq/pool/log.hpp"

namespace daq {
namespace {

/// `bytes` rounded up to whole pages; the caller has checked that the result fits size_t.
std::size_t whole_pages(std::size_t bytes, std::size_t page) noexcept {
  return (bytes + page - 1) / page * page;
}

}  // namespace

std::size_t PageMemory::page_size() noexcept {
  static const auto size = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return size;
}

std::size_t PageMemory::physical_memory() noexcept {
  return static_cast<std::size_t>(::sysconf(_SC_PHYS_PAGES)) * page_size();
}

std::size_t PageMemory::usable_memory() noexcept {
  static const std::size_t usable = [] {
    const std::size_t physical = physical_memory();
    try {
      return std::min(physical, detail::cgroup_memory_limit().value_or(physical));
    } catch (...) {  // reading the cgroup files could not even allocate: physical it is
      return physical;
    }
  }();
  return usable;
}

std::size_t PageMemory::mapped_size(std::size_t bytes, std::size_t headroom) noexcept {
  if (bytes == 0) return 0;
  const std::size_t page = page_size();
  constexpr std::size_t kMax = std::numeric_limits<std::size_t>::max();
  if (bytes > kMax - (page - 1) || headroom > kMax - (page - 1)) return kMax;
  const std::size_t size = whole_pages(bytes, page);
  const std::size_t room = whole_pages(headroom, page);
  return size > kMax - room ? kMax : room + size;
}

PageMemory PageMemory::allocate(std::size_t bytes, PageMemoryOptions options) {
  PageMemory memory;
  const std::size_t mapped = mapped_size(bytes, options.headroom);
  if (mapped == 0) return memory;
  if (mapped == std::numeric_limits<std::size_t>::max()) {
    throw PoolError(PoolError::Kind::allocation_overflow,
                    "cannot map " + std::to_string(bytes) + " bytes behind " +
                        std::to_string(options.headroom) +
                        " bytes of headroom: more than size_t can hold once rounded up to whole "
                        "pages");
  }
  const std::size_t headroom = whole_pages(options.headroom, page_size());
  const std::size_t size = mapped - headroom;
  void* p = ::mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    const int error = errno;  // before anything below can overwrite it
    throw PoolError(PoolError::Kind::insufficient_memory,
                    "cannot map " + std::to_string(mapped) + " bytes: " + std::strerror(error));
  }
  memory.data_ = static_cast<std::byte*>(p) + headroom;
  memory.size_ = size;
  memory.headroom_ = headroom;
  if (options.huge_pages && ::madvise(p, mapped, MADV_HUGEPAGE) != 0) {
    log(LogLevel::info, "huge pages not available (%s); using normal pages", std::strerror(errno));
  }
  if (options.prefault) {
    // One write per page: the kernel backs every page now, not on the first frame.
    auto* const first = static_cast<std::byte*>(p);
    const std::size_t page = page_size();
    for (std::size_t offset = 0; offset < mapped; offset += page) first[offset] = std::byte{0};
  }
  if (options.lock) {
    if (::mlock(p, mapped) == 0) {
      memory.locked_ = true;
    } else {
      log(LogLevel::warn, "mlock of %zu bytes refused (%s); frames may be swapped out", mapped,
          std::strerror(errno));
    }
  }
  return memory;
}

PageMemory::PageMemory(PageMemory&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      headroom_(std::exchange(other.headroom_, 0)),
      locked_(std::exchange(other.locked_, false)) {}

PageMemory& PageMemory::operator=(PageMemory&& other) noexcept {
  if (this != &other) {
    PageMemory old(std::move(*this));
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    headroom_ = std::exchange(other.headroom_, 0);
    locked_ = std::exchange(other.locked_, false);
  }
  return *this;
}

PageMemory::~PageMemory() {
  if (data_ == nullptr) return;
  std::byte* const start = data_ - headroom_;
  if (locked_) ::munlock(start, headroom_ + size_);
  ::munmap(start, headroom_ + size_);
}

}  // namespace daq
