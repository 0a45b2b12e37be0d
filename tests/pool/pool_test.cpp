// Pool<T> and Loaned<T>: single-threaded semantics, lifetime and allocation.
// (Threaded behaviour is in pool_concurrency_test.cpp.)
#include "daq/pool/pool.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <stdexcept>
#include <vector>

#include "daq/pool/alloc_counter.hpp"
#include "daq/pool/detail/free_word.hpp"
#include "lifetime_tracker.hpp"

namespace daq {
namespace {

using test::LifetimeCounts;
using test::Tracked;

std::shared_ptr<Pool<Tracked>> tracked_pool(LifetimeCounts& counts, std::size_t capacity,
                                            Pool<Tracked>::Reset reset = {}) {
  return Pool<Tracked>::create(
      capacity, [&counts] { return Tracked(counts); }, std::move(reset));
}

std::uint64_t allocations_now() {
  return alloc_counter::this_thread().allocations;
}

// The free-stack word: a push and a pop move the count and the top id, bump the tag, keep the
// flags, and the tag wraps without spilling into them.
namespace fw = detail::free_word;
constexpr std::uint64_t kFullTag = fw::kTagMask;
static_assert(fw::top(fw::pushed(0, 7)) == 7 && fw::free_slots(fw::pushed(0, 7)) == 1);
static_assert(fw::free_slots(fw::popped(fw::pushed(0, 7), 0)) == 0);
static_assert(fw::top(fw::popped(fw::pushed(fw::pushed(0, 3), 9), 3)) == 3);
static_assert((fw::pushed(fw::kWaiting | fw::kOrphaned, 1) & fw::kFlags) == fw::kFlags);
static_assert((fw::pushed(kFullTag | fw::kOrphaned, 1) & fw::kTagMask) == 0,
              "the tag wraps to zero");
static_assert((fw::pushed(kFullTag | fw::kOrphaned, 1) & fw::kFlags) == fw::kOrphaned,
              "a wrapping tag must not touch the flags");
static_assert(fw::pushed(0, 1) != fw::pushed(fw::popped(fw::pushed(0, 1), 0), 1),
              "the same top and count after a pop and a push still differ by the tag");

TEST(Pool, CreateBuildsEveryObjectUpFront) {
  LifetimeCounts counts;
  {
    auto pool = tracked_pool(counts, 4);
    EXPECT_EQ(counts.alive(), 4);
    EXPECT_EQ(pool->capacity(), 4u);
    EXPECT_EQ(pool->available(), 4u);
    auto loan = pool->try_acquire();
    ASSERT_TRUE(loan.has_value());
    EXPECT_EQ(counts.alive(), 4) << "lending must not build objects";
    EXPECT_EQ(pool->available(), 3u);
  }
  EXPECT_EQ(counts.alive(), 0);
}

TEST(Pool, CreateWithZeroCapacityIsInvalidArgument) {
  try {
    (void)Pool<int>::create(0, [] { return 0; });
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("capacity"), std::string::npos) << e.what();
  }
}

TEST(Pool, CreateWithoutFactoryIsInvalidArgument) {
  EXPECT_THROW((void)Pool<int>::create(2, {}), std::invalid_argument);
}

TEST(Pool, FactoryThrowingMidwayDestroysWhatItBuilt) {
  LifetimeCounts counts;
  int calls = 0;
  auto factory = [&]() -> Tracked {
    if (++calls == 3) throw std::runtime_error("factory failed");
    return Tracked(counts);
  };
  EXPECT_THROW((void)Pool<Tracked>::create(5, factory), std::runtime_error);
  EXPECT_GT(counts.constructed.load(), 0);
  EXPECT_EQ(counts.alive(), 0);
}

TEST(Pool, TryAcquireReturnsNulloptAtOnceWhenEmpty) {
  auto pool = Pool<int>::create(1, [] { return 7; });
  auto first = pool->try_acquire();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(**first, 7);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(pool->try_acquire().has_value());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_EQ(pool->stats().misses, 1u);
}

TEST(Pool, ReleaseRunsResetAndReturnsTheSlot) {
  int resets = 0;
  auto pool = Pool<int>::create(
      1, [] { return 0; },
      [&](int& v) {
        ++resets;
        v = 0;
      });
  {
    Loaned<int> loan = pool->acquire();
    *loan = 42;
    EXPECT_EQ(pool->available(), 0u);
  }
  EXPECT_EQ(resets, 1);
  EXPECT_EQ(pool->available(), 1u);
  Loaned<int> again = pool->acquire();
  EXPECT_EQ(*again, 0) << "the next borrower must see the reset object";
}

TEST(Pool, LoanPointsAtTheSameObjectForItsWholeLife) {
  auto pool = Pool<std::array<int, 4>>::create(2, [] { return std::array<int, 4>{}; });
  Loaned<std::array<int, 4>> loan = pool->acquire();
  int* const first = loan->data();
  (*loan)[1] = 5;
  EXPECT_EQ(loan.get(), &*loan);
  EXPECT_EQ(loan->data(), first);
  Loaned<std::array<int, 4>> moved = std::move(loan);
  EXPECT_EQ(moved->data(), first) << "moving a loan must not move the object";
  EXPECT_EQ((*moved)[1], 5);
}

TEST(Pool, MoveTransfersOwnershipAndLeavesTheSourceEmpty) {
  auto pool = Pool<int>::create(2, [] { return 0; });
  Loaned<int> a = pool->acquire();
  Loaned<int> b = std::move(a);
  EXPECT_FALSE(static_cast<bool>(a));  // NOLINT(bugprone-use-after-move): tested on purpose
  EXPECT_EQ(a.get(), nullptr);
  EXPECT_TRUE(static_cast<bool>(b));
  EXPECT_EQ(pool->available(), 1u) << "a move must not return or take a slot";
}

TEST(Pool, MoveAssignmentReturnsTheOverwrittenLoan) {
  auto pool = Pool<int>::create(2, [] { return 0; });
  Loaned<int> a = pool->acquire();
  Loaned<int> b = pool->acquire();
  EXPECT_EQ(pool->available(), 0u);
  a = std::move(b);
  EXPECT_EQ(pool->available(), 1u);
  Loaned<int>& alias = a;
  a = std::move(alias);  // self-move keeps the loan
  EXPECT_TRUE(static_cast<bool>(a));
  EXPECT_EQ(pool->available(), 1u);
}

TEST(Pool, CloneTakesANewSlotAndCopiesTheObject) {
  LifetimeCounts counts;
  auto pool = tracked_pool(counts, 3);
  Loaned<Tracked> original = pool->acquire();
  original->set_value(99);
  Loaned<Tracked> copy = original.clone();
  EXPECT_NE(copy.get(), original.get());
  EXPECT_EQ(copy->value(), 99u);
  EXPECT_FALSE(copy.is_detached());
  EXPECT_EQ(pool->available(), 1u);
  EXPECT_EQ(counts.alive(), 3) << "a clone into a free slot builds nothing";
  EXPECT_EQ(pool->stats().fallbacks, 0u);
}

TEST(Pool, CloneOnAnEmptyPoolFallsBackToACountedDetachedCopy) {
  LifetimeCounts counts;
  {
    auto pool = tracked_pool(counts, 1);
    Loaned<Tracked> original = pool->acquire();
    original->set_value(5);
    Loaned<Tracked> copy = original.clone();
    EXPECT_TRUE(copy.is_detached());
    EXPECT_EQ(copy->value(), 5u);
    EXPECT_EQ(pool->stats().fallbacks, 1u);
    EXPECT_EQ(pool->stats().misses, 1u);
    EXPECT_EQ(counts.alive(), 2);
  }
  EXPECT_EQ(counts.alive(), 0);
}

TEST(Pool, CloneOfADetachedLoanUsesAFreeSlot) {
  auto pool = Pool<int>::create(1, [] { return 0; });
  Loaned<int> detached = pool->make_detached(11);
  Loaned<int> copy = detached.clone();
  EXPECT_FALSE(copy.is_detached());
  EXPECT_EQ(*copy, 11);
  EXPECT_EQ(pool->available(), 0u);
}

TEST(Pool, DetachedLoanIsCountedAndFreesItselfInsteadOfReturning) {
  LifetimeCounts counts;
  auto pool = tracked_pool(counts, 2);
  {
    Loaned<Tracked> detached = pool->make_detached();
    EXPECT_TRUE(detached.is_detached());
    EXPECT_EQ(counts.alive(), 3);
    EXPECT_EQ(pool->available(), 2u) << "a detached loan takes no slot";
    EXPECT_EQ(pool->stats().in_use, 0u);
  }
  EXPECT_EQ(counts.alive(), 2) << "the detached object is destroyed, not pooled";
  EXPECT_EQ(pool->available(), 2u);
  EXPECT_EQ(pool->stats().fallbacks, 1u);
}

TEST(Pool, MakeDetachedForwardsItsArguments) {
  LifetimeCounts counts;
  auto pool = tracked_pool(counts, 1);
  Loaned<Tracked> detached = pool->make_detached(counts, 123u);
  EXPECT_EQ(detached->value(), 123u);
}

TEST(Pool, DroppingThePoolWhileLoansAreOutIsSafe) {
  LifetimeCounts counts;
  std::optional<Loaned<Tracked>> pooled;
  std::optional<Loaned<Tracked>> detached;
  {
    auto pool = tracked_pool(counts, 3);
    pooled = pool->acquire();
    detached = pool->make_detached();
    (*pooled)->set_value(1);
  }
  EXPECT_EQ(counts.alive(), 4) << "the loans keep the pool and its objects alive";
  (*pooled)->set_value(2);
  EXPECT_EQ((*pooled)->value(), 2u);
  Loaned<Tracked> clone = pooled->clone();  // the orphaned pool still lends
  EXPECT_FALSE(clone.is_detached());
  { Loaned<Tracked> returned = std::move(*pooled); }
  EXPECT_EQ(counts.alive(), 4);
  { Loaned<Tracked> freed = std::move(*detached); }
  EXPECT_EQ(counts.alive(), 3);
  { Loaned<Tracked> last = std::move(clone); }
  EXPECT_EQ(counts.alive(), 0) << "the last loan destroys every pooled object exactly once";
  EXPECT_EQ(counts.destroyed.load(), counts.constructed.load());
}

TEST(Pool, StatsCountHitsMissesTimeoutsAndHighWater) {
  auto pool = Pool<int>::create(2, [] { return 0; });
  {
    Loaned<int> a = pool->acquire();
    Loaned<int> b = pool->acquire();
    EXPECT_FALSE(pool->try_acquire().has_value());
    EXPECT_FALSE(pool->acquire_for(std::chrono::milliseconds(1)).has_value());
    const PoolStats s = pool->stats();
    EXPECT_EQ(s.hits, 2u);
    EXPECT_EQ(s.misses, 2u);
    EXPECT_EQ(s.timeouts, 1u);
    EXPECT_EQ(s.in_use, 2u);
    EXPECT_EQ(s.high_water, 2u);
    EXPECT_EQ(s.capacity, 2u);
  }
  Loaned<int> c = pool->acquire();
  const PoolStats s = pool->stats();
  EXPECT_EQ(s.hits, 3u);
  EXPECT_EQ(s.in_use, 1u);
  EXPECT_EQ(s.high_water, 2u) << "the high-water mark stays";
}

TEST(Pool, AcquireForTimesOutWithinTolerance) {
  auto pool = Pool<int>::create(1, [] { return 0; });
  Loaned<int> held = pool->acquire();
  constexpr auto kTimeout = std::chrono::milliseconds(50);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(pool->acquire_for(kTimeout).has_value());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, kTimeout);
  EXPECT_LT(elapsed, kTimeout + std::chrono::milliseconds(500)) << "a loaded CI box is slow, "
                                                                   "but not this slow";
  EXPECT_EQ(pool->stats().timeouts, 1u);
}

TEST(Pool, AcquireForWithZeroOrNegativeTimeoutDoesNotWait) {
  auto pool = Pool<int>::create(1, [] { return 0; });
  Loaned<int> held = pool->acquire();
  EXPECT_FALSE(pool->acquire_for(std::chrono::seconds(0)).has_value());
  EXPECT_FALSE(pool->acquire_for(std::chrono::seconds(-5)).has_value());
  EXPECT_EQ(pool->stats().timeouts, 2u);
}

TEST(Pool, GrowAddsSlotsWhileLoansAreHeld) {
  auto pool = Pool<int>::create(2, [] { return 0; });
  Loaned<int> a = pool->acquire();
  pool->grow(3);
  EXPECT_EQ(pool->capacity(), 5u);
  EXPECT_EQ(pool->available(), 4u);
  std::vector<Loaned<int>> rest;
  while (auto loan = pool->try_acquire()) rest.push_back(std::move(*loan));
  EXPECT_EQ(rest.size(), 4u);
}

// A pool that kept its slots in a std::vector and grew it with push_back/resize reallocated the
// slots and left every outstanding loan pointing into freed memory. Loans cache the slot
// pointer, so growing must never move a slot. (ASan reports the use-after-free if it does.)
TEST(Pool, GrowDoesNotMoveSlots_RegressionVectorReallocUseAfterFree) {
  auto pool = Pool<std::uint64_t>::create(4, [] { return std::uint64_t{0}; });
  std::vector<Loaned<std::uint64_t>> held;
  std::vector<const std::uint64_t*> addresses;
  for (std::uint64_t i = 0; i < 4; ++i) {
    held.push_back(pool->acquire());
    *held.back() = 1000 + i;
    addresses.push_back(held.back().get());
  }
  for (int step = 0; step < 20; ++step) {
    pool->grow(std::size_t{64} << (step % 4));  // many and growing steps, as vector growth would
    held.push_back(pool->acquire());
  }
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(held[i].get(), addresses[i]);
    EXPECT_EQ(*held[i], 1000 + i) << "the object behind an old loan changed";
    *held[i] += 1;  // writing through the cached pointer must hit live memory
  }
  std::set<const std::uint64_t*> distinct;
  for (const auto& loan : held) distinct.insert(loan.get());
  EXPECT_EQ(distinct.size(), held.size()) << "two loans share one slot";
}

TEST(Pool, HoldsUpToKMaxCapacitySlotsAndRejectsMore) {
  auto pool = Pool<char>::create(Pool<char>::kMaxCapacity - 1, [] { return 'x'; });
  pool->grow(1);
  EXPECT_EQ(pool->capacity(), Pool<char>::kMaxCapacity);
  EXPECT_EQ(pool->available(), Pool<char>::kMaxCapacity);
  try {
    pool->grow(1);
    FAIL() << "expected std::length_error";
  } catch (const std::length_error& e) {
    EXPECT_NE(std::string(e.what()).find(std::to_string(Pool<char>::kMaxCapacity)),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(pool->capacity(), Pool<char>::kMaxCapacity);
  EXPECT_THROW((void)Pool<char>::create(Pool<char>::kMaxCapacity + 1, [] { return 'x'; }),
               std::length_error);
}

TEST(Pool, GrowWithAThrowingFactoryLeavesThePoolUnchanged) {
  LifetimeCounts counts;
  bool fail = false;
  auto pool = Pool<Tracked>::create(2, [&] {
    if (fail) throw std::runtime_error("no more");
    return Tracked(counts);
  });
  fail = true;
  EXPECT_THROW(pool->grow(3), std::runtime_error);
  EXPECT_EQ(pool->capacity(), 2u);
  EXPECT_EQ(pool->available(), 2u);
  EXPECT_EQ(counts.alive(), 2);
}

TEST(Pool, AcquireAndReleaseAllocateNothing) {
  auto pool = Pool<std::array<std::uint64_t, 8>>::create(
      2, [] { return std::array<std::uint64_t, 8>{}; }, [](auto& a) { a.fill(0); });
  { auto warm = pool->try_acquire(); }
  const std::uint64_t before = allocations_now();
  for (int i = 0; i < 1000; ++i) {
    auto a = pool->try_acquire();
    Loaned<std::array<std::uint64_t, 8>> b = pool->acquire();
    auto c = pool->acquire_for(std::chrono::microseconds(10));  // empty: waits, times out
    (*b)[0] = static_cast<std::uint64_t>(i);
    EXPECT_TRUE(a.has_value());
    EXPECT_FALSE(c.has_value());
  }
  EXPECT_EQ(allocations_now() - before, 0u);
}

TEST(Pool, CloneIntoAFreeSlotAllocatesNothing) {
  auto pool =
      Pool<std::array<std::uint64_t, 8>>::create(2, [] { return std::array<std::uint64_t, 8>{}; });
  Loaned<std::array<std::uint64_t, 8>> original = pool->acquire();
  (*original)[3] = 3;
  { auto warm = original.clone(); }
  const std::uint64_t before = allocations_now();
  for (int i = 0; i < 1000; ++i) {
    auto copy = original.clone();
    EXPECT_EQ((*copy)[3], 3u);
  }
  EXPECT_EQ(allocations_now() - before, 0u);
}

}  // namespace
}  // namespace daq
