// channel_bench — daq::make_channel against moodycamel::BlockingConcurrentQueue and
// tbb::concurrent_bounded_queue, in the same run.
//
// Latency: one-way send -> blocking recv across two threads. The sender stamps the steady clock
// into the item and waits for an acknowledgement before the next send, so every message finds
// the receiver already waiting (no queueing delay): p50/p99/p99.9 in ns as counters.
// Throughput: one producer, one consumer, blocking send/recv, items per second.
//
// Run: build-<you>/bench/channel_bench --benchmark_repetitions=3
#include <benchmark/benchmark.h>
#include <concurrentqueue/blockingconcurrentqueue.h>
#include <tbb/concurrent_queue.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "daq/pipeline/channel.hpp"

namespace {

using Clock = std::chrono::steady_clock;

std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
          .count());
}

// Each adapter: bounded (as far as the queue allows) blocking send and recv of std::uint64_t.
class DaqChannel {
 public:
  explicit DaqChannel(std::size_t capacity) {
    auto channel = daq::make_channel<std::uint64_t>(capacity);
    tx_ = std::move(channel.sender);
    rx_ = std::move(channel.receiver);
  }
  void send(std::uint64_t v) { (void)tx_.send(v); }
  std::uint64_t recv() { return *rx_.recv(); }

 private:
  daq::Sender<std::uint64_t> tx_;
  daq::Receiver<std::uint64_t> rx_;
};

class Moodycamel {
 public:
  // Unbounded by design; pre-sized so that steady state does not allocate.
  explicit Moodycamel(std::size_t capacity) : queue_(capacity) {}
  void send(std::uint64_t v) { queue_.enqueue(v); }
  std::uint64_t recv() {
    std::uint64_t v = 0;
    queue_.wait_dequeue(v);
    return v;
  }

 private:
  moodycamel::BlockingConcurrentQueue<std::uint64_t> queue_;
};

class TbbBounded {
 public:
  explicit TbbBounded(std::size_t capacity) {
    queue_.set_capacity(static_cast<std::ptrdiff_t>(capacity));
  }
  void send(std::uint64_t v) { queue_.push(v); }
  std::uint64_t recv() {
    std::uint64_t v = 0;
    queue_.pop(v);
    return v;
  }

 private:
  tbb::concurrent_bounded_queue<std::uint64_t> queue_;
};

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

BENCHMARK(BM_Latency<DaqChannel>)->Iterations(100'000)->UseRealTime();
BENCHMARK(BM_Latency<Moodycamel>)->Iterations(100'000)->UseRealTime();
BENCHMARK(BM_Latency<TbbBounded>)->Iterations(100'000)->UseRealTime();
BENCHMARK(BM_Throughput<DaqChannel>)->Arg(1024)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Throughput<Moodycamel>)->Arg(1024)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Throughput<TbbBounded>)->Arg(1024)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
