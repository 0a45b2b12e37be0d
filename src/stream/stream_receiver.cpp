#include "daq/stream/stream_receiver.hpp"

#include <netdb.h>
#include <zmq.h>

#include <cerrno>
#include <stdexcept>
#include <string_view>

#include "daq/pipeline/frame_source.hpp"

namespace daq::stream {
namespace {

// zmq_connect accepts a TCP host that does not resolve and retries it forever in the
// background; a receiver would then wait for messages that can never come. So the host is
// resolved here first. "tcp://[source;]HOST:PORT", HOST possibly a bracketed IPv6 address.
void require_resolvable_tcp_host(const std::string& endpoint) {
  constexpr std::string_view kScheme = "tcp://";
  std::string_view address(endpoint);
  if (!address.starts_with(kScheme)) return;  // other transports: zmq_connect judges them
  address.remove_prefix(kScheme.size());
  if (const auto source_end = address.find(';'); source_end != std::string_view::npos) {
    address.remove_prefix(source_end + 1);
  }
  const auto port_start = address.rfind(':');
  if (port_start == std::string_view::npos) return;  // zmq_connect names the missing port
  std::string_view host = address.substr(0, port_start);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string host_name(host);
  const int error = ::getaddrinfo(host_name.c_str(), nullptr, &hints, &found);
  if (error != 0) {
    throw ConfigError("stream endpoint '" + endpoint + "': cannot resolve host '" + host_name +
                      "': " + ::gai_strerror(error));
  }
  ::freeaddrinfo(found);
}

}  // namespace

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
  require_resolvable_tcp_host(endpoint);
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
