// disk_reserve.hpp — keeps disk space reserved ahead of a growing file (private).
//
// Why: when the disk fills up in the middle of a frame, libhdf5 still has to write its
// metadata at close; without space for it the file is unreadable. So before each frame the
// writer reserves the frame's bytes plus headroom beyond the file's end (fallocate with
// FALLOC_FL_KEEP_SIZE): when that fails, the frame is not written and the headroom already
// reserved lets the file close cleanly. RLIMIT_FSIZE (ulimit -f) is checked the same way.
// Filesystems without fallocate are used without a reservation (logged once).
// What is reserved past the file's end is given back when the file is closed: release() for a
// file closed by its owner, the HDF5 file driver's truncate at close for HDF5 files.
//
// Thread-safety: one thread. Allocation: none.
#pragma once

#include <cstdint>

namespace daq::storage::detail {

class DiskReserve {
 public:
  /// Watches file descriptor `fd` (not owned); everything below its current size is written.
  void attach(int fd) noexcept;
  void detach() noexcept { fd_ = -1; }

  /// Gives back the space reserved past the file's end: truncating a file to its own size
  /// frees the blocks preallocated beyond it. Call when nothing more is written.
  void release() noexcept;

  /// Makes sure bytes [0, end) of the file have space on disk, reserving up to `end + ahead`
  /// when there is room (fewer, larger reservations). Returns 0, or the errno that says why
  /// [0, end) cannot be had (ENOSPC, EFBIG for the file-size limit, EIO, ...).
  int ensure(std::uint64_t end, std::uint64_t ahead = 0) noexcept;

  /// The file's current size (fstat); 0 when detached.
  std::uint64_t file_size() const noexcept;

  /// Call after something may have truncated the file (an HDF5 flush): reserve again from the
  /// current end of the file.
  void rebase() noexcept;

 private:
  int fd_ = -1;
  std::uint64_t reserved_ = 0;  // [0, reserved_) has space
  std::uint64_t size_limit_ = UINT64_MAX;
  bool supported_ = true;
};

}  // namespace daq::storage::detail
