// The queues daq's channel is compared with, behind one interface: a bounded (as far as the
// queue allows) blocking send and recv of std::uint64_t between one producer and one consumer.
//   DaqChannelQueue   daq::make_channel (the subject)
//   MoodycamelQueue   moodycamel::BlockingConcurrentQueue (libconcurrentqueue-dev, header-only)
//   TbbBoundedQueue   tbb::concurrent_bounded_queue (libtbb-dev)
// Thread-safety: send from one thread, recv from another. Allocation: at construction only
// (moodycamel is unbounded by design and pre-sized to the capacity, so steady state does not
// allocate). Misuse: recv on a closed daq channel throws std::bad_optional_access (the benches
// never close one).
#pragma once

#include <concurrentqueue/blockingconcurrentqueue.h>
#include <tbb/concurrent_queue.h>

#include <cstddef>
#include <cstdint>
#include <utility>

#include "daq/pipeline/channel.hpp"

namespace daq::bench {

class DaqChannelQueue {
 public:
  explicit DaqChannelQueue(std::size_t capacity) {
    auto channel = make_channel<std::uint64_t>(capacity);
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
  explicit MoodycamelQueue(std::size_t capacity) : queue_(capacity) {}
  void send(std::uint64_t v) { queue_.enqueue(v); }
  std::uint64_t recv() {
    std::uint64_t v = 0;
    queue_.wait_dequeue(v);
    return v;
  }

 private:
  moodycamel::BlockingConcurrentQueue<std::uint64_t> queue_;
};

class TbbBoundedQueue {
 public:
  explicit TbbBoundedQueue(std::size_t capacity) {
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

}  // namespace daq::bench
