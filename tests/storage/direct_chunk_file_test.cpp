// DirectChunkFile: which chunks qualify for O_DIRECT, bytes written at an offset read back
// exactly (also around bytes written through an ordinary descriptor), misuse is an errno.
#include "direct_chunk_file.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <fstream>
#include <iterator>
#include <vector>

#include "daq/detail/page_memory.hpp"
#include "storage_test_support.hpp"

namespace daq::storage::detail {
namespace {

using daq::detail::PageMemory;
using test::TempDir;
constexpr std::size_t kBlock = DirectChunkFile::kBlock;

std::vector<char> read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(DirectChunkFile, OnlyWholeAlignedBlocksQualify) {
  PageMemory memory = PageMemory::allocate(4 * kBlock);
  const std::span<const std::byte> blocks(memory.data(), 2 * kBlock);
  EXPECT_TRUE(DirectChunkFile::aligned(0, blocks));
  EXPECT_TRUE(DirectChunkFile::aligned(3 * kBlock, blocks));
  EXPECT_FALSE(DirectChunkFile::aligned(512, blocks)) << "offset inside a block";
  EXPECT_FALSE(DirectChunkFile::aligned(0, blocks.first(kBlock + 8))) << "partial last block";
  EXPECT_FALSE(DirectChunkFile::aligned(0, blocks.subspan(64, kBlock))) << "unaligned memory";
  EXPECT_FALSE(DirectChunkFile::aligned(0, blocks.first(0))) << "nothing to write";
}

TEST(DirectChunkFile, BytesWrittenAtAnOffsetReadBackBesideBufferedOnes) {
  TempDir dir;
  const auto path = dir / "chunks.bin";
  {
    std::ofstream header(path, std::ios::binary);  // written through the page cache
    header << std::string(kBlock, 'h');
  }
  DirectChunkFile file;
  if (!file.open(path)) GTEST_SKIP() << "this filesystem refuses O_DIRECT";
  PageMemory memory = PageMemory::allocate(3 * kBlock);
  for (std::size_t i = 0; i < 3 * kBlock; ++i) memory.data()[i] = std::byte(i * 7 % 251);
  const std::span<const std::byte> chunk(memory.data(), 3 * kBlock);
  ASSERT_EQ(file.write_at(2 * kBlock, chunk), 0);  // leaves a hole in block 1
  file.close();

  const std::vector<char> bytes = read_all(path);
  ASSERT_EQ(bytes.size(), 5 * kBlock);
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + kBlock), std::string(kBlock, 'h'));
  for (std::size_t i = 0; i < chunk.size(); ++i) {
    ASSERT_EQ(static_cast<std::byte>(bytes[2 * kBlock + i]), chunk[i]) << "byte " << i;
  }
}

TEST(DirectChunkFile, MisuseIsAnErrnoNotAWrite) {
  TempDir dir;
  const auto path = dir / "chunks.bin";
  std::ofstream(path).close();
  PageMemory memory = PageMemory::allocate(kBlock);
  const std::span<const std::byte> block(memory.data(), kBlock);
  DirectChunkFile closed;
  EXPECT_EQ(closed.write_at(0, block), EBADF);

  DirectChunkFile file;
  if (!file.open(path)) GTEST_SKIP() << "this filesystem refuses O_DIRECT";
  EXPECT_EQ(file.write_at(100, block), EINVAL);
  DirectChunkFile moved = std::move(file);
  EXPECT_FALSE(file.is_open());  // NOLINT(bugprone-use-after-move): moved-from state is defined
  EXPECT_TRUE(moved.is_open());
  EXPECT_EQ(moved.write_at(0, block), 0);
  EXPECT_EQ(std::filesystem::file_size(path), kBlock);
}

TEST(DirectChunkFile, OpeningAMissingFileFails) {
  TempDir dir;
  DirectChunkFile file;
  EXPECT_FALSE(file.open(dir / "missing.bin"));
  EXPECT_FALSE(file.is_open());
}

}  // namespace
}  // namespace daq::storage::detail
