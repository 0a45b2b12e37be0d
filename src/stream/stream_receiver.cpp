#include "daq/stream/stream_receiver.hpp"

#include <zmq.h>

#include <cerrno>
#include <stdexcept>

#include "daq/pipeline/frame_source.hpp"

namespace daq::stream {

struct StreamReceiver::Impl {
  void* context = zmq_ctx_new();
  void* socket = nullptr;
  zmq_msg_t message{};
  bool has_message = false;

  ~Impl() {
    if (has_message) zmq_msg_close(&message);
    if (socket != nullptr) zmq_close(socket);
    zmq_ctx_term(context);
  }
};

StreamReceiver::StreamReceiver(const std::string& endpoint, std::int64_t max_message_bytes)
    : impl_(std::make_unique<Impl>()) {
  if (impl_->context == nullptr) throw std::runtime_error("zmq_ctx_new failed");
  impl_->socket = zmq_socket(impl_->context, ZMQ_PULL);
  if (impl_->socket == nullptr) throw std::runtime_error(zmq_strerror(zmq_errno()));
  const int linger = 0;
  zmq_setsockopt(impl_->socket, ZMQ_LINGER, &linger, sizeof linger);
  zmq_setsockopt(impl_->socket, ZMQ_MAXMSGSIZE, &max_message_bytes, sizeof max_message_bytes);
  if (zmq_connect(impl_->socket, endpoint.c_str()) != 0) {
    throw ConfigError("stream endpoint '" + endpoint + "': " + zmq_strerror(zmq_errno()));
  }
}

StreamReceiver::~StreamReceiver() = default;

std::optional<std::span<const std::byte>> StreamReceiver::receive(
    std::chrono::milliseconds timeout) {
  Impl& s = *impl_;
  if (s.has_message) zmq_msg_close(&s.message);
  s.has_message = false;
  zmq_msg_init(&s.message);
  zmq_pollitem_t item{s.socket, 0, ZMQ_POLLIN, 0};
  const int ready = zmq_poll(&item, 1, static_cast<long>(timeout.count()));
  if (ready < 0 && zmq_errno() != EINTR) throw std::runtime_error(zmq_strerror(zmq_errno()));
  if (ready <= 0 || zmq_msg_recv(&s.message, s.socket, ZMQ_DONTWAIT) < 0) {
    zmq_msg_close(&s.message);
    return std::nullopt;
  }
  s.has_message = true;
  return std::span<const std::byte>(static_cast<const std::byte*>(zmq_msg_data(&s.message)),
                                    zmq_msg_size(&s.message));
}

}  // namespace daq::stream
