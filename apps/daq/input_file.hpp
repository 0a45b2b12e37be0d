// The file a reading subcommand (inspect, recover) is given: it must be an existing regular
// file. Anything else (missing, a directory, a FIFO that would block the reader, a device) is
// bad input: UsageError naming the argument, so exit status 2 and nothing is touched.
#pragma once

#include <filesystem>
#include <string>

#include "exit_codes.hpp"

namespace daq::cli {

inline void require_regular_file(const std::string& path) {
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) throw UsageError("FILE: no such file: " + path);
  if (!std::filesystem::is_regular_file(status)) {
    throw UsageError("FILE: " + path + " is not a regular file (a directory, FIFO or device)");
  }
}

}  // namespace daq::cli
