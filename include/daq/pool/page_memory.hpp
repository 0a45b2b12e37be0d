// daq/pool/page_memory.hpp — PageMemory: page-aligned, pre-faulted anonymous memory (mmap).
//
// allocate() maps whole pages, writes every page once so that the first frame never page-faults,
// and optionally mlock()s them and advises transparent huge pages. Lock and huge-page requests
// that the system refuses are logged through daq::log and otherwise ignored.
// Ownership: move-only; unmaps on destruction. Thread-safety: an object is used by one thread at
// a time; the static queries may be called from any thread. Allocation: one mmap per
// allocate(), nothing afterwards.
#pragma once

#include <cstddef>

namespace daq {

struct PageMemoryOptions {
  bool prefault = true;
  bool lock = false;        ///< mlock the pages (needs RLIMIT_MEMLOCK or CAP_IPC_LOCK)
  bool huge_pages = false;  ///< madvise(MADV_HUGEPAGE)
};

class PageMemory {
 public:
  PageMemory() noexcept = default;
  /// Maps at least `bytes` (rounded up to pages). Throws daq::PoolError: allocation_overflow
  /// when the rounded size does not fit size_t, insufficient_memory when the system refuses
  /// the mapping. `bytes == 0` gives an empty object.
  static PageMemory allocate(std::size_t bytes, PageMemoryOptions options = {});

  PageMemory(PageMemory&& other) noexcept;
  PageMemory& operator=(PageMemory&& other) noexcept;
  PageMemory(const PageMemory&) = delete;
  PageMemory& operator=(const PageMemory&) = delete;
  ~PageMemory();

  std::byte* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  bool locked() const noexcept { return locked_; }

  static std::size_t page_size() noexcept;
  static std::size_t physical_memory() noexcept;
  /// What this process may map at most: physical memory, or its cgroup's memory limit when
  /// that is lower (a container, a systemd unit). Read once, then cached.
  static std::size_t usable_memory() noexcept;

 private:
  std::byte* data_ = nullptr;
  std::size_t size_ = 0;
  bool locked_ = false;
};

}  // namespace daq
