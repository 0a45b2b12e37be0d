// writer_lock.hpp — tells a file that is being written from one a crash left open (private).
//
// A writer holds an open-file-description lock (F_OFD_SETLK, F_WRLCK) on one byte far past any
// data of the file for as long as its descriptor stays open. The kernel drops the lock when the
// descriptor is closed or the process dies (SIGKILL included), so "locked" means exactly "a
// live process is writing this file". It is independent of libhdf5's flock() (which a SWMR
// writer gives up so that readers can open the file).
//
// Thread-safety: plain system calls. Allocation: none.
#pragma once

#include <filesystem>

namespace daq::storage::detail {

/// Takes the writer lock through `fd` (open for writing). Returns 0, EAGAIN when another
/// process writes the file, or another errno (ENOLCK, EINVAL: the filesystem has no such
/// locks; callers go on without it).
int take_writer_lock(int fd) noexcept;

/// Whether a process holds the writer lock of `path` now (false when it cannot be told).
bool writer_lock_held(const std::filesystem::path& path) noexcept;

}  // namespace daq::storage::detail
