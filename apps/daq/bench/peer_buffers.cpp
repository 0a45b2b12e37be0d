// 5. Peers, 8 MiB buffers: what it costs to get a frame buffer, fill it from the SDK (memcpy)
// and give it back, per frame, on one thread:
//   daq pool      BufferPool (pre-faulted pages) acquire, assign, drop
//   mutex+vector  a std::mutex + std::vector free list of pre-faulted buffers
//   malloc/free   glibc as configured (above its mmap threshold at first, later from the heap)
//   fresh pages   mmap + first touch by the memcpy + munmap: what malloc does above its mmap
//                 threshold, and what the ADR's per-frame sdk_bytes.to_vec() cost
// The variants take turns in rounds, so each sees the same machine load.
#include <sys/mman.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>
#include <vector>

#include "daq/pool/buffer_pool.hpp"
#include "memcpy_baseline.hpp"
#include "mutex_free_list.hpp"
#include "sections.hpp"

namespace daq::cli::bench {
namespace {

constexpr std::size_t kBuffers = 4;
constexpr std::size_t kVariants = 4;
constexpr std::size_t kPerRound = 4;

struct Buffer {
  std::unique_ptr<std::byte[]> bytes;
};

class Variants {
 public:
  Variants() : sdk_(kFrameBytes, std::byte{0x5a}), pool_(BufferPool::create(kBuffers, kFrameBytes)) {
    for (Buffer& b : buffers_) {
      b.bytes = std::make_unique<std::byte[]>(kFrameBytes);  // value-initialised: pages touched
    }
  }

  // One get-fill-give-back of variant `v`.
  void once(std::size_t v) {
    switch (v) {
      case 0: {
        PooledBuffer buffer = pool_->acquire();
        buffer.assign(sdk_.data(), kFrameBytes);
        escape(buffer.data());
        break;
      }
      case 1: {
        Buffer* buffer = list_.acquire();
        std::memcpy(buffer->bytes.get(), sdk_.data(), kFrameBytes);
        escape(buffer->bytes.get());
        list_.release(buffer);
        break;
      }
      case 2: {
        void* p = std::malloc(kFrameBytes);
        if (p == nullptr) throw std::bad_alloc();
        std::memcpy(p, sdk_.data(), kFrameBytes);
        escape(p);
        std::free(p);
        break;
      }
      default: {
        void* p = ::mmap(nullptr, kFrameBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                         -1, 0);
        if (p == MAP_FAILED) throw std::bad_alloc();
        std::memcpy(p, sdk_.data(), kFrameBytes);
        escape(p);
        ::munmap(p, kFrameBytes);
      }
    }
  }

 private:
  std::vector<std::byte> sdk_;
  std::shared_ptr<BufferPool> pool_;
  std::vector<Buffer> buffers_ = std::vector<Buffer>(kBuffers);
  MutexFreeList<Buffer> list_{buffers_};
};

using BufferRun = std::array<double, kVariants>;  // microseconds per buffer

BufferRun buffer_run(Variants& variants, std::size_t rounds) {
  BufferRun seconds{};
  for (std::size_t v = 0; v < kVariants; ++v) variants.once(v);  // warm-up
  for (std::size_t round = 0; round < rounds; ++round) {
    for (std::size_t k = 0; k < kVariants; ++k) {
      const std::size_t v = (round + k) % kVariants;
      const auto start = Clock::now();
      for (std::size_t i = 0; i < kPerRound; ++i) variants.once(v);
      seconds[v] += seconds_between(start, Clock::now());
    }
  }
  BufferRun us{};
  for (std::size_t v = 0; v < kVariants; ++v) {
    us[v] = seconds[v] * 1e6 / static_cast<double>(rounds * kPerRound);
  }
  return us;
}

}  // namespace

void bench_peer_buffers(const Settings& settings, Report& report) {
  const std::size_t rounds = settings.count(15, 60, 3);
  Variants variants;
  std::vector<BufferRun> runs;
  for (int run = 0; run < settings.runs; ++run) runs.push_back(buffer_run(variants, rounds));

  const std::array<const char*, kVariants> keys = {"pool", "mutex_list", "malloc", "fresh_pages"};
  std::array<double, kVariants> us{};
  for (std::size_t v = 0; v < kVariants; ++v) {
    us[v] = median_of(runs, [v](const BufferRun& r) { return r[v]; });
  }
  report.table("   8 MiB buffers: get + fill (memcpy from the SDK buffer) + give back, one thread",
               {"daq pool", "mutex+vector", "malloc/free", "fresh pages"});
  std::vector<Cell> times;
  std::vector<Cell> ratios{Cell::blank()};
  for (std::size_t v = 0; v < kVariants; ++v) {
    times.push_back({"peers", std::string("buffer_") + keys[v] + "_us", us[v]});
    if (v > 0) {
      ratios.push_back({"peers", std::string("buffer_") + keys[v] + "_vs_pool",
                        ratio(us[v], us[0], "daq pool")});
    }
  }
  report.row("us per buffer", times);
  report.row("x daq pool", ratios);
  report.note("Fresh pages pay one page fault per 4 KiB on first touch; the pool pre-faults once.");
  report.note("glibc keeps a freed 8 MiB block and raises its mmap threshold, so malloc/free in "
              "a loop reuses warm pages.");
}

}  // namespace daq::cli::bench
