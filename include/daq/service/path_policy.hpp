// daq/service/path_policy.hpp — where the server may write: only inside its data directory.
//
// resolve_in_data_dir(data_dir, requested) returns the absolute path the server writes for a
// client's `requested` file, or throws ServiceError(permission_denied) naming `field` when
// - `requested` has a ".." component (refused outright, even when it would stay inside),
// - it is absolute and not below data_dir,
// - its directory, with every symbolic link resolved, is not below data_dir (a link escaping),
// - the file itself is a symbolic link (the writer would follow it),
// and ServiceError(invalid_argument) when it is empty or names a directory. The directory of
// the file must exist (the server creates none). Checked at Start; the writer opens the file
// right after, so a directory swapped between the two by someone who can write inside
// data_dir is outside this check (docs/adr/0014-service.md).
//
// Thread-safety: a pure function over the file system. Allocation: paths.
#pragma once

#include <filesystem>
#include <string_view>

namespace daq::service {

/// `data_dir` must be absolute and canonical (see canonical_data_dir()).
std::filesystem::path resolve_in_data_dir(const std::filesystem::path& data_dir,
                                          std::string_view requested, std::string_view field);

/// The canonical form of the --data-dir argument; throws ServiceError(invalid_argument) naming
/// --data-dir when it does not exist or is not a directory.
std::filesystem::path canonical_data_dir(const std::filesystem::path& given);

}  // namespace daq::service
