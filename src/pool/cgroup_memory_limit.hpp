// cgroup_memory_limit.hpp — the memory limit a control group puts on this process (private).
//
// Why: a pool sized to the machine's physical memory still gets the process killed when it runs
// in a container or systemd unit with a lower memory limit. The limit of a cgroup is the
// smallest along its path (a parent's limit binds its children), in either hierarchy:
//   v2: /proc/self/cgroup line "0::<path>", limits in <root>/<path...>/memory.max ("max": none)
//   v1: line "<id>:<...memory...>:<path>", limits in <root>/memory/<path...>/memory.limit_in_bytes
//       (values of 2^62 or more mean none)
// Inside a container the path may be "/" while <root> is the container's own cgroup: the root
// directory's limit is read too.
//
// Thread-safety: reentrant. Allocation: reads small files (not on any hot path).
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>

namespace daq::detail {

/// The smallest memory limit on this process's cgroup path, or nullopt when there is none (or
/// no cgroup information is readable).
std::optional<std::size_t> cgroup_memory_limit(
    const std::filesystem::path& proc_self_cgroup = "/proc/self/cgroup",
    const std::filesystem::path& cgroup_root = "/sys/fs/cgroup");

}  // namespace daq::detail
