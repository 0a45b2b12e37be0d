#include "daq/pool/alloc_counter.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <new>
#include <thread>
#include <vector>

namespace daq {
namespace {

// Keeps the optimiser from eliding a new/delete pair (which C++14 allows).
void escape(void* p) {
  asm volatile("" : : "g"(p) : "memory");
}

// The zero-allocation tests are only as good as this counter: prove it sees allocations.
TEST(AllocCounter, CountsEveryFormOfOperatorNew) {
  const auto before = alloc_counter::this_thread();
  auto* one = new std::uint64_t(1);
  auto* many = new std::uint64_t[10];
  auto* aligned = new (std::align_val_t{256}) std::uint64_t;
  auto* nothrow = new (std::nothrow) std::uint64_t;
  for (void* p : {static_cast<void*>(one), static_cast<void*>(many), static_cast<void*>(aligned),
                  static_cast<void*>(nothrow)}) {
    escape(p);
  }
  const auto after = alloc_counter::this_thread();
  delete one;
  delete[] many;
  ::operator delete (aligned, std::align_val_t{256});
  delete nothrow;
  EXPECT_EQ(after.allocations - before.allocations, 4u);
  EXPECT_GE(after.bytes - before.bytes, 13 * sizeof(std::uint64_t));
}

TEST(AllocCounter, ThisThreadCountsOnlyTheCallingThread) {
  const auto global_before = alloc_counter::global();
  const auto mine_before = alloc_counter::this_thread();
  std::uint64_t theirs = 0;
  std::thread worker([&] {
    const auto start = alloc_counter::this_thread();
    std::vector<std::unique_ptr<int>> v;
    for (int i = 0; i < 10; ++i) v.push_back(std::make_unique<int>(i));
    theirs = alloc_counter::this_thread().allocations - start.allocations;
  });
  worker.join();
  EXPECT_GE(theirs, 10u);
  EXPECT_GE(alloc_counter::global().allocations - global_before.allocations, theirs);
  // Creating and joining the thread may allocate on this thread, the worker's 10 never do.
  EXPECT_LT(alloc_counter::this_thread().allocations - mine_before.allocations, 10u);
}

}  // namespace
}  // namespace daq
