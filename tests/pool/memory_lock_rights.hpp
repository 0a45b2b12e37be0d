// Test helper: takes away the calling thread's right to mlock for the scope's lifetime, so the
// "mlock refused" path runs even when the tests run as root. Lowers the soft RLIMIT_MEMLOCK to 0
// and clears CAP_IPC_LOCK from the thread's effective capabilities (both restored on exit).
// Linux only; capabilities are per thread, so use it on the thread that calls mlock.
#pragma once

#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>

namespace daq::test {

class WithoutMemoryLockRights {
 public:
  WithoutMemoryLockRights() {
    if (::getrlimit(RLIMIT_MEMLOCK, &saved_limit_) != 0) std::abort();
    const rlimit none{0, saved_limit_.rlim_max};
    if (::setrlimit(RLIMIT_MEMLOCK, &none) != 0) std::abort();
    if (::syscall(SYS_capget, &header_, saved_caps_) != 0) std::abort();
    __user_cap_data_struct reduced[2] = {saved_caps_[0], saved_caps_[1]};
    reduced[0].effective &= ~(1u << CAP_IPC_LOCK);
    if (::syscall(SYS_capset, &header_, reduced) != 0) std::abort();
  }
  WithoutMemoryLockRights(const WithoutMemoryLockRights&) = delete;

  /// False when mlock still succeeds: the sanitizers replace mlock with a no-op that reports
  /// success, so the refused path cannot be reached there.
  static bool mlock_refused() {
    alignas(4096) static char page[4096];
    if (::mlock(page, sizeof page) != 0) return true;
    ::munlock(page, sizeof page);
    return false;
  }

  WithoutMemoryLockRights& operator=(const WithoutMemoryLockRights&) = delete;
  ~WithoutMemoryLockRights() {
    ::syscall(SYS_capset, &header_, saved_caps_);
    ::setrlimit(RLIMIT_MEMLOCK, &saved_limit_);
  }

 private:
  rlimit saved_limit_{};
  __user_cap_header_struct header_{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct saved_caps_[2]{};
};

}  // namespace daq::test
