// MutexFreeList: the baseline a pool is compared with — a std::mutex around a std::vector of
// free pointers into caller-owned objects.
// Thread-safety: acquire/release from any thread. Allocation: none after construction (the
// vector's capacity covers every object).
#pragma once

#include <mutex>
#include <stdexcept>
#include <vector>

namespace daq::cli::bench {

template <class T>
class MutexFreeList {
 public:
  /// Lends out the objects of `items`, which must outlive the list.
  explicit MutexFreeList(std::vector<T>& items) {
    free_.reserve(items.size());
    for (T& item : items) free_.push_back(&item);
  }

  /// A free object. Throws std::logic_error when all are lent (the benches lend at most one
  /// per thread, so that is a bug).
  T* acquire() {
    std::lock_guard lock(mutex_);
    if (free_.empty()) throw std::logic_error("MutexFreeList: every object is lent");
    T* item = free_.back();
    free_.pop_back();
    return item;
  }

  void release(T* item) {
    std::lock_guard lock(mutex_);
    free_.push_back(item);
  }

 private:
  std::mutex mutex_;
  std::vector<T*> free_;
};

}  // namespace daq::cli::bench
