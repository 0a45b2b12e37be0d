#include "daq/service/auth.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "daq/service/service_error.hpp"

namespace daq::service {

bool BearerToken::accepts(std::string_view authorization) const noexcept {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.substr(0, kScheme.size()) != kScheme) return false;
  const std::string_view given = authorization.substr(kScheme.size());
  // Every byte of the secret is compared whatever came before; a length mismatch only shows
  // in the result.
  unsigned char difference = given.size() == secret_.size() ? 0 : 1;
  for (std::size_t i = 0; i < secret_.size(); ++i) {
    const char offered = i < given.size() ? given[i] : '\0';
    difference = static_cast<unsigned char>(difference | (offered ^ secret_[i]));
  }
  return difference == 0;
}

std::string read_token_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) {
    const int error = errno;
    throw ServiceError(ErrorCode::invalid_argument, "--token-file: cannot read '" + path.string() +
                                                        "': " + std::strerror(error));
  }
  std::string token;
  std::getline(in, token);
  const auto first = token.find_first_not_of(" \t\r");
  const auto last = token.find_last_not_of(" \t\r");
  token = first == std::string::npos ? std::string() : token.substr(first, last - first + 1);
  if (token.empty()) {
    throw ServiceError(ErrorCode::invalid_argument,
                       "--token-file: '" + path.string() + "' holds no token on its first line");
  }
  return token;
}

}  // namespace daq::service
