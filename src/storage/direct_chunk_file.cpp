#include "direct_chunk_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace daq::storage::detail {

DirectChunkFile::DirectChunkFile(DirectChunkFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)) {}

DirectChunkFile& DirectChunkFile::operator=(DirectChunkFile&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

bool DirectChunkFile::open(const std::filesystem::path& path) noexcept {
  close();
  int fd = -1;
  do {
    fd = ::open(path.c_str(), O_WRONLY | O_DIRECT | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  fd_ = fd;
  return fd_ >= 0;
}

void DirectChunkFile::close() noexcept {
  if (fd_ >= 0) ::close(std::exchange(fd_, -1));
}

bool DirectChunkFile::aligned(std::uint64_t offset, std::span<const std::byte> bytes) noexcept {
  const auto address = reinterpret_cast<std::uintptr_t>(bytes.data());
  return offset % kBlock == 0 && bytes.size() % kBlock == 0 && address % kBlock == 0 &&
         !bytes.empty();
}

int DirectChunkFile::write_at(std::uint64_t offset, std::span<const std::byte> bytes) noexcept {
  if (fd_ < 0) return EBADF;
  if (!aligned(offset, bytes)) return EINVAL;
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::pwrite(fd_, bytes.data() + done, bytes.size() - done,
                               static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return EIO;
    done += static_cast<std::size_t>(n);
  }
  return 0;
}

}  // namespace daq::storage::detail
