// daq/pool/page_memory.hpp — PageMemory: page-aligned, pre-faulted anonymous memory (mmap).
//
// allocate() maps whole pages, writes every page once so that the first frame never page-faults,
// and optionally mlock()s them and advises transparent huge pages. Lock and huge-page requests
// that the system refuses are logged through daq::log and otherwise ignored.
// Headroom (options.headroom, rounded up to whole pages; 0 by default) is mapped in front of
// data(): data() stays page-aligned and size() counts only the bytes behind it, so a user can
// prefix the data in place (a network header in front of a frame,
// docs/adr/0015-shared-frame-loan.md). Ownership: move-only; unmaps on destruction. Thread-safety:
// an object is used by one thread at a time; the static queries may be called from any thread.
// Allocation: one mmap per allocate(), nothing afterwards.
#pragma once

#include <cstddef>
#include <span>

namespace daq {

struct PageMemoryOptions {
  bool prefault = true;
  bool lock = false;         ///< mlock the pages (needs RLIMIT_MEMLOCK or CAP_IPC_LOCK)
  bool huge_pages = false;   ///< madvise(MADV_HUGEPAGE)
  std::size_t headroom = 0;  ///< bytes mapped in front of data() (rounded up to whole pages)
};

class PageMemory {
 public:
  PageMemory() noexcept = default;
  /// Maps at least `bytes` (rounded up to pages) behind the headroom. Throws daq::PoolError:
  /// allocation_overflow when the rounded sizes do not fit size_t, insufficient_memory when the
  /// system refuses the mapping. `bytes == 0` gives an empty object (and no headroom).
  static PageMemory allocate(std::size_t bytes, PageMemoryOptions options = {});
  /// The bytes allocate(bytes, {.headroom = headroom}) maps: both rounded up to whole pages, 0
  /// when `bytes` is 0; SIZE_MAX (never a whole number of pages) when that exceeds size_t.
  static std::size_t mapped_size(std::size_t bytes, std::size_t headroom) noexcept;

  PageMemory(PageMemory&& other) noexcept;
  PageMemory& operator=(PageMemory&& other) noexcept;
  PageMemory(const PageMemory&) = delete;
  PageMemory& operator=(const PageMemory&) = delete;
  ~PageMemory();

  std::byte* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  bool locked() const noexcept { return locked_; }
  /// The headroom: the whole pages mapped right in front of data() (empty without one).
  std::span<std::byte> headroom() const noexcept {
    return headroom_ == 0 ? std::span<std::byte>()
                          : std::span<std::byte>(data_ - headroom_, headroom_);
  }

  static std::size_t page_size() noexcept;
  static std::size_t physical_memory() noexcept;
  /// What this process may map at most: physical memory, or its cgroup's memory limit when
  /// that is lower (a container, a systemd unit). Read once, then cached.
  static std::size_t usable_memory() noexcept;

 private:
  std::byte* data_ = nullptr;  // behind the headroom
  std::size_t size_ = 0;
  std::size_t headroom_ = 0;
  bool locked_ = false;
};

}  // namespace daq
