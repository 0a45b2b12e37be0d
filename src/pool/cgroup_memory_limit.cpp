#include "cgroup_memory_limit.hpp"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>

namespace daq::detail {
namespace {

constexpr std::uint64_t kV1Unlimited = std::uint64_t{1} << 62;  // v1 reports ~2^63 rounded down

// A limit file's value: a byte count, or nullopt for "max", unlimited, missing or unreadable.
std::optional<std::size_t> read_limit(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string text;
  if (!(in >> text) || text == "max") return std::nullopt;
  std::size_t used = 0;
  std::uint64_t value = 0;
  try {
    value = std::stoull(text, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (used != text.size() || value >= kV1Unlimited) return std::nullopt;
  return static_cast<std::size_t>(value);
}

// The smallest limit in `file_name` from `directory`/`path` up to `directory` itself.
std::optional<std::size_t> smallest_along(const std::filesystem::path& directory,
                                          std::filesystem::path path, const char* file_name) {
  std::optional<std::size_t> smallest;
  path = path.relative_path();
  while (true) {
    if (const auto limit = read_limit(directory / path / file_name)) {
      smallest = smallest ? std::min(*smallest, *limit) : *limit;
    }
    if (path.empty()) return smallest;
    path = path.parent_path();
  }
}

bool lists_memory(std::string_view controllers) {
  while (!controllers.empty()) {
    const std::size_t comma = controllers.find(',');
    if (controllers.substr(0, comma) == "memory") return true;
    if (comma == std::string_view::npos) break;
    controllers.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

std::optional<std::size_t> cgroup_memory_limit(const std::filesystem::path& proc_self_cgroup,
                                               const std::filesystem::path& cgroup_root) {
  std::ifstream in(proc_self_cgroup);
  std::optional<std::size_t> smallest;
  const auto keep = [&smallest](std::optional<std::size_t> limit) {
    if (limit) smallest = smallest ? std::min(*smallest, *limit) : *limit;
  };
  for (std::string line; std::getline(in, line);) {
    const std::size_t first = line.find(':');
    const std::size_t second = first == std::string::npos ? first : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    const std::string_view id = std::string_view(line).substr(0, first);
    const std::string_view controllers =
        std::string_view(line).substr(first + 1, second - first - 1);
    const std::filesystem::path path = line.substr(second + 1);
    if (id == "0" && controllers.empty()) {
      keep(smallest_along(cgroup_root, path, "memory.max"));
    } else if (lists_memory(controllers)) {
      keep(smallest_along(cgroup_root / "memory", path, "memory.limit_in_bytes"));
    }
  }
  return smallest;
}

}  // namespace daq::detail
