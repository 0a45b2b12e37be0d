#include "daq/pool/bytes.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <latch>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "daq/pool/alloc_counter.hpp"
#include "daq/pool/buffer_pool.hpp"
#include "watchdog.hpp"

namespace daq {
namespace {

using namespace std::chrono_literals;

std::vector<std::byte> pattern(std::size_t n) {
  std::vector<std::byte> bytes(n);
  for (std::size_t i = 0; i < n; ++i) bytes[i] = static_cast<std::byte>(i % 251);
  return bytes;
}

Bytes frozen(BufferPool& pool, const std::vector<std::byte>& content) {
  PooledBuffer buffer = pool.acquire();
  buffer.assign(content.data(), content.size());
  return std::move(buffer).freeze();
}

TEST(Bytes, DefaultIsEmptyAndOwnsNothing) {
  const Bytes b;
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.size(), 0u);
  EXPECT_EQ(b.data(), nullptr);
  const Bytes copy = b;
  EXPECT_TRUE(copy.empty());
  EXPECT_TRUE(b.slice(0, 0).empty());
}

TEST(Bytes, FreezeKeepsTheFilledBytesWithoutCopying) {
  auto pool = BufferPool::create(2, 4096);
  PooledBuffer buffer = pool->acquire();
  const auto content = pattern(1000);
  buffer.assign(content.data(), content.size());
  const std::byte* const where = buffer.data();
  const Bytes b = std::move(buffer).freeze();
  EXPECT_EQ(b.data(), where) << "freeze must not copy";
  ASSERT_EQ(b.size(), 1000u);
  EXPECT_TRUE(std::equal(content.begin(), content.end(), b.begin(), b.end()));
  EXPECT_EQ(b.span().size(), 1000u);
}

TEST(Bytes, CopiesShareTheBufferWhichReturnsWithTheLastCopy) {
  auto pool = BufferPool::create(1, 4096);
  std::vector<Bytes> copies;
  copies.push_back(frozen(*pool, pattern(64)));
  for (int i = 0; i < 5; ++i) copies.push_back(copies.back());
  for (const Bytes& c : copies) EXPECT_EQ(c.data(), copies.front().data());
  EXPECT_EQ(pool->available(), 0u);
  while (copies.size() > 1) {
    copies.pop_back();
    EXPECT_EQ(pool->available(), 0u) << "a copy is still alive";
  }
  copies.clear();
  EXPECT_EQ(pool->available(), 1u);
}

TEST(Bytes, AssignmentsReleaseWhatTheyOverwrite) {
  auto pool = BufferPool::create(2, 4096);
  Bytes a = frozen(*pool, pattern(10));
  Bytes b = frozen(*pool, pattern(20));
  EXPECT_EQ(pool->available(), 0u);
  a = b;  // a's buffer had no other copy
  EXPECT_EQ(pool->available(), 1u);
  EXPECT_EQ(a.data(), b.data());
  const Bytes& alias = a;
  a = alias;  // self-copy keeps it
  EXPECT_EQ(a.size(), 20u);
  b = Bytes();
  EXPECT_EQ(pool->available(), 1u) << "a still shares the buffer";
  a = std::move(b);
  EXPECT_EQ(pool->available(), 2u);
}

TEST(Bytes, SliceSharesTheBufferAndKeepsItAlive) {
  auto pool = BufferPool::create(1, 4096);
  const auto content = pattern(100);
  Bytes part;
  {
    const Bytes whole = frozen(*pool, content);
    part = whole.slice(10, 30);
    EXPECT_EQ(part.data(), whole.data() + 10);
    EXPECT_EQ(part.size(), 30u);
    const Bytes inner = part.slice(5, 5);
    EXPECT_EQ(inner.data(), whole.data() + 15);
    EXPECT_EQ(whole.slice(100, 0).size(), 0u) << "an empty slice at the end is fine";
  }
  EXPECT_EQ(pool->available(), 0u) << "the slice keeps the buffer";
  EXPECT_TRUE(std::equal(content.begin() + 10, content.begin() + 40, part.begin(), part.end()));
  part = Bytes();
  EXPECT_EQ(pool->available(), 1u);
}

TEST(Bytes, SliceOutOfRangeThrowsNamingTheNumbers) {
  auto pool = BufferPool::create(1, 4096);
  const Bytes b = frozen(*pool, pattern(100));
  try {
    (void)b.slice(90, 20);
    FAIL() << "expected std::out_of_range";
  } catch (const std::out_of_range& e) {
    const std::string message = e.what();
    for (const char* n : {"90", "20", "100"}) {
      EXPECT_NE(message.find(n), std::string::npos) << message;
    }
  }
  EXPECT_THROW((void)b.slice(101, 0), std::out_of_range);
  EXPECT_THROW((void)b.slice(1, SIZE_MAX), std::out_of_range) << "offset + len must not wrap";
}

TEST(Bytes, FreezeCopyAndSliceAllocateNothing) {
  auto pool = BufferPool::create(2, 4096);
  const auto content = pattern(512);
  { const Bytes warm = frozen(*pool, content); }
  const std::uint64_t before = alloc_counter::this_thread().allocations;
  for (int i = 0; i < 1000; ++i) {
    PooledBuffer buffer = pool->acquire();
    buffer.assign(content.data(), content.size());
    const Bytes b = std::move(buffer).freeze();
    Bytes copy = b;
    const Bytes part = copy.slice(1, 10);
    copy = part;
    EXPECT_EQ(copy.size(), 10u);
  }
  EXPECT_EQ(alloc_counter::this_thread().allocations - before, 0u);
}

TEST(Bytes, CopiesMadeAndDroppedOnManyThreadsReturnTheBufferOnce) {
  test::Watchdog dog(60s, "Bytes across threads");
#ifdef DAQ_SANITIZED
  constexpr int kCopies = 20'000;
#else
  constexpr int kCopies = 200'000;
#endif
  constexpr int kThreads = 4;
  auto pool = BufferPool::create(1, 4096);
  const auto content = pattern(256);
  for (int round = 0; round < 3; ++round) {
    Bytes original = frozen(*pool, content);
    std::atomic<std::uint64_t> sum{0};
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, mine = original] {
        start.arrive_and_wait();
        std::uint64_t local = 0;
        for (int i = 0; i < kCopies; ++i) {
          const Bytes copy = mine;
          local += static_cast<std::uint64_t>(copy.data()[static_cast<std::size_t>(i) % 256]);
        }
        sum.fetch_add(local);
      });
    }
    original = Bytes();  // only the threads' copies remain
    for (auto& t : threads) t.join();
    EXPECT_GT(sum.load(), 0u);
    EXPECT_EQ(pool->available(), 1u) << "the last copy must return the buffer exactly once";
    EXPECT_EQ(pool->stats().in_use, 0u);
  }
}

}  // namespace
}  // namespace daq
