// PageCacheRelease: after a chunk is written, the previous chunk's pages (written back by
// then) leave the page cache; the newest chunk's stay until the next one. Residency is read
// with mincore() on a mapping of the file.
#include "page_cache_release.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <vector>

#include "storage_test_support.hpp"

namespace daq::storage::detail {
namespace {

using test::TempDir;

constexpr std::size_t kChunk = 64 * 4096;

// Resident pages of [offset, offset + kChunk) in the page cache.
std::size_t resident_pages(int fd, std::size_t offset) {
  void* map = ::mmap(nullptr, kChunk, PROT_READ, MAP_SHARED, fd, static_cast<off_t>(offset));
  if (map == MAP_FAILED) return SIZE_MAX;
  std::vector<unsigned char> pages(kChunk / 4096);
  const bool ok = ::mincore(map, kChunk, pages.data()) == 0;
  ::munmap(map, kChunk);
  std::size_t resident = 0;
  for (const unsigned char page : pages) resident += page & 1U;
  return ok ? resident : SIZE_MAX;
}

void write_chunk(int fd, std::size_t offset) {
  const std::vector<char> bytes(kChunk, 'x');
  ASSERT_EQ(::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset)),
            static_cast<ssize_t>(bytes.size()));
}

TEST(PageCacheRelease, APreviousChunkLeavesTheCacheOnceTheNextIsWritten) {
  TempDir dir;
  const int fd = ::open((dir / "stream.bin").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  PageCacheRelease release;
  release.attach(fd);

  write_chunk(fd, 0);
  release.written(0, kChunk);
  ASSERT_EQ(::fdatasync(fd), 0);  // chunk 0 is on disk: its pages are clean
  write_chunk(fd, kChunk);
  ASSERT_EQ(::fdatasync(fd), 0);
  const std::size_t before = resident_pages(fd, 0);
  release.written(kChunk, kChunk);  // advises [0, 2 * kChunk): both are clean now
  EXPECT_EQ(resident_pages(fd, 0), 0u) << "chunk 0 still cached (" << before << " before)";
  EXPECT_EQ(resident_pages(fd, kChunk), 0u);

  release.detach();
  write_chunk(fd, 2 * kChunk);
  ASSERT_EQ(::fdatasync(fd), 0);
  release.written(2 * kChunk, kChunk);  // detached: no advice
  EXPECT_EQ(resident_pages(fd, 2 * kChunk), kChunk / 4096);
  ::close(fd);
}

}  // namespace
}  // namespace daq::storage::detail
