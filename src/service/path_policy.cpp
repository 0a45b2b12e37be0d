#include "daq/service/path_policy.hpp"

#include <algorithm>
#include <string>
#include <system_error>

#include "daq/service/service_error.hpp"

namespace daq::service {
namespace fs = std::filesystem;
namespace {

bool is_below(const fs::path& dir, const fs::path& path) {
  const fs::path relative = path.lexically_relative(dir);
  return !relative.empty() && *relative.begin() != ".." && relative.is_relative();
}

[[noreturn]] void refuse(std::string_view field, std::string_view requested, const char* why) {
  throw ServiceError(ErrorCode::permission_denied,
                     std::string(field) + ": '" + std::string(requested) + "' " + why);
}

}  // namespace

fs::path canonical_data_dir(const fs::path& given) {
  std::error_code ec;
  const fs::path dir = fs::canonical(given, ec);
  if (ec || !fs::is_directory(dir)) {
    throw ServiceError(ErrorCode::invalid_argument,
                       "--data-dir: '" + given.string() + "' is not a directory" +
                           (ec ? " (" + ec.message() + ")" : std::string()));
  }
  return dir;
}

fs::path resolve_in_data_dir(const fs::path& data_dir, std::string_view requested,
                             std::string_view field) {
  if (requested.empty()) {
    throw ServiceError(ErrorCode::invalid_argument, std::string(field) + ": empty file name");
  }
  const fs::path request(requested);
  if (std::any_of(request.begin(), request.end(),
                  [](const fs::path& part) { return part == ".."; })) {
    refuse(field, requested, "has a '..' component");
  }
  const fs::path wanted = (data_dir / request).lexically_normal();  // absolute `request` wins
  if (!is_below(data_dir, wanted)) refuse(field, requested, "is outside the data directory");
  if (!wanted.has_filename()) {
    throw ServiceError(ErrorCode::invalid_argument,
                       std::string(field) + ": '" + std::string(requested) + "' names a directory");
  }
  std::error_code ec;
  const fs::path directory = fs::canonical(wanted.parent_path(), ec);
  if (ec) {
    throw ServiceError(
        ErrorCode::invalid_argument,
        std::string(field) + ": directory of '" + std::string(requested) + "': " + ec.message());
  }
  if (directory != data_dir && !is_below(data_dir, directory)) {
    refuse(field, requested, "leads outside the data directory through a symbolic link");
  }
  const fs::path file = directory / wanted.filename();
  if (fs::is_symlink(fs::symlink_status(file, ec))) {
    refuse(field, requested, "is a symbolic link");
  }
  if (fs::is_directory(fs::symlink_status(file, ec))) {
    throw ServiceError(ErrorCode::invalid_argument,
                       std::string(field) + ": '" + std::string(requested) + "' is a directory");
  }
  return file;
}

}  // namespace daq::service
