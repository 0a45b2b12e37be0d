// cgroup_memory_limit: the smallest memory limit along this process's cgroup path, in the v2
// and v1 layouts, read from a fake /proc/self/cgroup and /sys/fs/cgroup tree; and the real one
// of this machine is consistent with PageMemory::usable_memory().
#include "cgroup_memory_limit.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "daq/pool/page_memory.hpp"
#include "temp_dir.hpp"

namespace daq::detail {
namespace {

// A fake machine: its /proc/self/cgroup and its cgroup file system.
struct FakeCgroups {
  test::TempDir dir;

  std::filesystem::path proc() const { return dir / "proc_self_cgroup"; }
  std::filesystem::path root() const { return dir / "sys_fs_cgroup"; }

  void membership(const std::string& lines) const { std::ofstream(proc()) << lines; }
  void limit(const std::filesystem::path& relative, const std::string& value) const {
    const auto file = root() / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << value << "\n";
  }
  std::optional<std::size_t> read() const { return cgroup_memory_limit(proc(), root()); }
};

TEST(CgroupMemoryLimit, V2TakesTheSmallestLimitAlongThePath) {
  FakeCgroups fake;
  fake.membership("0::/system.slice/daq.service\n");
  fake.limit("system.slice/daq.service/memory.max", "max");
  fake.limit("system.slice/memory.max", "2147483648");
  fake.limit("memory.max", "4294967296");
  EXPECT_EQ(fake.read(), std::size_t{2147483648});
  fake.limit("system.slice/daq.service/memory.max", "1073741824");
  EXPECT_EQ(fake.read(), std::size_t{1073741824});
}

TEST(CgroupMemoryLimit, AContainerSeesItsLimitAtTheRoot) {
  FakeCgroups fake;
  fake.membership("0::/\n");
  fake.limit("memory.max", "536870912");
  EXPECT_EQ(fake.read(), std::size_t{536870912});
}

TEST(CgroupMemoryLimit, V1ReadsTheMemoryControllerAndIgnoresItsUnlimitedValue) {
  FakeCgroups fake;
  fake.membership("5:cpu,cpuacct:/a\n4:memory:/process_api/job\n0::/\n");
  fake.limit("memory/process_api/job/memory.limit_in_bytes", "9223372036854771712");
  fake.limit("memory/memory.limit_in_bytes", "9223372036854771712");
  EXPECT_EQ(fake.read(), std::nullopt) << "2^63 rounded down to a page is v1's 'no limit'";
  fake.limit("memory/process_api/memory.limit_in_bytes", "3221225472");
  EXPECT_EQ(fake.read(), std::size_t{3221225472});
}

TEST(CgroupMemoryLimit, NoLimitsOrNothingReadableIsNone) {
  FakeCgroups fake;
  EXPECT_EQ(fake.read(), std::nullopt) << "no /proc/self/cgroup";
  fake.membership("0::/user.slice\n");
  EXPECT_EQ(fake.read(), std::nullopt) << "no limit files";
  fake.limit("user.slice/memory.max", "lots");
  fake.limit("memory.max", "12abc");
  EXPECT_EQ(fake.read(), std::nullopt) << "values that are not numbers are ignored";
  fake.membership("garbage without colons\n");
  EXPECT_EQ(fake.read(), std::nullopt);
}

TEST(CgroupMemoryLimit, UsableMemoryIsThisMachinesLimitOrItsPhysicalMemory) {
  const std::size_t physical = PageMemory::physical_memory();
  const std::size_t expected = std::min(physical, cgroup_memory_limit().value_or(physical));
  EXPECT_EQ(PageMemory::usable_memory(), expected);
  EXPECT_GT(PageMemory::usable_memory(), 0u);
}

}  // namespace
}  // namespace daq::detail
