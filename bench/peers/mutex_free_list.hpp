// MutexFreeList<T>: the baseline every pool benchmark is measured against — what a pool would be
// without lock-free structures: a std::mutex around a std::vector of pointers to objects the
// caller owns.
// Thread-safety: try_acquire/release from any thread. Allocation: none after construction (the
// vector's capacity covers every object). Misuse: releasing a pointer that did not come from
// this list, or releasing one twice, is undefined; the objects must outlive the list.
#pragma once

#include <mutex>
#include <span>
#include <vector>

namespace daq::bench {

template <class T>
class MutexFreeList {
 public:
  /// Lends out the objects of `items`.
  explicit MutexFreeList(std::span<T> items) {
    free_.reserve(items.size());
    for (T& item : items) free_.push_back(&item);
  }

  /// A free object, or nullptr when every object is lent.
  [[nodiscard]] T* try_acquire() {
    std::lock_guard lock(mutex_);
    if (free_.empty()) return nullptr;
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

}  // namespace daq::bench
