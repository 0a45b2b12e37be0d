// PageCacheRelease: after a chunk is written, the previous chunk's pages (written back by
// then) leave the page cache; the newest chunk's stay until the next one. Residency is read
// with mincore() on a mapping of the file.
#include "page_cache_release.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <vector>

#include "storage_test_support.hpp"

namespace daq::storage::detail {
namespace {

using test::resident_pages;
using test::TempDir;

constexpr std::size_t kChunk = 64 * 4096;

void write_chunk(int fd, std::size_t offset) {
  const std::vector<char> bytes(kChunk, 'x');
  ASSERT_EQ(::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset)),
            static_cast<ssize_t>(bytes.size()));
}

TEST(PageCacheRelease, APreviousChunkLeavesTheCacheOnceTheNextIsWritten) {
  TempDir dir;
  if (test::on_tmpfs(dir)) GTEST_SKIP() << "tmpfs keeps its pages whatever it is advised";
  const int fd = ::open((dir / "stream.bin").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  PageCacheRelease release;
  release.attach(fd);

  write_chunk(fd, 0);
  release.written(0, kChunk);
  ASSERT_EQ(::fdatasync(fd), 0);  // chunk 0 is on disk: its pages are clean
  write_chunk(fd, kChunk);
  ASSERT_EQ(::fdatasync(fd), 0);
  const std::size_t before = resident_pages(fd, 0, kChunk);
  release.written(kChunk, kChunk);  // advises [0, 2 * kChunk): both are clean now
  EXPECT_EQ(resident_pages(fd, 0, kChunk), 0u) << "chunk 0 still cached (" << before << " before)";
  EXPECT_EQ(resident_pages(fd, kChunk, kChunk), 0u);

  release.detach();
  write_chunk(fd, 2 * kChunk);
  ASSERT_EQ(::fdatasync(fd), 0);
  release.written(2 * kChunk, kChunk);  // detached: no advice
  // (Not all kChunk / 4096 pages: memory pressure may evict some on its own.)
  EXPECT_GT(resident_pages(fd, 2 * kChunk, kChunk), 0u);
  ::close(fd);
}

}  // namespace
}  // namespace daq::storage::detail
