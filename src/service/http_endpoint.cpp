#include "http_endpoint.hpp"

#include <httplib.h>

#include <stdexcept>
#include <string>

#include "daq/service/address.hpp"
#include "metrics_text.hpp"

namespace daq::service {

HttpEndpoint::HttpEndpoint(const ServerOptions& options, std::function<v1::Status()> status)
    : status_(std::move(status)) {
  if (options.tls_cert.empty()) {
    server_ = std::make_unique<httplib::Server>();
  } else {
    server_ =
        std::make_unique<httplib::SSLServer>(options.tls_cert.c_str(), options.tls_key.c_str());
  }
  if (!server_->is_valid())
    throw std::runtime_error("--http: cannot set up TLS with --tls-cert/--tls-key");
  if (options.token) token_.emplace(*options.token);
  server_->set_payload_max_length(4096);  // only GETs are served
  server_->set_pre_routing_handler([this](const httplib::Request& request,
                                          httplib::Response& response) {
    if (token_ && !token_->accepts(request.get_header_value("Authorization"))) {
      response.status = 401;
      response.set_header("WWW-Authenticate", "Bearer");
      response.set_content("a valid 'Authorization: Bearer <token>' is required\n", "text/plain");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& response) {
    response.set_content(prometheus_text(status_()), "text/plain; version=0.0.4; charset=utf-8");
  });
  server_->Get("/healthz", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("ok\n", "text/plain");
  });

  const HostPort address = parse_address(options.http_address, "--http");
  port_ = address.port == 0
              ? server_->bind_to_any_port(address.host)
              : (server_->bind_to_port(address.host, address.port) ? address.port : -1);
  if (port_ <= 0) {
    throw std::runtime_error("--http: cannot listen on " + options.http_address);
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
}

HttpEndpoint::~HttpEndpoint() {
  server_->stop();
  thread_.join();
}

}  // namespace daq::service
