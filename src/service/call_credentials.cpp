#include "call_credentials.hpp"

#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>

#include <stdexcept>
#include <string_view>

namespace daq::service {
namespace {

/// The auth metadata processor: accepts a call whose "authorization" is the token.
void check_token(void* state, grpc_auth_context* /*context*/, const grpc_metadata* metadata,
                 std::size_t count, grpc_process_auth_metadata_done_cb done, void* user_data) {
  const auto& token = *static_cast<const BearerToken*>(state);
  for (std::size_t i = 0; i < count; ++i) {
    const std::string_view key(reinterpret_cast<const char*>(GRPC_SLICE_START_PTR(metadata[i].key)),
                               GRPC_SLICE_LENGTH(metadata[i].key));
    if (key != "authorization") continue;
    const std::string_view value(
        reinterpret_cast<const char*>(GRPC_SLICE_START_PTR(metadata[i].value)),
        GRPC_SLICE_LENGTH(metadata[i].value));
    if (token.accepts(value)) {
      done(user_data, nullptr, 0, nullptr, 0, GRPC_STATUS_OK, nullptr);
      return;
    }
  }
  done(user_data, nullptr, 0, nullptr, 0, GRPC_STATUS_UNAUTHENTICATED,
       "a valid 'authorization: Bearer <token>' is required");
}

/// C++ credentials over a C grpc_server_credentials (owned).
class CoreCredentials final : public grpc::ServerCredentials {
 public:
  explicit CoreCredentials(grpc_server_credentials* core) : core_(core) {}
  ~CoreCredentials() override { grpc_server_credentials_release(core_); }
  CoreCredentials(const CoreCredentials&) = delete;
  CoreCredentials& operator=(const CoreCredentials&) = delete;

  /// The token is checked by the processor set at creation; another would replace it.
  void SetAuthMetadataProcessor(const std::shared_ptr<grpc::AuthMetadataProcessor>&) override {
    throw std::logic_error("daq serve's credentials keep their own token check");
  }

 private:
  int AddPortToServer(const std::string& address, grpc_server* server) override {
    return grpc_server_add_http2_port(server, address.c_str(), core_);
  }

  grpc_server_credentials* core_;
};

}  // namespace

std::shared_ptr<grpc::ServerCredentials> server_credentials(
    const std::optional<TlsKeyPair>& tls, const std::optional<BearerToken>& token) {
  grpc_server_credentials* core = nullptr;
  if (tls) {
    grpc_ssl_pem_key_cert_pair pair{tls->private_key.c_str(), tls->certificate_chain.c_str()};
    core = grpc_ssl_server_credentials_create_ex(nullptr, &pair, 1,
                                                 GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE, nullptr);
  } else {
    core = grpc_insecure_server_credentials_create();
  }
  if (core == nullptr) throw std::runtime_error("--tls-cert, --tls-key: gRPC refused the pair");
  auto credentials = std::make_shared<CoreCredentials>(core);
  if (token) {
    // The core owns the copy and deletes it with the credentials (after the server is gone).
    grpc_server_credentials_set_auth_metadata_processor(
        core, grpc_auth_metadata_processor{
                  &check_token, [](void* state) { delete static_cast<BearerToken*>(state); },
                  new BearerToken(*token)});
  }
  return credentials;
}

}  // namespace daq::service
