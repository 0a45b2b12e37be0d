#include "daq/pool/page_memory.hpp"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "daq/pool/errors.hpp"
#include "log_capture.hpp"
#include "memory_lock_rights.hpp"

namespace daq::detail {
namespace {

// How many pages of [data, data + size) are resident in memory (mincore).
std::size_t resident_pages(const std::byte* data, std::size_t size) {
  const std::size_t page = PageMemory::page_size();
  std::vector<unsigned char> vec((size + page - 1) / page);
  if (::mincore(const_cast<std::byte*>(data), size, vec.data()) != 0) return 0;
  std::size_t resident = 0;
  for (unsigned char v : vec) resident += v & 1u;
  return resident;
}

TEST(PageMemory, RoundsUpToWholePagesAndIsPageAligned) {
  const std::size_t page = PageMemory::page_size();
  const PageMemory m = PageMemory::allocate(3 * page - 5);
  EXPECT_EQ(m.size(), 3 * page);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(m.data()) % page, 0u);
}

TEST(PageMemory, ZeroBytesIsAnEmptyObject) {
  const PageMemory m = PageMemory::allocate(0);
  EXPECT_EQ(m.data(), nullptr);
  EXPECT_EQ(m.size(), 0u);
}

TEST(PageMemory, PrefaultedPagesAreAllResident) {
  const std::size_t page = PageMemory::page_size();
  const PageMemory m = PageMemory::allocate(256 * page);
  EXPECT_EQ(resident_pages(m.data(), m.size()), 256u) << "the first frame would page-fault";
}

TEST(PageMemory, WithoutPrefaultPagesAreNotTouched) {
  const std::size_t page = PageMemory::page_size();
  const PageMemory m = PageMemory::allocate(256 * page, {.prefault = false});
  EXPECT_EQ(resident_pages(m.data(), m.size()), 0u);
}

TEST(PageMemory, SizeThatOverflowsWhenRoundedIsAllocationOverflow) {
  try {
    (void)PageMemory::allocate(std::numeric_limits<std::size_t>::max() - 1);
    FAIL() << "expected PoolError";
  } catch (const PoolError& e) {
    EXPECT_EQ(e.kind(), PoolError::Kind::allocation_overflow);
  }
}

TEST(PageMemory, MappingTheSystemRefusesIsInsufficientMemory) {
  try {
    (void)PageMemory::allocate(std::size_t{1} << 62, {.prefault = false});  // > address space
    FAIL() << "expected PoolError";
  } catch (const PoolError& e) {
    EXPECT_EQ(e.kind(), PoolError::Kind::insufficient_memory);
    EXPECT_NE(std::string(e.what()).find(std::to_string(std::size_t{1} << 62)), std::string::npos)
        << e.what();
  }
}

TEST(PageMemory, RefusedLockIsLoggedAndNotFatal) {
  test::LogCapture log;
  test::WithoutMemoryLockRights no_lock;
  if (!no_lock.mlock_refused()) GTEST_SKIP() << "mlock cannot be refused here (sanitizer no-op)";
  const PageMemory m = PageMemory::allocate(16 * PageMemory::page_size(), {.lock = true});
  EXPECT_FALSE(m.locked());
  EXPECT_NE(m.data(), nullptr) << "the memory is still usable";
  EXPECT_TRUE(log.contains("mlock")) << "the refusal must be reported through the log sink";
}

TEST(PageMemory, PermittedLockLocks) {
  test::LogCapture log;
  const PageMemory m = PageMemory::allocate(4 * PageMemory::page_size(), {.lock = true});
  if (!m.locked()) GTEST_SKIP() << "this process may not lock memory (no CAP_IPC_LOCK, low limit)";
  EXPECT_FALSE(log.contains("mlock"));
}

TEST(PageMemory, HugePageAdviceKeepsTheMemoryUsable) {
  const PageMemory m = PageMemory::allocate(std::size_t{4} << 20, {.huge_pages = true});
  ASSERT_NE(m.data(), nullptr);
  m.data()[m.size() - 1] = std::byte{1};
  EXPECT_EQ(m.data()[m.size() - 1], std::byte{1});
}

TEST(PageMemory, MoveTransfersTheMappingAndDestructionUnmapsIt) {
  const std::size_t page = PageMemory::page_size();
  PageMemory a = PageMemory::allocate(page);
  std::byte* const data = a.data();
  PageMemory b = std::move(a);
  EXPECT_EQ(a.data(), nullptr);  // NOLINT(bugprone-use-after-move): tested on purpose
  EXPECT_EQ(b.data(), data);
  PageMemory c;
  c = std::move(b);
  EXPECT_EQ(c.data(), data);
  c = PageMemory();  // unmaps
  unsigned char v = 0;
  EXPECT_EQ(::mincore(data, page, &v), -1);
  EXPECT_EQ(errno, ENOMEM) << "the page is still mapped";
}

TEST(PageMemory, HeadroomIsWholePagesInFrontOfPageAlignedData) {
  const std::size_t page = PageMemory::page_size();
  PageMemory memory = PageMemory::allocate(3 * page, {.headroom = 100});
  EXPECT_EQ(memory.size(), 3 * page) << "size() counts only the data";
  EXPECT_EQ(memory.headroom().size(), page) << "100 bytes round up to one page";
  EXPECT_EQ(memory.headroom().data() + memory.headroom().size(), memory.data());
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(memory.data()) % page, 0u);
  memory.headroom().front() = std::byte{1};  // mapped and writable (ASan would say otherwise)
  memory.data()[memory.size() - 1] = std::byte{2};
  PageMemory moved = std::move(memory);
  EXPECT_EQ(moved.headroom().size(), page);
  EXPECT_TRUE(memory.headroom().empty());  // NOLINT(bugprone-use-after-move): empty by contract
}

TEST(PageMemory, MappedSizeIsWhatAllocateMaps) {
  const std::size_t page = PageMemory::page_size();
  const std::pair<std::size_t, std::size_t> cases[] = {
      {1, 0}, {page, 0}, {page + 1, 1}, {3 * page, page}, {5000, page + 1}};
  for (const auto& [bytes, headroom] : cases) {
    const PageMemory memory =
        PageMemory::allocate(bytes, {.prefault = false, .headroom = headroom});
    EXPECT_EQ(PageMemory::mapped_size(bytes, headroom), memory.headroom().size() + memory.size())
        << bytes << " bytes behind " << headroom;
  }
  EXPECT_EQ(PageMemory::mapped_size(page + 1, 1), 3 * page);
  EXPECT_EQ(PageMemory::mapped_size(0, page), 0u) << "nothing to map, not even the headroom";
}

TEST(PageMemory, MappedSizeBeyondSizeTIsTheLargestSizeT) {
  constexpr std::size_t kMax = std::numeric_limits<std::size_t>::max();
  const std::size_t page = PageMemory::page_size();
  EXPECT_EQ(PageMemory::mapped_size(kMax - 1, 0), kMax);
  EXPECT_EQ(PageMemory::mapped_size(page, kMax), kMax);
  EXPECT_EQ(PageMemory::mapped_size(kMax / 2 + 1, kMax / 2 + 1), kMax);
}

TEST(PageMemory, NoHeadroomByDefault) {
  EXPECT_TRUE(PageMemory::allocate(10).headroom().empty());
}

TEST(PageMemory, AHeadroomBeyondSizeTIsAnOverflow) {
  try {
    (void)PageMemory::allocate(PageMemory::page_size(),
                               {.headroom = std::numeric_limits<std::size_t>::max()});
    FAIL() << "expected PoolError";
  } catch (const PoolError& e) {
    EXPECT_EQ(e.kind(), PoolError::Kind::allocation_overflow);
    EXPECT_NE(std::string(e.what()).find("headroom"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace daq::detail
