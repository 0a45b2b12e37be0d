// direct_io_driver.hpp — a libhdf5 file driver that writes raw-data blocks with O_DIRECT
// (private).
//
// Why: a buffered write() copies every byte into the page cache on the writer's thread; on our
// machines that copy is what limits uncompressed 8 MiB frames (dd on the same disk: 418 MB/s
// buffered, 2.6 GB/s with oflag=direct; ADR 0009). This driver does what libhdf5's sec2 driver
// does (POSIX pread/pwrite on one descriptor, same file format, SWMR-capable), except that a
// raw-data write whose file offset, size and memory are whole 4 KiB blocks goes through a
// second descriptor opened with O_DIRECT. H5Dwrite_chunk hands the caller's buffer straight to
// the driver, so a pooled, page-aligned frame reaches the disk untouched, and libhdf5 finds the
// chunk's place itself (its chunk index, not a scan). Raw data written through the page cache
// (compressed chunks, odd sizes) is released from it as it streams (PageCacheRelease).
//
// When the filesystem refuses O_DIRECT (at open, or EINVAL on a write that then succeeds
// through the page cache) the driver writes through the page cache from then on and records
// the errno; nothing is lost. A short direct write is continued: aligned remainders directly,
// the rest through the page cache. Reads use the buffered descriptor and, as sec2's, may reach
// past the end of allocated space (a SWMR reader's view of it lags behind the writer).
//
// Space: a file the driver creates gets `reserve_on_create` bytes reserved (fallocate,
// FALLOC_FL_KEEP_SIZE) before libhdf5 writes anything, and creating fails with the errno when
// they cannot be had (a full disk): so a file that exists can always be closed, which libhdf5
// needs (a failed H5Fclose leaves a dangling file that crashes its exit handler). At close the
// file is truncated to the end of allocated space, which also gives back every block reserved
// past it (the writer's DiskReserve reserves ahead of the frames).
// Writer lock: while a file is open for writing, the driver holds its writer lock
// (writer_lock.hpp), so readers can tell a file being written from one a crash left open.
//
// Files written with this driver are ordinary HDF5 files: readers open them with the default
// driver. Metadata never goes with O_DIRECT; no block is shared between the two descriptors
// because only whole blocks go direct.
//
// Thread-safety: a file is used by one thread at a time (libhdf5's rule). Allocation: one
// small object per open file; none per read or write.
#pragma once

#include <hdf5.h>

#include <cstdint>

namespace daq::storage::detail {

/// What the driver did, for the writer's counters and log. Written by the thread using the file.
struct DirectIoCounters {
  std::uint64_t direct_writes = 0;  ///< raw-data writes that went entirely with O_DIRECT
  std::uint64_t direct_bytes = 0;
  int refused_errno = 0;  ///< why O_DIRECT is off for this file (0: it is on, or not asked for)
  bool created = false;   ///< the driver's open created (or, overwriting, emptied) the file
};

struct DirectIoOptions {
  bool direct = true;  ///< false: every write through the page cache (still released)
  /// Raw-data writes through the page cache at least this big are released from it (above the
  /// HDF5 writer's per-frame table chunks of 32 KiB, which are rewritten as rows arrive).
  std::uint64_t release_threshold = 64 * 1024;
  /// Bytes reserved when a file is created, before anything is written (0: none).
  std::uint64_t reserve_on_create = 0;
  DirectIoCounters* counters = nullptr;  ///< not owned; must outlive the files opened
};

/// The block size O_DIRECT writes must be made of: offsets, sizes and memory addresses are
/// multiples of it (the largest logical block size in common use).
inline constexpr std::uint64_t kDirectIoBlock = 4096;

/// Makes `fapl` (a file access property list) open files with this driver. Returns false with
/// the reason on libhdf5's error stack.
bool set_direct_io_driver(hid_t fapl, const DirectIoOptions& options);

}  // namespace daq::storage::detail
