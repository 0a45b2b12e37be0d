#include "writer_lock.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace daq::storage::detail {
namespace {

// The locked byte: past anything a file holds, so the lock never covers data.
constexpr off_t kLockOffset = INT64_MAX - 1;

struct flock writer_lock_range() noexcept {
  struct flock range {};
  range.l_type = F_WRLCK;
  range.l_whence = SEEK_SET;
  range.l_start = kLockOffset;
  range.l_len = 1;
  return range;
}

}  // namespace

int take_writer_lock(int fd) noexcept {
  struct flock range = writer_lock_range();
  if (::fcntl(fd, F_OFD_SETLK, &range) == 0) return 0;
  return errno == EACCES ? EAGAIN : errno;
}

bool writer_lock_held(const std::filesystem::path& path) noexcept {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return false;
  struct flock range = writer_lock_range();
  const bool held = ::fcntl(fd, F_OFD_GETLK, &range) == 0 && range.l_type != F_UNLCK;
  ::close(fd);
  return held;
}

}  // namespace daq::storage::detail
