// 5. Peers, queues: daq::make_channel against moodycamel::BlockingConcurrentQueue and
// tbb::concurrent_bounded_queue (the Debian packages), in the same run, rotating the order.
//   throughput  one producer, one consumer, blocking send/recv of 64-bit items; a checksum
//               proves every item arrived once.
//   latency     one-way: the sender stamps the clock into the item and waits for an
//               acknowledgement before the next, so each item finds the receiver waiting.
#include <concurrentqueue/blockingconcurrentqueue.h>
#include <tbb/concurrent_queue.h>

#include <array>
#include <cstdint>
#include <stdexcept>
#include <thread>
#include <vector>

#include "daq/pipeline/channel.hpp"
#include "sections.hpp"

namespace daq::cli::bench {
namespace {

constexpr std::size_t kCapacity = 1024;

std::uint64_t now_ns() noexcept {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
          .count());
}

class DaqQueue {
 public:
  DaqQueue() {
    auto channel = make_channel<std::uint64_t>(kCapacity);
    tx_ = std::move(channel.sender);
    rx_ = std::move(channel.receiver);
  }
  void send(std::uint64_t v) { (void)tx_.send(v); }
  std::uint64_t recv() { return rx_.recv().value(); }

 private:
  Sender<std::uint64_t> tx_;
  Receiver<std::uint64_t> rx_;
};

class MoodycamelQueue {
 public:
  // Unbounded by design; sized up front so that it does not allocate while measured.
  MoodycamelQueue() : queue_(kCapacity) {}
  void send(std::uint64_t v) { queue_.enqueue(v); }
  std::uint64_t recv() {
    std::uint64_t v = 0;
    queue_.wait_dequeue(v);
    return v;
  }

 private:
  moodycamel::BlockingConcurrentQueue<std::uint64_t> queue_;
};

class TbbQueue {
 public:
  TbbQueue() { queue_.set_capacity(static_cast<std::ptrdiff_t>(kCapacity)); }
  void send(std::uint64_t v) { queue_.push(v); }
  std::uint64_t recv() {
    std::uint64_t v = 0;
    queue_.pop(v);
    return v;
  }

 private:
  tbb::concurrent_bounded_queue<std::uint64_t> queue_;
};

template <class Queue>
double items_per_second(std::uint64_t items) {
  Queue queue;
  std::uint64_t sum = 0;
  const auto start = Clock::now();
  std::thread consumer([&] {
    for (std::uint64_t i = 0; i < items; ++i) sum += queue.recv();
  });
  for (std::uint64_t i = 0; i < items; ++i) queue.send(i);
  consumer.join();
  const double seconds = seconds_between(start, Clock::now());
  if (sum != items * (items - 1) / 2) throw std::runtime_error("bench: a queue lost items");
  return static_cast<double>(items) / seconds;
}

// One-way latency samples in ns.
template <class Queue>
std::vector<double> latency_samples(std::size_t messages) {
  Queue data;
  Queue ack;
  std::vector<double> samples;
  samples.reserve(messages);
  std::thread receiver([&] {
    for (std::size_t i = 0; i < messages; ++i) {
      const std::uint64_t stamp = data.recv();
      samples.push_back(static_cast<double>(now_ns() - stamp));
      ack.send(0);
    }
  });
  for (std::size_t i = 0; i < messages; ++i) {
    data.send(now_ns());
    (void)ack.recv();
  }
  receiver.join();
  return samples;
}

struct QueueFigures {
  double mitems_per_sec = 0;
  double p50_ns = 0;
  double p99_ns = 0;
};

template <class Queue>
QueueFigures measure_queue(std::uint64_t items, std::size_t messages) {
  QueueFigures f;
  f.mitems_per_sec = items_per_second<Queue>(items) / 1e6;
  std::vector<double> samples = latency_samples<Queue>(messages);
  f.p50_ns = quantile(samples, 0.50);
  f.p99_ns = quantile(samples, 0.99);
  return f;
}

constexpr std::size_t kPeers = 3;
using QueueRun = std::array<QueueFigures, kPeers>;  // daq, moodycamel, tbb

QueueFigures measure_peer(std::size_t peer, std::uint64_t items, std::size_t messages) {
  switch (peer) {
    case 0: return measure_queue<DaqQueue>(items, messages);
    case 1: return measure_queue<MoodycamelQueue>(items, messages);
    default: return measure_queue<TbbQueue>(items, messages);
  }
}

}  // namespace

void bench_peer_queues(const Settings& settings, Report& report) {
  const std::uint64_t items = settings.count(300'000, 2'000'000, 20'000);
  const std::size_t messages = settings.count(20'000, 100'000, 2'000);
  std::vector<QueueRun> runs;
  for (int run = 0; run < settings.runs; ++run) {
    QueueRun r;
    for (std::size_t k = 0; k < kPeers; ++k) {
      const std::size_t peer = (static_cast<std::size_t>(run) + k) % kPeers;
      r[peer] = measure_peer(peer, items, messages);
    }
    runs.push_back(r);
  }
  const std::array<const char*, kPeers> names = {"daq_channel", "moodycamel", "tbb"};
  auto figure = [&](std::size_t peer, double QueueFigures::*field) {
    return median_of(runs, [=](const QueueRun& r) { return r[peer].*field; });
  };
  report.table("5. Peers: queues (1 producer -> 1 consumer, blocking, 64-bit items, capacity "
               "1024)",
               {"daq channel", "moodycamel", "TBB bounded"});
  auto row = [&](const char* label, const std::string& key, double QueueFigures::*field,
                 const std::string& ratio_key, bool higher_is_better) {
    std::vector<Cell> cells;
    std::vector<Cell> ratios{Cell::blank()};
    const double ours = figure(0, field);
    for (std::size_t peer = 0; peer < kPeers; ++peer) {
      const double value = figure(peer, field);
      cells.push_back({"peers", std::string(names[peer]) + "_" + key, value});
      if (peer > 0) {
        ratios.push_back({"peers", "daq_channel_vs_" + std::string(names[peer]) + "_" + ratio_key,
                          higher_is_better ? ratio(ours, value, names[peer])
                                           : ratio(value, ours, "daq channel")});
      }
    }
    report.row(label, cells);
    report.row(std::string("  daq channel advantage (x)"), ratios);
  };
  row("throughput, M items/s", "mitems_per_sec", &QueueFigures::mitems_per_sec, "throughput",
      true);
  row("one-way latency p50, ns", "latency_p50_ns", &QueueFigures::p50_ns, "latency_p50", false);
  row("one-way latency p99, ns", "latency_p99_ns", &QueueFigures::p99_ns, "latency_p99", false);
  report.note("Advantage > 1: the daq channel is faster (throughput ratio, or the peer's latency "
              "over ours). moodycamel is unbounded, pre-sized to 1024.");
}

}  // namespace daq::cli::bench
