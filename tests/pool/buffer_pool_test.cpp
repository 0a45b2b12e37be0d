#include "daq/pool/buffer_pool.hpp"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "daq/pool/alloc_counter.hpp"
#include "daq/pool/errors.hpp"
#include "daq/pool/page_memory.hpp"
#include "log_capture.hpp"
#include "memory_lock_rights.hpp"
#include "watchdog.hpp"

namespace daq {
namespace {

using namespace std::chrono_literals;

const std::size_t kPage = PageMemory::page_size();

std::vector<std::byte> pattern(std::size_t n) {
  std::vector<std::byte> bytes(n);
  for (std::size_t i = 0; i < n; ++i) bytes[i] = static_cast<std::byte>(i * 13 + 1);
  return bytes;
}

// Expects `create` to throw PoolError of `kind` with every one of `numbers` in its message.
template <class Create>
void expect_pool_error(Create create, PoolError::Kind kind, std::vector<std::string> numbers) {
  try {
    (void)create();
    ADD_FAILURE() << "expected PoolError";
  } catch (const PoolError& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    for (const auto& n : numbers) {
      EXPECT_NE(std::string(e.what()).find(n), std::string::npos)
          << "'" << n << "' missing: " << e.what();
    }
  }
}

TEST(BufferPool, BuffersArePageAlignedWholePagesAndDisjoint) {
  auto pool = BufferPool::create(4, kPage + 100);
  EXPECT_EQ(pool->capacity(), 4u);
  EXPECT_EQ(pool->buffer_size(), 2 * kPage);
  std::vector<PooledBuffer> held;
  std::set<const std::byte*> starts;
  for (int i = 0; i < 4; ++i) {
    held.push_back(pool->acquire());
    const PooledBuffer& b = held.back();
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(b.data()) % kPage, 0u);
    EXPECT_EQ(b.capacity(), 2 * kPage);
    starts.insert(b.data());
  }
  ASSERT_EQ(starts.size(), 4u);
  // Sorted starts at least one buffer apart: no two buffers overlap.
  for (auto it = std::next(starts.begin()); it != starts.end(); ++it) {
    EXPECT_GE(static_cast<std::size_t>(*it - *std::prev(it)), 2 * kPage);
  }
}

TEST(BufferPool, EveryPageIsResidentBeforeTheFirstFrame) {
  auto pool = BufferPool::create(8, 64 * 1024);
  std::vector<PooledBuffer> held;
  while (auto b = pool->try_acquire()) held.push_back(std::move(*b));
  for (const PooledBuffer& b : held) {
    std::vector<unsigned char> pages(b.capacity() / kPage);
    ASSERT_EQ(::mincore(const_cast<std::byte*>(b.data()), b.capacity(), pages.data()), 0);
    EXPECT_TRUE(std::all_of(pages.begin(), pages.end(), [](unsigned char v) { return v & 1u; }))
        << "a buffer would page-fault on its first frame";
  }
}

TEST(BufferPool, ZeroCountOrZeroBytesIsInvalidArgument) {
  EXPECT_THROW((void)BufferPool::create(0, 4096), std::invalid_argument);
  EXPECT_THROW((void)BufferPool::create(4, 0), std::invalid_argument);
}

TEST(BufferPool, CountTimesBytesBeyondSizeTIsAllocationOverflow) {
  const std::size_t huge = std::numeric_limits<std::size_t>::max() / 2;
  expect_pool_error([&] { return BufferPool::create(3, huge); },
                    PoolError::Kind::allocation_overflow, {"3", std::to_string(huge)});
  expect_pool_error([] { return BufferPool::create(1, std::numeric_limits<std::size_t>::max()); },
                    PoolError::Kind::allocation_overflow, {});
}

TEST(BufferPool, MoreThanTheBudgetIsBudgetExceeded) {
  // 10 x 1000 bytes map 10 whole pages: the message names the request, the total and the budget.
  const std::size_t total = 10 * kPage;
  expect_pool_error([] { return BufferPool::create(10, 1000, {.memory_budget_bytes = 20'000}); },
                    PoolError::Kind::budget_exceeded,
                    {"10", "1000", std::to_string(total), "20000"});
  EXPECT_NO_THROW((void)BufferPool::create(10, 1000, {.memory_budget_bytes = total}));
}

TEST(BufferPool, MoreThanUsableMemoryIsInsufficientMemory) {
  const std::size_t usable = PageMemory::usable_memory();
  EXPECT_LE(usable, PageMemory::physical_memory());
  const std::size_t each = std::size_t{1} << 30;
  const std::size_t count = usable / each + 2;
  expect_pool_error([&] { return BufferPool::create(count, each); },
                    PoolError::Kind::insufficient_memory,
                    {std::to_string(count), std::to_string(usable)});
}

TEST(BufferPool, AcquireVariantsBehaveLikePool) {
  auto pool = BufferPool::create(2, 4096);
  EXPECT_EQ(pool->available(), 2u);
  PooledBuffer a = pool->acquire();
  std::optional<PooledBuffer> b = pool->try_acquire();
  EXPECT_TRUE(b.has_value());
  EXPECT_EQ(pool->available(), 0u);
  EXPECT_FALSE(pool->try_acquire().has_value());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(pool->acquire_for(20ms).has_value());
  EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);
  b.reset();
  EXPECT_TRUE(pool->acquire_for(20ms).has_value());
  const PoolStats s = pool->stats();
  EXPECT_EQ(s.timeouts, 1u);
  EXPECT_EQ(s.misses, 2u);
  EXPECT_EQ(s.high_water, 2u);
}

TEST(BufferPool, BlockingAcquireIsWokenByARelease) {
  test::Watchdog dog(30s, "blocked BufferPool::acquire");
  auto pool = BufferPool::create(1, 4096);
  PooledBuffer held = pool->acquire();
  std::thread borrower([&] { PooledBuffer b = pool->acquire(); });
  while (pool->stats().misses == 0) std::this_thread::yield();
  { PooledBuffer released = std::move(held); }
  borrower.join();
  EXPECT_EQ(pool->available(), 1u);
}

TEST(BufferPool, ALentBufferStartsEmptyAndTakesWhatFits) {
  auto pool = BufferPool::create(1, 4096);
  {
    PooledBuffer b = pool->acquire();
    EXPECT_EQ(b.size(), 0u);
    b.resize(4096);
    EXPECT_EQ(b.bytes().size(), 4096u);
  }
  PooledBuffer b = pool->acquire();
  EXPECT_EQ(b.size(), 0u) << "the previous borrower's size leaked";
  const auto content = pattern(3000);
  b.assign(content.data(), content.size());
  EXPECT_EQ(b.size(), 3000u);
  EXPECT_TRUE(std::equal(content.begin(), content.end(), b.bytes().begin(), b.bytes().end()));
}

TEST(BufferPool, TooLargeFillIsRejectedNamingBothSizesAndChangesNothing) {
  auto pool = BufferPool::create(1, 4096);
  PooledBuffer b = pool->acquire();
  const auto content = pattern(100);
  b.assign(content.data(), content.size());
  const auto big = pattern(5000);
  try {
    b.assign(big.data(), big.size());
    FAIL() << "expected std::length_error";
  } catch (const std::length_error& e) {
    EXPECT_NE(std::string(e.what()).find("5000"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("4096"), std::string::npos) << e.what();
  }
  EXPECT_THROW(b.resize(4097), std::length_error);
  EXPECT_EQ(b.size(), 100u);
  EXPECT_TRUE(std::equal(content.begin(), content.end(), b.bytes().begin(), b.bytes().end()));
}

TEST(BufferPool, BuffersAndBytesOutliveThePool) {
  auto pool = BufferPool::create(2, 4096);
  PooledBuffer buffer = pool->acquire();
  const auto content = pattern(4096);
  PooledBuffer other = pool->acquire();
  other.assign(content.data(), content.size());
  const Bytes bytes = std::move(other).freeze();
  pool.reset();  // the loans keep the mapping and the slots alive
  buffer.assign(content.data(), content.size());
  EXPECT_TRUE(std::equal(content.begin(), content.end(), bytes.begin(), bytes.end()));
  EXPECT_TRUE(
      std::equal(content.begin(), content.end(), buffer.bytes().begin(), buffer.bytes().end()));
}

TEST(BufferPool, RefusedMemoryLockIsLoggedAndNotFatal) {
  test::LogCapture log;
  test::WithoutMemoryLockRights no_lock;
  if (!no_lock.mlock_refused()) GTEST_SKIP() << "mlock cannot be refused here (sanitizer no-op)";
  auto pool = BufferPool::create(4, 4096, {.lock_memory = true});
  EXPECT_FALSE(pool->memory_locked());
  EXPECT_TRUE(log.contains("mlock")) << "the refusal must reach the log sink";
  EXPECT_TRUE(pool->try_acquire().has_value()) << "the pool works without the lock";
}

TEST(BufferPool, PermittedMemoryLockLocks) {
  auto pool = BufferPool::create(4, 4096, {.lock_memory = true});
  if (!pool->memory_locked()) GTEST_SKIP() << "this process may not lock memory";
  EXPECT_EQ(pool->available(), 4u);
}

TEST(BufferPool, HugePagesOptionGivesAWorkingPool) {
  auto pool = BufferPool::create(2, std::size_t{2} << 20, {.huge_pages = true});
  PooledBuffer b = pool->acquire();
  const auto content = pattern(b.capacity());
  b.assign(content.data(), content.size());
  EXPECT_TRUE(std::equal(content.begin(), content.end(), b.bytes().begin(), b.bytes().end()));
}

TEST(BufferPool, AcquireFillFreezeAndReleaseAllocateNothing) {
  auto pool = BufferPool::create(2, 64 * 1024);
  const auto content = pattern(60 * 1024);
  { auto warm = pool->try_acquire(); }
  const std::uint64_t before = alloc_counter::this_thread().allocations;
  for (int i = 0; i < 1000; ++i) {
    std::optional<PooledBuffer> a = pool->try_acquire();
    PooledBuffer b = pool->acquire();
    b.assign(content.data(), content.size());
    const Bytes frozen = std::move(b).freeze();
    EXPECT_TRUE(a.has_value());
    EXPECT_FALSE(pool->try_acquire().has_value());
  }
  EXPECT_EQ(alloc_counter::this_thread().allocations - before, 0u);
}

}  // namespace
}  // namespace daq
