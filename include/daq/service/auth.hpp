// daq/service/auth.hpp — the bearer token of `daq serve`.
//
// - BearerToken holds the secret; accepts() checks an "authorization" value ("Bearer <token>")
//   in time that depends only on the lengths, never on where the first difference is.
// - read_token_file(path): the file's first line, trimmed; throws ServiceError(invalid_argument)
//   naming --token-file when it cannot be read (strerror) or is empty.
//
// Thread-safety: BearerToken is immutable after construction; accepts() may run on any thread.
// Allocation: construction and read_token_file only.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace daq::service {

class BearerToken {
 public:
  explicit BearerToken(std::string secret) : secret_(std::move(secret)) {}

  /// True when `authorization` is exactly "Bearer " followed by the secret.
  bool accepts(std::string_view authorization) const noexcept;

 private:
  std::string secret_;
};

std::string read_token_file(const std::filesystem::path& path);

}  // namespace daq::service
