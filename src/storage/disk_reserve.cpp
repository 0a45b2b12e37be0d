#include "disk_reserve.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>

#include "daq/pool/log.hpp"

namespace daq::storage::detail {

void DiskReserve::attach(int fd) noexcept {
  fd_ = fd;
  rlimit limit{};
  size_limit_ = ::getrlimit(RLIMIT_FSIZE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY
                    ? static_cast<std::uint64_t>(limit.rlim_cur)
                    : UINT64_MAX;
  rebase();
}

std::uint64_t DiskReserve::file_size() const noexcept {
  struct stat st {};
  return fd_ >= 0 && ::fstat(fd_, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

void DiskReserve::rebase() noexcept { reserved_ = file_size(); }

// Always, not only when reserved_ is past the end: a fallocate that failed for want of space
// may still have allocated part of what it was asked for.
void DiskReserve::release() noexcept {
  if (fd_ < 0) return;
  const std::uint64_t size = file_size();
  if (::ftruncate(fd_, static_cast<off_t>(size)) == 0) reserved_ = size;
}

int DiskReserve::ensure(std::uint64_t end, std::uint64_t ahead) noexcept {
  if (end > size_limit_) return EFBIG;
  if (fd_ < 0 || !supported_ || end <= reserved_) return 0;
  const auto reserve = [this](std::uint64_t until) {
    int rc = 0;
    do {
      rc = ::fallocate(fd_, FALLOC_FL_KEEP_SIZE, static_cast<off_t>(reserved_),
                       static_cast<off_t>(until - reserved_));
    } while (rc != 0 && errno == EINTR);
    if (rc == 0) reserved_ = until;
    return rc == 0 ? 0 : errno;
  };
  const std::uint64_t wanted = std::min(end + ahead, size_limit_);
  int err = reserve(wanted);
  if (err == ENOSPC && wanted > end) err = reserve(end);  // nearly full: just what is needed
  if (err == EOPNOTSUPP || err == ENOSYS) {
    supported_ = false;
    log(LogLevel::info, "storage: this filesystem cannot reserve space (%s); a full disk may "
        "leave the last flush incomplete", std::strerror(err));
    return 0;
  }
  return err;
}

}  // namespace daq::storage::detail
