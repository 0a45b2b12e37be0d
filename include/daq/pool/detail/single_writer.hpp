// daq/pool/detail/single_writer.hpp — adding to an atomic counter that only one thread writes.
// Not API.
//
// When exactly one thread ever stores to a counter (other threads only load it), a relaxed load
// of the writer's own last value is exact, so `load + store` is the whole increment: no locked
// read-modify-write (a `lock xadd` on x86) on the hot path. Using it from a second writer
// thread loses increments: a bug the function cannot detect.
//
// Thread-safety: one writer per counter; any number of concurrent readers. Allocates nothing.
#pragma once

#include <atomic>
#include <type_traits>

namespace daq::detail {

/// Adds `n` to `counter`, which only the calling thread writes. `order` is the store's
/// ordering: relaxed for a plain statistic, release when readers rely on the value to see
/// other writes (the fields under a SeqLock, see seqlock.hpp).
template <class T>
void single_writer_add(std::atomic<T>& counter, std::type_identity_t<T> n = 1,
                       std::memory_order order = std::memory_order_relaxed) noexcept {
  // relaxed: only this thread stores to the counter, so this reads its own last store.
  counter.store(static_cast<T>(counter.load(std::memory_order_relaxed) + n), order);
}

}  // namespace daq::detail
