// Layer-0 benchmarks: every pool number is paired with a baseline measured in the same run.
//
//   build/bench/pool_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// - acquire+release: Pool<T> vs MutexFreeList (peers/mutex_free_list.hpp: a std::mutex +
//   std::vector free list), 1 thread and 2 threads (contended: both threads hammer one pool;
//   compare items_per_second, wall clock).
// - Bytes copy vs std::shared_ptr copy; Loaned<T> dereference vs a raw pointer.
// - an 8 MiB frame: BufferPool acquire + memcpy vs the mutex free list of pre-faulted buffers,
//   vs malloc + memcpy + free, and vs fresh pages (mmap + first touch by the memcpy + munmap:
//   what malloc does above its mmap threshold, and what the ADR's per-frame to_vec() cost).
//
// main() starts and joins one thread before running anything: glibc skips the atomic
// instructions of pthread_mutex_lock while a process has never had a second thread, which
// would make the mutex baseline look 3x cheaper than it is in any acquisition program.
#include <benchmark/benchmark.h>
#include <sys/mman.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "daq/pool/buffer_pool.hpp"
#include "daq/pool/pool.hpp"
#include "peers/mutex_free_list.hpp"

namespace {

using Item = std::array<std::uint64_t, 8>;
constexpr std::size_t kSlots = 64;
constexpr std::size_t kFrameBytes = std::size_t{8} << 20;

// One instance of each shared by all threads of a benchmark (and by the runs of it).
daq::Pool<Item>& shared_pool() {
  static const auto pool = daq::Pool<Item>::create(kSlots, [] { return Item{}; });
  return *pool;
}
daq::bench::MutexFreeList<Item>& shared_list() {
  static std::array<Item, kSlots> items{};
  static daq::bench::MutexFreeList<Item> list(items);
  return list;
}

void BM_PoolAcquireRelease(benchmark::State& state) {
  daq::Pool<Item>& pool = shared_pool();
  for (auto _ : state) {
    auto loan = pool.try_acquire();
    if (!loan) {
      state.SkipWithError("pool empty");
      break;
    }
    (**loan)[0] += 1;
    benchmark::DoNotOptimize(loan);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_MutexListAcquireRelease(benchmark::State& state) {
  daq::bench::MutexFreeList<Item>& list = shared_list();
  for (auto _ : state) {
    Item* item = list.try_acquire();
    if (item == nullptr) {
      state.SkipWithError("list empty");
      break;
    }
    (*item)[0] += 1;
    benchmark::DoNotOptimize(item);
    list.release(item);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_PoolAcquireRelease);
BENCHMARK(BM_MutexListAcquireRelease);
BENCHMARK(BM_PoolAcquireRelease)->Threads(2)->UseRealTime();
BENCHMARK(BM_MutexListAcquireRelease)->Threads(2)->UseRealTime();

void BM_BytesCopy(benchmark::State& state) {
  auto pool = daq::BufferPool::create(1, 4096);
  daq::PooledBuffer buffer = pool->acquire();
  buffer.resize(4096);
  const daq::Bytes bytes = std::move(buffer).freeze();
  for (auto _ : state) {
    daq::Bytes copy = bytes;
    benchmark::DoNotOptimize(copy);
  }
}

void BM_SharedPtrCopy(benchmark::State& state) {
  const auto shared = std::make_shared<std::vector<std::byte>>(4096);
  for (auto _ : state) {
    std::shared_ptr<std::vector<std::byte>> copy = shared;
    benchmark::DoNotOptimize(copy);
  }
}

BENCHMARK(BM_BytesCopy);
BENCHMARK(BM_SharedPtrCopy);

void BM_LoanedDeref(benchmark::State& state) {
  auto pool = daq::Pool<Item>::create(1, [] { return Item{}; });
  daq::Loaned<Item> loan = pool->acquire();
  std::size_t i = 0;
  for (auto _ : state) {
    Item& item = *loan;
    item[i++ & 7] += 1;
    benchmark::DoNotOptimize(item);
  }
}

void BM_RawPointerDeref(benchmark::State& state) {
  auto owned = std::make_unique<Item>();
  Item* raw = owned.get();
  benchmark::DoNotOptimize(raw);
  std::size_t i = 0;
  for (auto _ : state) {
    Item& item = *raw;
    item[i++ & 7] += 1;
    benchmark::DoNotOptimize(item);
  }
}

BENCHMARK(BM_LoanedDeref);
BENCHMARK(BM_RawPointerDeref);

const std::vector<std::byte>& sdk_frame() {
  static const std::vector<std::byte> frame(kFrameBytes, std::byte{0x5a});
  return frame;
}

void BM_Frame8MiB_PoolAcquireCopy(benchmark::State& state) {
  auto pool = daq::BufferPool::create(4, kFrameBytes);
  const auto& sdk = sdk_frame();
  for (auto _ : state) {
    daq::PooledBuffer buffer = pool->acquire();
    buffer.assign(sdk.data(), sdk.size());
    benchmark::DoNotOptimize(buffer.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kFrameBytes));
}

void BM_Frame8MiB_MutexListCopy(benchmark::State& state) {
  std::vector<std::vector<std::byte>> frames(4, std::vector<std::byte>(kFrameBytes));  // touched
  daq::bench::MutexFreeList<std::vector<std::byte>> list(frames);
  const auto& sdk = sdk_frame();
  for (auto _ : state) {
    std::vector<std::byte>* frame = list.try_acquire();
    if (frame == nullptr) {
      state.SkipWithError("list empty");
      break;
    }
    std::memcpy(frame->data(), sdk.data(), sdk.size());
    benchmark::DoNotOptimize(frame->data());
    list.release(frame);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kFrameBytes));
}

void BM_Frame8MiB_MallocCopyFree(benchmark::State& state) {
  const auto& sdk = sdk_frame();
  for (auto _ : state) {
    void* p = std::malloc(kFrameBytes);
    std::memcpy(p, sdk.data(), sdk.size());
    benchmark::DoNotOptimize(p);
    std::free(p);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kFrameBytes));
}

void BM_Frame8MiB_FreshPagesCopy(benchmark::State& state) {
  const auto& sdk = sdk_frame();
  for (auto _ : state) {
    void* p =
        ::mmap(nullptr, kFrameBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      state.SkipWithError("mmap failed");
      break;
    }
    std::memcpy(p, sdk.data(), sdk.size());  // first touch: one page fault per 4 KiB page
    benchmark::DoNotOptimize(p);
    ::munmap(p, kFrameBytes);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kFrameBytes));
}

BENCHMARK(BM_Frame8MiB_PoolAcquireCopy)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Frame8MiB_MutexListCopy)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Frame8MiB_MallocCopyFree)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Frame8MiB_FreshPagesCopy)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  std::thread([] {}).join();  // leave glibc's single-threaded fast path (see the top comment)
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
