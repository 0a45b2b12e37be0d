// A Stream V2 consumer on its own thread for the C++ tests: a ZeroMQ PULL socket connected to
// the sender that receives every message and counts them, until it has `expected` messages or
// is destroyed.
#pragma once

#include <zmq.h>

#include <atomic>
#include <cstddef>
#include <string>
#include <thread>

namespace daq::test {

class PullConsumer {
 public:
  PullConsumer(const std::string& endpoint, std::size_t expected)
      : context_(zmq_ctx_new()), socket_(zmq_socket(context_, ZMQ_PULL)), expected_(expected) {
    const int poll_ms = 20;  // how often the thread looks at stop_
    zmq_setsockopt(socket_, ZMQ_RCVTIMEO, &poll_ms, sizeof poll_ms);
    zmq_connect(socket_, endpoint.c_str());
    thread_ = std::thread([this] { run(); });
  }
  PullConsumer(const PullConsumer&) = delete;
  PullConsumer& operator=(const PullConsumer&) = delete;
  ~PullConsumer() {
    stop_.store(true);
    thread_.join();
    const int linger = 0;
    zmq_setsockopt(socket_, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(socket_);
    zmq_ctx_term(context_);
  }

  /// Waits until `expected` messages arrived (the thread ends then) and returns the count.
  std::size_t wait() {
    thread_.join();
    thread_ = std::thread([] {});
    return received_.load();
  }
  std::size_t bytes() const { return bytes_.load(); }

 private:
  void run() {
    zmq_msg_t message;
    zmq_msg_init(&message);
    while (received_.load() < expected_ && !stop_.load()) {
      if (zmq_msg_recv(&message, socket_, 0) >= 0) {
        bytes_.fetch_add(zmq_msg_size(&message));
        received_.fetch_add(1);
      }
    }
    zmq_msg_close(&message);
  }

  void* context_;
  void* socket_;
  std::size_t expected_;
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> received_{0};
  std::atomic<std::size_t> bytes_{0};
  std::thread thread_;
};

}  // namespace daq::test
