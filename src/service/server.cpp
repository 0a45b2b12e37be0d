#include "daq/service/server.hpp"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "call_credentials.hpp"
#include "daq/service/address.hpp"
#include "daq/service/service_error.hpp"
#include "detector_service.hpp"
#include "http_endpoint.hpp"

namespace daq::service {
namespace {

constexpr int kMaxReceiveBytes = 4 << 20;

std::string read_pem(const std::filesystem::path& path, std::string_view option) {
  std::ifstream in(path);
  if (!in) {
    const int error = errno;
    throw ServiceError(
        ErrorCode::invalid_argument,
        std::string(option) + ": cannot read '" + path.string() + "': " + std::strerror(error));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

void check_server_options(const ServerOptions& options) {
  const auto check_exposure = [&](const std::string& address, std::string_view option) {
    if (address.empty()) return;
    const HostPort bind = parse_address(address, option);
    if (!is_loopback_host(bind.host) && !options.token) {
      throw ServiceError(ErrorCode::invalid_argument,
                         std::string(option) + ": '" + address +
                             "' is not a loopback address; serving it needs --token-file");
    }
  };
  check_exposure(options.grpc_address, "--grpc");
  check_exposure(options.http_address, "--http");
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    throw ServiceError(ErrorCode::invalid_argument, "--tls-cert, --tls-key: give both or neither");
  }
  if (!options.tls_cert.empty()) {
    (void)read_pem(options.tls_cert, "--tls-cert");
    (void)read_pem(options.tls_key, "--tls-key");
  }
}

namespace {

ServerOptions checked(ServerOptions options) {
  check_server_options(options);
  return options;
}

std::shared_ptr<grpc::ServerCredentials> credentials(const ServerOptions& options) {
  std::optional<TlsKeyPair> tls;
  if (!options.tls_cert.empty()) {
    tls = TlsKeyPair{read_pem(options.tls_cert, "--tls-cert"),
                     read_pem(options.tls_key, "--tls-key")};
  }
  std::optional<BearerToken> token;
  if (options.token) token.emplace(*options.token);
  return server_credentials(tls, token);
}

}  // namespace

struct Server::Impl {
  Impl(DetectorBackend& backend, ServerOptions given)
      : options(checked(std::move(given))), service(backend, options) {
    grpc::EnableDefaultHealthCheckService(true);
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    grpc::ServerBuilder builder;
    builder.AddListeningPort(options.grpc_address, credentials(options), &grpc_port);
    builder.SetMaxReceiveMessageSize(kMaxReceiveBytes);
    builder.SetMaxSendMessageSize(static_cast<int>(options.max_message_bytes));
    builder.RegisterService(&service);
    server = builder.BuildAndStart();
    if (!server || grpc_port == 0) {
      throw std::runtime_error("--grpc: cannot listen on " + options.grpc_address);
    }
    if (!options.http_address.empty()) {
      http.emplace(options, service);
    }
  }

  void shutdown() {
    if (!server) return;
    http.reset();
    service.begin_shutdown();
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    server->Wait();
    server.reset();
  }

  ServerOptions options;
  DetectorService service;
  int grpc_port = 0;
  std::unique_ptr<grpc::Server> server;
  std::optional<HttpEndpoint> http;
};

Server::Server(DetectorBackend& backend, ServerOptions options)
    : impl_(std::make_unique<Impl>(backend, std::move(options))) {}

Server::~Server() {
  shutdown();
}

void Server::shutdown() {
  impl_->shutdown();
}

int Server::grpc_port() const noexcept {
  return impl_->grpc_port;
}

int Server::http_port() const noexcept {
  return impl_->http ? impl_->http->port() : 0;
}

}  // namespace daq::service
