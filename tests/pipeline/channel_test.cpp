#include "daq/pipeline/channel.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <latch>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "daq/pool/alloc_counter.hpp"
#include "lifetime_tracker.hpp"
#include "watchdog.hpp"

namespace daq {
namespace {

using namespace std::chrono_literals;

#ifdef DAQ_SANITIZED
constexpr std::uint64_t kStressItems = 20'000;
#else
constexpr std::uint64_t kStressItems = 200'000;
#endif

TEST(Channel, ZeroCapacityIsRejected) {
  EXPECT_THROW(make_channel<int>(0), std::invalid_argument);
}

TEST(Channel, DeliversInOrderUpToCapacityThenReportsFull) {
  auto [tx, rx] = make_channel<int>(3);
  EXPECT_EQ(tx.capacity(), 3u);
  EXPECT_EQ(rx.capacity(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(tx.try_send(i));
  EXPECT_EQ(rx.size(), 3u);
  auto full = tx.try_send(99);
  EXPECT_EQ(full.status, SendStatus::full);
  ASSERT_TRUE(full.rejected.has_value());
  EXPECT_EQ(*full.rejected, 99);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(rx.try_recv(), i);
  EXPECT_EQ(rx.try_recv(), std::nullopt);
  EXPECT_EQ(rx.size(), 0u);
}

TEST(Channel, WrapsAroundManyLaps) {
  auto [tx, rx] = make_channel<std::uint64_t>(5);  // not a power of two on purpose
  for (std::uint64_t i = 0; i < 1000; ++i) {
    ASSERT_TRUE(tx.try_send(i));
    if (i % 3 == 2) {
      for (std::uint64_t j = i - 2; j <= i; ++j) ASSERT_EQ(rx.try_recv(), j);
    }
  }
}

TEST(Channel, RejectedMoveOnlyItemComesBackIntact) {
  auto [tx, rx] = make_channel<std::unique_ptr<int>>(1);
  EXPECT_TRUE(tx.try_send(std::make_unique<int>(1)));
  auto raw = std::make_unique<int>(2);
  int* const address = raw.get();
  auto full = tx.try_send(std::move(raw));
  ASSERT_EQ(full.status, SendStatus::full);
  ASSERT_TRUE(full.rejected.has_value());
  EXPECT_EQ(full.rejected->get(), address);

  rx.close();
  auto closed = tx.try_send(std::move(*full.rejected));
  ASSERT_EQ(closed.status, SendStatus::closed);
  ASSERT_TRUE(closed.rejected.has_value());
  EXPECT_EQ(closed.rejected->get(), address);
  EXPECT_FALSE(closed);
}

TEST(Channel, SenderCloseLetsReceiverDrainThenEnds) {
  auto [tx, rx] = make_channel<int>(4);
  Sender<int> other = tx;
  EXPECT_TRUE(tx.try_send(1));
  EXPECT_TRUE(other.try_send(2));
  tx.close();
  EXPECT_TRUE(other.is_closed());
  EXPECT_TRUE(rx.is_closed());
  EXPECT_EQ(other.try_send(3).status, SendStatus::closed);
  EXPECT_EQ(other.send(4).status, SendStatus::closed);
  EXPECT_EQ(rx.recv(), 1);
  EXPECT_EQ(rx.recv(), 2);
  EXPECT_EQ(rx.recv(), std::nullopt);
  EXPECT_EQ(rx.recv_for(1s), std::nullopt);
}

TEST(Channel, ClosesForReceiverWhenLastSenderIsDestroyed) {
  auto [tx, rx] = make_channel<int>(2);
  {
    Sender<int> copy = tx;
    Sender<int> moved = std::move(tx);
    EXPECT_FALSE(rx.is_closed());
    EXPECT_TRUE(copy.try_send(7));
    {
      Sender<int> assigned;
      assigned = copy;
      EXPECT_FALSE(rx.is_closed());
    }
    EXPECT_FALSE(rx.is_closed());
  }
  EXPECT_TRUE(rx.is_closed());
  EXPECT_EQ(rx.recv(), 7);
  EXPECT_EQ(rx.recv(), std::nullopt);
}

TEST(Channel, ReceiverCloseIsSeenBySendersAndQueuedItemsCanStillBeReceived) {
  auto [tx, rx] = make_channel<int>(2);
  EXPECT_TRUE(tx.try_send(5));
  rx.close();
  EXPECT_TRUE(tx.is_closed());
  EXPECT_EQ(tx.try_send(6).status, SendStatus::closed);
  EXPECT_EQ(rx.try_recv(), 5);
  EXPECT_EQ(rx.recv(), std::nullopt);
}

TEST(Channel, DestroyingReceiverClosesAndDestroysQueuedItemsAtOnce) {
  test::LifetimeCounts counts;
  Sender<test::Tracked> tx;
  {
    auto channel = make_channel<test::Tracked>(4);
    tx = channel.sender;
    for (std::uint64_t i = 0; i < 3; ++i) EXPECT_TRUE(tx.try_send(test::Tracked(counts, i)));
    EXPECT_EQ(counts.alive(), 3);
  }
  EXPECT_EQ(counts.alive(), 0);  // while a Sender still holds the channel
  EXPECT_TRUE(tx.is_closed());
  EXPECT_EQ(tx.try_send(test::Tracked(counts)).status, SendStatus::closed);
  EXPECT_EQ(counts.alive(), 0);
}

TEST(Channel, ItemsLeftInTheRingAreDestroyedWithTheChannel) {
  test::LifetimeCounts counts;
  {
    auto [tx, rx] = make_channel<test::Tracked>(3);
    EXPECT_TRUE(tx.try_send(test::Tracked(counts, 1)));
    EXPECT_TRUE(tx.try_send(test::Tracked(counts, 2)));
    auto got = rx.try_recv();
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->value(), 1u);
  }
  EXPECT_EQ(counts.alive(), 0);
}

TEST(Channel, DefaultAndMovedFromEndsBehaveAsClosed) {
  Sender<int> tx;
  Receiver<int> rx;
  EXPECT_TRUE(tx.is_closed());
  EXPECT_EQ(tx.try_send(1).status, SendStatus::closed);
  EXPECT_EQ(tx.send(1).status, SendStatus::closed);
  EXPECT_EQ(tx.capacity(), 0u);
  EXPECT_TRUE(rx.is_closed());
  EXPECT_EQ(rx.recv(), std::nullopt);
  EXPECT_EQ(rx.recv_for(1ms), std::nullopt);

  auto channel = make_channel<int>(1);
  Receiver<int> taken = std::move(channel.receiver);
  EXPECT_EQ(channel.receiver.try_recv(), std::nullopt);  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(channel.sender.try_send(3));
  EXPECT_EQ(taken.try_recv(), 3);
}

TEST(Channel, RecvForTimesOutOnAnEmptyOpenChannel) {
  auto [tx, rx] = make_channel<int>(1);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(rx.recv_for(20ms), std::nullopt);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);
  EXPECT_FALSE(rx.is_closed());
  EXPECT_TRUE(tx.try_send(1));
  EXPECT_EQ(rx.recv_for(0ms), 1);
}

TEST(Channel, RecvForReturnsAnItemSentWhileWaiting) {
  test::Watchdog watchdog(30s, "RecvForReturnsAnItemSentWhileWaiting");
  auto [tx, rx] = make_channel<int>(1);
  std::latch waiting(1);
  std::thread sender([&, tx = tx]() mutable {
    waiting.wait();
    EXPECT_TRUE(tx.try_send(42));
  });
  waiting.count_down();
  EXPECT_EQ(rx.recv_for(20s), 42);
  sender.join();
}

// Whether thread `tid` of this process is asleep in the kernel (state S: e.g. parked on a
// futex), read from /proc.
bool asleep(pid_t tid) {
  std::ifstream stat("/proc/self/task/" + std::to_string(tid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const auto name_end = line.rfind(')');  // "tid (name) S ..."
  return name_end != std::string::npos && name_end + 2 < line.size() && line[name_end + 2] == 'S';
}

// hours::max() is "forever": the receiver parks until the item comes. (`now() + hours::max()`
// overflows: undefined behaviour, in practice a deadline in the past, so recv_for returned
// nullopt at once.)
TEST(Channel, RecvForWithAnEndlessTimeoutWaitsForTheItem) {
  test::Watchdog watchdog(30s, "recv_for(hours::max())");
  auto [tx, rx] = make_channel<int>(1);
  std::atomic<pid_t> receiver_tid{0};
  std::atomic<bool> returned{false};
  std::optional<int> received;
  std::thread receiver([&] {
    receiver_tid.store(gettid());
    received = rx.recv_for(std::chrono::hours::max());
    returned.store(true);
  });
  while (receiver_tid.load() == 0) std::this_thread::yield();
  while (!asleep(receiver_tid.load()) && !returned.load()) std::this_thread::yield();
  EXPECT_FALSE(returned.load()) << "recv_for(hours::max()) returned without an item";
  EXPECT_TRUE(tx.try_send(42));
  receiver.join();
  EXPECT_EQ(received, 42);
}

TEST(Channel, BlockedRecvIsWokenByClose) {
  test::Watchdog watchdog(30s, "BlockedRecvIsWokenByClose");
  auto [tx, rx] = make_channel<int>(1);
  std::latch started(1);
  std::thread receiver([&] {
    started.count_down();
    EXPECT_EQ(rx.recv(), std::nullopt);
  });
  started.wait();
  tx.close();
  receiver.join();
}

TEST(Channel, BlockedSendIsWokenByRecvAndByClose) {
  test::Watchdog watchdog(30s, "BlockedSendIsWokenByRecvAndByClose");
  auto [tx, rx] = make_channel<int>(1);
  EXPECT_TRUE(tx.try_send(1));
  std::latch second_sent(1);
  std::thread sender([&, tx = tx]() mutable {
    EXPECT_EQ(tx.send(2).status, SendStatus::sent);  // blocks until the main thread receives
    second_sent.count_down();
    auto refused = tx.send(3);  // the channel holds 2 and nobody receives: blocks until closed
    EXPECT_EQ(refused.status, SendStatus::closed);
    EXPECT_EQ(refused.rejected, 3);
  });
  EXPECT_EQ(rx.recv(), 1);
  second_sent.wait();
  rx.close();
  sender.join();
  EXPECT_EQ(rx.recv(), 2);
  EXPECT_EQ(rx.recv(), std::nullopt);
}

TEST(Channel, SteadyStateSendAndRecvAllocateNothing) {
  auto [tx, rx] = make_channel<std::unique_ptr<int>>(8);
  auto item = std::make_unique<int>(0);
  const auto before = alloc_counter::this_thread();
  for (int i = 0; i < 10'000; ++i) {
    auto sent = tx.try_send(std::move(item));
    ASSERT_TRUE(sent);
    auto got = rx.try_recv();
    ASSERT_TRUE(got.has_value());
    item = std::move(*got);
    if (i % 2 == 0) {
      ASSERT_TRUE(tx.send(std::move(item)));
      item = std::move(*rx.recv_for(1s));
    }
  }
  EXPECT_EQ(alloc_counter::this_thread().allocations, before.allocations);
}

TEST(Channel, SeveralProducersOneConsumerLoseAndDuplicateNothing) {
  test::Watchdog watchdog(120s, "SeveralProducersOneConsumerLoseAndDuplicateNothing");
  constexpr std::uint64_t kProducers = 4;
  const std::uint64_t per_producer = kStressItems / kProducers;
  auto [tx, rx] = make_channel<std::uint64_t>(8);
  const auto allocations_before = alloc_counter::global().allocations;

  std::vector<std::thread> producers;
  std::latch go(kProducers + 1);
  for (std::uint64_t p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p, tx = tx]() mutable {
      go.arrive_and_wait();
      for (std::uint64_t i = 0; i < per_producer; ++i) {
        const std::uint64_t item = (p << 32) | i;
        // Mix the blocking and non-blocking paths.
        if (i % 2 == 0) {
          ASSERT_TRUE(tx.send(item));
        } else {
          auto attempt = tx.try_send(item);
          while (!attempt) attempt = tx.send(*attempt.rejected);
        }
      }
    });
  }
  tx = Sender<std::uint64_t>();  // the channel closes when the producers finish

  std::vector<std::uint64_t> next(kProducers, 0);
  std::uint64_t received = 0;
  std::uint64_t checksum = 0;
  go.arrive_and_wait();
  while (auto item = rx.recv()) {
    const std::uint64_t producer = *item >> 32;
    const std::uint64_t seq = *item & 0xffff'ffffu;
    ASSERT_LT(producer, kProducers);
    ASSERT_EQ(seq, next[producer]) << "per-producer FIFO order";
    ++next[producer];
    ++received;
    checksum += *item;
  }
  for (auto& t : producers) t.join();

  std::uint64_t expected_checksum = 0;
  for (std::uint64_t p = 0; p < kProducers; ++p) {
    for (std::uint64_t i = 0; i < per_producer; ++i) expected_checksum += (p << 32) | i;
  }
  EXPECT_EQ(received, kProducers * per_producer);
  EXPECT_EQ(checksum, expected_checksum);
  // Only the threads themselves (and gtest) may allocate; the channel must not per message.
  EXPECT_LT(alloc_counter::global().allocations - allocations_before, 64u);
}

TEST(Channel, EverySuccessfulSendIsReceivedWhenASenderClosesMidStream) {
  test::Watchdog watchdog(120s, "EverySuccessfulSendIsReceivedWhenASenderClosesMidStream");
  constexpr std::uint64_t kProducers = 3;
  auto [tx, rx] = make_channel<std::uint64_t>(4);
  std::atomic<std::uint64_t> sent_count{0};
  std::atomic<std::uint64_t> sent_sum{0};
  std::vector<std::thread> producers;
  for (std::uint64_t p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p, tx = tx]() mutable {
      for (std::uint64_t i = 1;; ++i) {
        const std::uint64_t item = p * kStressItems + i;
        if (p == 0 && i == kStressItems / 4) tx.close();
        const auto result = (i % 2 == 0) ? tx.send(item) : tx.try_send(item);
        if (result.status == SendStatus::closed) return;
        if (result) {
          sent_count.fetch_add(1, std::memory_order_relaxed);
          sent_sum.fetch_add(item, std::memory_order_relaxed);
        }
      }
    });
  }
  std::uint64_t received = 0;
  std::uint64_t sum = 0;
  while (auto item = rx.recv()) {
    ++received;
    sum += *item;
  }
  for (auto& t : producers) t.join();
  EXPECT_GT(received, 0u);
  EXPECT_EQ(received, sent_count.load());
  EXPECT_EQ(sum, sent_sum.load());
}

TEST(Channel, TrackedItemsAreDestroyedExactlyOnceUnderConcurrency) {
  test::Watchdog watchdog(120s, "TrackedItemsAreDestroyedExactlyOnceUnderConcurrency");
  test::LifetimeCounts counts;
  {
    auto [tx, rx] = make_channel<test::Tracked>(4);
    std::thread producer([&, tx = std::move(tx)]() mutable {
      for (std::uint64_t i = 0; i < kStressItems / 10; ++i) {
        if (!tx.send(test::Tracked(counts, i))) return;
      }
    });
    std::uint64_t expected = 0;
    while (auto item = rx.recv_for(10s)) {
      ASSERT_EQ(item->value(), expected++);
      if (expected == kStressItems / 20) rx.close();  // leave some in flight, then stop
    }
    producer.join();
  }
  EXPECT_EQ(counts.alive(), 0);
}

}  // namespace
}  // namespace daq
