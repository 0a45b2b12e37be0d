// channel_bench — daq::make_channel against moodycamel::BlockingConcurrentQueue and
// tbb::concurrent_bounded_queue (the adapters of peers/peer_queues.hpp), in the same run.
//
// Latency: one-way send -> blocking recv across two threads. The sender stamps the steady clock
// into the item and waits for an acknowledgement before the next send, so every message finds
// the receiver already waiting (no queueing delay): p50/p99/p99.9 in ns as counters.
// Throughput: one producer, one consumer, blocking send/recv, items per second.
//
// Run: build-<you>/bench/channel_bench --benchmark_repetitions=3
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "peers/peer_queues.hpp"

namespace {

using daq::bench::DaqChannelQueue;
using daq::bench::MoodycamelQueue;
using daq::bench::TbbBoundedQueue;
using Clock = std::chrono::steady_clock;

std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
          .count());
}

constexpr std::uint64_t kStop = ~std::uint64_t{0};

double percentile(std::vector<std::uint64_t>& samples, double p) {
  if (samples.empty()) return 0.0;
  const auto index = static_cast<std::size_t>(p * static_cast<double>(samples.size() - 1));
  std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(index),
                   samples.end());
  return static_cast<double>(samples[index]);
}

template <class Queue>
void BM_Latency(benchmark::State& state) {
  Queue data(64);
  Queue ack(64);
  std::vector<std::uint64_t> latencies;
  latencies.reserve(static_cast<std::size_t>(state.max_iterations));
  std::thread receiver([&] {
    for (;;) {
      const std::uint64_t stamp = data.recv();
      const std::uint64_t arrived = now_ns();
      if (stamp == kStop) return;
      latencies.push_back(arrived - stamp);
      ack.send(0);
    }
  });
  for (auto _ : state) {
    data.send(now_ns());
    benchmark::DoNotOptimize(ack.recv());
  }
  data.send(kStop);
  receiver.join();
  state.counters["p50_ns"] = percentile(latencies, 0.50);
  state.counters["p99_ns"] = percentile(latencies, 0.99);
  state.counters["p999_ns"] = percentile(latencies, 0.999);
}

template <class Queue>
void BM_Throughput(benchmark::State& state) {
  constexpr std::uint64_t kItems = 200'000;
  for (auto _ : state) {
    Queue queue(static_cast<std::size_t>(state.range(0)));
    std::uint64_t sum = 0;
    std::thread consumer([&] {
      for (std::uint64_t i = 0; i < kItems; ++i) sum += queue.recv();
    });
    for (std::uint64_t i = 0; i < kItems; ++i) queue.send(i);
    consumer.join();
    if (sum != kItems * (kItems - 1) / 2) state.SkipWithError("lost or duplicated items");
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kItems));
}

BENCHMARK(BM_Latency<DaqChannelQueue>)->Iterations(100'000)->UseRealTime();
BENCHMARK(BM_Latency<MoodycamelQueue>)->Iterations(100'000)->UseRealTime();
BENCHMARK(BM_Latency<TbbBoundedQueue>)->Iterations(100'000)->UseRealTime();
BENCHMARK(BM_Throughput<DaqChannelQueue>)->Arg(1024)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Throughput<MoodycamelQueue>)->Arg(1024)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Throughput<TbbBoundedQueue>)->Arg(1024)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
