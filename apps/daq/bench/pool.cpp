// 2. Pool: acquire+release of Pool<T> on one thread and with two threads hammering the same pool
// (the ADR's "pool acquire/release: sub-microsecond"); and element access through a loan against
// a raw pointer (the ADR's "RwLock contention: none": the loan caches the slot pointer).
// The comparison with a mutex free list and other peers is bench/pool_bench, not this command.
//
// One sample is the mean over a batch of kBatch acquire+release pairs (a clock read costs about
// as much as one pair); p50/p99 are over the samples of all threads.
#include "daq/pool/pool.hpp"

#include <array>
#include <cstdint>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "sections.hpp"

namespace daq::cli::bench {
namespace {

using Item = std::array<std::uint64_t, 8>;
constexpr std::size_t kSlots = 64;
constexpr std::size_t kBatch = 32;

// One acquire+release pair, touching the element.
void pair(Pool<Item>& pool) {
  Loaned<Item> loan = pool.acquire();
  (*loan)[0] += 1;
  escape(loan.get());
}

// Per-pair nanoseconds, one sample per batch, for `seconds`.
std::vector<double> pair_samples(Pool<Item>& pool, double seconds) {
  std::vector<double> samples;
  const auto end = Clock::now() + std::chrono::duration<double>(seconds);
  for (Clock::time_point start = Clock::now(); start < end;) {
    for (std::size_t i = 0; i < kBatch; ++i) pair(pool);
    const Clock::time_point stop = Clock::now();
    samples.push_back(seconds_between(start, stop) * 1e9 / kBatch);
    start = stop;
  }
  return samples;
}

// The samples of `threads` threads running pair_samples on one shared `pool` at once.
std::vector<double> contended_samples(Pool<Item>& pool, double seconds, int threads) {
  std::vector<std::vector<double>> per_thread(static_cast<std::size_t>(threads));
  std::latch go(threads);
  std::vector<std::thread> workers;
  for (auto& samples : per_thread) {
    workers.emplace_back([&] {
      go.arrive_and_wait();
      samples = pair_samples(pool, seconds);
    });
  }
  for (std::thread& worker : workers) worker.join();
  std::vector<double> all;
  for (const auto& samples : per_thread) all.insert(all.end(), samples.begin(), samples.end());
  return all;
}

struct Quantiles {
  double p50 = 0;
  double p99 = 0;
};

Quantiles quantiles(std::vector<double> samples) {
  return {quantile(samples, 0.50), quantile(samples, 0.99)};
}

struct AcquireRun {
  Quantiles one_thread;
  Quantiles two_threads;
};

AcquireRun acquire_release_run(double seconds) {
  const auto pool = Pool<Item>::create(kSlots, [] { return Item{}; });
  AcquireRun run;
  run.one_thread = quantiles(pair_samples(*pool, seconds));
  run.two_threads = quantiles(contended_samples(*pool, seconds, 2));
  return run;
}

// Nanoseconds per element access through `get` (which must return an Item&), `n` accesses.
template <class Get>
double access_ns(Get get, std::size_t n) {
  const auto start = Clock::now();
  for (std::size_t i = 0; i < n; ++i) {
    Item& item = get();
    item[i & 7] += 1;
    escape(&item);
  }
  return seconds_between(start, Clock::now()) * 1e9 / static_cast<double>(n);
}

struct AccessRun {
  double loan_ns = 0;
  double raw_ns = 0;
};

AccessRun access_run(std::size_t n) {
  auto pool = Pool<Item>::create(1, [] { return Item{}; });
  Loaned<Item> loan = pool->acquire();
  auto owned = std::make_unique<Item>();
  Item* raw = owned.get();
  escape(raw);
  AccessRun run;
  run.loan_ns = access_ns([&]() -> Item& { return *loan; }, n);
  run.raw_ns = access_ns([&]() -> Item& { return *raw; }, n);
  return run;
}

}  // namespace

void bench_pool(const Settings& settings, Report& report) {
  const double seconds = settings.window(0.25, 0.75);
  const std::size_t accesses = settings.count(20'000'000, 100'000'000, 1'000'000);
  std::vector<AcquireRun> acquire;
  std::vector<AccessRun> access;
  for (int run = 0; run < settings.runs; ++run) {
    acquire.push_back(acquire_release_run(seconds));
    access.push_back(access_run(accesses));
  }
  auto med = [&](Quantiles AcquireRun::*threads, double Quantiles::*q) {
    return median_of(acquire, [&](const AcquireRun& r) { return (r.*threads).*q; });
  };
  report.table("2. Pool<T>: acquire+release, ns per pair (batches of " + std::to_string(kBatch) +
                   "; " + std::to_string(kSlots) + " slots)",
               {"p50", "p99"});
  report.row("1 thread",
             {{"pool", "acquire_release_p50_ns", med(&AcquireRun::one_thread, &Quantiles::p50)},
              {"pool", "acquire_release_p99_ns", med(&AcquireRun::one_thread, &Quantiles::p99)}});
  report.row("2 threads, one pool",
             {{"pool", "contended_p50_ns", med(&AcquireRun::two_threads, &Quantiles::p50)},
              {"pool", "contended_p99_ns", med(&AcquireRun::two_threads, &Quantiles::p99)}});
  report.note(
      "The ADR asks for sub-microsecond; bench/pool_bench compares the pool with a mutex "
      "free list in the same run.");

  const double loan = median_of(access, [](const AccessRun& r) { return r.loan_ns; });
  const double raw = median_of(access, [](const AccessRun& r) { return r.raw_ns; });
  report.table("   Element access: through a Loaned<T> vs a raw pointer, ns per access",
               {"loan", "raw pointer", "loan/raw"});
  report.row("read-modify-write of one word",
             {{"pool", "loan_access_ns", loan},
              {"pool", "raw_access_ns", raw},
              {"pool", "loan_vs_raw", ratio(loan, raw, "raw access")}});
}

}  // namespace daq::cli::bench
