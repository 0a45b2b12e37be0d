// SharedLoan<T>: a slot shared by a loan and its shares returns once, when the last holder goes,
// whichever it is; sharing allocates nothing; many threads releasing shares of many slots in
// random order return every slot exactly once (checksums, the reset counter, in_use back to 0).
#include "daq/pool/shared_loan.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "daq/pool/alloc_counter.hpp"
#include "daq/pool/pool.hpp"
#include "watchdog.hpp"

namespace daq {
namespace {

using namespace std::chrono_literals;

struct Cell {
  std::uint64_t value = 0;
  std::uint64_t resets = 0;  // how often this slot came back
};

// A closable hand-off queue between threads (the pipeline's channel lives in a higher layer).
template <class T>
class Queue {
 public:
  void push(T item) {
    {
      const std::lock_guard lock(mutex_);
      items_.push_back(std::move(item));
    }
    ready_.notify_one();
  }
  void close() {
    {
      const std::lock_guard lock(mutex_);
      closed_ = true;
    }
    ready_.notify_all();
  }
  std::optional<T> pop() {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return closed_ || !items_.empty(); });
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    return item;
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<T> items_;
  bool closed_ = false;
};

std::shared_ptr<Pool<Cell>> cells(std::size_t capacity) {
  return Pool<Cell>::create(
      capacity, [] { return Cell{}; }, [](Cell& c) { ++c.resets; });
}

TEST(SharedLoan, TheSlotReturnsWhenTheLoanAndEveryShareAreGone) {
  auto pool = cells(1);
  std::optional<Loaned<Cell>> loan = pool->try_acquire();
  (*loan)->value = 7;
  SharedLoan<Cell> share = loan->share();
  SharedLoan<Cell> copy = share;
  EXPECT_EQ(&*share, loan->get()) << "a share is the same object, not a copy";
  EXPECT_EQ(copy->value, 7u);

  loan.reset();
  EXPECT_EQ(pool->stats().in_use, 1u) << "two shares still hold the slot";
  share.reset();
  EXPECT_EQ(pool->stats().in_use, 1u) << "one share still holds the slot";
  EXPECT_EQ(copy->resets, 0u);
  copy.reset();
  EXPECT_EQ(pool->stats().in_use, 0u);

  std::optional<Loaned<Cell>> again = pool->try_acquire();
  EXPECT_EQ((*again)->resets, 1u) << "returned (and reset) exactly once";
}

TEST(SharedLoan, TheLoanMayBeTheLastHolder) {
  auto pool = cells(1);
  std::optional<Loaned<Cell>> loan = pool->try_acquire();
  { SharedLoan<Cell> share = loan->share(); }
  EXPECT_EQ(pool->stats().in_use, 1u);
  const SharedLoan<Cell> second = loan->share();  // a loan can be shared again after that
  loan.reset();
  EXPECT_EQ(pool->stats().in_use, 1u);
}

TEST(SharedLoan, FreezeTurnsTheLoanIntoAShare) {
  auto pool = cells(1);
  Loaned<Cell> loan = pool->acquire();
  SharedLoan<Cell> frozen = std::move(loan).freeze();
  EXPECT_FALSE(loan);  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  SharedLoan<Cell> copy = frozen;
  frozen.reset();
  EXPECT_EQ(pool->stats().in_use, 1u);
  copy.reset();
  EXPECT_EQ(pool->stats().in_use, 0u);
}

TEST(SharedLoan, FreezingASharedLoanKeepsTheOtherHolders) {
  auto pool = cells(1);
  Loaned<Cell> loan = pool->acquire();
  SharedLoan<Cell> share = loan.share();
  SharedLoan<Cell> frozen = std::move(loan).freeze();
  frozen.reset();
  EXPECT_EQ(pool->stats().in_use, 1u) << "the first share still holds the slot";
  share.reset();
  EXPECT_EQ(pool->stats().in_use, 0u);
}

TEST(SharedLoan, AssignmentDropsTheOldHolderAndSelfAssignmentKeepsIt) {
  auto pool = cells(2);
  Loaned<Cell> a = pool->acquire();
  Loaned<Cell> b = pool->acquire();
  SharedLoan<Cell> share = std::move(a).freeze();
  share = share;  // NOLINT(misc-redundant-expression): self-assignment is part of the contract
  EXPECT_EQ(pool->stats().in_use, 2u);
  share = std::move(b).freeze();
  EXPECT_EQ(pool->stats().in_use, 1u) << "the first slot had no other holder";
  share = SharedLoan<Cell>();
  EXPECT_EQ(pool->stats().in_use, 0u);
}

TEST(SharedLoan, ADetachedLoanIsFreedByItsLastHolder) {
  auto pool = cells(1);
  Loaned<Cell> heap = pool->make_detached();
  SharedLoan<Cell> share = heap.share();
  EXPECT_TRUE(share.is_detached());
  heap = pool->acquire();  // drops the detached loan's first holder
  EXPECT_EQ(share->value, 0u) << "still alive through the share (ASan would see a use after free)";
  share.reset();
}

TEST(SharedLoan, SharesKeepAnOrphanedPoolAlive) {
  auto pool = cells(1);
  SharedLoan<Cell> share = pool->acquire().freeze();
  pool.reset();  // the last shared_ptr: the pool lives on in its slot's holder
  EXPECT_EQ(share->resets, 0u);
  share.reset();  // the pool is destroyed here (ASan/LSan see a leak or a use after free if not)
}

TEST(SharedLoan, SharingCopyingAndDroppingAllocateNothing) {
  auto pool = cells(1);
  Loaned<Cell> loan = pool->acquire();
  const alloc_counter::Counts before = alloc_counter::this_thread();
  for (int i = 0; i < 1000; ++i) {
    SharedLoan<Cell> share = loan.share();
    SharedLoan<Cell> copy = share;
    SharedLoan<Cell> moved = std::move(copy);
  }
  EXPECT_EQ(alloc_counter::this_thread().allocations, before.allocations);
}

// The frame path's sharing under threads: one thread lends each slot, writes a checksum into
// it, hands a share to each of two "consumer" threads (a writer and a network sender) and keeps
// or drops its own loan in a random order; the consumers check the checksum and drop their
// shares in their own order. Every slot must come back exactly once per lending, untouched
// while any holder could still read it (TSan reports a race otherwise), and in_use end at 0.
TEST(SharedLoanStress, ConcurrentLastHoldersReturnEverySlotExactlyOnce) {
  test::Watchdog watchdog(120s, "shared loan stress");
#ifdef DAQ_SANITIZED
  constexpr std::uint64_t kLoans = 20'000;
#else
  constexpr std::uint64_t kLoans = 200'000;
#endif
  constexpr std::size_t kSlots = 16;
  constexpr std::size_t kMaxHeld = 4;
  std::atomic<std::uint64_t> resets{0};
  struct Frame {
    std::uint64_t number = 0;
    std::uint64_t checksum = 0;
  };
  auto pool = Pool<Frame>::create(
      kSlots, [] { return Frame{}; },
      [&](Frame& f) {
        f = Frame{};
        resets.fetch_add(1, std::memory_order_relaxed);
      });

  std::atomic<std::uint64_t> bad_checksums{0};
  std::atomic<std::uint64_t> seen_sum{0};
  Queue<SharedLoan<Frame>> writer_in;
  Queue<SharedLoan<Frame>> sender_in;
  const auto consume = [&](Queue<SharedLoan<Frame>>& in, unsigned seed) {
    std::mt19937 random(seed);
    std::vector<SharedLoan<Frame>> held;
    std::uint64_t sum = 0;
    while (std::optional<SharedLoan<Frame>> frame = in.pop()) {
      if ((*frame)->checksum != (*frame)->number * 0x9e3779b97f4a7c15ULL) {
        bad_checksums.fetch_add(1, std::memory_order_relaxed);
      }
      sum += (*frame)->number;
      held.push_back(std::move(*frame));
      // Drop random ones of the held shares: releases in random order. Holding at most
      // kMaxHeld each, the two consumers never pin every slot while the lender waits for one.
      while (held.size() > kMaxHeld || (!held.empty() && random() % 3 != 0)) {
        const std::size_t i = random() % held.size();
        std::swap(held[i], held.back());
        held.pop_back();
      }
    }
    seen_sum.fetch_add(sum, std::memory_order_relaxed);
  };
  std::thread writer([&] { consume(writer_in, 1); });
  std::thread sender([&] { consume(sender_in, 2); });

  std::mt19937 random(3);
  std::uint64_t expected_sum = 0;
  for (std::uint64_t n = 1; n <= kLoans; ++n) {
    Loaned<Frame> loan = pool->acquire();
    loan->number = n;
    loan->checksum = n * 0x9e3779b97f4a7c15ULL;
    expected_sum += 2 * n;
    writer_in.push(loan.share());
    if (random() % 2 == 0) {
      sender_in.push(std::move(loan).freeze());  // the lender's holder goes along
    } else {
      sender_in.push(loan.share());  // the lender drops its loan here
    }
  }
  writer_in.close();
  sender_in.close();
  writer.join();
  sender.join();

  EXPECT_EQ(bad_checksums.load(), 0u) << "a slot was reused while a holder could read it";
  EXPECT_EQ(seen_sum.load(), expected_sum) << "every share reached its consumer";
  EXPECT_EQ(resets.load(), kLoans) << "every lending returned its slot exactly once";
  EXPECT_EQ(pool->stats().in_use, 0u);
}

}  // namespace
}  // namespace daq
