// call_credentials.hpp — the gRPC server credentials of `daq serve`: the transport (plain TCP or
// TLS) and, with a bearer token, the token check on EVERY call. The check runs in gRPC's
// server auth filter, before any service is chosen, so daq.v1.Detector, grpc.health.v1.Health
// and server reflection are guarded alike: a call without "authorization: Bearer <token>" ends
// with UNAUTHENTICATED and reaches no handler. (grpc::InsecureServerCredentials refuses an auth
// metadata processor, so the credentials are built on gRPC's C API here.)
//
// Thread-safety: the returned credentials are used by one ServerBuilder; the token check runs
// on gRPC's threads and touches only an immutable copy of the token. Allocation: at creation;
// the check allocates nothing of its own.
#pragma once

#include <grpcpp/security/server_credentials.h>

#include <memory>
#include <optional>
#include <string>

#include "daq/service/auth.hpp"

namespace daq::service {

/// A certificate chain and its private key, PEM text.
struct TlsKeyPair {
  std::string certificate_chain;
  std::string private_key;
};

/// Plain TCP without `tls`, TLS with it; with `token`, every call must carry it.
std::shared_ptr<grpc::ServerCredentials> server_credentials(
    const std::optional<TlsKeyPair>& tls, const std::optional<BearerToken>& token);

}  // namespace daq::service
