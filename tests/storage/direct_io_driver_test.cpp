// The direct-I/O file driver: whole-block raw-data chunks go with O_DIRECT and read back with
// libhdf5's default driver; anything else goes through the page cache (and large raw writes
// leave it); a direct write cut short by the file-size limit is finished or reported with the
// errno; a SWMR reader in another process reads through the driver what was written after it
// opened; errors name their cause; space reserved past the end is given back at close.
#include "direct_io_driver.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "chunk_pattern.hpp"
#include "hdf5_support.hpp"
#include "storage_test_support.hpp"

namespace daq::storage::detail {
namespace {

using test::resident_pages;
using test::TempDir;

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

// `count` chunks of `chunk_bytes` in one block-aligned allocation, each filled with its own
// byte pattern; `skew` bytes in, so that skew != 0 gives memory that is not block-aligned.
class ChunkBuffers {
 public:
  ChunkBuffers(std::size_t count, std::size_t chunk_bytes, std::size_t skew = 0)
      : chunk_bytes_(chunk_bytes),
        skew_(skew),
        memory_(static_cast<std::byte*>(
            std::aligned_alloc(kDirectIoBlock, count * chunk_bytes + kDirectIoBlock))) {
    for (std::size_t c = 0; c < count; ++c) {
      for (std::size_t i = 0; i < chunk_bytes; ++i) {
        chunk(c)[i] = test::chunk_pattern(c, i);
      }
    }
  }
  std::byte* chunk(std::size_t c) const { return memory_.get() + skew_ + c * chunk_bytes_; }

 private:
  std::size_t chunk_bytes_;
  std::size_t skew_;
  std::unique_ptr<std::byte, FreeDeleter> memory_;
};

// A file written through the driver: one uint8 dataset of `chunks` chunks of
// `rows` x 4096 bytes (fixed size, space allocated when it is created, so each chunk's
// address is known before its bytes are written).
class DriverFile {
 public:
  DriverFile(const std::filesystem::path& path, std::size_t chunks, std::size_t rows,
             DirectIoOptions options) {
    quiet_hdf5();
    H5Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    options.counters = &counters;
    EXPECT_TRUE(set_direct_io_driver(fapl.get(), options)) << hdf5_error_text();
    H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
    H5Pset_alignment(fapl.get(), kDirectIoBlock, kDirectIoBlock);
    file = H5Handle(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), H5Fclose);
    EXPECT_TRUE(file) << hdf5_error_text();
    const hsize_t dims[2] = {chunks * rows, 4096};
    const hsize_t chunk[2] = {rows, 4096};
    H5Handle space(H5Screate_simple(2, dims, nullptr), H5Sclose);
    H5Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    H5Pset_chunk(dcpl.get(), 2, chunk);
    H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_EARLY);
    H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_NEVER);
    data = H5Handle(H5Dcreate2(file.get(), "data", H5T_NATIVE_UINT8, space.get(), H5P_DEFAULT,
                               dcpl.get(), H5P_DEFAULT),
                    H5Dclose);
    EXPECT_TRUE(data) << hdf5_error_text();
    rows_ = rows;
  }

  // H5Dwrite_chunk of chunk `c`; "" or the error text.
  std::string write(std::size_t c, const std::byte* bytes) {
    const hsize_t offset[2] = {c * rows_, 0};
    if (H5Dwrite_chunk(data.get(), H5P_DEFAULT, 0, offset, rows_ * 4096, bytes) >= 0) return {};
    return hdf5_error_text();
  }

  haddr_t address_of(std::size_t c) const {
    const hsize_t offset[2] = {c * rows_, 0};
    haddr_t address = HADDR_UNDEF;
    hsize_t size = 0;
    H5Dget_chunk_info_by_coord(data.get(), offset, nullptr, &address, &size);
    return address;
  }

  int descriptor() const {
    void* handle = nullptr;
    H5Fget_vfd_handle(file.get(), H5P_DEFAULT, &handle);
    return handle != nullptr ? *static_cast<int*>(handle) : -1;
  }

  bool close() {
    data.reset();
    return file.close();
  }

  DirectIoCounters counters;
  H5Handle file;
  H5Handle data;

 private:
  std::size_t rows_ = 0;
};

// file.write(c, bytes) with the file size limited to `limit` bytes (RLIMIT_FSIZE; SIGXFSZ
// ignored, so the write fails with EFBIG instead of killing the test), then the limit lifted.
std::string write_under_size_limit(DriverFile& file, std::size_t c, const std::byte* bytes,
                                   std::uint64_t limit) {
  std::signal(SIGXFSZ, SIG_IGN);
  rlimit saved{};
  if (::getrlimit(RLIMIT_FSIZE, &saved) != 0) return "getrlimit failed";
  rlimit limited = saved;
  limited.rlim_cur = limit;
  if (::setrlimit(RLIMIT_FSIZE, &limited) != 0) return "setrlimit failed";
  const std::string error = file.write(c, bytes);
  EXPECT_EQ(::setrlimit(RLIMIT_FSIZE, &saved), 0);
  return error;
}

// Reads the whole dataset with libhdf5's default (sec2) driver and compares it with `expect`.
void expect_contents(const std::filesystem::path& path, const ChunkBuffers& expect,
                     std::size_t chunks, std::size_t rows) {
  H5Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  ASSERT_TRUE(file) << hdf5_error_text();
  H5Handle data(H5Dopen2(file.get(), "data", H5P_DEFAULT), H5Dclose);
  ASSERT_TRUE(data) << hdf5_error_text();
  const std::size_t chunk_bytes = rows * 4096;
  std::vector<std::byte> read(chunks * chunk_bytes);
  ASSERT_GE(H5Dread(data.get(), H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, read.data()), 0);
  for (std::size_t c = 0; c < chunks; ++c) {
    EXPECT_EQ(std::memcmp(read.data() + c * chunk_bytes, expect.chunk(c), chunk_bytes), 0)
        << "chunk " << c;
  }
}

TEST(DirectIoDriver, WholeBlockChunksGoDirectAndReadBackWithTheDefaultDriver) {
  TempDir dir;
  if (!test::accepts_o_direct(dir)) GTEST_SKIP() << dir.path() << " refuses O_DIRECT";
  const auto path = dir / "direct.h5";
  constexpr std::size_t kChunks = 12;
  const ChunkBuffers chunks(kChunks, 2 * 4096);
  DriverFile file(path, kChunks, 2, {});
  for (std::size_t c = 0; c < kChunks; ++c) ASSERT_EQ(file.write(c, chunks.chunk(c)), "");
  EXPECT_EQ(file.counters.direct_writes, kChunks) << "metadata must never go direct";
  EXPECT_EQ(file.counters.direct_bytes, kChunks * 2 * 4096);
  EXPECT_EQ(file.counters.refused_errno, 0);
  ASSERT_TRUE(file.close()) << hdf5_error_text();
  expect_contents(path, chunks, kChunks, 2);
}

TEST(DirectIoDriver, UnalignedMemoryOrDirectOffGoesThroughThePageCache) {
  TempDir dir;
  constexpr std::size_t kChunks = 4;
  struct Variant {
    const char* name;
    std::size_t skew;
    bool direct;
  };
  for (const Variant v :
       {Variant{"memory 64 bytes off a block", 64, true}, Variant{"direct off", 0, false}}) {
    SCOPED_TRACE(v.name);
    const auto path = dir / "buffered.h5";
    const ChunkBuffers chunks(kChunks, 4096, v.skew);
    DriverFile file(path, kChunks, 1, {.direct = v.direct});
    for (std::size_t c = 0; c < kChunks; ++c) ASSERT_EQ(file.write(c, chunks.chunk(c)), "");
    EXPECT_EQ(file.counters.direct_writes, 0U);
    if (test::accepts_o_direct(dir)) {
      EXPECT_EQ(file.counters.refused_errno, 0);
    }
    ASSERT_TRUE(file.close()) << hdf5_error_text();
    expect_contents(path, chunks, kChunks, 1);
  }
}

// Large raw writes through the page cache (compressed chunks in the writer) leave it once the
// next one is written: the driver hands them to PageCacheRelease.
TEST(DirectIoDriver, LargeBufferedChunksLeaveThePageCache) {
  TempDir dir;
  if (test::on_tmpfs(dir)) GTEST_SKIP() << "tmpfs keeps its pages whatever it is advised";
  constexpr std::size_t kRows = 64;  // 256 KiB chunks: the release threshold
  const ChunkBuffers chunks(2, kRows * 4096);
  DriverFile file(dir / "released.h5", 2, kRows, {.direct = false});
  ASSERT_EQ(file.write(0, chunks.chunk(0)), "");
  ASSERT_EQ(::fdatasync(file.descriptor()), 0);  // chunk 0 is on disk: its pages are clean
  ASSERT_EQ(file.write(1, chunks.chunk(1)), "");
  const haddr_t first = file.address_of(0);
  ASSERT_NE(first, HADDR_UNDEF);
  EXPECT_EQ(resident_pages(file.descriptor(), first, kRows * 4096), 0U);
  EXPECT_TRUE(file.close());
}

// RLIMIT_FSIZE ends a direct write part-way (a short write at a block boundary); the next
// attempt fails with EFBIG, which is reported as such, not mistaken for a refused O_DIRECT.
TEST(DirectIoDriver, ADirectWriteCutShortReportsWhyAndKeepsWhatWasWritten) {
  TempDir dir;
  if (!test::accepts_o_direct(dir)) GTEST_SKIP() << dir.path() << " refuses O_DIRECT";
  const auto path = dir / "limited.h5";
  const ChunkBuffers chunks(2, 4 * 4096);
  DriverFile file(path, 2, 4, {});
  ASSERT_EQ(file.write(0, chunks.chunk(0)), "");
  const haddr_t address = file.address_of(1);
  ASSERT_NE(address, HADDR_UNDEF);
  // One block of chunk 1 fits.
  const std::string error = write_under_size_limit(file, 1, chunks.chunk(1), address + 4096);
  EXPECT_NE(error.find("File too large"), std::string::npos) << error;
  EXPECT_EQ(file.counters.direct_writes, 1U) << "only chunk 0 went entirely direct";
  EXPECT_EQ(file.counters.refused_errno, 0) << "a size limit is not a refusal of O_DIRECT";
  std::vector<std::byte> landed(4096);
  ASSERT_EQ(::pread(file.descriptor(), landed.data(), landed.size(), static_cast<off_t>(address)),
            4096);
  EXPECT_EQ(std::memcmp(landed.data(), chunks.chunk(1), landed.size()), 0)
      << "the block written before the limit is in the file";
  file.close();
}

// A file-size limit that is not a whole block away cuts a direct write to a length O_DIRECT
// refuses (EINVAL). The buffered retry then meets the limit itself (EFBIG): that is the error,
// and O_DIRECT stays on for the chunks after it.
TEST(DirectIoDriver, AnEinvalCausedByTheSizeLimitIsNotARefusal) {
  TempDir dir;
  if (!test::accepts_o_direct(dir)) GTEST_SKIP() << dir.path() << " refuses O_DIRECT";
  const ChunkBuffers chunks(3, 2 * 4096);
  DriverFile file(dir / "odd_limit.h5", 3, 2, {});
  const haddr_t address = file.address_of(1);
  ASSERT_NE(address, HADDR_UNDEF);
  const std::string error = write_under_size_limit(file, 1, chunks.chunk(1), address + 100);
  EXPECT_NE(error.find("File too large"), std::string::npos) << error;
  EXPECT_EQ(file.counters.refused_errno, 0);
  ASSERT_EQ(file.write(2, chunks.chunk(2)), "");
  ASSERT_EQ(file.write(1, chunks.chunk(1)), "");
  EXPECT_EQ(file.counters.direct_writes, 2U) << "direct I/O still on once the limit is lifted";
  ASSERT_TRUE(file.close()) << hdf5_error_text();
}

// A program run with its stdin and stdout on pipes; waited for on destruction.
class ChildProcess {
 public:
  explicit ChildProcess(const std::vector<std::string>& args) {
    int to_child[2];
    int from_child[2];
    if (::pipe2(to_child, O_CLOEXEC) != 0 || ::pipe2(from_child, O_CLOEXEC) != 0) return;
    std::vector<char*> argv;
    for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {  // only async-signal-safe calls until exec
      ::dup2(to_child[0], STDIN_FILENO);
      ::dup2(from_child[1], STDOUT_FILENO);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(to_child[0]);
    ::close(from_child[1]);
    input_ = to_child[1];
    output_ = ::fdopen(from_child[0], "r");
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() { (void)wait(); }

  std::string read_line() {
    std::array<char, 256> line{};
    if (output_ == nullptr || std::fgets(line.data(), line.size(), output_) == nullptr) return {};
    return line.data();
  }
  void write_line(const std::string& line) const {
    ASSERT_EQ(::write(input_, line.data(), line.size()), static_cast<ssize_t>(line.size()));
  }
  /// Closes its stdin and waits: its exit status, or -1.
  int wait() {
    if (input_ >= 0) ::close(std::exchange(input_, -1));
    if (output_ != nullptr) std::fclose(std::exchange(output_, nullptr));
    int status = 0;
    if (pid_ <= 0 || ::waitpid(std::exchange(pid_, -1), &status, 0) < 0) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  int input_ = -1;
  FILE* output_ = nullptr;
};

// A SWMR reader in another process, opening the file through this driver, reads the chunks
// written after it opened: they lie beyond the end of allocated space it read at open (libhdf5
// does not check a SWMR reader's reads against it, and neither may the driver).
TEST(DirectIoDriver, ASwmrReaderThroughTheDriverSeesChunksWrittenAfterItOpened) {
  TempDir dir;
  const auto path = dir / "swmr.h5";
  constexpr std::size_t kRows = 2;
  constexpr std::size_t kBeforeReader = 2;
  constexpr std::size_t kChunks = 40;
  const ChunkBuffers chunks(kChunks, kRows * 4096);
  quiet_hdf5();
  DirectIoCounters counters;
  H5Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  ASSERT_TRUE(set_direct_io_driver(fapl.get(), {.counters = &counters}));
  H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
  H5Pset_alignment(fapl.get(), kDirectIoBlock, kDirectIoBlock);
  H5Handle file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), H5Fclose);
  ASSERT_TRUE(file) << hdf5_error_text();
  const hsize_t dims[2] = {0, 4096};
  const hsize_t max_dims[2] = {H5S_UNLIMITED, 4096};
  const hsize_t chunk[2] = {kRows, 4096};
  H5Handle space(H5Screate_simple(2, dims, max_dims), H5Sclose);
  H5Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  H5Pset_chunk(dcpl.get(), 2, chunk);
  H5Handle data(H5Dcreate2(file.get(), "data", H5T_NATIVE_UINT8, space.get(), H5P_DEFAULT,
                           dcpl.get(), H5P_DEFAULT),
                H5Dclose);
  ASSERT_TRUE(data) << hdf5_error_text();
  const auto append = [&](std::size_t c) {
    const hsize_t extent[2] = {(c + 1) * kRows, 4096};
    const hsize_t offset[2] = {c * kRows, 0};
    return H5Dset_extent(data.get(), extent) >= 0 &&
           H5Dwrite_chunk(data.get(), H5P_DEFAULT, 0, offset, kRows * 4096, chunks.chunk(c)) >= 0;
  };
  for (std::size_t c = 0; c < kBeforeReader; ++c) ASSERT_TRUE(append(c)) << hdf5_error_text();
  ASSERT_GE(H5Fstart_swmr_write(file.get()), 0) << hdf5_error_text();

  ChildProcess reader({DAQ_SWMR_READER, path.string(), std::to_string(kRows)});
  ASSERT_EQ(reader.read_line(), "opened\n");
  for (std::size_t c = kBeforeReader; c < kChunks; ++c) {
    ASSERT_TRUE(append(c)) << hdf5_error_text();
  }
  ASSERT_GE(H5Fflush(file.get(), H5F_SCOPE_LOCAL), 0) << hdf5_error_text();
  reader.write_line("go\n");
  EXPECT_EQ(reader.read_line(), "chunks " + std::to_string(kChunks) + "\n");
  EXPECT_EQ(reader.wait(), 0);
  if (test::accepts_o_direct(dir)) {
    EXPECT_EQ(counters.direct_writes, kChunks);
  }
}

TEST(DirectIoDriver, AFileThatCannotBeCreatedSaysWhy) {
  TempDir dir;
  quiet_hdf5();
  H5Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  ASSERT_TRUE(set_direct_io_driver(fapl.get(), {}));
  const auto path = dir / "missing" / "file.h5";
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get());
  EXPECT_LT(file, 0);
  if (file >= 0) H5Fclose(file);
  const std::string error = hdf5_error_text();
  EXPECT_NE(error.find("No such file or directory"), std::string::npos) << error;
}

std::int64_t bytes_beyond_size(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<std::int64_t>(st.st_blocks) * 512 - static_cast<std::int64_t>(st.st_size);
}

// reserve_on_create is reserved before libhdf5 writes anything, and everything reserved past
// the end of the file (by the driver or by the writer's DiskReserve through the descriptor) is
// given back when the file is closed.
TEST(DirectIoDriver, SpaceReservedPastTheEndIsGivenBackAtClose) {
  TempDir dir;
  const auto path = dir / "reserved.h5";
  DirectIoCounters counters;
  quiet_hdf5();
  H5Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  ASSERT_TRUE(set_direct_io_driver(
      fapl.get(), {.reserve_on_create = 1u << 20, .counters = &counters}));
  H5Handle file(H5Fcreate(path.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, fapl.get()), H5Fclose);
  ASSERT_TRUE(file) << hdf5_error_text();
  EXPECT_TRUE(counters.created);
  if (bytes_beyond_size(path) < (1 << 19)) GTEST_SKIP() << dir.path() << " cannot reserve";
  void* handle = nullptr;
  ASSERT_GE(H5Fget_vfd_handle(file.get(), H5P_DEFAULT, &handle), 0);
  const int fd = *static_cast<int*>(handle);
  ASSERT_EQ(::fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 8 << 20), 0) << std::strerror(errno);
  EXPECT_GE(bytes_beyond_size(path), 7 << 20);
  ASSERT_TRUE(file.close()) << hdf5_error_text();
  EXPECT_LE(bytes_beyond_size(path), static_cast<std::int64_t>(kDirectIoBlock))
      << "the reservation outlived the file's close";
}

}  // namespace
}  // namespace daq::storage::detail
