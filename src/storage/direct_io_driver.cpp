#include "direct_io_driver.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <new>
#include <type_traits>

#include "page_cache_release.hpp"
#include "writer_lock.hpp"

namespace daq::storage::detail {
namespace {

constexpr haddr_t kMaxAddress = (haddr_t{1} << 63) - 1;  // the largest off_t

struct DirectFile {
  H5FD_t base{};  // libhdf5's part of every open file; must come first
  int fd = -1;
  int direct_fd = -1;  // O_DIRECT, write-only; -1 when not asked for or refused
  dev_t device = 0;
  ino_t inode = 0;
  haddr_t eoa = 0;  // end of the space libhdf5 has allocated
  haddr_t eof = 0;  // end of the bytes in the file
  DirectIoOptions options;
  DirectIoCounters own_counters;  // used when options.counters is null
  PageCacheRelease release;

  DirectIoCounters& counters() noexcept {
    return options.counters != nullptr ? *options.counters : own_counters;
  }
};
static_assert(std::is_standard_layout_v<DirectFile>, "libhdf5 sees a DirectFile as an H5FD_t");

DirectFile& file_of(H5FD_t* file) noexcept {
  return *reinterpret_cast<DirectFile*>(file);
}
const DirectFile& file_of(const H5FD_t* file) noexcept {
  return *reinterpret_cast<const DirectFile*>(file);
}

// Errors read like the sec2 driver's ("... error message = '<strerror>'"), which is the part
// hdf5_error_text() shows a user.
herr_t fail(const char* function, hid_t minor, const char* what, int err) {
  H5Epush2(H5E_DEFAULT, __FILE__, function, __LINE__, H5E_ERR_CLS, H5E_VFL, minor,
           "%s, errno = %d, error message = '%s'", what, err, std::strerror(err));
  return -1;
}

// Addresses a file can hold. (Reads may go past the end of allocated space: a SWMR reader's
// view of it lags behind the writer's, and libhdf5 checks writes against it itself.)
bool out_of_range(haddr_t address, std::size_t size) noexcept {
  return address == HADDR_UNDEF || address > kMaxAddress || size > kMaxAddress - address;
}

bool whole_blocks(haddr_t offset, const std::byte* memory, std::size_t size) noexcept {
  return size != 0 && offset % kDirectIoBlock == 0 && size % kDirectIoBlock == 0 &&
         reinterpret_cast<std::uintptr_t>(memory) % kDirectIoBlock == 0;
}

// pwrite()s bytes [done, size) of `data` to `fd` at `offset + done` while `keep_going` holds
// for the rest. Returns 0 or the errno that stopped it; `done` says how far it got.
template <class KeepGoing>
int write_from(int fd, const std::byte* data, std::size_t size, haddr_t offset, std::size_t& done,
               KeepGoing keep_going) noexcept {
  while (done < size && keep_going(offset + done, data + done, size - done)) {
    const ssize_t n = ::pwrite(fd, data + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return EIO;
    done += static_cast<std::size_t>(n);
  }
  return 0;
}

void stop_direct_io(DirectFile& file, int err) noexcept {
  if (file.direct_fd >= 0) ::close(file.direct_fd);
  file.direct_fd = -1;
  file.counters().refused_errno = err;
}

// Our driver's id in the running libhdf5, or H5I_INVALID_HID. Atomic rather than under the
// registration mutex: libhdf5 calls terminate while holding its own lock, and registration
// takes the two locks in the opposite order.
std::atomic<hid_t> registered_id{H5I_INVALID_HID};

herr_t forget_driver_id() {
  registered_id.store(H5I_INVALID_HID, std::memory_order_release);
  return 0;
}

void* copy_options(const void* options) {
  return new (std::nothrow) DirectIoOptions(*static_cast<const DirectIoOptions*>(options));
}

herr_t free_options(void* options) {
  delete static_cast<DirectIoOptions*>(options);
  return 0;
}

void* get_options(H5FD_t* file) {
  return copy_options(&file_of(file).options);
}

int open_flags(unsigned flags) {
  int result = (flags & H5F_ACC_RDWR) != 0 ? O_RDWR : O_RDONLY;
  if ((flags & H5F_ACC_TRUNC) != 0) result |= O_TRUNC;
  if ((flags & H5F_ACC_CREAT) != 0) result |= O_CREAT;
  if ((flags & H5F_ACC_EXCL) != 0) result |= O_EXCL;
  return result | O_CLOEXEC;
}

// A second, O_DIRECT descriptor for the file open as `fd`: through /proc/self/fd, so that it is
// the same file even if `name` was renamed meanwhile; by name where /proc is not mounted.
int open_direct(int fd, const char* name) {
  std::array<char, 32> own{};
  std::snprintf(own.data(), own.size(), "/proc/self/fd/%d", fd);
  const int direct = ::open(own.data(), O_WRONLY | O_DIRECT | O_CLOEXEC);
  if (direct >= 0 || errno != ENOENT) return direct;
  return ::open(name, O_WRONLY | O_DIRECT | O_CLOEXEC);
}

// Reserves [0, bytes) of a new file (fallocate, keeping its size). Returns 0 or the errno;
// a filesystem that cannot reserve is used without.
int reserve_on_create(int fd, std::uint64_t bytes) noexcept {
  if (bytes == 0) return 0;
  int rc = 0;
  do {
    rc = ::fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, static_cast<off_t>(bytes));
  } while (rc != 0 && errno == EINTR);
  if (rc == 0 || errno == EOPNOTSUPP || errno == ENOSYS) return 0;
  return errno;
}

H5FD_t* open_file(const char* name, unsigned flags, hid_t fapl, haddr_t /*maxaddr*/) {
  const int fd = ::open(name, open_flags(flags), 0666);
  if (fd < 0) {
    fail(__func__, H5E_CANTOPENFILE, "unable to open file", errno);
    return nullptr;
  }
  struct stat status {};
  if (::fstat(fd, &status) != 0) {
    fail(__func__, H5E_BADFILE, "unable to fstat file", errno);
    ::close(fd);
    return nullptr;
  }
  auto* file = new (std::nothrow) DirectFile;
  if (file == nullptr) {
    ::close(fd);
    fail(__func__, H5E_CANTALLOC, "unable to allocate the file struct", ENOMEM);
    return nullptr;
  }
  file->fd = fd;
  file->device = status.st_dev;
  file->inode = status.st_ino;
  file->eof = static_cast<haddr_t>(status.st_size);
  if (const void* options = H5Pget_driver_info(fapl); options != nullptr) {
    file->options = *static_cast<const DirectIoOptions*>(options);
  }
  if ((flags & H5F_ACC_CREAT) != 0) {
    file->counters().created = true;
    if (const int err = reserve_on_create(fd, file->options.reserve_on_create); err != 0) {
      fail(__func__, H5E_CANTOPENFILE, "unable to reserve space for the new file", err);
      ::close(fd);
      delete file;
      return nullptr;
    }
  }
  if ((flags & H5F_ACC_RDWR) != 0) {
    if (const int err = take_writer_lock(fd); err == EAGAIN) {
      fail(__func__, H5E_CANTLOCKFILE, "another process is writing the file", err);
      ::close(fd);
      delete file;
      return nullptr;
    }
  }
  file->release.attach(fd);
  if (file->options.direct && (flags & H5F_ACC_RDWR) != 0) {
    file->direct_fd = open_direct(fd, name);
    if (file->direct_fd < 0) file->counters().refused_errno = errno;
  }
  return &file->base;
}

herr_t close_file(H5FD_t* base) {
  DirectFile* file = &file_of(base);
  if (file->direct_fd >= 0) ::close(file->direct_fd);
  const int result = ::close(file->fd);
  const int err = errno;
  delete file;
  return result == 0 ? 0 : fail(__func__, H5E_CANTCLOSEFILE, "unable to close file", err);
}

int compare(const H5FD_t* a, const H5FD_t* b) {
  const DirectFile& x = file_of(a);
  const DirectFile& y = file_of(b);
  if (x.device != y.device) return x.device < y.device ? -1 : 1;
  if (x.inode != y.inode) return x.inode < y.inode ? -1 : 1;
  return 0;
}

// The same features as libhdf5's sec2 driver: the library may aggregate and accumulate
// metadata, sieve raw data, use SWMR, and hand out the descriptor as a POSIX int.
herr_t query(const H5FD_t* /*file*/, unsigned long* flags) {
  *flags = H5FD_FEAT_AGGREGATE_METADATA | H5FD_FEAT_ACCUMULATE_METADATA | H5FD_FEAT_DATA_SIEVE |
           H5FD_FEAT_AGGREGATE_SMALLDATA | H5FD_FEAT_POSIX_COMPAT_HANDLE |
           H5FD_FEAT_SUPPORTS_SWMR_IO | H5FD_FEAT_DEFAULT_VFD_COMPATIBLE;
  return 0;
}

haddr_t get_eoa(const H5FD_t* file, H5FD_mem_t /*type*/) {
  return file_of(file).eoa;
}

herr_t set_eoa(H5FD_t* file, H5FD_mem_t /*type*/, haddr_t address) {
  if (address > kMaxAddress) return fail(__func__, H5E_OVERFLOW, "address overflow", EFBIG);
  file_of(file).eoa = address;
  return 0;
}

haddr_t get_eof(const H5FD_t* file, H5FD_mem_t /*type*/) {
  return file_of(file).eof;
}

herr_t get_handle(H5FD_t* file, hid_t /*fapl*/, void** handle) {
  *handle = &file_of(file).fd;
  return 0;
}

herr_t read_at(H5FD_t* base, H5FD_mem_t /*type*/, hid_t /*dxpl*/, haddr_t address, std::size_t size,
               void* buffer) {
  DirectFile& file = file_of(base);
  if (out_of_range(address, size)) {
    return fail(__func__, H5E_OVERFLOW, "read address out of range", EINVAL);
  }
  auto* out = static_cast<std::byte*>(buffer);
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(file.fd, out + done, size - done, static_cast<off_t>(address + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(__func__, H5E_READERROR, "file read failed", errno);
    }
    if (n == 0) {  // allocated but never written: reads as zeros
      std::memset(out + done, 0, size - done);
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  return 0;
}

herr_t write_at(H5FD_t* base, H5FD_mem_t type, hid_t /*dxpl*/, haddr_t address, std::size_t size,
                const void* buffer) {
  DirectFile& file = file_of(base);
  if (out_of_range(address, size) || address + size > file.eoa) {
    return fail(__func__, H5E_OVERFLOW, "write beyond the allocated space", EINVAL);
  }
  const auto* data = static_cast<const std::byte*>(buffer);
  const bool raw = type == H5FD_MEM_DRAW;
  std::size_t done = 0;
  int direct_error = 0;
  if (raw && file.direct_fd >= 0) {
    // A short write leaves a remainder that may not be whole blocks: that part is buffered.
    direct_error = write_from(file.direct_fd, data, size, address, done, whole_blocks);
    if (direct_error != 0 && direct_error != EINVAL) {
      return fail(__func__, H5E_WRITEERROR, "file write failed", direct_error);
    }
  }
  const std::size_t direct = done;
  const auto always = [](haddr_t, const std::byte*, std::size_t) { return true; };
  if (const int err = write_from(file.fd, data, size, address, done, always); err != 0) {
    // EINVAL from O_DIRECT and then this: the cause was the limit (RLIMIT_FSIZE cuts a direct
    // write to a length O_DIRECT refuses), not the filesystem; O_DIRECT stays on.
    return fail(__func__, H5E_WRITEERROR, "file write failed", err);
  }
  if (direct_error == EINVAL) {
    stop_direct_io(file, EINVAL);  // only O_DIRECT failed: the filesystem refuses it
  }
  if (direct == size) {
    ++file.counters().direct_writes;
    file.counters().direct_bytes += size;
  } else if (raw && size - direct >= file.options.release_threshold) {
    file.release.written(address + direct, size - direct);
  }
  file.eof = std::max<haddr_t>(file.eof, address + size);
  return 0;
}

// At close always: truncating, even to the same size, frees the blocks reserved past the end.
herr_t truncate_to_eoa(H5FD_t* base, hid_t /*dxpl*/, hbool_t closing) {
  DirectFile& file = file_of(base);
  if (file.eoa == file.eof && !closing) return 0;
  if (::ftruncate(file.fd, static_cast<off_t>(file.eoa)) != 0) {
    return fail(__func__, H5E_SEEKERROR, "unable to extend or truncate file", errno);
  }
  file.eof = file.eoa;
  return 0;
}

herr_t lock_file(H5FD_t* file, hbool_t exclusive) {
  if (::flock(file_of(file).fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0) return 0;
  if (errno == ENOSYS) return 0;  // the filesystem has no locks: as sec2 when they are disabled
  return fail(__func__, H5E_CANTLOCKFILE, "unable to lock file", errno);
}

herr_t unlock_file(H5FD_t* file) {
  if (::flock(file_of(file).fd, LOCK_UN) == 0 || errno == ENOSYS) return 0;
  return fail(__func__, H5E_CANTUNLOCKFILE, "unable to unlock file", errno);
}

const H5FD_class_t kDriverClass = {
    .name = "daq_direct_io",
    .maxaddr = kMaxAddress,
    .fc_degree = H5F_CLOSE_WEAK,
    .terminate = forget_driver_id,
    .sb_size = nullptr,
    .sb_encode = nullptr,
    .sb_decode = nullptr,
    .fapl_size = sizeof(DirectIoOptions),
    .fapl_get = get_options,
    .fapl_copy = copy_options,
    .fapl_free = free_options,
    .dxpl_size = 0,
    .dxpl_copy = nullptr,
    .dxpl_free = nullptr,
    .open = open_file,
    .close = close_file,
    .cmp = compare,
    .query = query,
    .get_type_map = nullptr,
    .alloc = nullptr,
    .free = nullptr,
    .get_eoa = get_eoa,
    .set_eoa = set_eoa,
    .get_eof = get_eof,
    .get_handle = get_handle,
    .read = read_at,
    .write = write_at,
    .flush = nullptr,
    .truncate = truncate_to_eoa,
    .lock = lock_file,
    .unlock = unlock_file,
    .fl_map = H5FD_FLMAP_DICHOTOMY,
};

// Registered once per libhdf5 session: H5close() forgets its drivers (calling terminate).
hid_t driver_id() {
  static std::mutex mutex;
  const std::lock_guard guard(mutex);
  hid_t id = registered_id.load(std::memory_order_acquire);
  if (id < 0) {
    id = H5FDregister(&kDriverClass);
    registered_id.store(id, std::memory_order_release);
  }
  return id;
}

}  // namespace

bool set_direct_io_driver(hid_t fapl, const DirectIoOptions& options) {
  const hid_t id = driver_id();
  return id >= 0 && H5Pset_driver(fapl, id, &options) >= 0;
}

}  // namespace daq::storage::detail
