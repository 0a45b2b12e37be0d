// Pool<T> under threads: exclusive ownership, blocking and waking, growth, orphaned release.
// Each test runs under a Watchdog; none uses a sleep to synchronise.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <latch>
#include <thread>
#include <vector>

#include "daq/pool/pool.hpp"
#include "lifetime_tracker.hpp"
#include "watchdog.hpp"

namespace daq {
namespace {

using namespace std::chrono_literals;

#ifdef DAQ_SANITIZED
constexpr std::uint64_t kItersPerThread = 100'000;  // 4 x 100k: sanitizers run ~10x slower
#else
constexpr std::uint64_t kItersPerThread = 1'000'000;
#endif
constexpr unsigned kThreads = 4;

// Plain (non-atomic) fields on purpose: two owners of one slot at once would lose increments
// (caught by the checksum), trip the owner check, and be reported by TSan as a data race.
struct Cell {
  std::uint64_t count = 0;
  std::uint64_t checksum = 0;
  unsigned owner = 0;
};

// Runs `kThreads` workers that each borrow `kItersPerThread` times with `borrow`, and checks
// that no slot ever had two owners and that every modification survived.
template <class Borrow>
void hammer(const std::shared_ptr<Pool<Cell>>& pool, Borrow borrow,
            const std::function<void()>& meanwhile = {}) {
  std::atomic<std::uint64_t> collisions{0};
  std::atomic<std::uint64_t> expected_checksum{0};
  std::latch start(kThreads + 1);
  std::vector<std::thread> workers;
  for (unsigned t = 1; t <= kThreads; ++t) {
    workers.emplace_back([&, t] {
      std::uint64_t local_checksum = 0;
      start.arrive_and_wait();
      for (std::uint64_t i = 0; i < kItersPerThread; ++i) {
        Loaned<Cell> cell = borrow(*pool);
        if (cell->owner != 0) collisions.fetch_add(1, std::memory_order_relaxed);
        cell->owner = t;
        const std::uint64_t mark = t * 1'000'003 + i;
        cell->count += 1;
        cell->checksum += mark;
        local_checksum += mark;
        if (cell->owner != t) collisions.fetch_add(1, std::memory_order_relaxed);
        cell->owner = 0;
      }
      expected_checksum.fetch_add(local_checksum, std::memory_order_relaxed);
    });
  }
  start.arrive_and_wait();
  if (meanwhile) meanwhile();
  for (auto& w : workers) w.join();

  std::uint64_t count = 0;
  std::uint64_t checksum = 0;
  std::vector<Loaned<Cell>> all;
  while (auto cell = pool->try_acquire()) {
    count += (*cell)->count;
    checksum += (*cell)->checksum;
    all.push_back(std::move(*cell));
  }
  EXPECT_EQ(all.size(), pool->capacity()) << "every slot came back";
  EXPECT_EQ(collisions.load(), 0u) << "a slot had two owners at once";
  EXPECT_EQ(count, kThreads * kItersPerThread) << "modifications were lost";
  EXPECT_EQ(checksum, expected_checksum.load());
}

std::shared_ptr<Pool<Cell>> cell_pool(std::size_t capacity) {
  return Pool<Cell>::create(capacity, [] { return Cell{}; });
}

TEST(PoolConcurrency, EverySlotHasOneOwnerAtATime_TryAcquire) {
  test::Watchdog dog(120s, "try_acquire hammer");
  // More slots than threads: try_acquire always finds one, so this is the lock-free path only.
  hammer(cell_pool(kThreads + 2), [](Pool<Cell>& pool) {
    for (;;) {
      if (auto cell = pool.try_acquire()) return std::move(*cell);
    }
  });
}

TEST(PoolConcurrency, EverySlotHasOneOwnerAtATime_BlockingAcquire) {
  test::Watchdog dog(120s, "blocking acquire hammer");
  // Fewer slots than threads: borrowers block and are woken by releases all the time.
  auto pool = cell_pool(kThreads - 1);
  hammer(pool, [](Pool<Cell>& p) { return p.acquire(); });
  EXPECT_GT(pool->stats().misses, 0u) << "the blocking path was not exercised";
}

TEST(PoolConcurrency, BlockingAcquireIsWokenByRelease) {
  test::Watchdog dog(30s, "blocked acquire");
  auto pool = Pool<int>::create(1, [] { return 0; });
  Loaned<int> held = pool->acquire();
  *held = 17;
  std::atomic<int> seen{-1};
  std::thread borrower([&] {
    Loaned<int> loan = pool->acquire();
    seen.store(*loan);
  });
  while (pool->stats().misses == 0) std::this_thread::yield();  // it found the pool empty
  EXPECT_EQ(seen.load(), -1) << "acquire returned while the only slot was held";
  { Loaned<int> released = std::move(held); }
  borrower.join();
  EXPECT_EQ(seen.load(), 17);
}

TEST(PoolConcurrency, AcquireForWithAnEndlessTimeoutIsWokenByRelease) {
  test::Watchdog dog(30s, "acquire_for(hours::max())");
  auto pool = Pool<int>::create(1, [] { return 0; });
  Loaned<int> held = pool->acquire();
  std::atomic<bool> got{false};
  std::thread borrower([&] {
    auto loan = pool->acquire_for(std::chrono::hours::max());  // saturates to "forever"
    got.store(loan.has_value());
  });
  while (pool->stats().misses == 0) std::this_thread::yield();
  { Loaned<int> released = std::move(held); }
  borrower.join();
  EXPECT_TRUE(got.load());
  EXPECT_EQ(pool->stats().timeouts, 0u);
}

TEST(PoolConcurrency, GrowWakesBlockedBorrowersAndKeepsOwnershipExclusive) {
  test::Watchdog dog(120s, "grow under acquire");
  // One slot for four threads: most of them are blocked when the growth starts.
  auto pool = cell_pool(1);
  hammer(
      pool, [](Pool<Cell>& p) { return p.acquire(); },
      [&] {
        for (int step = 0; step < 16; ++step) pool->grow(2);
      });
  EXPECT_EQ(pool->capacity(), 33u);
}

TEST(PoolConcurrency, LoansReleasedOnManyThreadsAfterTheOwnerLeft) {
  test::Watchdog dog(60s, "orphaned releases");
  constexpr int kRounds = 200;
  for (int round = 0; round < kRounds; ++round) {
    test::LifetimeCounts counts;
    auto pool = Pool<test::Tracked>::create(kThreads, [&] { return test::Tracked(counts); });
    std::vector<Loaned<test::Tracked>> loans;
    for (unsigned t = 0; t < kThreads; ++t) loans.push_back(pool->acquire());
    loans.push_back(pool->make_detached());
    std::latch go(static_cast<std::ptrdiff_t>(loans.size()) + 1);
    std::vector<std::thread> releasers;
    for (auto& loan : loans) {
      releasers.emplace_back([&go, l = std::move(loan)]() mutable {
        go.arrive_and_wait();
        { Loaned<test::Tracked> gone = std::move(l); }
      });
    }
    go.arrive_and_wait();
    pool.reset();  // races with the releases: whoever is last destroys the pool
    for (auto& r : releasers) r.join();
    ASSERT_EQ(counts.alive(), 0) << "round " << round;
  }
}

}  // namespace
}  // namespace daq
