// daq/service/server.hpp — Server: `daq serve`'s network side. One object binds the gRPC
// daq.v1.Detector service (with grpc.health.v1.Health and server reflection) and the HTTP
// endpoint (/metrics in the Prometheus text format, /healthz, the browser live view at /)
// over a DetectorBackend.
//
// Contract
// - The constructor checks the options, binds both addresses and starts serving; it throws
//   ServiceError(invalid_argument) naming the option for a non-loopback address without a
//   token (the server never listens on a network without one) a half-given or unreadable TLS pair,
//   and std::runtime_error when an address cannot be bound.
// - With a token, every gRPC call (Detector, grpc.health.v1.Health and reflection alike) and
//   every HTTP request but the live view page itself (GET /, static; it asks the user for the
//   token) must carry "authorization: Bearer <token>" (UNAUTHENTICATED / 401 otherwise); the
//   gRPC check runs before any service sees the call.
// - Limits: messages from clients at most 4 MiB, to clients at most max_message_bytes; at most
//   max_image_streams StreamImages calls at once (RESOURCE_EXHAUSTED past it); WatchStatus and
//   StreamImages rates capped at max_status_hz / max_image_fps.
// - shutdown() (and the destructor) stops accepting calls, ends running streams and waits,
//   and stops HTTP. It does not stop a running series: the caller owns the backend.
//
// Thread-safety: construct, shutdown and destroy from one thread; the ports may be read from
// any. Allocation: per request (gRPC's own), never per frame.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "daq/service/detector_backend.hpp"

namespace daq::service {

struct ServerOptions {
  std::string grpc_address = "127.0.0.1:50051";  ///< HOST:PORT; port 0 picks a free one
  std::string http_address = "127.0.0.1:9091";   ///< HOST:PORT; empty = no HTTP endpoint
  std::filesystem::path data_dir;                ///< canonical (canonical_data_dir())
  std::optional<std::string> token;              ///< required for a non-loopback address
  std::filesystem::path tls_cert;                ///< PEM files, both or neither: TLS on gRPC
  std::filesystem::path tls_key;                 ///< and HTTP
  std::size_t max_image_streams = 4;
  std::size_t max_message_bytes = std::size_t{64} << 20;
  double max_status_hz = 20.0;
  double max_image_fps = 30.0;
  double preview_fps = 10.0;             ///< live view frames a second per browser, at most
  std::size_t max_preview_viewers = 16;  ///< live view streams at once (429 past it)
};

/// What the Server constructor checks before it binds (see the contract above), for a caller to
/// check before it opens a camera: ServiceError(invalid_argument) naming the option.
void check_server_options(const ServerOptions& options);

class Server {
 public:
  Server(DetectorBackend& backend, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void shutdown();

  int grpc_port() const noexcept;
  int http_port() const noexcept;  ///< 0 without HTTP

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace daq::service
